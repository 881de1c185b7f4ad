"""Collecting every problem in a study definition, each with the key it is about."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem: the dotted key path (``tasks[2].success.url``) and what is wrong."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class StudyDefinitionError(ValueError):
    """A study definition has problems; ``problems`` lists all of them, ``source`` names the file."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = problems
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        return "\n".join(f"{prefix}{problem}" for problem in self.problems)


@dataclass
class Problems:
    """An accumulator passed down the validators so one pass reports everything."""

    items: list[Problem] = field(default_factory=list)

    def add(self, key: str, message: str) -> None:
        self.items.append(Problem(key, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, source: str | None = None) -> None:
        if self.items:
            raise StudyDefinitionError(list(self.items), source)
