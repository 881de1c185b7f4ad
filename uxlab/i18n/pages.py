"""The participant pages' language: chosen per request, offered in a switcher, and the study's
own texts in it (``texts`` in templates). Called by the participant views."""

from __future__ import annotations

from flask import Blueprint, g, request, session
from sqlalchemy.exc import SQLAlchemyError

from uxlab.extensions import db_session
from uxlab.i18n.catalogue import LANGUAGE_NAMES, SHIPPED_LANGUAGES, selected_language, use_language
from uxlab.i18n.choice import best_language, participant_language, study_languages
from uxlab.i18n.study_texts import StudyTexts
from uxlab.models import Participant, Study


def show_in_browser_language(offered: list[str] | tuple[str, ...] = SHIPPED_LANGUAGES) -> None:
    """Before anyone is known (a dead end, an unknown link): the browser's best of ``offered``."""
    use_language(best_language(offered, request.accept_languages))


def show_study_in_browser_language(study: Study) -> None:
    """A study's page before its participant is known: the browser's best of its languages."""
    g.language_study = study
    show_in_browser_language(study_languages(study))


def show_participant_pages(participant: Participant) -> str:
    """Render this request in ``participant``'s language, with the switcher; return it."""
    g.language_participant = participant
    g.language_study = participant.study
    language = participant_language(participant, request.accept_languages)
    use_language(language)
    return language


def ensure_language() -> None:
    """An error page that no participant view rendered (a CSRF failure, an unknown URL): the
    participant's language if the cookie names one, else the browser's."""
    if "uxlab_language" in g:
        return
    participant = None
    if session.get("participant_id"):
        try:
            participant = db_session().get(Participant, session["participant_id"])
        except SQLAlchemyError:  # the error being shown may be the database's own
            participant = None
    if participant is not None:
        show_participant_pages(participant)
    else:
        show_in_browser_language()


def page_context() -> dict:
    """Template context: ``texts`` (the study's texts in the page's language) and
    ``language_choices`` for the switcher (only with a participant and several languages)."""
    study = g.get("language_study")
    participant = g.get("language_participant")
    offered = study_languages(study) if participant is not None else []
    return {
        "texts": StudyTexts(study, selected_language()) if study is not None else None,
        "language_choices": [(code, LANGUAGE_NAMES[code]) for code in offered]
        if len(offered) > 1 else [],
    }


def register(blueprint: Blueprint) -> None:
    """Give ``blueprint``'s pages the browser's language until a view knows better."""
    blueprint.before_request(show_in_browser_language)
    blueprint.context_processor(page_context)
