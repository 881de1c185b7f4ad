"""The session review as a timeline: tasks, events and notes in order, ``?t=`` marks a moment."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from tests.observations.conftest import EDITOR, OBSERVER


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
