"""Bad input to the participant's endpoints is a 4xx naming the field, never a 500 (issue 14, 6)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import fresh
from tests.participants.bot import event
from uxlab.models import Attempt, Event


def _at_first_task(bot) -> dict:
    bot.enter()
    bot.consent()
    bot.start_task()
    return bot.config()


def _assert_field(response, status: int, field: str):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "field"}
    assert body["field"] == field, body


@pytest.mark.parametrize(("body", "field"), [
    ({"reason": "done", "answer": 5}, "answer"),
    ({"reason": "done", "answer": ["a"]}, "answer"),
    ({"reason": "done", "answer": "nul\x00"}, "answer"),
    ({"reason": "give_up", "client_time_ms": 10**30}, "client_time_ms"),
    ({"reason": "give_up", "client_time_ms": 2**63}, "client_time_ms"),
    ({"reason": "give_up", "client_time_ms": 1.5}, "client_time_ms"),
    ({"reason": ["done"]}, "reason"),
])
def test_finish_with_a_bad_value_names_it_and_ends_nothing(bot, db, body, field):
    config = _at_first_task(bot)
    response = bot.client.post(config["endpoints"]["finish"], json=body)
    _assert_field(response, 400, field)
    fresh(db)
    assert db.get(Attempt, config["attempt"]).ended_at is None


@pytest.mark.parametrize(("change", "field"), [
    ({"url": 5}, "event.url"),
    ({"x": 10**400}, "event.x"),
    ({"t": 2**63}, "event.t"),
    ({"data": []}, "event.data"),
])
def test_a_criterion_event_is_checked_as_a_protocol_event(bot, db, change, field):
    config = _at_first_task(bot)
    bad = {**event("navigate", 1, config["attempt"], url="checkout.html"), **change}
    response = bot.client.post(config["endpoints"]["finish"],
                               json={"reason": "criterion", "event": bad})
    _assert_field(response, 400, field)
    fresh(db)
    assert db.get(Attempt, config["attempt"]).ended_at is None


@pytest.mark.parametrize("value", [10**400, -(10**400), 2**63, 1e300])
def test_an_event_coordinate_out_of_range_is_named(bot, db, value):
    config = _at_first_task(bot)
    batch = [event("click", 0, config["attempt"], x=value, y=1)]
    response = bot.client.post(config["endpoints"]["events"], data=json.dumps({"events": batch}),
                               content_type="application/json")
    _assert_field(response, 400, "events[0].x")
    fresh(db)
    assert db.query(Event).count() == 0


def test_an_id_past_the_databases_integers_is_not_found(bot, db):
    config = _at_first_task(bot)
    finish = config["endpoints"]["finish"]
    huge = finish.replace(f"/attempts/{config['attempt']}/", "/attempts/9223372036854775808/")
    for past in (huge, finish.replace(f"/attempts/{config['attempt']}/",
                                      f"/attempts/{2**31}/")):  # past PostgreSQL's INTEGER
        response = bot.client.post(past, json={"reason": "give_up"})
        assert response.status_code == 404
        assert set(response.get_json()) == {"error", "message", "field"}
    # The largest id that fits is an ordinary unknown attempt.
    fits = finish.replace(f"/attempts/{config['attempt']}/", f"/attempts/{2**31 - 1}/")
    _assert_field(bot.client.post(fits, json={"reason": "give_up"}), 404, None)


def test_a_non_utf8_prototype_page_is_served(app, client, tmp_path):
    folder = tmp_path / "legacy"
    folder.mkdir()
    (folder / "latin.html").write_bytes(
        b'<html><head><meta charset="iso-8859-1"></head><body><p>Caf\xe9</p></body></html>')
    (folder / "raw.html").write_bytes(b"<p>\x81\xff na\xefve</p>")
    app.config["STUDIES_DIR"] = str(tmp_path)
    latin = client.get("/prototypes/legacy/latin.html")
    assert latin.status_code == 200 and latin.mimetype == "text/html"
    assert "<p>Café</p>" in latin.get_data(as_text=True)
    assert "data-uxlab-recorder" in latin.get_data(as_text=True)
    raw = client.get("/prototypes/legacy/raw.html")
    assert raw.status_code == 200 and "naïve" in raw.get_data(as_text=True)
