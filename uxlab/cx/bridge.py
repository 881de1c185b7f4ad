"""From UX to CX with its uncertainty: a study's SUS → LTR line, and a journey's key drivers.

Both read stored answers and hand them to ``uxlab.stats`` (``regression.ltr_on_sus`` and
``drivers.key_drivers``); a result that cannot be computed comes back as the reason, in words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.analysis.dataset import survey_rows
from uxlab.models import CxResponse, Journey, Study
from uxlab.stats.drivers import KeyDriverResult, key_drivers
from uxlab.stats.questionnaires import sus_score
from uxlab.stats.regression import LtrRegression, ltr_on_sus

SUS_ITEMS = tuple(f"sus_{i}" for i in range(1, 11))


def study_ltr(session: Session, study: Study) -> LtrRegression | str:
    """The regression of LTR on SUS over the study's participants who answered both."""
    pairs = []
    for row in survey_rows(session, study):
        if row.get("nps") is None:
            continue
        try:
            score = sus_score([row.get(item) for item in SUS_ITEMS])
        except ValueError:
            continue  # more than one SUS item missing: not scored (as in the analysis)
        pairs.append((score, float(row["nps"])))
    if not pairs:
        return "no participant answered both SUS and the likelihood to recommend"
    sus, ltr = (np.array(column) for column in zip(*pairs, strict=True))
    try:
        return ltr_on_sus(sus, ltr)
    except ValueError as exc:
        return str(exc)


@dataclass(frozen=True)
class DriverRow:
    touchpoint: str
    share: float
    low: float
    high: float
    relative: float
    performance: float  # the driver's mean rating among the respondents analysed


@dataclass(frozen=True)
class JourneyDrivers:
    journey: str
    metric: str
    outcome: str
    result: KeyDriverResult | None
    rows: tuple[DriverRow, ...]
    reason: str | None = None


def journey_key_drivers(session: Session, journey: Journey, metric: str = "csat",
                        outcome: str = "nps", resamples: int = 1000) -> JourneyDrivers:
    """Key drivers of the journey's overall ``outcome`` among its touchpoints' ``metric`` ratings.

    A respondent counts when they gave the journey-level ``outcome`` (no stage, no touchpoint)
    and rated every touchpoint that is a driver; several answers of one respondent to one place
    are averaged. Drivers are the journey's touchpoints with ``metric`` answers from respondents
    who also gave the outcome.
    """
    answers: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    names = {tp.id: tp.name for stage in journey.stages for tp in stage.touchpoints}
    statement = (select(CxResponse.respondent, CxResponse.touchpoint_id, CxResponse.stage_id,
                        CxResponse.metric, CxResponse.value)
                 .where(CxResponse.journey_id == journey.id,
                        CxResponse.respondent.is_not(None),
                        CxResponse.metric.in_((metric, outcome))))
    for respondent, touchpoint_id, stage_id, answer_metric, value in session.execute(statement):
        if touchpoint_id is None and stage_id is None and answer_metric == outcome:
            answers[respondent]["outcome"].append(value)
        elif touchpoint_id in names and answer_metric == metric:
            answers[respondent][touchpoint_id].append(value)
    with_outcome = [a for a in answers.values() if a.get("outcome")]
    drivers = sorted({key for a in with_outcome for key in a if key != "outcome"},
                     key=lambda tp: list(names).index(tp))
    complete = [a for a in with_outcome if all(a.get(tp) for tp in drivers)]
    base = JourneyDrivers(journey.name, metric, outcome, None, ())
    if not drivers:
        return JourneyDrivers(**{**base.__dict__, "reason": (
            f"no respondent gave both the journey's {outcome.upper()} and a touchpoint's "
            f"{metric.upper()}")})
    columns = {names[tp]: np.array([np.mean(a[tp]) for a in complete]) for tp in drivers}
    y = np.array([np.mean(a["outcome"]) for a in complete])
    try:
        result = key_drivers(columns, y, resamples=resamples)
    except ValueError as exc:
        return JourneyDrivers(**{**base.__dict__, "reason": str(exc)})
    rows = tuple(sorted((DriverRow(d.driver, d.share, d.low, d.high, d.relative,
                                   float(columns[d.driver].mean()))
                         for d in result.drivers), key=lambda r: -r.share))
    return JourneyDrivers(journey.name, metric, outcome, result, rows)
