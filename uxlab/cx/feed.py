"""The CX feed: every UX and CX figure per touchpoint and period, as flat rows for CX platforms.

A row is one metric of one place: a CX metric (NPS, CSAT, CES, an operational figure) for a period
(month or quarter; aggregates keep their own period), or a UX metric (completion, time, SEQ, SUS,
UMUX-Lite) of one study variant for the touchpoint its task maps to. Rows come in a stable order
with a ``key``; a page holds the rows after the cursor (the last key of the previous page), so
paging gives every row once even while new data arrives. The schema is in ``docs/cx.md``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from uxlab.cx import figures as cxf
from uxlab.cx.journey_files import LOWER_IS_BETTER
from uxlab.cx.journeys import all_journeys
from uxlab.cx.periods import period_bounds
from uxlab.cx.ux_side import UxSides

SCHEMA_VERSION = 1
COLUMNS = ("key", "kind", "journey", "stage", "touchpoint", "touchpoint_id", "period",
           "period_start", "period_end", "metric", "estimate", "low", "high", "n", "method",
           "source", "study", "study_version", "variant", "target", "status", "note")
UX_METRICS = ("completion", "time", "seq", "sus", "umux_lite")
MAX_LIMIT = 1000


class FeedError(ValueError):
    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(message)


@dataclass(frozen=True)
class FeedQuery:
    journey: str | None = None
    touchpoint: str | None = None
    since: date | None = None
    until: date | None = None
    granularity: str = "month"
    confidence: float = 0.95


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise FeedError("cursor", "not a cursor this feed gave out") from None
    if not isinstance(key, str):
        raise FeedError("cursor", "not a cursor this feed gave out")
    return key


def feed_page(session: Session, query: FeedQuery, cursor: str | None, limit: int
              ) -> tuple[list[dict], str | None]:
    """The rows after ``cursor`` (at most ``limit``) and the cursor of the next page, or None."""
    if not 1 <= limit <= MAX_LIMIT:
        raise FeedError("limit", f"must be from 1 to {MAX_LIMIT}")
    after = decode_cursor(cursor) if cursor else ""
    rows = sorted((row for row in feed_rows(session, query) if row["key"] > after),
                  key=lambda row: row["key"])
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1]["key"]) if len(rows) > limit else None
    return page, next_cursor


def feed_rows(session: Session, query: FeedQuery) -> Iterator[dict]:
    """Every row the query selects, in no particular order (``feed_page`` sorts by key)."""
    journeys = [j for j in all_journeys(session) if query.journey in (None, j.name)]
    if query.journey and not journeys:
        raise FeedError("journey", f"no journey named {query.journey!r}")
    cube = cxf.response_cube(session, [j.id for j in journeys])
    measures = cxf.aggregates(session, [j.id for j in journeys])
    sides = UxSides(session)
    matched = False
    for journey in journeys:
        places = [(journey.id, None, None, journey.name, "", "", None, {})]
        for stage in journey.stages:
            places.append((journey.id, stage.id, None, journey.name, stage.name, "", None, {}))
            places += [(journey.id, stage.id, tp.id, journey.name, stage.name, tp.name, tp.id,
                        tp.targets) for tp in stage.touchpoints]
        for j_id, s_id, t_id, j_name, s_name, t_name, tp_id, targets in places:
            if query.touchpoint and query.touchpoint not in (t_name, str(tp_id)):
                continue
            matched = True
            names = {"journey": j_name, "stage": s_name or None, "touchpoint": t_name or None,
                     "touchpoint_id": tp_id}
            prefix = f"{journey.position:04d}|{j_id:08d}|{s_id or 0:08d}|{t_id or 0:08d}"
            yield from _cx_rows(cube, measures, (j_id, s_id, t_id), names, targets, prefix, query)
            if tp_id is not None:
                yield from _ux_rows(sides, tp_id, names, prefix)
    if query.touchpoint and not matched:
        raise FeedError("touchpoint", f"no touchpoint {query.touchpoint!r}")


def _in_range(start: date, end: date, query: FeedQuery) -> bool:
    return (query.since is None or end > query.since) and \
        (query.until is None or start <= query.until)


def _cx_rows(cube, measures, place, names, targets, prefix, query) -> Iterator[dict]:
    for metric in cxf.SURVEY_ORDER:
        for label in cube.periods(place, metric, query.granularity):
            start, end = period_bounds(label)
            if not _in_range(start, end, query):
                continue
            figure = cxf.survey_figure(metric, cube.histogram(place, metric, label).values(),
                                       query.confidence)
            yield _cx_row(figure, names, targets, prefix, label, start, end)
    for measure in measures:
        if (measure.journey_id, measure.stage_id, measure.touchpoint_id) != place:
            continue
        if not _in_range(measure.period_start, measure.period_end, query):
            continue
        figure = cxf.aggregate_figure(measure, query.confidence)
        yield _cx_row(figure, names, targets, f"{prefix}|m{measure.id:010d}", None,
                      measure.period_start, measure.period_end)


def _cx_row(figure, names, targets, prefix, label, start, end) -> dict:
    target = targets.get(figure.metric)
    status = None
    if target is not None and figure.estimate is not None:
        worse = figure.estimate > target if figure.metric in LOWER_IS_BETTER \
            else figure.estimate < target
        status = "misses target" if worse else "meets target"
    return {"key": f"{prefix}|cx|{start}|{end}|{figure.metric}", "kind": "cx", **names,
            "period": label, "period_start": str(start), "period_end": str(end),
            "metric": figure.metric, "estimate": figure.estimate, "low": figure.low,
            "high": figure.high, "n": figure.n, "method": figure.method, "source": figure.source,
            "study": None, "study_version": None, "variant": None, "target": target,
            "status": status, "note": figure.note}


def _ux_rows(sides: UxSides, touchpoint_id: int, names, prefix) -> Iterator[dict]:
    side = sides.for_touchpoint(touchpoint_id)
    if side is None:
        return
    for variant in side.variants:
        values = {"completion": (variant.completion, "estimate"),
                  "time": (variant.time, "geometric_mean"), "seq": (variant.seq, "mean"),
                  "sus": (variant.sus, "mean"), "umux_lite": (variant.umux_lite, "mean")}
        for metric in UX_METRICS:
            entry, field = values[metric]
            if not entry or entry.get(field) is None:
                continue
            target = side.benchmark_completion if metric == "completion" else None
            status = None if target is None else (
                "misses benchmark" if entry[field] < target else "meets benchmark")
            yield {"key": f"{prefix}|ux|{side.study_slug}|{side.study_version:06d}|"
                          f"{variant.variant}|{UX_METRICS.index(metric)}",
                   "kind": "ux", **names, "period": None, "period_start": None,
                   "period_end": None, "metric": metric, "estimate": entry[field],
                   "low": entry.get("low"), "high": entry.get("high"),
                   "n": entry.get("n"), "method": entry.get("method", ""),
                   "source": "uxlab study", "study": side.study_slug,
                   "study_version": side.study_version, "variant": variant.variant,
                   "target": target, "status": status, "note": entry.get("note")}
