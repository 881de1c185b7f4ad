"""Read and validate the tidy attempts and survey tables (the hinge between recording and analysis).

The attempts table has one row per participant × task × variant with the columns
``participant, variant, task, outcome, success, time_s, errors, clicks, seq``, optionally followed by
the navigation columns ``direct, first_click, lostness`` (:data:`NAVIGATION_COLUMNS`); the survey
table has
one row per participant (per variant in a within design) with ``participant, variant, sus_1 … sus_10,
umux_1, umux_2, nps`` and optionally ``csat`` and ``ces``. Empty cells are missing values.

Everything here works on an iterable of mapping rows (the CLI reads them from CSV, the web app builds
them from the database) and returns column tables of numpy arrays: missing numbers are ``nan``.
Every problem found is collected, so a user fixes a file in one pass; :class:`TidyDataError` carries
them all, each naming the row (1-based, the header is row 1), the column and what is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from uxlab.analysis.cells import (
    Coded,
    check_duplicates,
    check_header,
    default_row_numbers,
    label_column,
    number_column,
    outcome_column,
    read_csv_cells,
    reconcile_outcome,
    text_column,
)
from uxlab.analysis.problems import Problem, TidyDataError, join_words, sort_problems

__all__ = [
    "ATTEMPT_COLUMNS", "NAVIGATION_COLUMNS", "OUTCOMES", "SURVEY_INSTRUMENTS", "AttemptRow", "AttemptTable", "Coded",
    "Problem", "SurveyRow", "SurveyTable", "TidyDataError", "attempts_from_rows", "check_design",
    "natural_key", "read_attempts_csv", "read_survey_csv", "survey_from_rows",
]

ATTEMPT_COLUMNS = (
    "participant", "variant", "task", "outcome", "success", "time_s", "errors", "clicks", "seq",
)
#: Optional trailing columns: direct success (1/0), first click correct (1/0) and Smith's (1996)
#: lostness (0 to √2). ``uxlab analyze`` summarises them when present and ignores them when absent.
NAVIGATION_COLUMNS = ("direct", "first_click", "lostness")
#: Lostness is sqrt((N/S − 1)² + (R/N − 1)²) with both terms in (−1, 0], so it stays below √2.
MAX_LOSTNESS = math.sqrt(2)
OUTCOMES = ("success", "partial", "failure", "abandoned", "timeout")
SUS_ITEMS = tuple(f"sus_{i}" for i in range(1, 11))
UMUX_ITEMS = ("umux_1", "umux_2")
# Each survey instrument is a group of columns that comes complete or not at all.
SURVEY_INSTRUMENTS = {"sus": SUS_ITEMS, "umux_lite": UMUX_ITEMS, "nps": ("nps",),
                      "csat": ("csat",), "ces": ("ces",)}
# Plausible limits of measured values: a task time from a millisecond to 10⁷ s (116 days), at
# most a million errors or clicks. Beyond them a number is a data error (a unit slip, a sentinel),
# and on the log scale it would overflow the intervals of every comparison it enters.
TIME_LIMITS = (0.001, 1e7)
COUNT_LIMIT = 1_000_000
_RANGES = {"seq": (1, 7), "nps": (0, 10), "csat": (1, 5), "ces": (1, 7),
           **{c: (1, 5) for c in SUS_ITEMS}, **{c: (1, 7) for c in UMUX_ITEMS}}


@dataclass(frozen=True)
class AttemptRow:
    """One attempt: a participant doing a task in a variant (``None`` = missing)."""

    participant: str
    variant: str
    task: str
    outcome: str | None = None
    success: bool | None = None
    time_s: float | None = None
    errors: int | None = None
    clicks: int | None = None
    seq: int | None = None
    direct: bool | None = None
    first_click: bool | None = None
    lostness: float | None = None


@dataclass(frozen=True)
class SurveyRow:
    """One participant's post-study questionnaire answers (``None`` = missing or not asked)."""

    participant: str
    variant: str
    sus: tuple[int | None, ...] | None = None
    umux: tuple[int | None, ...] | None = None
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None


@dataclass(frozen=True, eq=False)
class AttemptTable:
    """The attempts as columns; numbers are float arrays with ``nan`` for missing values.

    ``success`` is 1.0 / 0.0 / nan; ``outcome`` holds the outcome word or ``""`` when missing;
    ``row_numbers`` are the source rows (header = row 1) for messages about derived checks.
    ``direct``, ``first_click`` (1.0 / 0.0 / nan) and ``lostness`` are all ``nan`` unless the rows
    had those columns; ``navigation`` names the navigation columns the rows had.
    """

    participant: np.ndarray
    variant: np.ndarray
    task: np.ndarray
    outcome: np.ndarray
    success: np.ndarray
    time_s: np.ndarray
    errors: np.ndarray
    clicks: np.ndarray
    seq: np.ndarray
    row_numbers: np.ndarray
    source: str | None = None
    direct: np.ndarray | None = None
    first_click: np.ndarray | None = None
    lostness: np.ndarray | None = None
    navigation: tuple[str, ...] = ()
    others: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self):
        for name in NAVIGATION_COLUMNS:
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(len(self.participant), np.nan))

    def __len__(self) -> int:
        return len(self.participant)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the rows had: the contract's, the navigation ones, then the others."""
        return ATTEMPT_COLUMNS + self.navigation + tuple(self.others)

    def subset(self, keep: np.ndarray) -> AttemptTable:
        """The rows where the boolean array ``keep`` is true, as a table of their own."""
        return _subset(self, keep)

    @cached_property
    def participants(self) -> Coded:
        return Coded.of(self.participant)

    @cached_property
    def task_labels(self) -> Coded:
        return Coded.of(self.task)

    @cached_property
    def variant_labels(self) -> Coded:
        return Coded.of(self.variant)

    @property
    def variants(self) -> tuple[str, ...]:
        """Variant names in natural order (A, B, …, A2 before A10)."""
        return tuple(sorted(self.variant_labels.names.tolist(), key=natural_key))

    @property
    def tasks(self) -> tuple[str, ...]:
        """Task names in order of first appearance (the study's order when exported by uxlab)."""
        labels = self.task_labels
        return tuple(labels.names[np.argsort(labels.first)].tolist())

    def rows(self) -> Iterator[AttemptRow]:
        """Yield the attempts as :class:`AttemptRow` objects."""
        for i in range(len(self)):
            yield AttemptRow(
                participant=str(self.participant[i]), variant=str(self.variant[i]),
                task=str(self.task[i]), outcome=str(self.outcome[i]) or None,
                success=None if np.isnan(self.success[i]) else bool(self.success[i]),
                time_s=_number_or_none(self.time_s[i]), errors=_count_or_none(self.errors[i]),
                clicks=_count_or_none(self.clicks[i]), seq=_count_or_none(self.seq[i]),
                direct=_flag_or_none(self.direct[i]),
                first_click=_flag_or_none(self.first_click[i]),
                lostness=_number_or_none(self.lostness[i]),
            )


@dataclass(frozen=True, eq=False)
class SurveyTable:
    """The survey as columns. ``items[name]`` is a float array per column (``nan`` = missing).

    ``instruments`` names the instruments whose columns were present (``sus``, ``umux_lite``,
    ``nps``, ``csat``, ``ces``).
    """

    participant: np.ndarray
    variant: np.ndarray
    items: dict[str, np.ndarray]
    instruments: tuple[str, ...]
    row_numbers: np.ndarray
    source: str | None = None
    others: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.participant)

    @cached_property
    def participants(self) -> Coded:
        return Coded.of(self.participant)

    @cached_property
    def variant_labels(self) -> Coded:
        return Coded.of(self.variant)

    def subset(self, keep: np.ndarray) -> SurveyTable:
        """The rows where the boolean array ``keep`` is true, as a table of their own."""
        return _subset(self, keep)

    def column(self, name: str) -> np.ndarray:
        """Return one item column (e.g. ``"sus_3"`` or ``"nps"``) as a float array."""
        return self.items[name]

    def matrix(self, instrument: str) -> np.ndarray:
        """Return an instrument's items as a (respondents × items) float array."""
        return np.column_stack([self.items[c] for c in SURVEY_INSTRUMENTS[instrument]])

    def rows(self) -> Iterator[SurveyRow]:
        """Yield the survey answers as :class:`SurveyRow` objects."""
        for i in range(len(self)):
            values = {}
            for instrument in ("sus", "umux_lite"):
                if instrument in self.instruments:
                    key = "sus" if instrument == "sus" else "umux"
                    values[key] = tuple(_count_or_none(self.items[c][i])
                                        for c in SURVEY_INSTRUMENTS[instrument])
            for single in ("nps", "csat", "ces"):
                if single in self.instruments:
                    values[single] = _count_or_none(self.items[single][i])
            yield SurveyRow(participant=str(self.participant[i]), variant=str(self.variant[i]),
                            **values)


def _subset(table, keep: np.ndarray):
    """``table`` (attempts or survey) with only the rows where ``keep`` is true."""
    rows = len(table)
    changes = {f.name: value[keep] for f in fields(table)
               if isinstance(value := getattr(table, f.name), np.ndarray) and len(value) == rows}
    if isinstance(table, SurveyTable):
        changes["items"] = {name: values[keep] for name, values in table.items.items()}
    changes["others"] = {name: values[keep] for name, values in table.others.items()}
    return replace(table, **changes)


def natural_key(name: str) -> tuple:
    """Sort key that orders embedded numbers numerically ("T2" before "T10")."""
    return tuple(int(part) if part.isdigit() else part.casefold()
                 for part in re.split(r"(\d+)", name))


# --- public entry points ----------------------------------------------------------------------


def attempts_from_rows(rows: Iterable[Mapping[str, object] | AttemptRow], *,
                       columns: Sequence[str] | None = None,
                       source: str | None = None) -> AttemptTable:
    """Validate attempt rows (mappings or :class:`AttemptRow`) and return an :class:`AttemptTable`.

    ``columns`` are the column names the rows were read with (a CSV header); by default the keys
    of the first row. Raises :class:`TidyDataError` listing every problem.
    """
    names, cells = _columns_from_rows(rows, columns)
    return _attempts_from_columns(names, cells, default_row_numbers(cells), source)


def survey_from_rows(rows: Iterable[Mapping[str, object] | SurveyRow], *,
                     columns: Sequence[str] | None = None,
                     source: str | None = None) -> SurveyTable:
    """Validate survey rows (mappings or :class:`SurveyRow`) and return a :class:`SurveyTable`."""
    names, cells = _columns_from_rows((_survey_row_as_mapping(r) for r in rows), columns)
    return _survey_from_columns(names, cells, default_row_numbers(cells), source)


def read_attempts_csv(path: str | Path) -> AttemptTable:
    """Read and validate a tidy attempts CSV file."""
    names, cells, numbers = read_csv_cells(Path(path))
    return _attempts_from_columns(names, cells, numbers, str(path))


def read_survey_csv(path: str | Path) -> SurveyTable:
    """Read and validate a survey CSV file."""
    names, cells, numbers = read_csv_cells(Path(path))
    return _survey_from_columns(names, cells, numbers, str(path))


def check_design(attempts: AttemptTable, design: str,
                 survey: SurveyTable | None = None) -> None:
    """Check that the tables fit the study design; raise :class:`TidyDataError` if not.

    Between subjects each participant uses exactly one variant (in the attempts and the survey);
    within subjects each participant uses every variant.
    """
    if design not in ("between", "within"):
        raise ValueError(f"design must be 'between' or 'within', got {design!r}")
    people, labels = attempts.participants, attempts.variant_labels
    pairs = np.unique(people.codes * len(labels) + labels.codes)
    used = np.bincount(pairs // len(labels), minlength=len(people))
    wrong = used > 1 if design == "between" else used < len(labels)
    problems = []
    for code in np.flatnonzero(wrong)[np.argsort(people.first[wrong], kind="stable")].tolist():
        participant = str(people.names[code])
        row = int(attempts.row_numbers[people.first[code]])
        variants = sorted(labels.names[pairs[pairs // len(labels) == code] % len(labels)]
                          .tolist(), key=natural_key)
        if design == "between":
            problems.append(Problem(row, "variant", f"participant {participant} appears in "
                                    f"variants {join_words(variants)}; in a between-subjects design "
                                    "each participant uses one variant (is the design within?)"))
        else:
            missing = [v for v in attempts.variants if v not in variants]
            problems.append(Problem(row, "variant", f"participant {participant} has no attempts "
                                    f"in variant{'s' if len(missing) > 1 else ''} "
                                    f"{join_words(missing)}; in a within-subjects design each "
                                    "participant uses every variant"))
    if problems:
        raise TidyDataError(problems, attempts.source)
    if survey is not None and design == "between":
        _check_survey_variants(attempts, survey)


def _check_survey_variants(attempts: AttemptTable, survey: SurveyTable) -> None:
    """Between subjects, a participant's survey variant must be the one of their attempts."""
    people = attempts.participants
    variant_of = attempts.variant[people.first]  # one variant per participant here
    position = np.clip(np.searchsorted(people.names, survey.participant), 0,
                       len(people.names) - 1)
    known = people.names[position] == survey.participant
    mismatch = known & (variant_of[position] != survey.variant)
    problems = [
        Problem(int(survey.row_numbers[i]), "variant",
                f"participant {survey.participant[i]} answered the survey for variant "
                f"{survey.variant[i]} but did the tasks in {variant_of[position[i]]}")
        for i in np.flatnonzero(mismatch).tolist()]
    if problems:
        raise TidyDataError(problems, survey.source)


# --- building the tables from columns ---------------------------------------------------------


def _columns_from_rows(rows, columns):
    """(lower-cased column names, cells by column) of mapping rows."""
    rows = [_attempt_row_as_mapping(r) for r in rows]
    if columns is None:
        columns = list(rows[0].keys()) if rows else []
    names = [str(name).strip().lower() for name in columns]
    lowered = [{str(k).strip().lower(): v for k, v in r.items()} for r in rows] if any(
        n != c for n, c in zip(names, columns, strict=True)) else rows
    cells = {name: [r.get(name) for r in lowered] for name in names}
    return names, cells


def _attempt_row_as_mapping(row):
    if isinstance(row, AttemptRow):
        values = {f.name: getattr(row, f.name) for f in fields(row)}
        for flag in ("success", "direct", "first_click"):
            if values[flag] is not None:
                values[flag] = int(values[flag])
        return values
    return row


def _survey_row_as_mapping(row):
    if not isinstance(row, SurveyRow):
        return row
    values = {"participant": row.participant, "variant": row.variant}
    for instrument, items in (("sus", SUS_ITEMS), ("umux", UMUX_ITEMS)):
        answers = getattr(row, instrument)
        if answers is not None:
            values.update(zip(items, answers, strict=True))
    for single in ("nps", "csat", "ces"):
        if getattr(row, single) is not None:
            values[single] = getattr(row, single)
    return values


def _attempts_from_columns(names, cells, rows, source) -> AttemptTable:
    problems: list[Problem] = []
    check_header(names, ATTEMPT_COLUMNS, problems)
    if problems:
        raise TidyDataError(problems, source)
    if len(rows) == 0:
        raise TidyDataError([Problem(None, None, "there are no attempts (no data rows)")], source)
    participant = label_column(cells["participant"], "participant", rows, problems)
    variant = label_column(cells["variant"], "variant", rows, problems)
    task = label_column(cells["task"], "task", rows, problems)
    outcome = outcome_column(cells["outcome"], rows, problems, OUTCOMES)
    success = number_column(rows, cells["success"], "success", problems, whole=True, allowed=(0, 1))
    time_s = number_column(rows, cells["time_s"], "time_s", problems, positive=True,
                           low=TIME_LIMITS[0], most=TIME_LIMITS[1], unit="seconds")
    errors = number_column(rows, cells["errors"], "errors", problems, whole=True, low=0,
                           most=COUNT_LIMIT)
    clicks = number_column(rows, cells["clicks"], "clicks", problems, whole=True, low=0,
                           most=COUNT_LIMIT)
    seq = number_column(rows, cells["seq"], "seq", problems, whole=True, low=1, high=7)
    success = reconcile_outcome(outcome, success, rows, problems)
    navigation = _navigation_columns(names, cells, rows, success, problems)
    table = AttemptTable(participant, variant, task, outcome, success, time_s, errors, clicks,
                         seq, rows, source, **navigation,
                         navigation=tuple(c for c in NAVIGATION_COLUMNS if c in navigation),
                         others=_other_columns(names, cells, ATTEMPT_COLUMNS + NAVIGATION_COLUMNS))
    check_duplicates((table.participants, table.task_labels, table.variant_labels), rows,
                      problems, "participant {0} already has an attempt at task {1} in variant "
                                "{2} (row {first})")
    if problems:
        sort_problems(problems, ATTEMPT_COLUMNS + NAVIGATION_COLUMNS)
        raise TidyDataError(problems, source)
    return table


def _navigation_columns(names, cells, rows, success, problems) -> dict[str, np.ndarray]:
    """The navigation columns present in ``names``, converted and checked.

    A direct success is a success on the optimal path, so ``direct`` 1 beside ``success`` 0
    is a contradiction; lostness lies between 0 and √2 (:data:`MAX_LOSTNESS`).
    """
    columns = {}
    for flag in ("direct", "first_click"):
        if flag in names:
            columns[flag] = number_column(rows, cells[flag], flag, problems, whole=True,
                                          allowed=(0, 1))
    if "direct" in columns:
        for index in np.flatnonzero((columns["direct"] == 1) & (success == 0)).tolist():
            problems.append(Problem(int(rows[index]), "direct",
                                    "1 contradicts success 0 (a direct success is a success)"))
    if "lostness" in names:
        lostness = number_column(rows, cells["lostness"], "lostness", problems, low=0)
        with np.errstate(invalid="ignore"):
            too_high = lostness > MAX_LOSTNESS
        for index in np.flatnonzero(too_high).tolist():
            problems.append(Problem(int(rows[index]), "lostness",
                                    f"{lostness[index]:g} is above √2 (about 1.414), the largest "
                                    "possible lostness"))
        columns["lostness"] = lostness
    return columns


def _survey_from_columns(names, cells, rows, source) -> SurveyTable:
    problems: list[Problem] = []
    check_header(names, ("participant", "variant"), problems)
    present = []
    for instrument, columns in SURVEY_INSTRUMENTS.items():
        found = [c for c in columns if c in cells]
        if found and len(found) < len(columns):
            missing = [c for c in columns if c not in cells]
            problems.append(Problem(1, None, f"missing column{'s' if len(missing) > 1 else ''} "
                                             f"{join_words(missing)} (the {instrument} columns come "
                                             "all together)"))
        elif found:
            present.append(instrument)
    if not present and not problems:
        problems.append(Problem(1, None, "no questionnaire columns: expected sus_1 … sus_10, "
                                         "umux_1, umux_2, nps (csat, ces optional)"))
    if problems:
        raise TidyDataError(problems, source)
    if len(rows) == 0:
        raise TidyDataError([Problem(None, None, "there are no survey answers (no data rows)")],
                            source)
    participant = label_column(cells["participant"], "participant", rows, problems)
    variant = label_column(cells["variant"], "variant", rows, problems)
    items = {}
    for instrument in present:
        for column in SURVEY_INSTRUMENTS[instrument]:
            low, high = _RANGES[column]
            items[column] = number_column(rows, cells[column], column, problems, whole=True, low=low,
                                     high=high)
    known = ("participant", "variant", *(c for i in SURVEY_INSTRUMENTS.values() for c in i))
    table = SurveyTable(participant, variant, items, tuple(present), rows, source,
                        others=_other_columns(names, cells, known))
    check_duplicates((table.participants, table.variant_labels), rows, problems,
                      "participant {0} already answered the survey for variant {1} (row {first})")
    if problems:
        sort_problems(problems, names)
        raise TidyDataError(problems, source)
    return table


def _other_columns(names, cells, known) -> dict[str, np.ndarray]:
    """The columns beyond ``known`` (such as the export's ``screener_<key>`` columns) as
    stripped text, ``""`` for an empty cell: the analysis does not read them, but they can
    segment it (:mod:`uxlab.analysis.segments`)."""
    return {name: text_column(cells[name]) for name in dict.fromkeys(names)
            if name not in known and name}


def _number_or_none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _flag_or_none(value: float) -> bool | None:
    return None if np.isnan(value) else bool(value)


def _count_or_none(value: float) -> int | None:
    return None if np.isnan(value) else int(value)
