"""Success criteria and error rules: a registry of types, each knowing its own keys.

A criterion is a small table such as ``{"type": "url", "url": "confirmation.html"}``. New types
subclass :class:`CriterionType` and register themselves in :data:`CRITERION_TYPES`; the study
validator, the web forms and (later) the recorder all consult this one registry.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from uxlab.studies.problems import Problems

URL_MATCHES = ("exact", "prefix", "regex")


class CriterionType:
    """A kind of success criterion; subclasses declare their keys and check their values."""

    name: ClassVar[str]
    label: ClassVar[str]
    #: Decided without the participant or moderator saying so (URL reached, element clicked).
    automatic: ClassVar[bool] = False
    #: May also be used as an error rule.
    usable_as_error: ClassVar[bool] = False
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    #: Keys the server alone may know: left out of what the participant's browser is sent.
    secret: ClassVar[tuple[str, ...]] = ()

    def validate(self, table: dict[str, Any], key: str, problems: Problems) -> None:
        for name in self.required:
            if name not in table:
                problems.add(f"{key}.{name}", f"required for a '{self.name}' criterion")
        for name, value in table.items():
            if name == "type":
                continue
            if name not in self.required + self.optional:
                allowed = ", ".join(self.required + self.optional) or "no other keys"
                problems.add(f"{key}.{name}", f"unknown key for a '{self.name}' criterion "
                                              f"(allowed: {allowed})")
            else:
                self.check_value(name, value, f"{key}.{name}", problems)

    def check_value(self, name: str, value: Any, key: str, problems: Problems) -> None:
        if not isinstance(value, str) or not value.strip():
            problems.add(key, "must be a non-empty string")


class UrlCriterion(CriterionType):
    name = "url"
    label = "Participant reaches a page"
    automatic = True
    usable_as_error = True
    required = ("url",)
    optional = ("match", "label")

    def check_value(self, name, value, key, problems):
        super().check_value(name, value, key, problems)
        if not isinstance(value, str):
            return
        if name == "match" and value not in URL_MATCHES:
            problems.add(key, f"must be one of {', '.join(URL_MATCHES)}, not {value!r}")


class ElementCriterion(CriterionType):
    name = "element"
    label = "Participant clicks an element"
    automatic = True
    usable_as_error = True
    required = ("selector",)
    optional = ("label",)


class AnswerCriterion(CriterionType):
    name = "answer"
    label = "Participant gives the right answer"
    optional = ("question", "answers", "pattern")
    secret = ("answers", "pattern")  # the server checks the answer (participants/outcomes.py)

    def validate(self, table, key, problems):
        super().validate(table, key, problems)
        if "answers" not in table and "pattern" not in table:
            problems.add(f"{key}.answers", "an 'answer' criterion needs 'answers' or 'pattern'")

    def check_value(self, name, value, key, problems):
        if name == "answers":
            if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                problems.add(key, "must be a non-empty list of non-empty strings")
            return
        super().check_value(name, value, key, problems)


class SelfReportCriterion(CriterionType):
    name = "self_report"
    label = "Participant says they succeeded"
    optional = ("question",)


class ModeratorCriterion(CriterionType):
    name = "moderator"
    label = "Moderator decides"


def _check_patterns(table: dict[str, Any], key: str, problems: Problems) -> None:
    if table.get("match") == "regex" and isinstance(table.get("url"), str):
        try:
            re.compile(table["url"])
        except re.error as exc:
            problems.add(f"{key}.url", f"is not a valid regular expression ({exc})")
    if isinstance(table.get("pattern"), str):
        try:
            re.compile(table["pattern"])
        except re.error as exc:
            problems.add(f"{key}.pattern", f"is not a valid regular expression ({exc})")


CRITERION_TYPES: dict[str, CriterionType] = {
    kind.name: kind()
    for kind in (UrlCriterion, ElementCriterion, AnswerCriterion, SelfReportCriterion,
                 ModeratorCriterion)
}


def validate_criterion(
    table: Any, key: str, problems: Problems, *, as_error: bool = False
) -> None:
    """Check a success criterion (or, with ``as_error``, an error rule) and record problems."""
    if not isinstance(table, dict):
        problems.add(key, "must be a table")
        return
    kind_name = table.get("type")
    if kind_name is None:
        problems.add(f"{key}.type", "missing: say which kind of criterion this is")
        return
    kind = CRITERION_TYPES.get(kind_name)
    allowed = [k for k, t in CRITERION_TYPES.items() if t.usable_as_error or not as_error]
    if kind is None or kind_name not in allowed:
        problems.add(f"{key}.type", f"unknown type {kind_name!r} (use one of {', '.join(allowed)})")
        return
    kind.validate(table, key, problems)
    _check_patterns(table, key, problems)


def shown_to_participant(criterion: dict[str, Any]) -> dict[str, Any]:
    """Return ``criterion`` without its type's secret keys, for the participant's task page.

    The accepted answers of an ``answer`` criterion would give the answer away to anyone who
    reads the page's source, so only the question goes out and the server judges the answer.
    """
    kind = CRITERION_TYPES.get(criterion.get("type"))  # type: ignore[arg-type]
    hidden = set(kind.secret) if kind is not None else set()
    return {key: value for key, value in criterion.items() if key not in hidden}
