"""A clearly labelled synthetic CX data set for the demo journey (source ``synthetic-demo``).

Six months of NPS, CSAT and CES answers per touchpoint of the demo's Purchase journey, in two
segments, made by a seeded generator so every run gives the same answers, plus monthly support
tickets and contact rates. Nothing here is real customer data; the board says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.cx.importing import insert_new_rows
from uxlab.cx.journeys import all_journeys
from uxlab.models import CxMeasure, CxResponse

DEMO_SOURCE = "synthetic-demo"
DEMO_JOURNEY = "Purchase"
SEGMENTS = ("new customers", "returning customers")
MONTHS = 6
#: Per touchpoint position: a shift of the answers (negative: a weaker touchpoint).
TOUCHPOINT_SHIFT = (0.6, 0.3, -0.4, -1.0, 0.2, 0.0, 0.1)


def load_demo_cx(session: Session, today: date | None = None, seed: int = 7) -> int:
    """Add the synthetic CX data to the demo journey (idempotent); return rows added.

    Each month a panel of made-up customers rates every touchpoint (NPS, CSAT, CES) and the
    journey as a whole (NPS). A customer's ratings follow one latent satisfaction per touchpoint,
    and the overall rating leans most on checkout, so the key-driver analysis has a story to tell.
    """
    journey = next((j for j in all_journeys(session) if j.name == DEMO_JOURNEY), None)
    if journey is None:
        return 0
    today = today or datetime.now(UTC).date()
    first = date(today.year, today.month, 1)
    months = [_months_before(first, k) for k in range(MONTHS - 1, -1, -1)]
    touchpoints = [(stage.id, tp.id) for stage in journey.stages for tp in stage.touchpoints]
    shifts = np.array([TOUCHPOINT_SHIFT[i % len(TOUCHPOINT_SHIFT)]
                       for i in range(len(touchpoints))])
    weights = np.linspace(0.5, 1.5, len(touchpoints)) / len(touchpoints)
    rng = np.random.default_rng(seed)
    responses, measures = [], []
    for m, month in enumerate(months):
        latest = min(27, (today - month).days)
        for a in range(int(rng.integers(30, 40))):
            respondent = f"demo-{m}-{a}"
            segment = SEGMENTS[a % 2]
            moment = datetime(month.year, month.month, 1, 12, tzinfo=UTC) + timedelta(
                days=int(rng.integers(0, latest + 1)))
            latent = shifts + 0.08 * m - (0.3 if a % 2 else 0) + rng.normal(0, 1, len(shifts))

            base = {"journey_id": journey.id, "recorded_at": moment, "respondent": respondent,
                    "segment": segment, "source": DEMO_SOURCE, "comment": None}
            answer = partial(_answer, responses, base, f"{m}-{a}")
            for i, (stage_id, touchpoint_id) in enumerate(touchpoints):
                level = latent[i]
                answer(i, "nps", 7.6 + 1.4 * level, 0, 10, stage_id, touchpoint_id)
                answer(i, "csat", 3.9 + 0.6 * level, 1, 5, stage_id, touchpoint_id)
                answer(i, "ces", 5.1 + 0.9 * level, 1, 7, stage_id, touchpoint_id)
            answer("all", "nps", 7.4 + 2.0 * float(weights @ latent) + rng.normal(0, 0.8), 0, 10)
        end = _months_before(month, -1) - timedelta(days=1)
        for i, (stage_id, touchpoint_id) in enumerate(touchpoints):
            tickets = float(rng.integers(40, 120) * (1.5 if shifts[i] < 0 else 1.0))
            measures.append(_measure(journey.id, stage_id, touchpoint_id, "tickets", month, end,
                                     tickets))
            measures.append(_measure(journey.id, stage_id, touchpoint_id, "contact_rate", month,
                                     end, round(float(rng.uniform(0.01, 0.06)), 3)))
    before = _demo_rows(session)
    insert_new_rows(session, CxResponse, responses)
    insert_new_rows(session, CxMeasure, measures)
    return _demo_rows(session) - before


def _answer(responses: list, base: dict, prefix: str, place, metric: str, value: float,
            low: int, high: int, stage_id: int | None = None,
            touchpoint_id: int | None = None) -> None:
    key = f"{prefix}-{place}-{metric}"
    responses.append({**base, "stage_id": stage_id, "touchpoint_id": touchpoint_id,
                      "metric": metric, "value": float(min(high, max(low, round(value)))),
                      "external_id": key, "dedupe_key": key})


def _demo_rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CxResponse)
                          .where(CxResponse.source == DEMO_SOURCE))


def _measure(journey_id, stage_id, touchpoint_id, metric, start, end, value) -> dict:
    return {"journey_id": journey_id, "stage_id": stage_id, "touchpoint_id": touchpoint_id,
            "metric": metric, "period_start": start, "period_end": end, "value": value,
            "n": None, "promoters": None, "passives": None, "detractors": None,
            "top_box": None, "sd": None, "segment": None, "source": DEMO_SOURCE,
            "dedupe_key": f"{touchpoint_id}-{metric}-{start}"}


def _months_before(first: date, k: int) -> date:
    index = first.year * 12 + first.month - 1 - k
    return date(index // 12, index % 12 + 1, 1)
