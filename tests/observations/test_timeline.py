"""The session review as a timeline: tasks, events and notes in order, ``?t=`` marks a moment."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from tests.observations.conftest import EDITOR, OBSERVER
from tests.support.study_data import Recorder


def test_timeline_orders_tasks_events_and_notes_and_marks_the_moment(study, clients, recorded):
    sitting = recorded[0]
    url = f"/studies/{study.id}/sessions/{sitting.public_id}"
    clients(OBSERVER).json("PUT", f"{url}/notes/{uuid.uuid4()}", {
        "kind": "quote", "text": "<b>Where</b> is the code box?",
        "noted_at": (sitting.started_at + timedelta(seconds=82)).isoformat()})
    page = clients(OBSERVER).get(f"{url}?t=85")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    items = re.findall(r'<li class="tl-(\w+)( current)?" data-t="(\d+)"', html)
    assert [(kind, int(t)) for kind, _current, t in items] == [
        ("task", 10), ("event", 12), ("task", 60), ("task", 70), ("event", 80), ("note", 82),
        ("event", 95), ("task", 130)]
    assert [int(t) for _kind, current, t in items if current] == [82]
    assert "&lt;b&gt;Where&lt;/b&gt; is the code box?" in html  # escaped
    assert "after click &#39;Apply&#39;" in html
    assert 'value="85" data-chosen="true"' in html
    assert f'href="{url}?t=85"' in html
    assert 'class="notes-panel"' in html and "notes.js" in html
    assert "new problem from this note" not in html  # observers do not link notes to problems
    assert "new problem from this note" in clients(EDITOR).get(url).get_data(as_text=True)


def test_bad_t_is_ignored_and_a_late_t_is_clamped(study, clients, recorded):
    sitting = recorded[0]
    url = f"/studies/{study.id}/sessions/{sitting.public_id}"
    assert 'data-chosen="false"' in clients(OBSERVER).get(f"{url}?t=abc").get_data(as_text=True)
    html = clients(OBSERVER).get(f"{url}?t=99999").get_data(as_text=True)
    assert 'value="130" data-chosen="true"' in html


def test_a_long_session_shows_the_events_around_the_moment(db, study, clients, recorded,
                                                          monkeypatch):
    """More events than a page lists: those around ``?t=``, the stretch named, and links on."""
    monkeypatch.setattr("uxlab.observations.timeline.MAX_EVENTS", 4)
    sitting, (_first, second), _events = recorded
    recorder = Recorder(db, study)
    for i in range(10):  # clicks at 200 … 290 s, after the three of the fixture (12, 80, 95 s)
        moment = sitting.started_at + timedelta(seconds=200 + 10 * i)
        recorder.event(sitting, 10 + i, attempt=second, target=f"button#b{i}",
                       payload={"text": f"B{i}"}, received_at=moment,
                       client_ts_ms=round(moment.timestamp() * 1000))
    db.commit()
    url = f"/studies/{study.id}/sessions/{sitting.public_id}"

    def events_shown(query: str) -> tuple[list[int], str]:
        html = clients(OBSERVER).get(f"{url}{query}").get_data(as_text=True)
        return [int(t) for t in re.findall(r'<li class="tl-event[^"]*" data-t="(\d+)"', html)], html

    shown, html = events_shown("")  # no moment: the session's start
    assert shown == [12, 80, 95, 200]
    assert "4 of 13 events are shown, from 0:12 to 3:20" in html
    assert 'id="timeline-earlier"' not in html
    assert f'id="timeline-later" href="{url}?t=200"' in html
    assert 'max="290"' in html  # the scrubber reaches the last event, though it is not listed

    shown, html = events_shown("?t=250")  # two before the moment, two from it
    assert shown == [230, 240, 250, 260]
    assert f'id="timeline-earlier" href="{url}?t=230"' in html
    assert f'id="timeline-later" href="{url}?t=260"' in html
    assert 'value="250" data-chosen="true"' in html

    shown, html = events_shown("?t=285")  # one left after: the rest from before
    assert shown == [260, 270, 280, 290]
    assert 'id="timeline-later"' not in html
    # the tasks and notes stay on the timeline whatever the window
    assert re.findall(r'<li class="tl-task[^"]*" data-t="(\d+)"', html) == ["10", "60", "70",
                                                                              "130"]


def test_a_short_session_shows_every_event_whatever_the_moment(study, clients, recorded):
    sitting = recorded[0]
    html = clients(OBSERVER).get(f"/studies/{study.id}/sessions/{sitting.public_id}?t=120"
                                 ).get_data(as_text=True)
    assert re.findall(r'<li class="tl-event[^"]*" data-t="(\d+)"', html) == ["12", "80", "95"]
    assert 'id="timeline-window"' not in html


def test_events_are_placed_when_they_happened_not_when_they_arrived(db, study, clients):
    """Clicks made while the connection was lost arrive together, minutes later; a batch always
    arrives after the task end its last click caused. Each is listed at its browser time, put
    on the server's clock (this browser's clock is 90 s slow)."""
    recorder = Recorder(db, study)
    sitting = recorder.participant("P02", "A")
    t0 = sitting.started_at
    attempt = recorder.attempt(sitting, "find-product", started_at=t0 + timedelta(seconds=2),
                               time_ms=8_000)  # ended at 10 s, by the click at 9.5 s
    slow = 90_000
    browser = lambda seconds: round((t0.timestamp() + seconds) * 1000) - slow  # noqa: E731
    arrivals = [(3.8, 40), (5.0, 40), (9.5, 9.55)]  # two sent after the outage, one at once
    for seq, (happened, arrived) in enumerate(arrivals):
        recorder.event(sitting, seq, attempt=attempt, target=f"a#e{seq}",
                       payload={"text": f"E{seq}"}, client_ts_ms=browser(happened),
                       received_at=t0 + timedelta(seconds=arrived))
    db.commit()
    html = clients(OBSERVER).get(f"/studies/{study.id}/sessions/{sitting.public_id}"
                                 ).get_data(as_text=True)
    items = re.findall(r'<li class="tl-(\w+)[^"]*" data-t="(\d+)"', html)
    # the smallest gap (the last click's 50 ms) is taken as the clocks' offset
    assert items == [("task", "2"), ("event", "3"), ("event", "5"), ("event", "9"),
                     ("task", "10")]
    assert re.search(r'<a class="tl-time"[^>]*>0:03</a>\s*click', html)


def test_a_note_stamped_at_the_scrubbers_moment_is_listed_at_it(db, study, clients, recorded):
    """The browser knows the session's start to the millisecond: its 1:15 is a fraction of a
    millisecond before the server's, which must not read as 1:14."""
    sitting = recorded[0]
    sitting.started_at = sitting.started_at.replace(microsecond=123_826)  # past the half
    db.commit()
    start_in_browser = sitting.started_at.replace(microsecond=123_000)  # as Date.parse reads it
    url = f"/studies/{study.id}/sessions/{sitting.public_id}"
    answer = clients(OBSERVER).json("PUT", f"{url}/notes/{uuid.uuid4()}", {
        "kind": "note", "text": "hesitates",
        "noted_at": (start_in_browser + timedelta(seconds=75)).isoformat()})
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    assert answer.get_json()["offset_ms"] == 75_000
    html = clients(OBSERVER).get(url).get_data(as_text=True)
    assert re.search(r'<li class="tl-note[^"]*" data-t="75"', html)
