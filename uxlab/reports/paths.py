"""Page paths of a report: each task's most common page sequences per variant, with counts.

Plain data, like the rest of :class:`~uxlab.reports.context.ReportContext`: the results service
counts the paths in the database (:mod:`uxlab.results.navigation`), the report only shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PathCount:
    """One page sequence (reloads collapsed) and how many attempts took it."""

    pages: tuple[str, ...]
    count: int

    def __post_init__(self):
        object.__setattr__(self, "pages", tuple(str(p) for p in self.pages))
        if self.count < 1:
            raise ValueError(f"a path count must be at least 1, got {self.count!r}")

    @property
    def label(self) -> str:
        """``index.html → shoes.html → …``."""
        return " → ".join(self.pages)


@dataclass(frozen=True)
class TaskPaths:
    """The most common paths of one task in one variant, of ``attempts`` with a path."""

    task: str
    variant: str
    attempts: int
    paths: tuple[PathCount, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "paths", tuple(
            p if isinstance(p, PathCount) else PathCount(**p) for p in self.paths))
        if sum(p.count for p in self.paths) > self.attempts:
            raise ValueError(f"paths of task {self.task!r}, variant {self.variant!r} count more "
                             f"attempts than the {self.attempts} with a path")

    @property
    def others(self) -> int:
        """Attempts whose path is not among the listed ones."""
        return self.attempts - sum(p.count for p in self.paths)

    def share(self, path: PathCount) -> float:
        return path.count / self.attempts


def as_task_paths(value: TaskPaths | Mapping) -> TaskPaths:
    return value if isinstance(value, TaskPaths) else TaskPaths(**value)
