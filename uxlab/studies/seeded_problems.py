"""``[[problems]]`` in a study file: known usability problems and expected behaviours, seeded into
the study's problem list and grid so observers can mark them live.

Each entry has a ``key`` (stable across reloads), a ``title``, and optionally ``description``,
``task`` (a task key), ``severity`` (Nielsen 0–4, default 2) and ``kind``: ``problem`` (a known
problem, the default) or ``expected`` (a behaviour the researchers expect to see; tracked in the
grid, not counted as a problem).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from uxlab.studies.problems import Problems

PROBLEM_KEYS = {"key", "title", "description", "task", "severity", "kind"}
PROBLEM_KINDS = ("problem", "expected")
MAX_TITLE_LENGTH = 300


@dataclass(frozen=True)
class ProblemSpec:
    key: str
    title: str
    description: str = ""
    task: str | None = None
    severity: int = 2
    kind: str = "problem"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "title": self.title}
        if self.description:
            data["description"] = self.description
        if self.task:
            data["task"] = self.task
        if self.severity != 2:
            data["severity"] = self.severity
        if self.kind != "problem":
            data["kind"] = self.kind
        return data


def parse_problems(data: dict, problems: Problems, task_keys: set[str], *, unknown_keys, key_of,
                   text) -> tuple[ProblemSpec, ...]:
    """Validate ``[[problems]]`` (``unknown_keys``, ``key_of``, ``text``: the spec's helpers)."""
    value = data.get("problems")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        problems.add("problems", "must be an array of tables ([[problems]])")
        return ()
    seen: dict[str, str] = {}
    result = []
    for i, table in enumerate(value):
        where = f"problems[{i}]"
        unknown_keys(table, PROBLEM_KEYS, where, problems)
        key = key_of(table, where, problems, seen, "problem")
        title = text(table, "title", where, problems, required=True)
        if len(title) > MAX_TITLE_LENGTH:
            problems.add(f"{where}.title", f"at most {MAX_TITLE_LENGTH} characters")
        task = text(table, "task", where, problems, default=None)
        if task is not None and task not in task_keys:
            problems.add(f"{where}.task", f"the study has no task {task!r}")
        severity = table.get("severity", 2)
        if type(severity) is not int or not 0 <= severity <= 4:
            problems.add(f"{where}.severity", f"must be a whole number 0–4 (Nielsen: 0 not a "
                                              f"problem … 4 catastrophe), not {severity!r}")
            severity = 2
        kind = table.get("kind", "problem")
        if kind not in PROBLEM_KINDS:
            problems.add(f"{where}.kind", f"must be 'problem' or 'expected', not {kind!r}")
            kind = "problem"
        result.append(ProblemSpec(key=key, title=" ".join(title.split()),
                                  description=text(table, "description", where, problems),
                                  task=task, severity=severity, kind=kind))
    return tuple(result)
