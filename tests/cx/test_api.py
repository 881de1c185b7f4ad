"""The CX feed (tokens, schema, paging) and the webhook (signatures, idempotency, validation)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta

import jsonschema
import pytest
from sqlalchemy import func, insert, select

from tests.cx.conftest import JOURNEY_TOML
from uxlab.api.openapi import document
from uxlab.cx.credentials import create_api_token, create_source, revoke_api_token
from uxlab.cx.journey_files import parse_journeys_text
from uxlab.cx.journeys import load_journeys
from uxlab.models import ApiToken, CxMeasure, CxResponse, Touchpoint


@pytest.fixture
def journeys(db):
    load_journeys(db, parse_journeys_text(JOURNEY_TOML))
    db.commit()


@pytest.fixture
def token(db, journeys):
    _row, token = create_api_token(db, "CX platform")
    db.commit()
    return token


def validator(schema_name: str) -> jsonschema.Draft202012Validator:
    """A validator of the OpenAPI document's schema ``schema_name`` (OpenAPI 3.1 is 2020-12)."""
    root = {"$ref": f"#/components/schemas/{schema_name}",
            "components": document()["components"]}
    return jsonschema.Draft202012Validator(root)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_feed_needs_a_live_token(client, db, token):
    assert client.get("/api/v1/cx/feed").status_code == 401
    assert client.get("/api/v1/cx/feed", headers=bearer("uxl_wrong")).status_code == 401
    answer = client.get("/api/v1/cx/feed", headers=bearer(token))
    assert answer.status_code == 200
    validator("CxFeedPage").validate(answer.get_json())
    revoke_api_token(db, db.scalar(select(ApiToken.id)))
    db.commit()
    refused = client.get("/api/v1/cx/feed", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.get_json()["error"] == "unauthorized"


def test_paging_ten_thousand_rows_gives_each_once(client, db, token):
    touchpoints = db.scalars(select(Touchpoint)).all()
    start = date(2020, 1, 1)
    rows = [{"journey_id": tp.journey_id, "stage_id": tp.stage_id, "touchpoint_id": tp.id,
             "metric": "tickets", "period_start": start + timedelta(days=i),
             "period_end": start + timedelta(days=i), "value": float(i), "source": "bi",
             "dedupe_key": f"k{i}"}
            for i, tp in ((i, touchpoints[i % len(touchpoints)]) for i in range(10_000))]
    db.execute(insert(CxMeasure), rows)
    db.commit()
    seen, cursor, pages = [], None, 0
    page_schema = validator("CxFeedPage")
    while True:
        query = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/api/v1/cx/feed", query_string=query, headers=bearer(token))
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        if pages == 0:
            page_schema.validate(body)
        seen += [row["key"] for row in body["rows"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 10_000 == len(set(seen))
    assert pages == 10
    values = sorted(r["value"] for r in rows)
    assert values == list(range(10_000))


def test_feed_csv_and_filters(client, db, token):
    journey_id = db.scalar(select(Touchpoint.journey_id).limit(1))
    db.add(CxResponse(journey_id=journey_id, stage_id=None, touchpoint_id=None, metric="nps",
                      value=9, recorded_at=datetime(2026, 9, 3, tzinfo=UTC), source="s",
                      dedupe_key="a", comment=None))
    db.commit()
    answer = client.get("/api/v1/cx/feed.csv", headers=bearer(token))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0].startswith("key,kind,journey,stage,touchpoint")
    assert len(lines) == 2 and ",cx,Purchase,,," in lines[1]
    by_accept = client.get("/api/v1/cx/feed", headers={**bearer(token), "Accept": "text/csv"})
    assert by_accept.mimetype == "text/csv"
    bad = client.get("/api/v1/cx/feed", query_string={"since": "yesterday"},
                     headers=bearer(token))
    assert bad.status_code == 400 and bad.get_json()["field"] == "since"
    unknown = client.get("/api/v1/cx/feed", query_string={"journey": "Nope"},
                         headers=bearer(token))
    assert unknown.status_code == 400 and unknown.get_json()["field"] == "journey"
    cursor = client.get("/api/v1/cx/feed", query_string={"cursor": "!!"}, headers=bearer(token))
    assert cursor.status_code == 400 and cursor.get_json()["field"] == "cursor"


@pytest.fixture
def source(db, journeys):
    source, secret = create_source(db, "survey-tool")
    db.commit()
    return secret


def post_signed(client, secret: str, body: dict, *, signature: str | None = None,
                query: str = "source=survey-tool"):
    raw = json.dumps(body).encode()
    signature = signature or "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(f"/api/v1/cx/responses?{query}", data=raw,
                       headers={"Content-Type": "application/json",
                                "X-Uxlab-Signature": signature})


RESPONSE = {"score": 9, "metric": "nps", "touchpoint": "Purchase/Checkout/Guest checkout",
            "recorded_at": "2026-09-03T10:00:00Z", "external_id": "resp-1", "comment": "ok"}


def test_webhook_refuses_bad_signatures(client, db, source):
    assert post_signed(client, source, RESPONSE, signature="sha256=" + "0" * 64).status_code == 401
    assert post_signed(client, "other secret", RESPONSE).status_code == 401
    assert post_signed(client, source, RESPONSE, query="source=nobody").status_code == 401
    assert db.scalar(select(func.count()).select_from(CxResponse)) == 0


def test_webhook_stores_a_response_once(client, db, source):
    first = post_signed(client, source, RESPONSE)
    assert first.status_code == 201, first.get_json()
    second = post_signed(client, source, RESPONSE)
    assert second.status_code == 200 and second.get_json() == {"stored": False,
                                                               "duplicate": True}
    stored = db.execute(select(CxResponse.value, CxResponse.source, CxResponse.touchpoint_id,
                               CxResponse.comment)).all()
    guest = db.scalar(select(Touchpoint.id).where(Touchpoint.name == "Guest checkout"))
    assert stored == [(9.0, "survey-tool", guest, "ok")]


@pytest.mark.parametrize(("change", "field"), [
    ({"score": 11}, "score"), ({"score": "nine"}, "score"), ({"metric": "stars"}, "metric"),
    ({"recorded_at": "soon"}, "recorded_at"), ({"touchpoint": "Purchase/Nope/X"}, "touchpoint"),
    ({"external_id": ""}, "external_id"), ({"colour": "red"}, "colour"),
])
def test_webhook_names_the_bad_field(client, db, source, change, field):
    answer = post_signed(client, source, {**RESPONSE, **change})
    assert answer.status_code == 400
    assert answer.get_json()["field"] == field
    assert db.scalar(select(func.count()).select_from(CxResponse)) == 0


def test_webhook_takes_the_delighted_shape(client, db, journeys):
    _source, secret = create_source(db, "delighted", "delighted")
    db.commit()
    body = {"event_type": "survey_response.created", "event_id": "e1",
            "event_data": {"id": "991", "score": 3, "comment": "slow", "created_at": 1788000000,
                           "person": {"id": "p5"}}}
    answer = post_signed(client, secret, body,
                         query="source=delighted&touchpoint=Purchase/Browse/Product search")
    assert answer.status_code == 201, answer.get_json()
    assert db.execute(select(CxResponse.value, CxResponse.respondent,
                             CxResponse.external_id)).all() == [(3.0, "p5", "991")]


def test_feed_figures_equal_uxlab_stats(client, db, token, tmp_path):
    from tests.cx.conftest import RESPONSE_HEADER, generate_responses, values_of, write_csv
    from uxlab.cx.importing import import_cx_csv
    from uxlab.stats.nps import nps
    from uxlab.stats.questionnaires import csat_top_two_box

    rows = generate_responses(seed=4, per_cell=6)
    path = write_csv(tmp_path / "r.csv", RESPONSE_HEADER, rows)
    with path.open(encoding="utf-8", newline="") as stream:
        import_cx_csv(db, stream)
    db.commit()
    answer = client.get("/api/v1/cx/feed", query_string={"touchpoint": "Guest checkout",
                                                         "granularity": "quarter",
                                                         "limit": 1000},
                        headers=bearer(token))
    feed = {(r["metric"], r["period"]): r for r in answer.get_json()["rows"]}
    place = ("Purchase", "Checkout", "Guest checkout")
    q3 = ["2026-07", "2026-08", "2026-09"]
    expected = nps(values_of(rows, place, "nps", q3).astype(int))
    row = feed["nps", "2026-Q3"]
    assert (row["estimate"], row["low"], row["high"], row["n"]) == pytest.approx(
        (expected.estimate, expected.low, expected.high, expected.n))
    csat = csat_top_two_box(values_of(rows, place, "csat", ["2026-10"]).astype(int))
    assert feed["csat", "2026-Q4"]["estimate"] == pytest.approx(csat.estimate)


def test_webhook_without_a_metric_names_the_field(client, db, source):
    """Found by the API fuzzer (tests/security/test_api_fuzz.py): a generic body without
    ``metric`` raised KeyError, a 500."""
    body = {key: value for key, value in RESPONSE.items() if key != "metric"}
    answer = post_signed(client, source, body)
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "metric"
    assert db.scalar(select(func.count()).select_from(CxResponse)) == 0
