"""Ingesting event batches: validation before writing, idempotent set-based insert, late events."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from tests.conftest import fresh
from tests.recording.factories import EventMaker, make_attempt, make_sitting
from tests.support.races import race
from uxlab.models import Attempt, Event
from uxlab.recording.ingest import (
    IngestResult,
    claimed_attempts,
    find_target,
    ingest_events,
    store_rows,
)
from uxlab.recording.validation import MAX_EVENT_BYTES, EventError, event_rows


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Event))


def test_a_batch_sent_five_times_is_stored_once(db, sitting):
    make = EventMaker()
    batch = [make.click() for _ in range(10)]
    results = []
    for _ in range(5):
        results.append(ingest_events(db, sitting, batch))
        db.commit()
    assert results == [IngestResult(10, 0)] + [IngestResult(0, 10)] * 4
    assert _count(db) == 10


def test_a_partly_new_batch_counts_both(db, sitting):
    make = EventMaker()
    old = [make.click() for _ in range(3)]
    ingest_events(db, sitting, old)
    assert ingest_events(db, sitting, old[1:] + [make.click(), make.click()]) == IngestResult(2, 2)
    assert _count(db) == 5


def test_the_same_event_twice_in_one_batch_is_stored_once(db, sitting):
    event = EventMaker().click()
    assert ingest_events(db, sitting, [event, dict(event)]) == IngestResult(1, 1)


def test_the_same_event_id_in_two_sessions_is_two_events(db, study, sitting):
    other = make_sitting(db, study)
    event = EventMaker().click()
    ingest_events(db, sitting, [event])
    assert ingest_events(db, other, [event]) == IngestResult(1, 0)


def test_fields_map_to_columns(db, sitting):
    attempt = make_attempt(db, sitting, "find-product")
    event = EventMaker(attempt=attempt.id).click("nav > a:nth-of-type(2)", url="index.html")
    ingest_events(db, sitting, [event])
    db.commit()
    row = db.scalars(select(Event)).one()
    assert row.event_uuid == uuid.UUID(event["id"])
    assert (row.session_id, row.seq, row.tab_id, row.type, row.client_ts_ms) == (
        sitting.id, 0, "tab-1", "click", event["t"])
    assert (row.attempt_id, row.x, row.y, row.target, row.url) == (
        attempt.id, 10.0, 20.0, "nav > a:nth-of-type(2)", "index.html")
    assert row.payload == {"interactive": True}
    assert row.received_at.tzinfo is not None


def test_an_attempt_of_another_session_is_not_linked(db, study, sitting):
    other = make_sitting(db, study)
    foreign = make_attempt(db, other, "find-product")
    ingest_events(db, sitting, [EventMaker(attempt=foreign.id).click(),
                                EventMaker(attempt=10_000).click()])
    db.commit()
    assert db.scalars(select(Event.attempt_id)).all() == [None, None]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"colour": "red"}, "events[1].colour", "unknown field colour"),
    ({"colour": 1, "b": 2}, "events[1].b", "unknown fields b, colour"),
    ({"id": "not-a-uuid"}, "events[1].id", "UUID"),
    ({"id": 7}, "events[1].id", "UUID"),
    ({"seq": -1}, "events[1].seq", "integer"),
    ({"seq": 1.5}, "events[1].seq", "integer"),
    ({"seq": True}, "events[1].seq", "integer"),
    ({"seq": 2**31}, "events[1].seq", "integer"),
    ({"tab": "x" * 65}, "events[1].tab", "at most 64"),
    ({"tab": ""}, "events[1].tab", "empty"),
    ({"tab": None}, "events[1].tab", "string"),
    ({"type": "keypress"}, "events[1].type", "must be one of"),
    ({"t": "yesterday"}, "events[1].t", "integer"),
    ({"attempt": "3"}, "events[1].attempt", "integer"),
    ({"x": "left"}, "events[1].x", "number"),
    ({"x": float("inf")}, "events[1].x", "finite"),
    ({"target": "a" * 1001}, "events[1].target", "at most 1000"),
    ({"url": "u" * 2001}, "events[1].url", "at most 2000"),
    ({"url": "a\x00b"}, "events[1].url", "NUL"),
    ({"url": "\ud800.html"}, "events[1].url", "Unicode"),
    ({"data": []}, "events[1].data", "object"),
    ({"data": {"interactive": "yes"}}, "events[1].data.interactive", "true or false"),
    ({"data": {"matched": "success"}}, "events[1].data.matched", "list"),
    ({"data": {"note": "a\x00"}}, "events[1].data", "NUL"),
    ({"data": {"note": "\ud800"}}, "events[1].data", "cannot be stored"),
    ({"data": {"nested": {"note": "a\x00"}}}, "events[1].data", "NUL"),
    ({"data": {"nested": ["\udfff"]}}, "events[1].data", "cannot be stored"),
    ({"data": {"ratio": float("nan")}}, "events[1].data", "cannot be stored"),
    ({"type": ["click"]}, "events[1].type", "must be one of"),
    ({"tab": "\ud800"}, "events[1].tab", "Unicode"),
    ({"id": "-" * 100 + "12345678123456781234567812345678"}, "events[1].id", "UUID"),
])
def test_a_bad_event_refuses_the_whole_batch(db, sitting, change, field, message):
    make = EventMaker()
    bad = make.click()
    bad.update(change)
    with pytest.raises(EventError, match=message) as caught:
        ingest_events(db, sitting, [make.click(), bad, make.click()])
    assert caught.value.field == field
    db.rollback()
    assert _count(db) == 0


@pytest.mark.parametrize("name", ["id", "seq", "tab", "type", "t"])
def test_missing_required_fields_are_named(db, sitting, name):
    event = EventMaker().click()
    del event[name]
    with pytest.raises(EventError, match="missing") as caught:
        ingest_events(db, sitting, [event])
    assert caught.value.field == f"events[0].{name}"


def test_optional_fields_may_be_left_out(db, sitting):
    event = {"id": str(uuid.uuid4()), "seq": 0, "tab": "t", "type": "visibility", "t": 1}
    assert ingest_events(db, sitting, [event]) == IngestResult(1, 0)
    db.commit()
    assert db.scalars(select(Event.payload)).one() == {}


def test_an_event_over_32_kb_is_refused(db, sitting):
    make = EventMaker()
    event = make.click()
    event["data"]["text"] = "é" * (MAX_EVENT_BYTES // 2)  # 2 bytes each in UTF-8
    with pytest.raises(EventError, match="bytes serialised") as caught:
        ingest_events(db, sitting, [event])
    assert caught.value.field == "events[0]"
    just_under = make.click()
    just_under["data"]["text"] = "x" * (MAX_EVENT_BYTES - 300)
    assert ingest_events(db, sitting, [just_under]).accepted == 1


@pytest.mark.parametrize("data", [
    {f"k{i}": "v" * 100 for i in range(400)},          # flat, but 40 KB of values
    {"nested": {"text": "w" * MAX_EVENT_BYTES}},         # nested
    {f"n{i}": 10**4000 for i in range(10)},            # ten numbers of 4,001 digits
    {"rows": [{"text": "x" * 1000}] * 40},               # a list of objects
])
def test_large_data_in_any_shape_is_measured(db, sitting, data):
    event = EventMaker().click()
    event["data"] = data
    with pytest.raises(EventError, match="bytes serialised"):
        ingest_events(db, sitting, [event])


def test_the_size_limit_counts_utf8_bytes_of_flat_data(db, sitting):
    # 12,000 characters of 'é' (2 bytes each) pass a character count but not the byte count once
    # the rest of the event is added: 12,000 + 12,000 * 2 > 32 KB.
    event = EventMaker().click()
    event["data"] = {"a": "é" * 12_000, "b": "x" * 12_000}
    with pytest.raises(EventError, match="bytes serialised"):
        ingest_events(db, sitting, [event])
    event["data"] = {"a": "é" * 5_000, "b": "x" * 5_000}
    assert ingest_events(db, sitting, [event]).accepted == 1


def test_non_ascii_text_is_stored(db, sitting):
    event = EventMaker(tab="onglet-é").click("button[aria-label='Größe 42']", url="größen.html")
    event["data"]["text"] = "In den Warenkorb — 42 €"
    ingest_events(db, sitting, [event])
    db.commit()
    row = db.scalars(select(Event)).one()
    assert (row.tab_id, row.target, row.url, row.payload["text"]) == (
        "onglet-é", "button[aria-label='Größe 42']", "größen.html", "In den Warenkorb — 42 €")


def test_every_value_is_stored_as_sent(db, sitting):
    # PostgreSQL's rows travel as one JSON text: quotes, backslashes and control characters,
    # whole-number coordinates, nulls and integers past 64 bits (which orjson refuses, so the
    # standard library writes that group) must come back as they were sent.
    make = EventMaker()
    plain = make.click('a[title="say \\"hi\\""] \\ b', url="p\tq.html?x=\"1\"")
    plain.update(x=12, y=-3.25)
    plain["data"] = {"text": "line\nbreak \u2028 \x1f", "nested": {"list": [1, 2.5, None]}}
    big = make.click("button")
    big["data"] = {"count": 2**70, "negative": -(2**65)}
    bare = make.navigate("index.html")
    bare.update(x=None, y=None, target=None)
    assert ingest_events(db, sitting, [plain, bare]).accepted == 2
    assert ingest_events(db, sitting, [big]).accepted == 1
    db.commit()
    rows = {row.event_uuid: row for row in db.scalars(select(Event))}
    stored = rows[uuid.UUID(plain["id"])]
    assert (stored.target, stored.url, stored.x, stored.y, stored.payload) == (
        plain["target"], plain["url"], 12.0, -3.25, plain["data"])
    assert rows[uuid.UUID(big["id"])].payload == {"count": 2**70, "negative": -(2**65)}
    stored = rows[uuid.UUID(bare["id"])]
    assert (stored.x, stored.y, stored.target, stored.payload) == (None, None, None, {})


def test_events_must_be_a_list(db, sitting):
    with pytest.raises(EventError) as caught:
        ingest_events(db, sitting, {"id": "x"})
    assert caught.value.field == "events"
    assert ingest_events(db, sitting, []) == IngestResult(0, 0)


def test_events_just_after_the_end_update_a_finished_attempts_metrics(db, sitting):
    attempt = make_attempt(db, sitting, "find-product")
    make = EventMaker(attempt=attempt.id)
    ingest_events(db, sitting, [make.navigate("index.html"), make.click("a.shoes")])
    db.commit()
    assert attempt.clicks == 0  # in progress: the hot path does no metric work
    attempt.ended_at = attempt.started_at
    attempt.outcome = "success"
    db.commit()
    late = [make.navigate("shoes.html"), make.click("a.product"),
            make.navigate("product-trail-runner.html")]
    ingest_events(db, sitting, late)
    db.commit()
    db.refresh(attempt)
    assert attempt.clicks == 2
    assert attempt.path == ["index.html", "shoes.html", "product-trail-runner.html"]
    assert attempt.direct is True and attempt.lostness == 0
    # The same late batch again changes nothing.
    assert ingest_events(db, sitting, late) == IngestResult(0, 3)


def test_an_attempt_ended_after_the_lookup_still_gets_its_late_events(database, db, sitting):
    """The API looks the target up in a read transaction, then writes in another: an attempt
    that ends in between must still have its metrics derived again with the batch's events."""
    attempt = make_attempt(db, sitting, "find-product")
    make = EventMaker(attempt=attempt.id)
    rows = event_rows([make.navigate("index.html"), make.click("a.shoes"),
                       make.navigate("shoes.html")])
    with database.read_sessions() as reading:
        target = find_target(reading, sitting.public_id, claimed_attempts(rows))
    assert target.attempt_ids == {attempt.id}
    with database.write_sessions() as ending:  # the attempt ends meanwhile, with no events yet
        ending.execute(update(Attempt).where(Attempt.id == attempt.id)
                       .values(ended_at=attempt.started_at, outcome="success"))
        ending.commit()
    with database.append_sessions() as writing:
        assert store_rows(writing, target, rows) == IngestResult(3, 0)
        writing.commit()
    ended = fresh(db).get(Attempt, attempt.id)
    assert ended.clicks == 1
    assert ended.path == ["index.html", "shoes.html"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's one write lock
def test_an_append_session_waits_its_turn_for_sqlites_write_lock(database, db, sitting):
    """Append sessions begin DEFERRED: their INSERT must wait for a writer that holds the lock
    (busy timeout), not fail with "database is locked"."""
    rows = event_rows([EventMaker().click() for _ in range(5)])
    with database.read_sessions() as reading:
        target = find_target(reading, sitting.public_id, set())
    outcome = race(database,
                   lambda holder: holder.execute(  # takes the write lock
                       update(Attempt).where(Attempt.id == -1).values(outcome=None)),
                   lambda writing: store_rows(writing, target, rows),
                   second_sessions=database.append_sessions)
    assert outcome == {"returned": IngestResult(5, 0)}
    assert _count(fresh(db)) == 5
