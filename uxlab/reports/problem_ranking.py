"""Problems in priority order, with the share of participants who met each and its interval.

Used by the report's text (:mod:`uxlab.reports.content`) and its problem chart
(:mod:`uxlab.reports.charts_problems`) alike; kept apart from the chart so the text needs no
matplotlib.

References
----------
Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3 (adjusted-Wald
interval of a proportion).
"""

from __future__ import annotations

from uxlab.reports.context import ProblemRecord
from uxlab.stats.proportions import completion_interval


def ranked_problems(problems) -> list[ProblemRecord]:
    """Problems by priority: any catastrophe (4) first, then severity × frequency, severity,
    title (the order of the problem list, :mod:`uxlab.observations.problem_list`)."""
    return sorted(problems, key=lambda p: (p.severity != 4, -p.severity * (problem_share(p) or 0),
                                           -p.severity, p.title))


def problem_share(problem: ProblemRecord) -> float | None:
    """The share of observed participants who met the problem."""
    if problem.frequency is not None:
        return problem.frequency
    observed = problem.observed_participants
    return problem.participants / observed if observed else None


def problem_interval(problem: ProblemRecord, confidence: float) -> tuple[float, float] | None:
    """Adjusted-Wald interval of a problem's frequency, when the participants observed are known."""
    observed = problem.observed_participants
    if not observed or problem.participants > observed:
        return None
    estimate = completion_interval(problem.participants, observed, confidence)
    return estimate.low, estimate.high
