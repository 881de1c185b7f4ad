"""Importing CX data from CSV: single responses, aggregates per period, and Qualtrics exports.

The layout is told by the header (see ``docs/cx.md``). The whole file is validated; one bad cell
names its row and column and imports nothing. Rows go in with set-based inserts that skip what is
already stored under the same ``(source, dedupe_key)``, so re-importing a file changes nothing,
and the summary reconciles: read = imported + duplicates + refused + skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from uxlab.cx import rows as parse
from uxlab.cx.journeys import Created, UnknownPlace, ensure_journey, ensure_stage, ensure_touchpoint
from uxlab.models import CxMeasure, CxResponse
from uxlab.models.cx import AGGREGATE_METRICS

RESPONSE_COLUMNS = ("recorded_at", "journey", "stage", "touchpoint", "metric", "value")
RESPONSE_OPTIONAL = ("respondent", "segment", "source", "external_id", "comment")
AGGREGATE_COLUMNS = ("period_start", "period_end", "journey", "stage", "touchpoint", "metric",
                     "value")
AGGREGATE_OPTIONAL = ("n", "promoters", "passives", "detractors", "top_box", "sd", "source",
                      "segment")
#: Qualtrics ``Status`` values that are not real respondents (text and numeric exports).
QUALTRICS_NOT_RESPONSES = {"survey preview", "1", "survey test", "2"}
MAX_PROBLEMS = 50
CHUNK = 5000


@dataclass(frozen=True)
class CellProblem:
    row: int  # the line of the file, 1 = the header
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class QualtricsColumn:
    """Where a Qualtrics question column goes: its metric and the journey place it rates."""

    metric: str
    journey: str
    stage: str = ""
    touchpoint: str = ""


@dataclass
class ImportSummary:
    layout: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    refused: int = 0
    skipped: int = 0
    created: Created = field(default_factory=Created)
    problems: list[CellProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"layout": self.layout, "read": self.read, "imported": self.imported,
                "duplicates": self.duplicates, "refused": self.refused,
                "skipped": self.skipped, "created": self.created.lines(),
                "problems": [str(p) for p in self.problems]}


class CxImportError(ValueError):
    """The file cannot be imported; ``summary.problems`` names each row and column."""

    def __init__(self, summary: ImportSummary, message: str | None = None):
        self.summary = summary
        lines = [message] if message else []
        lines += [str(p) for p in summary.problems]
        if summary.refused > len(summary.problems):
            lines.append(f"… {summary.refused - len(summary.problems)} more rows refused")
        super().__init__("\n".join(lines) or "nothing to import")


def parse_qualtrics_map(specs: list[str]) -> dict[str, QualtricsColumn]:
    """Parse ``COLUMN=METRIC@JOURNEY[/STAGE[/TOUCHPOINT]]`` mappings (CLI and upload page)."""
    mapping = {}
    for spec in specs:
        column, _, target = spec.partition("=")
        metric, _, place = target.partition("@")
        parts = [p.strip() for p in place.split("/")]
        if not column.strip() or metric.strip().lower() not in parse.RESPONSE_SCALES \
                or not parts[0] or len(parts) > 3:
            raise ValueError(f"mapping {spec!r}: write COLUMN=nps|csat|ces@JOURNEY[/STAGE"
                             "[/TOUCHPOINT]], e.g. Q7=nps@Purchase/Checkout/Guest checkout")
        parts += [""] * (3 - len(parts))
        mapping[column.strip()] = QualtricsColumn(metric.strip().lower(), *parts)
    return mapping


def detect_layout(header: list[str], third_row: list[str] | None) -> str:
    names = set(header)
    if "ResponseId" in names and third_row and third_row[0].startswith('{"ImportId"'):
        return "qualtrics"
    if "period_start" in names or "period_end" in names:
        return "aggregates"
    if "recorded_at" in names:
        return "responses"
    return "unknown"


def import_cx_csv(session: Session, stream: IO[str], *, create: bool = True,
                  default_source: str = "import",
                  qualtrics_map: dict[str, QualtricsColumn] | None = None,
                  segment_column: str | None = None) -> ImportSummary:
    """Validate and import one CSV file of CX data; raise :class:`CxImportError` on any problem.

    Nothing is written when the file has a problem: the caller's transaction is rolled back by
    raising. ``create=False`` refuses rows whose journey, stage or touchpoint does not exist.
    """
    text = _read_text(stream)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    peek = list(csv.reader(io.StringIO(text, newline="")))[:3] if '"ImportId"' in text[:20000] \
        else None
    layout = detect_layout(header, peek[2] if peek and len(peek) > 2 else None)
    summary = ImportSummary(layout)
    if layout == "unknown":
        raise CxImportError(summary, "header: not a CX file uxlab knows. Responses need the "
                            f"columns {', '.join(RESPONSE_COLUMNS)}; aggregates need "
                            f"{', '.join(AGGREGATE_COLUMNS)}; a Qualtrics export keeps its "
                            "three header rows")
    if layout == "qualtrics":
        next(reader, None)
        next(reader, None)
        records = _qualtrics_records(reader, header, qualtrics_map or {}, segment_column,
                                     summary)
        first_row = 4
    else:
        required = RESPONSE_COLUMNS if layout == "responses" else AGGREGATE_COLUMNS
        optional = RESPONSE_OPTIONAL if layout == "responses" else AGGREGATE_OPTIONAL
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in required and c not in optional]
        if missing or unknown or len(set(header)) != len(header):
            raise CxImportError(summary, "header: " + "; ".join(
                ([f"missing column(s) {', '.join(missing)}"] if missing else [])
                + ([f"unknown column(s) {', '.join(unknown)} (allowed: "
                    f"{', '.join(required + optional)})"] if unknown else [])
                + (["a column is named twice"] if len(set(header)) != len(header) else [])))
        records = ({name: cells[i] if i < len(cells) else "" for i, name in enumerate(header)}
                   for cells in reader)
        first_row = 2
    builder = _response_row if layout in ("responses", "qualtrics") else _aggregate_row
    table = CxResponse if builder is _response_row else CxMeasure
    before = session.scalar(select(func.count()).select_from(table))
    places = _Places(session, create, summary.created)
    pending: list[dict] = []
    for line, record in enumerate(records, start=first_row):
        if record is None:
            continue
        summary.read += 1
        try:
            row = builder(record, places, default_source)
        except _RowRefused as refused:
            summary.refused += 1
            if len(summary.problems) < MAX_PROBLEMS:
                summary.problems.append(CellProblem(
                    line if layout != "qualtrics" else record["_line"], refused.column,
                    refused.message))
            continue
        if not summary.refused:
            pending.append(row)
            if len(pending) >= CHUNK:
                insert_new_rows(session, table, pending)
                pending = []
    if summary.refused:
        raise CxImportError(summary, f"{summary.refused} of {summary.read} rows refused; "
                                     "nothing was imported")
    if pending:
        insert_new_rows(session, table, pending)
    summary.imported = session.scalar(select(func.count()).select_from(table)) - before
    summary.duplicates = summary.read - summary.skipped - summary.imported
    return summary


class _RowRefused(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


class _Places:
    """Resolves (journey, stage, touchpoint) names to ids, once per distinct triple."""

    def __init__(self, session: Session, create: bool, created: Created):
        self.session, self.create, self.created = session, create, created
        self.cache: dict[tuple[str, str, str], tuple[int, int | None, int | None]] = {}

    def resolve(self, journey: str, stage: str, touchpoint: str):
        key = (journey, stage, touchpoint)
        if key not in self.cache:
            try:
                self.cache[key] = self._resolve(*key)
            except UnknownPlace as exc:
                column = ("touchpoint" if touchpoint else "stage" if stage else "journey")
                raise _RowRefused(column, f"{exc} (import without --no-create to make it)") \
                    from None
        return self.cache[key]

    def _resolve(self, journey_name, stage_name, touchpoint_name):
        if touchpoint_name:
            tp = ensure_touchpoint(self.session, journey_name, stage_name, touchpoint_name,
                                   self.created, create=self.create)
            return tp.journey_id, tp.stage_id, tp.id
        journey = ensure_journey(self.session, journey_name, self.created, create=self.create)
        if stage_name:
            stage = ensure_stage(self.session, journey, stage_name, self.created,
                                 create=self.create)
            return journey.id, stage.id, None
        return journey.id, None, None


def _field(record: dict, column: str, parser: Callable, *args, **kwargs):
    try:
        return parser(record.get(column), *args, **kwargs)
    except parse.FieldError as exc:
        raise _RowRefused(column, str(exc)) from None


def _place(record: dict, places: _Places) -> tuple[int, int | None, int | None]:
    journey = _field(record, "journey", parse.parse_text, required=True)
    stage = _field(record, "stage", parse.parse_text) or ""
    touchpoint = _field(record, "touchpoint", parse.parse_text) or ""
    return places.resolve(journey, stage, touchpoint)


def content_key(*parts: Any) -> str:
    """The dedupe key of a row without an external id: a hash of what it says."""
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode())
    return "sha256:" + digest.hexdigest()


def _response_row(record: dict, places: _Places, default_source: str) -> dict:
    metric = _field(record, "metric", parse.parse_metric)
    value = _field(record, "value", parse.parse_score, metric)
    recorded_at = _field(record, "recorded_at", parse.parse_timestamp)
    journey_id, stage_id, touchpoint_id = _place(record, places)
    texts = {name: _field(record, name, parse.parse_text)
             for name in ("respondent", "segment", "source", "external_id")}
    comment = _field(record, "comment", parse.parse_text, limit=parse.MAX_COMMENT)
    source = texts["source"] or default_source
    key = texts["external_id"] or content_key(recorded_at.isoformat(), journey_id, stage_id,
                                              touchpoint_id, metric, value, texts["respondent"],
                                              texts["segment"], comment)
    return {"journey_id": journey_id, "stage_id": stage_id, "touchpoint_id": touchpoint_id,
            "metric": metric, "value": float(value), "recorded_at": recorded_at,
            "respondent": texts["respondent"], "segment": texts["segment"], "source": source,
            "external_id": texts["external_id"], "dedupe_key": key, "comment": comment}


def _aggregate_row(record: dict, places: _Places, default_source: str) -> dict:
    metric = _field(record, "metric", parse.parse_metric, AGGREGATE_METRICS)
    value = _field(record, "value", parse.parse_aggregate_value, metric)
    start = _field(record, "period_start", parse.parse_date)
    end = _field(record, "period_end", parse.parse_date)
    if end < start:
        raise _RowRefused("period_end", f"{end} is before period_start {start}")
    counts = {name: _field(record, name, parse.parse_count)
              for name in ("n", "promoters", "passives", "detractors", "top_box")}
    sd = None
    if str(record.get("sd") or "").strip():
        sd = _field(record, "sd", parse.parse_number)
        if sd < 0:
            raise _RowRefused("sd", f"must be 0 or more, not {record.get('sd')!r}")
    _check_counts(metric, value, counts)
    journey_id, stage_id, touchpoint_id = _place(record, places)
    segment = _field(record, "segment", parse.parse_text)
    source = _field(record, "source", parse.parse_text) or default_source
    key = content_key(start, end, journey_id, stage_id, touchpoint_id, metric, value, segment,
                      *counts.values(), sd)
    return {"journey_id": journey_id, "stage_id": stage_id, "touchpoint_id": touchpoint_id,
            "metric": metric, "period_start": start, "period_end": end, "value": value,
            **counts, "sd": sd, "segment": segment, "source": source, "dedupe_key": key}


def _check_counts(metric: str, value: float, counts: dict[str, int | None]) -> None:
    n = counts["n"]
    groups = [counts[k] for k in ("promoters", "passives", "detractors")]
    if any(g is not None for g in groups) and metric != "nps":
        raise _RowRefused("promoters", "promoters, passives and detractors are for nps rows")
    if counts["top_box"] is not None and metric != "csat":
        raise _RowRefused("top_box", "top_box is for csat rows")
    if all(g is not None for g in groups):
        total = sum(groups)
        if n is not None and total != n:
            raise _RowRefused("n", f"promoters + passives + detractors = {total}, not n = {n}")
        if total and abs(100 * (groups[0] - groups[2]) / total - value) > 0.5:
            raise _RowRefused("value", f"NPS from the counts is "
                                       f"{100 * (groups[0] - groups[2]) / total:.1f}, not {value}")
    elif any(g is not None for g in groups):
        raise _RowRefused("promoters", "give promoters, passives and detractors together")
    if counts["top_box"] is not None and (n is None or counts["top_box"] > n):
        raise _RowRefused("top_box", "needs n, and cannot exceed it")


def _qualtrics_records(reader, header: list[str], mapping: dict[str, QualtricsColumn],
                       segment_column: str | None, summary: ImportSummary) -> Iterator[dict]:
    missing = [c for c in ("ResponseId", "RecordedDate", *mapping) if c not in header]
    if segment_column and segment_column not in header:
        missing.append(segment_column)
    if not mapping or missing:
        raise CxImportError(summary, "header: " + (
            f"missing Qualtrics column(s) {', '.join(missing)}" if missing else
            "a Qualtrics export needs a column-to-metric mapping "
            "(COLUMN=nps|csat|ces@JOURNEY[/STAGE[/TOUCHPOINT]])"))
    index = {name: i for i, name in enumerate(header)}

    def cell(cells, name):
        i = index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    for line, cells in enumerate(reader, start=4):
        status = cell(cells, "Status").lower()
        finished = cell(cells, "Finished").lower()
        if status in QUALTRICS_NOT_RESPONSES or finished in ("false", "0"):
            summary.read += 1
            summary.skipped += 1
            continue
        for column, target in mapping.items():
            answer = cell(cells, column)
            if not answer:
                summary.read += 1
                summary.skipped += 1
                continue
            yield {"_line": line, "recorded_at": cell(cells, "RecordedDate"),
                   "journey": target.journey, "stage": target.stage,
                   "touchpoint": target.touchpoint, "metric": target.metric, "value": answer,
                   "respondent": cell(cells, "ResponseId"),
                   "segment": cell(cells, segment_column) if segment_column else "",
                   "source": "qualtrics",
                   "external_id": f"{cell(cells, 'ResponseId')}:{column}"}


_INSERTS = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def _insert_ignoring_duplicates(session: Session, table):
    insert = _INSERTS[session.get_bind().dialect.name]
    return insert(table.__table__).on_conflict_do_nothing(index_elements=["source", "dedupe_key"])


def insert_new_rows(session: Session, table, rows: list[dict]) -> None:
    """Insert ``rows``, skipping any whose ``(source, dedupe_key)`` is stored already."""
    session.connection().execute(_insert_ignoring_duplicates(session, table), rows)


def insert_new_row(session: Session, table, row: dict) -> bool:
    """Insert one row unless its ``(source, dedupe_key)`` is stored; return whether it was new.

    RETURNING tells, where psycopg's rowcount for ON CONFLICT DO NOTHING does not.
    """
    statement = _insert_ignoring_duplicates(session, table).returning(table.__table__.c.id)
    return session.connection().execute(statement, row).first() is not None


def _read_text(stream: IO[str]) -> str:
    text = stream.read()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CxImportError(ImportSummary("unknown"), f"not UTF-8 text (byte {exc.start})") \
                from None
    return text.lstrip("\ufeff")
