"""The study's own texts in the language a participant sees (the study file's translations).

A text the chosen language lacks falls back to the study's first language (a warning when the
file is validated, see :mod:`uxlab.studies.translations`).
"""

from __future__ import annotations

from typing import Any

from uxlab.models import ScreenerQuestion, Study, Task


class StudyTexts:
    """Look up the study's texts in ``language``; templates get one as ``texts``."""

    def __init__(self, study: Study, language: str):
        self.study = study
        self.language = language
        languages = study.languages or ["en"]
        own = language == languages[0]
        self._given: dict[str, Any] = {} if own else (study.translations or {}).get(language, {})

    def text(self, section: str, key: str | None, field: str, source: Any) -> Any:
        """The translation of ``section.key.field``, or ``source`` (the study's own) if none."""
        table = self._given.get(section, {})
        if key is not None:
            table = table.get(key, {})
        return table.get(field) or source

    @property
    def title(self) -> str:
        return self.text("study", None, "title", self.study.title)

    @property
    def welcome(self) -> str:
        return self.text("study", None, "welcome", self.study.welcome_text)

    @property
    def consent(self) -> str:
        return self.text("study", None, "consent", self.study.consent_text)

    @property
    def thanks(self) -> str:
        return self.text("study", None, "thanks", self.study.thanks_text)

    def task_title(self, task: Task) -> str:
        return self.text("tasks", task.key, "title", task.title)

    def task_instructions(self, task: Task) -> str:
        return self.text("tasks", task.key, "instructions", task.instructions)

    def answer_question(self, task: Task, source: str | None) -> str | None:
        """The question of an ``answer`` success criterion (``source``: the variant's own)."""
        return self.text("tasks", task.key, "question", source) if source else source

    @property
    def screen_out(self) -> str:
        """The study's screen-out text ("" when it has none: the page says uxlab's own)."""
        return self.text("study", None, "screen_out", self.study.screen_out_text or "")

    @property
    def full(self) -> str:
        """The study's study-full text ("" when it has none)."""
        return self.text("study", None, "full", self.study.full_text or "")

    def screener_text(self, question: ScreenerQuestion) -> str:
        return self.text("screener", question.key, "text", question.text)

    def screener_options(self, question: ScreenerQuestion) -> list[tuple[str, str]]:
        """(value, label) of each option: the value is the study's own option, whatever the
        label, so that answers, quotas and segments do not depend on the language shown."""
        options = list(question.options or [])
        labels = self.text("screener", question.key, "options", None)
        if not isinstance(labels, list) or len(labels) != len(options):
            labels = options
        return list(zip(options, labels, strict=True))
