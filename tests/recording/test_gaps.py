"""Gaps in the sequence numbers of a session's tabs."""

from __future__ import annotations

from tests.recording.factories import EventMaker, make_sitting
from uxlab.recording.gaps import sequence_gaps
from uxlab.recording.ingest import ingest_events


def _tab_events(tab: str, seqs: list[int]) -> list[dict]:
    make = EventMaker(tab=tab)
    events = []
    for seq in seqs:
        make.seq = seq
        events.append(make.click())
    return events


def test_no_events_no_gaps(db, study):
    assert sequence_gaps(db, make_sitting(db, study)) == {}


def test_gaps_per_tab(db, study):
    sitting = make_sitting(db, study)
    other = make_sitting(db, study)
    ingest_events(db, sitting, _tab_events("a", [0, 1, 2, 3]))        # complete
    ingest_events(db, sitting, _tab_events("b", [2, 3, 5, 9, 10]))    # 0-1, 4, 6-8 missing
    ingest_events(db, sitting, _tab_events("c", [1]))                 # 0 missing
    ingest_events(db, other, _tab_events("b", [0, 1]))                # another session
    db.commit()
    assert sequence_gaps(db, sitting) == {"b": [(0, 1), (4, 4), (6, 8)], "c": [(0, 0)]}
    assert sequence_gaps(db, other) == {}


def test_a_repeated_number_is_not_a_gap(db, study):
    sitting = make_sitting(db, study)
    ingest_events(db, sitting, _tab_events("a", [0, 1, 1, 2]))  # two events numbered 1
    db.commit()
    assert sequence_gaps(db, sitting) == {}
