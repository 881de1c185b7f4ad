"""CX figures with their intervals, from stored responses and aggregates (no Flask here).

Responses are read as a histogram — how many answers of each value per place, metric, month and
segment — with one grouped query, so a million responses cost one pass in the database. The
histogram is expanded back into the answers and handed to ``uxlab.stats``, so every figure equals
``uxlab.stats`` on the raw rows: NPS with its adjusted-Wald interval, CSAT top-two-box with the
adjusted-Wald interval, CES mean with its t interval and the share agreeing (5–7) with the
adjusted-Wald interval. Where a place has no responses for a metric in the period, the newest
aggregate figure of the period stands in, with an interval where its counts allow one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from uxlab.cx.periods import month_in, period_bounds, period_of_month
from uxlab.models import CxMeasure, CxResponse
from uxlab.stats.nps import nps, nps_difference
from uxlab.stats.proportions import completion_interval, two_proportion_test
from uxlab.stats.questionnaires import ces_summary, csat_top_two_box
from uxlab.stats.ratings import compare_means_between
from uxlab.stats.results import TestResult

#: (journey_id, stage_id, touchpoint_id): stage and touchpoint are None for wider places.
Place = tuple[int, int | None, int | None]
CES_AGREE = 5
SURVEY_ORDER = ("nps", "csat", "ces")


@dataclass(frozen=True)
class Figure:
    """One metric of one place: estimate, interval (or why none), n, and where it came from."""

    metric: str
    estimate: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    method: str = ""
    source: str = "responses"  # or "aggregate"
    period: str | None = None  # the aggregate's own period, when it is one
    note: str | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = {"metric": self.metric, "estimate": self.estimate, "low": self.low,
                "high": self.high, "n": self.n, "method": self.method, "source": self.source}
        if self.period:
            data["period"] = self.period
        if self.note:
            data["note"] = self.note
        data.update(self.extra)
        return data


@dataclass
class Histogram:
    """Counts of answers by value, for one place × metric (× month × segment when grouped)."""

    counts: dict[float, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, value: float, count: int) -> None:
        self.counts[value] += count

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def values(self) -> np.ndarray:
        """The answers themselves, in value order (what ``uxlab.stats`` takes)."""
        keys = sorted(self.counts)
        return np.repeat(np.array(keys, dtype=float), [self.counts[k] for k in keys])


class ResponseCube:
    """The grouped responses: (place, metric) → month → histogram, within one segment filter."""

    def __init__(self, cells: dict[tuple[Place, str, str], Histogram]):
        self.cells: dict[tuple[Place, str], dict[str, Histogram]] = defaultdict(dict)
        for (place, metric, month), histogram in cells.items():
            self.cells[place, metric][month] = histogram

    def histogram(self, place: Place, metric: str, period: str | None) -> Histogram:
        merged = Histogram()
        for month, hist in self.cells.get((place, metric), {}).items():
            if month_in(month, period):
                for value, count in hist.counts.items():
                    merged.add(value, count)
        return merged

    def periods(self, place: Place, metric: str, granularity: str) -> list[str]:
        return sorted({period_of_month(month, granularity)
                       for month in self.cells.get((place, metric), {})})


def _month_of(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", CxResponse.recorded_at), "YYYY-MM")
    return func.strftime("%Y-%m", CxResponse.recorded_at)


def response_cube(session: Session, journey_ids: Iterable[int] | None = None,
                  segment: str | None = None) -> ResponseCube:
    """Group the responses of the journeys by place, metric, month and value (one query)."""
    month = _month_of(session).label("month")
    statement = (select(CxResponse.journey_id, CxResponse.stage_id, CxResponse.touchpoint_id,
                        CxResponse.metric, month, CxResponse.value,
                        func.count().label("answers"))
                 .group_by(CxResponse.journey_id, CxResponse.stage_id,
                           CxResponse.touchpoint_id, CxResponse.metric,
                           literal_column("month"), CxResponse.value))
    if journey_ids is not None:
        statement = statement.where(CxResponse.journey_id.in_(list(journey_ids)))
    if segment:
        statement = statement.where(CxResponse.segment == segment)
    cells: dict[tuple[Place, str, str], Histogram] = defaultdict(Histogram)
    for journey_id, stage_id, touchpoint_id, metric, month_label, value, answers in \
            session.execute(statement):
        cells[(journey_id, stage_id, touchpoint_id), metric, month_label].add(value, answers)
    return ResponseCube(dict(cells))


def segments(session: Session) -> list[str]:
    found = set(session.scalars(select(CxResponse.segment).distinct()))
    found |= set(session.scalars(select(CxMeasure.segment).distinct()))
    return sorted(s for s in found if s)


def survey_figure(metric: str, values: np.ndarray, confidence: float = 0.95) -> Figure | None:
    """The figure of ``metric`` from its answers, or None without answers."""
    if values.size == 0:
        return None
    if metric == "nps":
        result = nps(values.astype(int), confidence)
        return Figure("nps", result.estimate, result.low, result.high, result.n, result.method,
                      extra={"promoters": result.promoters, "passives": result.passives,
                             "detractors": result.detractors})
    if metric == "csat":
        result = csat_top_two_box(values.astype(int), 5, confidence)
        return Figure("csat", result.estimate, result.low, result.high, result.n,
                      "top-two-box, " + result.method)
    mean = ces_summary(values, confidence)
    agree = completion_interval(int((values >= CES_AGREE).sum()), int(values.size), confidence)
    low, high = (mean.low, mean.high) if values.size > 1 else (None, None)
    return Figure("ces", mean.estimate, low, high, mean.n, mean.method,
                  note=None if values.size > 1 else "one answer: no interval",
                  extra={"agree": {"estimate": agree.estimate, "low": agree.low,
                                   "high": agree.high, "method": agree.method}})


def aggregate_figure(measure: CxMeasure, confidence: float = 0.95) -> Figure:
    """The figure of one aggregate row, with an interval where its counts allow one."""
    base = {"source": "aggregate", "period": f"{measure.period_start}…{measure.period_end}",
            "n": measure.n}
    if measure.metric == "nps" and measure.promoters is not None:
        values = np.repeat([10, 8, 0], [measure.promoters, measure.passives or 0,
                                        measure.detractors or 0])
        if values.size:
            figure = survey_figure("nps", values, confidence)
            return Figure(**{**figure.__dict__, **base, "estimate": measure.value})
    if measure.metric == "csat" and measure.top_box is not None and measure.n:
        result = completion_interval(measure.top_box, measure.n, confidence)
        return Figure("csat", result.estimate, result.low, result.high,
                      method="top-two-box, " + result.method, **base)
    if measure.metric == "csat":
        return Figure("csat", measure.value / 100, method="top-two-box (as reported)",
                      note="no interval (n unknown)" if not measure.n else
                      "no interval (top_box count unknown)", **base)
    if measure.metric == "ces" and measure.sd is not None and measure.n and measure.n > 1:
        from scipy import stats  # the t quantile; the mean and sd come from the source

        margin = float(stats.t.ppf(0.5 + confidence / 2, measure.n - 1)) * measure.sd \
            / math.sqrt(measure.n)
        return Figure("ces", measure.value, max(1.0, measure.value - margin),
                      min(7.0, measure.value + margin), method="t (from mean, sd and n)",
                      **base)
    return Figure(measure.metric, measure.value, method="as reported",
                  note=None if measure.metric not in SURVEY_ORDER else "no interval (n unknown)",
                  **base)


def aggregates(session: Session, journey_ids: Iterable[int] | None = None,
               segment: str | None = None) -> list[CxMeasure]:
    statement = select(CxMeasure).order_by(CxMeasure.period_end, CxMeasure.id)
    if journey_ids is not None:
        statement = statement.where(CxMeasure.journey_id.in_(list(journey_ids)))
    statement = statement.where(CxMeasure.segment == segment if segment
                                else CxMeasure.segment.is_(None))
    return list(session.scalars(statement))


def newest_aggregate(measures: list[CxMeasure], place: Place, metric: str,
                     period: str | None) -> CxMeasure | None:
    """The newest aggregate of the place and metric whose period lies inside ``period``."""
    start, end = period_bounds(period) if period else (date.min, date.max)
    found = [m for m in measures
             if (m.journey_id, m.stage_id, m.touchpoint_id) == place and m.metric == metric
             and m.period_start >= start and m.period_end < end]
    return found[-1] if found else None


def place_figures(cube: ResponseCube, measures: list[CxMeasure], place: Place,
                  period: str | None, metrics: Iterable[str],
                  confidence: float = 0.95) -> dict[str, Figure]:
    """Every metric's figure for one place in one period (responses first, then aggregates)."""
    figures = {}
    for metric in metrics:
        figure = None
        if metric in SURVEY_ORDER:
            figure = survey_figure(metric, cube.histogram(place, metric, period).values(),
                                   confidence)
        if figure is None:
            measure = newest_aggregate(measures, place, metric, period)
            figure = aggregate_figure(measure, confidence) if measure else None
        if figure is not None:
            figures[metric] = figure
    return figures


def compare_periods(metric: str, a: np.ndarray, b: np.ndarray,
                    confidence: float = 0.95) -> TestResult | None:
    """Period B against period A: NPS by adjusted Wald, CSAT by N−1 two-proportion, CES by Welch.

    Returns None where either period has too few answers for the test.
    """
    if a.size < 2 or b.size < 2:
        return None
    if metric == "nps":
        return nps_difference(a.astype(int), b.astype(int), confidence)
    if metric == "csat":
        return two_proportion_test(int((a >= 4).sum()), int(a.size), int((b >= 4).sum()),
                                   int(b.size), confidence)
    try:
        return compare_means_between(a, b, confidence)
    except ValueError:  # neither period varies: no t-test
        return None
