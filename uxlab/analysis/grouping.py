"""Split the tidy attempts into one cell per task × variant, in one vectorized pass.

Grouping is the only per-row work of an analysis, so it is done with a single stable sort of
integer keys rather than a Python loop over rows; everything after it works on whole arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uxlab.analysis.tidy import AttemptTable

MEASURES = ("success", "time_s", "errors", "clicks", "seq", "direct", "first_click", "lostness")


@dataclass(frozen=True, eq=False)
class Cell:
    """The attempts of one variant at one task. ``participant`` holds integer codes.

    ``direct``, ``first_click`` and ``lostness`` are ``nan`` where the rows had no such column.
    """

    participant: np.ndarray
    success: np.ndarray
    time_s: np.ndarray
    errors: np.ndarray
    clicks: np.ndarray
    seq: np.ndarray
    direct: np.ndarray
    first_click: np.ndarray
    lostness: np.ndarray

    def __len__(self) -> int:
        return len(self.participant)


@dataclass(frozen=True, eq=False)
class Grouped:
    """Cells by task and variant, plus the participant names behind the integer codes.

    ``navigation`` names the navigation columns (direct, first_click, lostness) the table had.
    """

    tasks: tuple[str, ...]
    variants: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]
    participant_names: np.ndarray
    navigation: tuple[str, ...] = ()

    def cell(self, task: str, variant: str) -> Cell:
        return self.cells[(task, variant)]


def group_attempts(table: AttemptTable, variants: tuple[str, ...]) -> Grouped:
    """Group ``table`` by task (in order of first appearance) and by ``variants``."""
    tasks = table.tasks
    task_labels, variant_labels = table.task_labels, table.variant_labels
    task_position = {name: i for i, name in enumerate(tasks)}
    task_code = np.array([task_position[n] for n in task_labels.names.tolist()])[
        task_labels.codes]
    variant_position = {name: i for i, name in enumerate(variants)}
    variant_code = np.array([variant_position[n] for n in variant_labels.names.tolist()])[
        variant_labels.codes]
    participant_names, participant_code = table.participants.names, table.participants.codes

    key = task_code * len(variants) + variant_code
    order = np.argsort(key, kind="stable")
    bounds = np.cumsum(np.bincount(key, minlength=len(tasks) * len(variants)))[:-1]
    columns = {"participant": np.split(participant_code[order], bounds)}
    for measure in MEASURES:
        columns[measure] = np.split(getattr(table, measure)[order], bounds)
    cells = {}
    for t, task in enumerate(tasks):
        for v, variant in enumerate(variants):
            index = t * len(variants) + v
            cells[(task, variant)] = Cell(**{name: parts[index] for name, parts in columns.items()})
    return Grouped(tasks, variants, cells, participant_names, table.navigation)


def paired(a: Cell, b: Cell, measure: str,
           keep_a: np.ndarray | None = None,
           keep_b: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``measure`` for the participants present in both cells, aligned by participant.

    Pairs where either value is missing, or not kept by the optional masks, are dropped.
    """
    common, index_a, index_b = np.intersect1d(a.participant, b.participant, assume_unique=True,
                                              return_indices=True)
    values_a = getattr(a, measure)[index_a]
    values_b = getattr(b, measure)[index_b]
    keep = ~np.isnan(values_a) & ~np.isnan(values_b)
    if keep_a is not None:
        keep &= keep_a[index_a]
    if keep_b is not None:
        keep &= keep_b[index_b]
    return values_a[keep], values_b[keep]
