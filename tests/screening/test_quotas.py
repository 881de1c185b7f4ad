"""Quotas: places per segment and variant, taken at consent, atomically; who holds a place."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import fresh
from tests.participants.bot import Bot
from tests.screening.conftest import ELIGIBLE
from tests.support.races import race
from uxlab.models import Participant, Study
from uxlab.participants import flow
from uxlab.participants.links import create_participants
from uxlab.screening.quotas import quota_fills, turned_away_counts
from uxlab.timeutil import utcnow

WEEKLY_IN_A = {"key": "weekly_a", "places": 0, "variant": "A", "where": {"shopping": ["Weekly"]}}


def _screened(db, study: Study, count: int, shopping: str = "Weekly") -> list[Participant]:
    """Participants who passed the screener (answers kept, now on the consent step)."""
    participants = create_participants(db, study, count)
    for participant in participants:
        participant.screener = {"shopping": shopping, "devices": ["Phone"], "age": 30}
        participant.step = 1
    db.commit()
    return participants


def _consent(db, study, participant):
    return flow.consent(db, study, participant, participant.step)


def test_a_full_variant_is_skipped_for_its_segment_only(db, make_screening_study):
    study = make_screening_study(quotas=[WEEKLY_IN_A])
    weekly = _screened(db, study, 4)
    monthly = _screened(db, study, 4, shopping="Monthly")
    for participant in weekly + monthly:
        assert _consent(db, study, participant) is not None
    db.commit()
    assert {p.variant.key for p in weekly} == {"B"}
    assert [p.variant.key for p in monthly].count("A") >= 2  # A is still open to them


def test_a_full_study_turns_the_person_away_keeping_nothing(db, client, make_screening_study,
                                                            make_bot):
    study = make_screening_study(quotas=[{"key": "total", "places": 1}], full="Sorry, all full.")
    first = make_bot(study)
    first.enter()
    first.post(**ELIGIBLE)
    assert first.consent().status_code == 303
    with client.application.test_client() as other:
        second = make_bot(study, other)
        second.enter()
        second.post(**ELIGIBLE)
        assert second.consent().status_code == 303
        assert "Sorry, all full." in second.page()
    participant = fresh(db).get(Participant, second.participant_id)
    assert participant.turned_away == "full" and participant.screener == {}
    assert participant.consented_at is None and participant.variant_id is None
    assert turned_away_counts(db, study) == {"screened_out": 0, "full": 1}
    assert [f.taken for f in quota_fills(db, study)] == [1]


def test_a_full_study_sends_panel_recruits_to_the_over_quota_url(db, client,
                                                                 make_screening_study):
    study = make_screening_study(quotas=[{"key": "total", "places": 0}], panel={
        "preset": "prolific", "completion_code": "C1", "over_quota_code": "FULLQ"})
    client.get(f"/s/{study.recruitment_token}?PROLIFIC_PID=abc")
    bot = Bot(client, "")
    bot.post(**ELIGIBLE)
    assert bot.consent().status_code == 303
    assert client.get("/run").headers["Location"] == \
        "https://app.prolific.com/submissions/complete?cc=FULLQ"


def test_who_holds_a_place(db, make_screening_study):
    """Consented and not excluded, and either completed or consented within the hold."""
    study = make_screening_study(quotas=[{"key": "total", "places": 3}], place_hold_minutes=60)
    walked_away, finished, excluded = _screened(db, study, 3)
    for participant in (walked_away, finished, excluded):
        assert _consent(db, study, participant) is not None
    long_ago = utcnow() - timedelta(minutes=61)
    walked_away.consented_at = long_ago
    finished.consented_at, finished.completed_at = long_ago, utcnow()
    excluded.excluded_at = utcnow()
    db.commit()
    assert [f.taken for f in quota_fills(db, study)] == [1]
    first, second, too_many = _screened(db, study, 3)
    assert _consent(db, study, first) is not None
    assert _consent(db, study, second) is not None
    assert _consent(db, study, too_many) is None
    assert too_many.turned_away == "full"


def test_quotas_on_segment_conditions_count_only_their_segment(db, make_screening_study):
    study = make_screening_study(quotas=[
        {"key": "young", "places": 1, "where": {"age": {"max": 30}}},
        {"key": "phone", "places": 5, "where": {"devices": ["Phone"]}},
    ])
    first, second = _screened(db, study, 2)  # both 30, on a phone
    older = _screened(db, study, 1)[0]
    older.screener = {**older.screener, "age": 50}
    db.commit()
    assert _consent(db, study, first) is not None
    assert _consent(db, study, second) is None
    assert _consent(db, study, older) is not None
    assert [f.taken for f in quota_fills(db, study)] == [1, 2]


def test_two_people_taking_the_last_place_at_once_admit_exactly_one(database, db,
                                                                    make_screening_study):
    """The second consent waits for the first (row lock / write lock), then finds it full."""
    study = make_screening_study(quotas=[{"key": "weekly", "places": 1,
                                          "where": {"shopping": ["Weekly"]}}])
    ids = [p.id for p in _screened(db, study, 2)]

    def consent(number):
        def act(session):
            participant = session.get(Participant, ids[number])
            return _consent(session, session.get(Study, study.id), participant)
        return act

    outcome = race(database, consent(0), consent(1))
    assert outcome == {"returned": None}, outcome
    fresh(db)
    first, second = (db.get(Participant, i) for i in ids)
    assert first.consented_at is not None and first.turned_away is None
    assert second.turned_away == "full" and second.consented_at is None


def test_simulated_participants_take_no_real_places(db, make_screening_study):
    """`uxlab demo --simulate` style participants (synthetic) do not fill a running study's
    quota: real people would otherwise find it full (found in review)."""
    study = make_screening_study(quotas=[{"key": "total", "places": 1}])
    simulated, real = _screened(db, study, 2)
    simulated.synthetic = True
    db.commit()
    assert _consent(db, study, simulated) is not None
    assert [f.taken for f in quota_fills(db, study)] == [0]
    assert _consent(db, study, real) is not None and real.turned_away is None
