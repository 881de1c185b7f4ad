"""Synthetic participants go through the real recording code and give analysable data."""

from __future__ import annotations

from sqlalchemy import func, select

from uxlab.analysis.dataset import analyze_dataset, build_dataset
from uxlab.models import Attempt, Event, Participant, QuestionnaireResponse
from uxlab.participants.simulate import simulate_participants


def test_simulated_participants_complete_the_demo(db, make_study):
    study = make_study()
    study.status = "running"
    completed = simulate_participants(db, study, 12, seed=7)
    db.commit()

    assert completed == 12
    participants = db.scalars(select(Participant).where(Participant.study_id == study.id)).all()
    assert all(p.synthetic and p.code.startswith("SIM-") for p in participants)
    assert db.scalar(select(func.count()).select_from(Attempt)) == 12 * 5
    assert db.scalar(select(func.count()).select_from(Event)) > 12 * 5 * 2
    assert db.scalar(select(func.sum(Attempt.errors))) > 0  # error rules fired on dead ends
    outcomes = set(db.scalars(select(Attempt.outcome)))
    assert "success" in outcomes and outcomes & {"failure", "abandoned"}
    # Metrics were derived from the ingested events, not made up: clicks match click events.
    for attempt in db.scalars(select(Attempt)).all()[:10]:
        clicks = db.scalar(select(func.count()).select_from(Event).where(
            Event.attempt_id == attempt.id, Event.type == "click"))
        assert attempt.clicks == clicks
        assert attempt.time_on_task_ms > 0
    instruments = dict(db.execute(select(QuestionnaireResponse.instrument, func.count())
                                  .group_by(QuestionnaireResponse.instrument)).all())
    assert instruments == {"seq": 60, "sus": 120, "nps": 12}
    variants = {p.variant_id for p in participants}
    assert len(variants) == 2
    document = analyze_dataset(build_dataset(db, study))
    assert [t["task"] for t in document["tasks"]] == [t.key for t in study.tasks]
    assert sum(v["participants"] for v in document["variants"].values()) == 12
