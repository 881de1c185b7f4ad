"""A small recorded study for the results tests, built straight through the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.study_data import Recorder, sus_answers

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
TASKS = ("find-product", "add-to-cart", "apply-coupon")


def record_checkout(db, study, people: int = 12) -> dict:
    """Record ``people`` participants of the demo study, alternating A and B.

    The first two thirds take part on DAY1, the rest on DAY2; participant 3 is observed in a
    remote moderated session; the last one is synthetic. B does better on apply-coupon. Returns
    the sessions by participant code (committed).
    """
    rec = Recorder(db, study)
    sessions = {}
    for i in range(people):
        variant = "AB"[i % 2]
        day = DAY1 if i < people * 2 // 3 else DAY2
        code = f"P-{i + 1:02d}"
        session = rec.participant(
            code, variant, started_at=day + timedelta(minutes=30 * i),
            mode="remote_moderated" if i == 3 else "unmoderated", synthetic=i == people - 1,
            completed=i != 5)
        for t, task in enumerate(TASKS):
            failed = (i + t) % 4 == 0 or (task == "apply-coupon" and variant == "A" and i % 3)
            rec.attempt(session, task, variant, outcome="failure" if failed else "success",
                        time_ms=15_000 + 4_000 * ((i * 5 + t * 3) % 7) + (9_000 if failed else 0),
                        errors=(i + 2 * t) % 3, clicks=4 + (i * 3 + t) % 6,
                        seq=2 + (i + t) % 5 + (1 if variant == "B" else 0))
        if i != 4:  # one participant left the questionnaires unanswered
            rec.answers(session, "sus", sus_answers(2 + (i % 4) if variant == "B" else
                                                    1 + (i % 3)), variant=variant)
            rec.answers(session, "nps", [min(10, 3 + i % 8 + (2 if variant == "B" else 0))],
                        variant=variant)
        sessions[code] = session
    db.commit()
    return sessions
