"""Which language a participant sees: their own choice, else their browser's, among the study's.

Services only (no Flask request here): the views pass the browser's ``Accept-Language``.
"""

from __future__ import annotations

from werkzeug.datastructures import LanguageAccept

from uxlab.i18n.languages import DEFAULT_LANGUAGE, SHIPPED_LANGUAGES
from uxlab.models import Participant, Study


class LanguageError(ValueError):
    """A language the study does not offer."""


def study_languages(study: Study) -> list[str]:
    """The languages a study offers, its own first; only shipped ones (a catalogue must exist)."""
    return [language for language in (study.languages or [DEFAULT_LANGUAGE])
            if language in SHIPPED_LANGUAGES] or [DEFAULT_LANGUAGE]


def best_language(offered: list[str] | tuple[str, ...], accept: LanguageAccept) -> str:
    """The browser's most preferred of ``offered`` ("de-AT" matches "de"), else the first."""
    return accept.best_match(offered) or offered[0]


def participant_language(participant: Participant, accept: LanguageAccept) -> str:
    """The language ``participant`` sees: the one they chose (or consented in) if the study
    still offers it, else the best of the study's languages for their browser."""
    offered = study_languages(participant.study)
    if participant.language in offered:
        return participant.language
    return best_language(offered, accept)


def choose_language(participant: Participant, language: str) -> None:
    """Record that ``participant`` switched to ``language`` (one the study offers)."""
    if language not in study_languages(participant.study):
        raise LanguageError(f"this study is not offered in {language!r}")
    participant.language = language
