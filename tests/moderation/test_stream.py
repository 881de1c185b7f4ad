"""The live stream: frames, no connection held between polls, resuming, the per-process cap."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import fresh
from tests.moderation.conftest import settle
from tests.recording.factories import EventMaker
from uxlab.models import TestSession
from uxlab.recording.ingest import ingest_events

STREAMING = {"wsgi.multithread": True}  # as under gunicorn -k gthread


@pytest.fixture
def live(app, db, moderator, running_study):
    """A remote-moderated session (no participant yet) and a quick stream configuration."""
    app.config.update(LIVE_POLL_SECONDS=0.05, LIVE_STREAM_SECONDS=0.4,
                      LIVE_HEARTBEAT_SECONDS=0.1)
    moderator.start_session(running_study.id, "remote_moderated")
    test_session = fresh(db).scalars(select(TestSession)).one()
    fresh(db)
    return test_session, f"/studies/{running_study.id}/sessions/{test_session.public_id}/live"


def store_clicks(database, test_session, labels, maker=None):
    maker = maker or EventMaker()
    with database.append_sessions() as writing:
        ingest_events(writing, writing.get(TestSession, test_session.id),
                      [maker("click", target=f"#{label}", data={"text": label, "interactive": True})
                       for label in labels])
        writing.commit()
    settle(database)


def frames(text: str) -> list[dict]:
    """Parse SSE text into messages: {"id", "event", "data"} (comments kept as "comment")."""
    messages = []
    for block in text.split("\n\n"):
        message = {}
        for line in block.splitlines():
            if line.startswith(":"):
                message["comment"] = line[1:].strip()
            else:
                name, _, value = line.partition(": ")
                message[name] = value
        if message:
            if "data" in message:
                message["data"] = json.loads(message["data"])
            messages.append(message)
    return messages


def read_all(client, url, **headers) -> list[dict]:
    with client.get(url, environ_overrides=STREAMING, headers=headers) as response:
        return frames(response.get_data(as_text=True))


def test_a_stream_holds_no_connection_between_polls(app, client, database, live):
    test_session, url = live
    store_clicks(database, test_session, ["Add to cart"])
    pool = database.engine.pool
    baseline = pool.checkedout()
    with client.get(f"{url}/stream", environ_overrides=STREAMING, buffered=False) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/event-stream"
        chunks = iter(response.response)
        received = ""
        while "event: event" not in received:
            received += next(chunks).decode()
        # Between two of the poller's ticks the stream holds no connection.
        with app.extensions["uxlab.live_poller"].ticking:
            assert pool.checkedout() == baseline
        assert app.extensions["uxlab.live_streams"].open == 1
    assert app.extensions["uxlab.live_streams"].open == 0, "closing gives the slot back"
    messages = frames(received)
    state = next(m for m in messages if m.get("event") == "state")
    assert state["data"]["session"] == str(test_session.public_id)
    click = next(m for m in messages if m.get("event") == "event")
    assert click["data"]["label"] == "Add to cart" and click["id"] == str(click["data"]["id"])


def test_reconnecting_with_last_event_id_loses_and_repeats_nothing(client, database, live):
    test_session, url = live
    maker = EventMaker()
    store_clicks(database, test_session, ["one", "two", "three"], maker)
    first = read_all(client, f"{url}/stream")
    events = [m for m in first if m.get("event") == "event"]
    assert [m["data"]["label"] for m in events] == ["one", "two", "three"]
    assert any(m.get("comment") == "heartbeat" for m in first)
    assert first[-1]["event"] == "end", "the stream ends by itself; the browser reconnects"

    resume_after = events[1]["id"]  # as if the connection broke after "two"
    store_clicks(database, test_session, ["four"], maker)
    second = read_all(client, f"{url}/stream", **{"Last-Event-ID": resume_after})
    labels = [m["data"]["label"] for m in second if m.get("event") == "event"]
    assert labels == ["three", "four"]
    polled = client.get(f"{url}/feed?after={resume_after}").get_json()
    assert [e["label"] for e in polled["events"]] == ["three", "four"]
    assert polled["cursor"] == max(e["id"] for e in polled["events"])


def test_past_the_cap_a_stream_is_refused_with_retry_after(app, client, live):
    _, url = live
    app.config["LIVE_STREAMS_PER_PROCESS"] = 1
    with client.get(f"{url}/stream", environ_overrides=STREAMING, buffered=False) as held:
        assert held.status_code == 200
        refused = client.get(f"{url}/stream", environ_overrides=STREAMING)
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert "poll" in refused.get_json()["message"]
    again = client.get(f"{url}/stream", environ_overrides=STREAMING, buffered=False)
    assert again.status_code == 200
    again.close()


def test_a_server_that_cannot_hold_streams_says_so(client, live):
    _, url = live
    refused = client.get(f"{url}/stream")  # a sync worker: one thread per process
    assert refused.status_code == 503 and "gthread" in refused.get_json()["message"]


def test_bad_cursor_and_session_lists_are_refused(client, live, running_study):
    test_session, url = live
    assert client.get(f"{url}/feed?after=abc").status_code == 400
    base = f"/studies/{running_study.id}/live/feed"
    everything_live = client.get(base).get_json()
    assert [s["session"] for s in everything_live["states"]] == [str(test_session.public_id)]
    assert client.get(f"{base}?session=not-a-uuid").status_code == 400
    both = client.get(f"{base}?session={test_session.public_id}").get_json()
    assert [s["session"] for s in both["states"]] == [str(test_session.public_id)]
