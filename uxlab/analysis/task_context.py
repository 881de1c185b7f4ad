"""What every per-task computation needs: the task's cells and the analysis settings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uxlab.analysis.grouping import Cell


@dataclass(frozen=True, eq=False)
class TaskContext:
    """One task's cells (by variant) and the analysis settings that apply to them."""

    task: str
    cells: dict[str, Cell]
    design: str
    confidence: float
    times: str
    adjust: str
    benchmarks: dict

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(self.cells)

    def times_of(self, cell: Cell) -> np.ndarray:
        """The cell's times to analyse: of successful attempts only, or of all (``times``)."""
        keep = ~np.isnan(cell.time_s)
        if self.times == "successful":
            keep &= cell.success == 1
        return cell.time_s[keep]

    def time_target(self) -> float | None:
        """The task's time benchmark in seconds, if one is set."""
        target = self.benchmarks.get("time")
        if isinstance(target, dict):
            return target.get(self.task)
        return target

    def completion_target(self) -> float | None:
        """The task's completion benchmark: its own (``task_completion``), else the study's."""
        own = (self.benchmarks.get("task_completion") or {}).get(self.task)
        return own if own is not None else self.benchmarks.get("completion")
