"""A clearly labelled synthetic CX data set for the demo journey (source ``synthetic-demo``).

Six months of NPS, CSAT and CES answers per touchpoint of the demo's Purchase journey, in two
segments, made by a seeded generator so every run gives the same answers, plus monthly support
tickets and contact rates. Nothing here is real customer data; the board says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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
    """Add the synthetic CX data to the demo journey (idempotent); return rows added."""
    journey = next((j for j in all_journeys(session) if j.name == DEMO_JOURNEY), None)
    if journey is None:
        return 0
    today = today or datetime.now(UTC).date()
    first = date(today.year, today.month, 1)
    months = [_months_before(first, k) for k in range(MONTHS - 1, -1, -1)]
    rng = np.random.default_rng(seed)
    responses, measures = [], []
    places = [(None, None, 0.3)] + [
        (stage.id, tp.id, TOUCHPOINT_SHIFT[i % len(TOUCHPOINT_SHIFT)])
        for i, (stage, tp) in enumerate((s, t) for s in journey.stages for t in s.touchpoints)]
    for p, (stage_id, touchpoint_id, shift) in enumerate(places):
        for m, month in enumerate(months):
            trend = 0.08 * m  # things get a little better month by month
            for metric, (low, high, centre) in {"nps": (0, 10, 7.6), "csat": (1, 5, 3.9),
                                                "ces": (1, 7, 5.1)}.items():
                if touchpoint_id is None and metric != "nps":
                    continue
                answers = int(rng.integers(25, 45))
                for a in range(answers):
                    segment = SEGMENTS[a % 2]
                    scale = (high - low) / 10
                    value = rng.normal(centre + (shift + trend - (0.3 if a % 2 else 0)) * scale
                                       * 1.5, 1.6 * scale)
                    day = min(int(rng.integers(0, 28)), (today - month).days) if month <= today \
                        else 0
                    responses.append({
                        "journey_id": journey.id, "stage_id": stage_id,
                        "touchpoint_id": touchpoint_id, "metric": metric,
                        "value": float(min(high, max(low, round(value)))),
                        "recorded_at": datetime(month.year, month.month, 1, 12, tzinfo=UTC)
                        + timedelta(days=max(day, 0)),
                        "respondent": f"demo-{p}-{m}-{a}", "segment": segment,
                        "source": DEMO_SOURCE, "external_id": f"{p}-{m}-{metric}-{a}",
                        "dedupe_key": f"{p}-{m}-{metric}-{a}", "comment": None})
            if touchpoint_id is not None:
                end = _months_before(month, -1) - timedelta(days=1)
                tickets = float(rng.integers(40, 120) * (1.5 if shift < 0 else 1.0))
                measures.append(_measure(journey.id, stage_id, touchpoint_id, "tickets",
                                         month, end, tickets))
                measures.append(_measure(journey.id, stage_id, touchpoint_id, "contact_rate",
                                         month, end, round(float(rng.uniform(0.01, 0.06)), 3)))
    before = _demo_rows(session)
    insert_new_rows(session, CxResponse, responses)
    insert_new_rows(session, CxMeasure, measures)
    return _demo_rows(session) - before


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
