"""The CX board: for each touchpoint of a journey, the CX figures beside the UX results.

One :class:`Board` is what ``/cx`` shows and what ``uxlab cx summary --json`` prints: stages in
journey order, a card per touchpoint with NPS, CSAT, CES and the operational figures (each with
n, interval, target and trend), the UX side from the newest study round mapped to it, a weak-spot
flag, and, when two periods are compared, each survey metric's difference with its test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from uxlab.analysis.interpretation import format_p
from uxlab.cx import figures as cxf
from uxlab.cx.journey_files import LOWER_IS_BETTER
from uxlab.cx.journeys import all_journeys
from uxlab.cx.periods import GRANULARITIES, granularity_of
from uxlab.cx.ux_side import UxSide, UxSides
from uxlab.models import Journey, Touchpoint
from uxlab.models.cx import AGGREGATE_METRICS, OPERATIONAL_METRICS

METRIC_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "tickets": "Tickets",
                 "resolution_hours": "Resolution time (h)", "contact_rate": "Contact rate",
                 "churn_rate": "Churn rate", "retention_rate": "Retention rate",
                 "clv": "Customer lifetime value"}


@dataclass
class Card:
    """One touchpoint (or a stage or the journey as a whole when ``touchpoint`` is None)."""

    name: str
    touchpoint: Touchpoint | None
    figures: dict[str, cxf.Figure]
    targets: dict[str, float]
    trend: dict[str, list[tuple[str, cxf.Figure]]]
    ux: UxSide | None = None
    comparisons: dict[str, dict] = field(default_factory=dict)

    def misses(self, metric: str) -> bool | None:
        """Whether the metric's estimate misses its target (None without both)."""
        figure, target = self.figures.get(metric), self.targets.get(metric)
        if figure is None or figure.estimate is None or target is None:
            return None
        return figure.estimate > target if metric in LOWER_IS_BETTER else \
            figure.estimate < target

    @property
    def cx_misses(self) -> list[str]:
        return [m for m in self.figures if self.misses(m)]

    @property
    def weak_spot(self) -> bool:
        """The UX side misses its benchmark and a CX metric misses its target."""
        return bool(self.ux and self.ux.misses_benchmark() and self.cx_misses)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "touchpoint_id": self.touchpoint.id if self.touchpoint else None,
            "owner": self.touchpoint.owner if self.touchpoint else None,
            "targets": self.targets,
            "cx": {m: {**f.as_dict(), "target": self.targets.get(m),
                       "misses_target": self.misses(m)} for m, f in self.figures.items()},
            "trend": {m: [{"period": p, **f.as_dict()} for p, f in points]
                      for m, points in self.trend.items()},
            "ux": self.ux.as_dict() if self.ux else None,
            "weak_spot": self.weak_spot,
            "comparisons": self.comparisons,
        }


@dataclass
class StageColumn:
    name: str
    summary: Card
    cards: list[Card]


@dataclass
class Board:
    journey: Journey | None
    journeys: list[Journey]
    period: str | None
    compare_to: str | None
    granularity: str
    segment: str | None
    segments: list[str]
    summary: Card | None
    stages: list[StageColumn]

    def as_dict(self) -> dict:
        return {
            "journey": self.journey.name if self.journey else None,
            "period": self.period, "compare_to": self.compare_to,
            "granularity": self.granularity, "segment": self.segment,
            "journey_summary": self.summary.as_dict() if self.summary else None,
            "stages": [{"name": s.name, "summary": s.summary.as_dict(),
                        "touchpoints": [c.as_dict() for c in s.cards]} for s in self.stages],
        }


class BoardError(ValueError):
    """A filter of the board is not valid; ``field`` names it."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(message)


def build_board(session: Session, journey_name: str | None = None, period: str | None = None,
                compare_to: str | None = None, granularity: str = "month",
                segment: str | None = None, confidence: float = 0.95,
                visible_study_ids: set[int] | None = None, with_ux: bool = True) -> Board:
    """Build the board of one journey (the first one when ``journey_name`` is None).

    ``visible_study_ids`` limits the UX side to studies the viewer may see (None: all);
    ``with_ux=False`` leaves the UX side out (a study's own report has it already).
    """
    if granularity not in GRANULARITIES:
        raise BoardError("granularity", f"must be month or quarter, not {granularity!r}")
    for name, label in (("period", period), ("compare_to", compare_to)):
        if label:
            try:
                granularity_of(label)
            except ValueError as exc:
                raise BoardError(name, str(exc)) from None
    if compare_to and not period:
        raise BoardError("compare_to", "compare one period with another: give period too")
    journeys = all_journeys(session)
    journey = next((j for j in journeys if j.name == journey_name), None) if journey_name \
        else (journeys[0] if journeys else None)
    if journey_name and journey is None:
        raise BoardError("journey", f"no journey named {journey_name!r}")
    board = Board(journey, journeys, period, compare_to, granularity, segment,
                  cxf.segments(session), None, [])
    if journey is None:
        return board
    cube = cxf.response_cube(session, [journey.id], segment)
    measures = cxf.aggregates(session, [journey.id], segment)
    sides = UxSides(session, visible_study_ids)
    context = _Context(cube, measures, period, compare_to, granularity, confidence)
    board.summary = context.card(journey.name, (journey.id, None, None), None, {})
    for stage in journey.stages:
        cards = [context.card(tp.name, (journey.id, stage.id, tp.id), tp, tp.targets,
                              sides.for_touchpoint(tp.id) if with_ux else None)
                 for tp in stage.touchpoints]
        board.stages.append(StageColumn(
            stage.name, context.card(stage.name, (journey.id, stage.id, None), None, {}), cards))
    return board


@dataclass
class _Context:
    cube: cxf.ResponseCube
    measures: list
    period: str | None
    compare_to: str | None
    granularity: str
    confidence: float

    def card(self, name, place, touchpoint, targets, ux=None) -> Card:
        figures = cxf.place_figures(self.cube, self.measures, place, self.period,
                                    AGGREGATE_METRICS, self.confidence)
        trend = {}
        for metric in cxf.SURVEY_ORDER:
            points = []
            for label in self.cube.periods(place, metric, self.granularity):
                figure = cxf.survey_figure(
                    metric, self.cube.histogram(place, metric, label).values(), self.confidence)
                points.append((label, figure))
            if points:
                trend[metric] = points
        for metric in OPERATIONAL_METRICS:
            points = [(f"{m.period_start}…{m.period_end}", cxf.aggregate_figure(m))
                      for m in self.measures
                      if (m.journey_id, m.stage_id, m.touchpoint_id) == place
                      and m.metric == metric]
            if points:
                trend[metric] = points
        card = Card(name, touchpoint, figures, dict(targets), trend, ux)
        if self.compare_to:
            card.comparisons = self.compare(place)
        return card

    def compare(self, place) -> dict[str, dict]:
        comparisons = {}
        for metric in cxf.SURVEY_ORDER:
            a = self.cube.histogram(place, metric, self.compare_to).values()
            b = self.cube.histogram(place, metric, self.period).values()
            if a.size == 0 and b.size == 0:
                continue
            result = cxf.compare_periods(metric, a, b, self.confidence)
            entry = {"a": self.compare_to, "b": self.period, "n_a": int(a.size),
                     "n_b": int(b.size)}
            if result is None:
                entry.update(test=None, p=None, difference=None, low=None, high=None,
                             note="fewer than 2 answers in a period, or no variation: no test")
            else:
                entry.update(test=result.test, p=result.pvalue, difference=result.difference,
                             low=result.interval.low, high=result.interval.high)
            entry["sentence"] = comparison_sentence(metric, entry, self.confidence)
            comparisons[metric] = entry
        return comparisons


def comparison_sentence(metric: str, entry: dict, confidence: float) -> str:
    """One plain sentence for a period comparison, e.g. "NPS in 2026-Q3 was 12 points higher…"."""
    label = METRIC_LABELS[metric]
    if entry.get("difference") is None:
        return (f"{label} in {entry['b']} and {entry['a']} could not be compared: "
                f"{entry.get('note', 'not enough answers')}.")
    scale = {"nps": (1, " points"), "csat": (100, " percentage points"), "ces": (1, "")}
    factor, unit = scale[metric]
    diff = entry["difference"] * factor
    direction = "higher" if diff > 0 else "lower" if diff < 0 else "no different"
    size = f"{abs(diff):.1f}{unit} " if diff else ""
    ci = (f"{round(confidence * 100)}% CI {entry['low'] * factor:.1f} to "
          f"{entry['high'] * factor:.1f}; {entry['test']}, {format_p(entry['p'])}")
    verdict = ("a statistically significant difference" if entry["p"] < 1 - confidence
               else "not statistically distinguishable from no change")
    return f"{label} in {entry['b']} was {size}{direction} than in {entry['a']} ({ci}): {verdict}."
