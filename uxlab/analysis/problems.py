"""What is wrong with a tidy table: each problem with its row and column, all reported at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a tidy table: where (row, column) and what."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class TidyDataError(ValueError):
    """A tidy table failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self._describe())

    def _located(self, problem: Problem) -> str:
        if not self.source:
            return str(problem)
        located = problem.row is not None or problem.column is not None
        return f"{self.source}{', ' if located else ': '}{problem}"

    def _describe(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: " if self.source else ""
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} found"]
        lines += [f"  {self._located(problem)}" for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
        if count > MAX_PROBLEMS_SHOWN:
            lines.append(f"  … and {count - MAX_PROBLEMS_SHOWN} more")
        return "\n".join(lines)


def sort_problems(problems: list[Problem], columns: Sequence[str]) -> None:
    position = {name: i for i, name in enumerate(columns)}
    problems.sort(key=lambda p: (p.row or 0, position.get(p.column, -1)))


def join_words(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
