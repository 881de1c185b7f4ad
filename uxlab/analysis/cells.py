"""Column-level reading and checking of tidy tables, vectorized with numpy.

A table arrives as named columns of cells (strings from a CSV, Python values from the database);
each column is converted in one numpy operation and every bad cell is recorded as a
:class:`~uxlab.analysis.problems.Problem` naming its row (header = row 1) and column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from uxlab.analysis.problems import Problem, TidyDataError, join_words

FIRST_DATA_ROW = 2  # the header is row 1


@dataclass(frozen=True, eq=False)
class Coded:
    """A label column as integer codes: ``names[codes]`` gives the column back.

    ``names`` are the distinct labels in sorted order; ``first`` is the row index where each
    first appears. Grouping and checks work on the codes, which is far faster than on strings.
    """

    names: np.ndarray
    codes: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, column: np.ndarray) -> Coded:
        names, first, codes = np.unique(column, return_index=True, return_inverse=True)
        return cls(names, codes.astype(np.int64), first)

    def __len__(self) -> int:
        return len(self.names)


def read_csv_cells(path: Path) -> tuple[list[str], dict[str, np.ndarray], np.ndarray]:
    """Read a CSV into (lower-cased header names, cells by column, the rows' file row numbers).

    Blank lines are skipped (row numbers still count them); a row with too few or too many cells
    is a problem. Raises :class:`TidyDataError` for unreadable files.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise TidyDataError([Problem(None, None, f"cannot open the file ({error.strerror})")],
                            str(path)) from error
    with handle:
        try:
            records = list(csv.reader(handle))
        except (csv.Error, UnicodeDecodeError) as error:
            raise TidyDataError([Problem(None, None, f"not a readable CSV file ({error})")],
                                str(path)) from error
    # Blank lines before the header are skipped like those between rows (a spreadsheet's
    # export can start with one); the header is the first line with a cell.
    header_index = next((i for i, record in enumerate(records)
                         if any(cell.strip() for cell in record)), None)
    if header_index is None:
        raise TidyDataError([Problem(None, None, "the file is empty")], str(path))
    header, records = records[header_index], records[header_index + 1:]
    _check_separator(header, header_index + 1, str(path))
    names = [name.strip().lower() for name in header]
    width = len(names)
    first = FIRST_DATA_ROW + header_index
    numbers = np.arange(first, first + len(records))
    try:
        table = np.array(records, dtype=np.str_).reshape(len(records), width)
    except ValueError:  # rows of different lengths (or not one cell per column)
        table = None
    if table is None:
        # Blank lines are skipped; any other row must have one cell per column.
        problems, kept, kept_numbers = [], [], []
        for number, record in zip(numbers.tolist(), records, strict=True):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != width:
                problems.append(Problem(number, None, f"has {len(record)} cells but the header "
                                                      f"has {width}"))
            kept.append(record)
            kept_numbers.append(number)
        if problems:
            raise TidyDataError(problems, str(path))
        numbers = np.array(kept_numbers, dtype=int)
        table = np.array(kept, dtype=np.str_).reshape(len(kept), width)
    cells = {name: table[:, j] for j, name in enumerate(names)}
    return names, cells, numbers


_OTHER_SEPARATORS = {";": "semicolon", "\t": "tab"}


def _check_separator(header: list[str], row: int, source: str) -> None:
    """Name the separator of a file that is not comma-separated (a header read as one cell)."""
    if len(header) != 1:
        return
    for separator, name in _OTHER_SEPARATORS.items():
        if separator in header[0]:
            raise TidyDataError([Problem(row, None, f"the file is {name}-separated (its header "
                                                    f"is {header[0].strip()!r}); uxlab reads "
                                                    "comma-separated CSV: save or export it "
                                                    "with commas as separators")], source)


def default_row_numbers(cells: dict[str, list]) -> np.ndarray:
    """Row numbers 2, 3, … for rows that did not come from a file (the header would be row 1)."""
    count = len(next(iter(cells.values()))) if cells else 0
    return np.arange(FIRST_DATA_ROW, FIRST_DATA_ROW + count)


def check_header(names: list[str], required: tuple[str, ...], problems: list[Problem]) -> None:
    """Record missing required columns and columns named twice."""
    missing = [c for c in required if c not in names]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(Problem(1, None, f"missing required column{plural} {join_words(missing)}"))
    duplicated = sorted({n for n in names if names.count(n) > 1 and n})
    if duplicated:
        plural = len(duplicated) > 1
        problems.append(Problem(1, None, f"column{'s' if plural else ''} {join_words(duplicated)} "
                                         f"appear{'' if plural else 's'} more than once in the "
                                         "header"))


def text_column(values: list | np.ndarray) -> np.ndarray:
    """Return a column as a numpy string array ("" for missing), stripped of blanks."""
    distinct, inverse = _distinct(values)
    return np.strings.strip(distinct)[inverse]


def _distinct(values: list | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells of a column and, per row, the index of its cell.

    Columns repeat few values (0/1, small counts, ratings, participant names), so work done once
    per distinct cell and mapped back is several times faster than work per row.
    """
    if not isinstance(values, np.ndarray):
        values = np.array([_cell_text(v) for v in values], dtype=np.str_)
    return np.unique(values, return_inverse=True)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # a database's True/False for ``success``
        return "1" if value else "0"
    if isinstance(value, float) and np.isnan(value):
        return ""
    return str(value)


def label_column(values: np.ndarray, column: str, rows: np.ndarray,
                 problems: list[Problem]) -> np.ndarray:
    """A required text column (participant, variant, task), stripped; empty cells are problems."""
    labels = text_column(values)
    for index in np.flatnonzero(labels == "").tolist():
        problems.append(Problem(int(rows[index]), column, "is empty (required)"))
    return labels


def outcome_column(values: np.ndarray, rows: np.ndarray, problems: list[Problem],
                   outcomes: tuple[str, ...]) -> np.ndarray:
    """The outcome words, lower-cased ("" = missing); anything else is a problem."""
    words = text_column(values)
    if not _all_in(words, ("",) + outcomes):
        words = np.strings.lower(words)
    bad = ~_each_in(words, ("",) + outcomes)
    for index in np.flatnonzero(bad).tolist():
        problems.append(Problem(int(rows[index]), "outcome",
                                f"{_shown(values[index])} is not an outcome (expected one of "
                                f"{', '.join(outcomes)}, or empty)"))
    return words


def _each_in(words: np.ndarray, allowed: tuple[str, ...]) -> np.ndarray:
    # A few vectorized comparisons beat np.isin, which sorts the strings.
    found = np.zeros(len(words), dtype=bool)
    for word in allowed:
        found |= words == word
    return found


def _all_in(words: np.ndarray, allowed: tuple[str, ...]) -> bool:
    return bool(_each_in(words, allowed).all())


def number_column(rows: np.ndarray, values: np.ndarray, column: str,
                  problems: list[Problem], *, whole: bool = False, low: float | None = None,
                  high: float | None = None, positive: bool = False,
                  allowed: tuple | None = None, most: float | None = None,
                  unit: str | None = None) -> np.ndarray:
    """Convert one column to floats (nan = missing), recording every bad cell.

    Conversion and checks run once per distinct cell; problems are then reported per row.
    """
    distinct, inverse = _distinct(values)
    text = np.strings.strip(distinct)
    blank = text == ""
    unreadable = np.zeros(len(text), dtype=bool)
    try:
        numbers = np.where(blank, "nan", text).astype(float)
    except ValueError:
        numbers = np.full(len(text), np.nan)
        for index, cell in enumerate(text.tolist()):
            try:
                numbers[index] = float(cell) if cell else np.nan
            except ValueError:
                unreadable[index] = True
    suffix = f" {unit}" if unit else ""
    checks = [(unreadable, "is not a number"), (~np.isfinite(numbers), "is not a finite number")]
    if allowed is not None:
        checks.append((~np.isin(numbers, allowed),
                       f"must be {' or '.join(str(a) for a in allowed)}"))
    else:
        if whole:
            checks.append((numbers != np.round(numbers), "is not a whole number"))
        if positive:
            checks.append((numbers <= 0, "must be greater than 0 (seconds)"))
        if low is not None and high is not None:
            checks.append(((numbers < low) | (numbers > high), f"is outside {low}–{high}"))
        elif low is not None:
            checks.append((numbers < low, "must not be negative" if low == 0 else
                           f"must be at least {_plain(low)}{suffix}"))
        if most is not None:
            checks.append((numbers > most, f"is implausibly large (at most {_plain(most)}"
                                           f"{suffix} can be analysed)"))
    flagged = blank.copy()  # empty cells are missing values, not problems
    for bad, message in checks:
        with np.errstate(invalid="ignore"):
            bad = bad & ~flagged
        flagged |= bad
        if bad.any():
            for index in np.flatnonzero(bad[inverse]).tolist():
                problems.append(Problem(int(rows[index]), column,
                                        f"{_shown(values[index])} {message}"))
    numbers[blank | unreadable] = np.nan
    return numbers[inverse]


def _plain(limit: float) -> str:
    """A limit as people write it: 7, 0.001, 10,000,000."""
    return f"{int(limit):,}" if float(limit).is_integer() else f"{limit:g}"


def _shown(value) -> str:
    return repr(str(value).strip()) if isinstance(value, str | np.str_) else repr(value)


def reconcile_outcome(outcome: np.ndarray, success: np.ndarray, rows: np.ndarray,
                       problems: list[Problem]) -> np.ndarray:
    """Fill a missing ``success`` from the outcome and flag rows where the two disagree."""
    said_success = outcome == "success"
    said_failure = np.isin(outcome, ("failure", "abandoned", "timeout"))
    contradicts = (said_success & (success == 0)) | (said_failure & (success == 1))
    for index in np.flatnonzero(contradicts).tolist():
        problems.append(Problem(int(rows[index]), "success",
                                f"{int(success[index])} contradicts outcome "
                                f"'{outcome[index]}'"))
    derived = success.copy()
    missing = np.isnan(success) & (outcome != "")
    derived[missing] = said_success[missing].astype(float)
    return derived


def check_duplicates(keys: tuple[Coded, ...], rows: np.ndarray,
                     problems: list[Problem], message: str) -> None:
    """Record every row whose key (e.g. participant, task, variant) an earlier row already has."""
    combined = keys[0].codes
    for key in keys[1:]:
        combined = combined * len(key) + key.codes
    _, first, inverse, counts = np.unique(combined, return_index=True, return_inverse=True,
                                          return_counts=True)
    if counts.max(initial=0) < 2:
        return
    repeated = np.flatnonzero((counts[inverse] > 1) & (np.arange(len(combined)) != first[inverse]))
    for index in repeated.tolist():
        parts = [str(key.names[key.codes[index]]) for key in keys]
        problems.append(Problem(int(rows[index]), None,
                                message.format(*parts, first=int(rows[first[inverse[index]]]))))
