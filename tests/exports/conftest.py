"""A small recorded study (and a second one) for the export tests."""

from __future__ import annotations

import dataclasses
import random

import pytest

from tests.support.study_data import Recorder, sus_answers

TASKS = ("find-product", "add-to-cart", "apply-coupon")


def navigation_metrics(rng: random.Random, task: str, outcome: str) -> dict:
    """Direct success, first click and lostness as the recording sets them, for the one task
    of the demo study with an optimal path (find-product); none for the others."""
    if task != "find-product":
        return {}
    return {"direct": rng.random() < 0.6 if outcome == "success" else None,
            "first_click_correct": rng.random() < 0.7,
            "lostness": round(rng.uniform(0, 0.9), 3) if rng.random() < 0.9 else None}


def record_study(db, study, seed: int, participants: int = 12, prefix: str = "P"):
    """Record a seeded between- or within-subjects study; return the recorder."""
    rng = random.Random(seed)
    navigation = random.Random(seed + 1)  # its own stream: the other values stay as they were
    rec = Recorder(db, study)
    within = study.design == "within"
    for i in range(participants):
        variants = ("A", "B") if within else ("AB"[i % 2],)
        session = rec.participant(f"{prefix}-{i:03}", None if within else variants[0],
                                  synthetic=i % 5 == 4)
        for variant in variants:
            lift = 0.15 if variant == "B" else 0.0
            for task in TASKS:
                roll = rng.random()
                outcome = ("success" if roll < 0.65 + lift else "partial" if roll < 0.75
                           else rng.choice(("failure", "abandoned", "timeout")))
                attempt = rec.attempt(
                    session, task, variant, outcome=outcome,
                    time_ms=int(rng.lognormvariate(10.3 - lift, 0.5)),
                    errors=rng.randint(0, 3), clicks=rng.randint(2, 25),
                    seq=rng.randint(3, 7) if rng.random() < 0.9 else None,
                    **navigation_metrics(navigation, task, outcome))
                for seq in range(3):
                    rec.event(session, seq + 100 * TASKS.index(task), attempt=attempt,
                              type="click", x=rng.uniform(0, 1000), y=rng.uniform(0, 700),
                              target=f"a#{task}-{seq}", url=f"{task}.html",
                              client_ts_ms=1_770_000_000_000 + seq, tab_id="tab-1",
                              payload={"button": 0})
            level = rng.randint(2, 5)
            rec.answers(session, "sus", sus_answers(level), variant=variant)
            rec.answers(session, "nps", [rng.randint(0, 10)], variant=variant)
        if i % 4 == 0:
            rec.observation(session, f"hesitated on the cart ({i})", kind="note",
                            offset_ms=1000 * i)
    db.commit()
    return rec


@pytest.fixture
def recorded(db, study):
    return record_study(db, study, seed=5)


@pytest.fixture
def other_study(db, make_study, demo_spec):
    other = make_study(spec=dataclasses.replace(demo_spec, slug="other-study"))
    record_study(db, other, seed=9, participants=4, prefix="Q")
    return other
