"""``[[screener]]``, ``[[quotas]]`` and ``[panel]`` in a study file: parsing and the canonical
mapping back (so load → export → load round-trips). The format is in ``docs/study-files.md``.

::

    [[screener]]
    key = "shopping"
    kind = "single"                 # single | multiple | number
    text = "How often do you shop online?"
    options = ["Weekly", "Monthly", "Rarely"]
    must_be = ["Weekly", "Monthly"] # the eligibility rule (uxlab.screening.rules)

    [[quotas]]
    key = "weekly_a"
    places = 10
    variant = "A"                   # optional: only this variant's places
    where = { shopping = ["Weekly"] }

    [panel]
    preset = "prolific"
    completion_code = "C1A2B3C4"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from uxlab.screening.panels import panel_problems
from uxlab.screening.rules import RULE_KEYS, rule_problems
from uxlab.studies.problems import Problems
from uxlab.studies.translations import TEXT, TEXTS, Section, register_section

#: More places than any study recruits; also inside the database's 32-bit integers.
MAX_QUOTA_PLACES = 1_000_000

QUESTION_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_KEY_LENGTH = 64
QUESTION_KEYS = {"key", "kind", "text", "options", *(k for keys in RULE_KEYS.values() for k in keys)}
QUOTA_KEYS = {"key", "places", "variant", "where"}
MAX_OPTIONS = 50
#: How segments name a missing answer (the ``KEY=(no answer)`` filter, ``uxlab analyze
#: --segment``'s empty cells), so no option may be called that.
NO_ANSWER = "(no answer)"


@dataclass(frozen=True)
class ScreenerQuestionSpec:
    key: str
    kind: str
    text: str
    options: tuple[str, ...] = ()
    rule: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "kind": self.kind, "text": self.text}
        if self.options:
            data["options"] = list(self.options)
        data.update({name: list(v) if isinstance(v, list) else v for name, v in self.rule.items()})
        return data


@dataclass(frozen=True)
class QuotaSpec:
    key: str
    places: int
    variant: str | None = None
    where: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "places": self.places}
        if self.variant:
            data["variant"] = self.variant
        if self.where:
            data["where"] = {k: dict(rule) for k, rule in self.where.items()}
        return data


def _key(table: dict, where: str, problems: Problems, seen: dict[str, str], kind: str) -> str:
    value = table.get("key")
    if not isinstance(value, str) or not QUESTION_KEY_PATTERN.match(value) \
            or len(value) > MAX_KEY_LENGTH:
        problems.add(f"{where}.key", f"{value!r} is not a valid key (lower-case letters, digits "
                                     f"and _, starting with a letter, at most {MAX_KEY_LENGTH})")
        return str(value or "")
    if value in seen:
        problems.add(f"{where}.key", f"duplicate {kind} key {value!r} (first used at "
                                     f"{seen[value]})")
    seen[value] = seen.get(value, where)
    return value


def _array(data: dict, name: str, problems: Problems) -> list[dict]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        problems.add(name, f"must be an array of tables ([[{name}]])")
        return []
    return value


def _canonical_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {name: (list(v) if isinstance(v, list) else v) for name, v in rule.items()
            if v is not None}


def parse_screener(data: dict, problems: Problems) -> tuple[ScreenerQuestionSpec, ...]:
    """Validate ``[[screener]]``: keys, kinds, options and each question's eligibility rule."""
    result = []
    seen: dict[str, str] = {}
    for i, table in enumerate(_array(data, "screener", problems)):
        where = f"screener[{i}]"
        for name in table:
            if name not in QUESTION_KEYS:
                problems.add(f"{where}.{name}", "unknown key (allowed here: "
                                                f"{', '.join(sorted(QUESTION_KEYS))})")
        key = _key(table, where, problems, seen, "screener question")
        kind = table.get("kind")
        if kind not in RULE_KEYS:
            problems.add(f"{where}.kind", f"must be one of {', '.join(RULE_KEYS)}, not {kind!r}")
            kind = "single"
        text = table.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.add(f"{where}.text", "required: the question the participant reads")
            text = ""
        options = table.get("options", [])
        if kind == "number":
            if options:
                problems.add(f"{where}.options", "a number question has no options")
            options = []
        elif (not isinstance(options, list) or len(options) < 2 or len(options) > MAX_OPTIONS
              or not all(isinstance(o, str) and o.strip() for o in options)):
            problems.add(f"{where}.options", f"must be a list of 2–{MAX_OPTIONS} non-empty "
                                             "answer texts")
            options = []
        elif len(set(options)) != len(options):
            problems.add(f"{where}.options", "the options must differ from each other")
        elif any(o.strip().casefold() == NO_ANSWER.casefold() for o in options):
            problems.add(f"{where}.options", f"{NO_ANSWER!r} is how segments name a missing "
                                             "answer: give the option another text")
        rule = {name: table[name] for name in RULE_KEYS["single"] + RULE_KEYS["multiple"]
                + RULE_KEYS["number"] if name in table}
        for name, message in rule_problems(kind, list(options), rule):
            problems.add(f"{where}.{name}", message)
        result.append(ScreenerQuestionSpec(key, kind, text, tuple(options),
                                           _canonical_rule(rule)))
    return tuple(result)


def parse_quotas(data: dict, problems: Problems, questions: tuple[ScreenerQuestionSpec, ...],
                 variant_keys: set[str], design: str) -> tuple[QuotaSpec, ...]:
    """Validate ``[[quotas]]``: places, the variant and the conditions on screener answers.

    A condition may be written short: a list of options means ``must_be`` (single choice) or
    ``must_include`` (multiple choice); the canonical mapping always gives the full rule.
    """
    by_key = {q.key: q for q in questions}
    result = []
    seen: dict[str, str] = {}
    for i, table in enumerate(_array(data, "quotas", problems)):
        where = f"quotas[{i}]"
        for name in table:
            if name not in QUOTA_KEYS:
                problems.add(f"{where}.{name}", "unknown key (allowed here: "
                                                f"{', '.join(sorted(QUOTA_KEYS))})")
        key = _key(table, where, problems, seen, "quota")
        places = table.get("places")
        if type(places) is not int or not 0 <= places <= MAX_QUOTA_PLACES:
            problems.add(f"{where}.places", f"must be a whole number from 0 to "
                                            f"{MAX_QUOTA_PLACES:,}, not {places!r}")
            places = 0
        variant = table.get("variant")
        if variant is not None:
            if design == "within":
                problems.add(f"{where}.variant", "in a within-subjects study every participant "
                                                 "sees every variant: a quota cannot be per variant")
            elif variant not in variant_keys:
                problems.add(f"{where}.variant", f"the study has no variant {variant!r}")
        conditions = table.get("where", {})
        if not isinstance(conditions, dict):
            problems.add(f"{where}.where", "must be a table of screener question → condition")
            conditions = {}
        clean: dict[str, dict[str, Any]] = {}
        for question_key, rule in conditions.items():
            at = f"{where}.where.{question_key}"
            question = by_key.get(question_key)
            if question is None:
                problems.add(at, f"the screener has no question {question_key!r}")
                continue
            if isinstance(rule, list):
                rule = {"must_include" if question.kind == "multiple" else "must_be": rule}
            for name, message in rule_problems(question.kind, list(question.options), rule):
                problems.add(f"{at}.{name}" if name else at, message)
            if isinstance(rule, dict):
                clean[question_key] = _canonical_rule(rule)
        result.append(QuotaSpec(key, places, variant if isinstance(variant, str) else None,
                                clean))
    return tuple(result)


def parse_panel(data: dict, problems: Problems) -> dict[str, Any]:
    """Validate ``[panel]`` (:mod:`uxlab.screening.panels`) and return it as given."""
    panel = data.get("panel")
    if panel is None:
        return {}
    for name, message in panel_problems(panel):
        problems.add(f"panel.{name}" if name else "panel", message)
    return dict(panel) if isinstance(panel, dict) else {}


def _screener_sources(spec) -> dict[str | None, dict[str, Any]]:
    """The screener's own texts, for ``[translations.<lang>.screener.<key>]``: a question's text
    and its options' labels (answers are stored, counted and exported in the study's first
    language whatever the participant read)."""
    return {q.key: {name: value for name, value in
                    (("text", q.text), ("options", list(q.options))) if value}
            for q in spec.screener}


register_section(Section("screener", {"text": TEXT, "options": TEXTS}, _screener_sources))
