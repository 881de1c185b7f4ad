"""The process's one live poller: fan-out to several streams, resuming by cursor, stopping."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from tests.conftest import fresh
from tests.moderation.test_stream import STREAMING, frames, store_clicks
from tests.recording.factories import EventMaker
from uxlab.models import TestSession
from uxlab.moderation import fanout
from uxlab.moderation.fanout import LivePoller
from uxlab.moderation.stream import event_stream

WAIT = 20.0  # seconds before a test gives up waiting for frames (the poller ticks every 10 ms)


@pytest.fixture
def two_sessions(db, moderator, running_study):
    for _ in range(2):
        moderator.start_session(running_study.id, "remote_moderated")
    sessions = list(fresh(db).scalars(select(TestSession).order_by(TestSession.id)))
    fresh(db)
    return sessions


@pytest.fixture
def poller(database):
    poller = LivePoller(database, interval=0.01)
    yield poller
    thread = poller.thread
    for subscription in list(poller._subscriptions):
        poller.unsubscribe(subscription)
    if thread is not None:
        thread.join(WAIT)


def read_events(subscription, count: int) -> list[dict]:
    """Read the subscription's frames until ``count`` events came (or :data:`WAIT` passed)."""
    messages: list[dict] = []
    deadline = time.monotonic() + WAIT
    while sum(m.get("event") == "event" for m in messages) < count \
            and time.monotonic() < deadline:
        messages += frames("".join(subscription.take(0.5)))
    return messages


def labels(messages: list[dict]) -> list[str]:
    return [m["data"]["label"] for m in messages if m.get("event") == "event"]


def test_one_read_fans_out_to_every_stream_watching_a_session(database, poller, two_sessions):
    first, second = two_sessions
    both = poller.subscribe([first.id, second.id], 0)
    only_second = poller.subscribe([second.id], 0)
    store_clicks(database, first, ["a1", "a2"])
    store_clicks(database, second, ["b1"], EventMaker(tab="tab-2"))

    seen_by_both = read_events(both, 3)
    assert labels(seen_by_both) == ["a1", "a2", "b1"]
    states = [m["data"] for m in seen_by_both if m.get("event") == "state"]
    assert {s["session"] for s in states} == {str(first.public_id), str(second.public_id)}
    assert all("plan" not in s for s in states), "a console of several sessions gets no plans"
    seen_by_second = read_events(only_second, 1)
    assert labels(seen_by_second) == ["b1"]
    assert "plan" in next(m for m in seen_by_second if m.get("event") == "state")["data"]
    assert poller.running and len(poller._subscriptions) == 2
    assert both.cursor == only_second.cursor == poller.cursor


def test_a_subscription_behind_the_poller_catches_up_from_the_table(database, poller,
                                                                    two_sessions):
    first, _ = two_sessions
    maker = EventMaker()
    early = poller.subscribe([first.id], 0)
    store_clicks(database, first, ["one", "two", "three"], maker)
    ids = [m["id"] for m in read_events(early, 3) if m.get("event") == "event"]

    resumed = poller.subscribe([first.id], int(ids[0]))  # a reconnect after "one"
    assert labels(read_events(resumed, 2)) == ["two", "three"]
    store_clicks(database, first, ["four"], maker)
    assert labels(read_events(resumed, 1)) == ["four"]
    assert labels(read_events(early, 1)) == ["four"]
    assert resumed.take(0) == [] and early.take(0) == [], "nothing is sent twice"


def test_a_slow_reader_is_caught_up_from_the_table_losing_nothing(database, poller, two_sessions,
                                                                  monkeypatch):
    first, _ = two_sessions
    monkeypatch.setattr(fanout, "MAX_QUEUED", 2)
    maker = EventMaker()
    slow = poller.subscribe([first.id], 0)
    for batch in (["c1", "c2", "c3"], ["c4", "c5"], ["c6"]):
        store_clicks(database, first, batch, maker)
        last = poller.subscribe([first.id], 0)  # a fast reader, to know the poller saw the batch
        read_events(last, 6)
        poller.unsubscribe(last)
    assert labels(read_events(slow, 6)) == ["c1", "c2", "c3", "c4", "c5", "c6"]


def test_the_poller_stops_when_its_last_subscription_leaves(database, two_sessions):
    poller = LivePoller(database, interval=60.0)  # only the leaving wakes it in time
    first = poller.subscribe([two_sessions[0].id], 0)
    second = poller.subscribe([two_sessions[1].id], 0)
    thread = poller.thread
    poller.unsubscribe(first)
    assert thread.is_alive() and poller.running
    poller.unsubscribe(second)
    thread.join(WAIT)
    assert not thread.is_alive() and not poller.running
    again = poller.subscribe([two_sessions[0].id], 0)  # a new stream starts it again
    assert poller.running and poller.thread is not thread
    restarted = poller.thread
    poller.unsubscribe(again)
    restarted.join(WAIT)
    assert not poller.running


def test_after_a_stream_closes_the_pool_and_the_poller_are_back_to_rest(app, client, database,
                                                                        two_sessions,
                                                                        running_study):
    app.config.update(LIVE_POLL_SECONDS=0.01, LIVE_STREAM_SECONDS=60)
    first, _ = two_sessions
    store_clicks(database, first, ["Add to cart"])
    pool = database.engine.pool
    baseline = pool.checkedout()
    url = f"/studies/{running_study.id}/sessions/{first.public_id}/live/stream"
    with client.get(url, environ_overrides=STREAMING, buffered=False) as response:
        chunks, received = iter(response.response), ""
        while "event: event" not in received:
            received += next(chunks).decode()
        poller = app.extensions["uxlab.live_poller"]
        with poller.ticking:  # between two ticks the process holds no connection for streams
            assert pool.checkedout() == baseline
        thread = poller.thread
        assert thread.is_alive()
    thread.join(WAIT)
    assert not poller.running, "the poller ends with the process's last stream"
    assert pool.checkedout() == baseline
    assert labels(frames(received)) == ["Add to cart"]


def test_a_stream_whose_first_tick_is_slow_still_starts_with_its_states(database, poller,
                                                                       two_sessions):
    first, _ = two_sessions
    poller.ticking.acquire()  # the poller's first tick waits (a busy process) ...
    release = threading.Timer(0.3, poller.ticking.release)  # ... longer than the lifetime
    release.start()
    text = "".join(event_stream(poller, [first.id], 0, lifetime=0.05, heartbeat=10))
    release.join()
    messages = frames(text)
    assert [m["data"]["session"] for m in messages if m.get("event") == "state"] == \
        [str(first.public_id)]
    assert messages[-1]["event"] == "end"
