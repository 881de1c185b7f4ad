"""Rules on screener answers: a question's eligibility rule and a quota's segment conditions.

A rule is a mapping; an empty rule accepts every answer. By question kind:

- ``single``: ``must_be`` (the answer is one of these), ``must_not_be`` (it is none of these);
- ``multiple``: ``must_include`` (at least one of these is chosen), ``must_not_include`` (none of
  these is chosen);
- ``number``: ``min`` and ``max`` (inclusive bounds).

Pure functions on plain data: the study-file parser, the participant flow and the quota counter
all use them, so a rule means the same everywhere.
"""

from __future__ import annotations

import math
from typing import Any

RULE_KEYS = {
    "single": ("must_be", "must_not_be"),
    "multiple": ("must_include", "must_not_include"),
    "number": ("min", "max"),
}


def answer_meets(kind: str, rule: dict[str, Any], answer: Any) -> bool:
    """Whether ``answer`` (as stored in ``Participant.screener``) meets ``rule``.

    A missing answer meets only an empty rule.
    """
    if not rule:
        return True
    if answer is None:
        return False
    if kind == "single":
        return (("must_be" not in rule or answer in rule["must_be"])
                and answer not in rule.get("must_not_be", ()))
    if kind == "multiple":
        chosen = set(answer)
        return (("must_include" not in rule or bool(chosen & set(rule["must_include"])))
                and not chosen & set(rule.get("must_not_include", ())))
    return (rule.get("min") is None or answer >= rule["min"]) and (
        rule.get("max") is None or answer <= rule["max"])


def answers_meet(kinds: dict[str, str], conditions: dict[str, dict[str, Any]],
                 answers: dict[str, Any]) -> bool:
    """Whether ``answers`` meet every condition (question key → rule); ``kinds`` maps key → kind."""
    return all(answer_meets(kinds.get(key, ""), rule, answers.get(key))
               for key, rule in conditions.items())


def rule_problems(kind: str, options: list[str], rule: Any) -> list[tuple[str, str]]:
    """Return (rule key, problem) for everything wrong with ``rule`` for a question of ``kind``."""
    if not isinstance(rule, dict):
        return [("", "must be a table of rule keys")]
    allowed = RULE_KEYS.get(kind, ())
    problems = [(name, f"not a rule for a {kind} question (allowed: {', '.join(allowed)})")
                for name in rule if name not in allowed]
    for name in allowed:
        value = rule.get(name)
        if value is None:
            continue
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                problems.append((name, f"must be a number, not {value!r}"))
            continue
        if not isinstance(value, list) or not value:
            problems.append((name, "must be a non-empty list of the question's options"))
            continue
        unknown = [v for v in value if v not in options]
        if unknown:
            problems.append((name, f"{unknown[0]!r} is not one of the options "
                                   f"({', '.join(map(repr, options))})"))
    low, high = rule.get("min"), rule.get("max")
    if kind == "number" and isinstance(low, (int, float)) and isinstance(high, (int, float)) \
            and low > high:
        problems.append(("min", f"{low} is above max {high}"))
    return problems


def describe_rule(kind: str, rule: dict[str, Any]) -> str:
    """A short sentence for researchers, e.g. "must be Weekly or Monthly"."""
    parts = []
    words = {"must_be": "must be", "must_not_be": "must not be",
             "must_include": "must include one of", "must_not_include": "must not include"}
    for name, phrase in words.items():
        if rule.get(name):
            parts.append(f"{phrase} {' or '.join(rule[name])}")
    if rule.get("min") is not None:
        parts.append(f"at least {rule['min']:g}")
    if rule.get("max") is not None:
        parts.append(f"at most {rule['max']:g}")
    return "; ".join(parts) or "anyone"
