"""The CSV exports: columns, values, formula injection, and only the study's own rows."""

from __future__ import annotations

import csv
import io
import json
import uuid

from tests.support.study_data import Recorder
from uxlab.analysis.dataset import SURVEY_BASE_COLUMNS, Filters, build_dataset
from uxlab.analysis.exclusions import exclude_participant, find_participant
from uxlab.analysis.tidy import ATTEMPT_COLUMNS, NAVIGATION_COLUMNS
from uxlab.exports.tables import (
    EVENT_COLUMNS,
    OBSERVATION_COLUMNS,
    attempts_csv,
    events_csv,
    observations_csv,
    survey_csv,
)
from uxlab.models import Event, User


def read(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(chunks))))


def test_attempts_csv_is_the_tidy_table(db, study):
    rec = Recorder(db, study)
    person = rec.participant("P-ONE", "A")
    rec.attempt(person, "find-product", "A", outcome="success", time_ms=41_250, errors=1,
                clicks=7, seq=6, direct=True, first_click_correct=True, lostness=0.0)
    rec.attempt(person, "add-to-cart", "A", outcome="partial", time_ms=9_000, errors=0,
                clicks=3)
    rec.attempt(person, "apply-coupon", "A", outcome=None, time_ms=None, clicks=0)
    other = rec.participant("P-TWO", "A")
    # A failure at a task with an optimal path is not a direct success (the recording leaves
    # direct empty on failures); lostness 0.25 is Smith's value for S = 4, N = 4, R = 3.
    rec.attempt(other, "find-product", "A", outcome="failure", time_ms=50_000,
                first_click_correct=False, lostness=0.25)
    db.commit()

    text = "".join(attempts_csv(db, study))

    assert text == (
        "participant,variant,task,outcome,success,time_s,errors,clicks,seq,"
        "direct,first_click,lostness,language\n"
        "P-ONE,A,find-product,success,1,41.25,1,7,6,1,1,0.0,\n"
        "P-TWO,A,find-product,failure,0,50.0,0,5,,0,0,0.25,\n"
        "P-ONE,A,add-to-cart,partial,0,9.0,0,3,,,,,\n"
        "P-ONE,A,apply-coupon,,,,0,0,,,,,\n")


def test_survey_csv_has_the_contract_columns(db, study, recorded):
    rows = read(survey_csv(db, study))
    assert tuple(rows[0]) == (*SURVEY_BASE_COLUMNS, "language")
    assert len(rows) - 1 == len(build_dataset(db, study).survey) == 12


def test_csv_rows_match_the_dataset(db, study, recorded):
    exclude_participant(db, find_participant(db, study, "P-003"), "no audio")
    db.commit()
    for filters in (Filters(), Filters(include_excluded=True), Filters(variants=("B",))):
        dataset = build_dataset(db, study, filters)
        rows = read(attempts_csv(db, study, filters))
        # base columns first, the language last (the Recorder's participants never consented)
        assert tuple(rows[0]) == (*ATTEMPT_COLUMNS, *NAVIGATION_COLUMNS, "language")
        expected = [["" if v is None else str(v) for v in r.values()] + [""]
                    for r in dataset.attempts]
        assert rows[1:] == expected


def test_events_csv_has_one_row_per_event(db, study):
    rec = Recorder(db, study)
    person = rec.participant("P-EV", "B")
    attempt = rec.attempt(person, "add-to-cart", "B")
    rec.event(person, 1, type="navigate", url="index.html", client_ts_ms=1_770_000_000_123,
              tab_id="t1")
    rec.event(person, 0, attempt=attempt, type="click", x=10.5, y=20.0, target="button.buy",
              url="product.html", payload={"button": 0, "text": "Kaufen – jetzt"}, tab_id="t1")
    db.commit()

    header, first, second = read(events_csv(db, study))

    assert tuple(header) == EVENT_COLUMNS
    values = dict(zip(header, first, strict=True))
    assert values["participant"] == "P-EV"
    assert values["session"] == str(person.public_id)
    assert (values["seq"], values["type"], values["task"], values["variant"]) == (
        "0", "click", "add-to-cart", "B")
    assert (values["x"], values["y"], values["target"]) == ("10.5", "20.0", "button.buy")
    assert json.loads(values["payload"]) == {"button": 0, "text": "Kaufen – jetzt"}
    values = dict(zip(header, second, strict=True))
    assert (values["seq"], values["task"], values["variant"], values["x"]) == ("1", "", "", "")
    assert values["client_time_ms"] == "1770000000123"
    assert values["received_at"].endswith("+00:00")


def test_observations_csv(db, study):
    author = User(email="moderator@example.org", password_hash="x", role="observer")
    db.add(author)
    db.flush()
    rec = Recorder(db, study)
    person = rec.participant("P-OB", "A")
    attempt = rec.attempt(person, "apply-coupon", "A")
    problem = rec.problem("Coupon field is hidden", severity=3, task="apply-coupon")
    rec.observation(person, "Looked for the coupon field for a minute", attempt=attempt,
                    kind="problem", severity=3, problem=problem, offset_ms=61_000,
                    author_id=author.id, tags=["coupon", "cart"])
    db.commit()

    header, row = read(observations_csv(db, study))

    assert tuple(header) == OBSERVATION_COLUMNS
    values = dict(zip(header, row, strict=True))
    assert values["kind"] == "problem" and values["severity"] == "3"
    assert (values["task"], values["variant"], values["problem"]) == (
        "apply-coupon", "A", "Coupon field is hidden")
    assert values["author"] == "moderator@example.org"
    assert values["offset_ms"] == "61000"
    assert json.loads(values["tags"]) == ["coupon", "cart"]


def test_formula_injection_is_neutralised(db, study):
    # OWASP "CSV injection": a cell starting with = + - @ (or tab / CR) runs as a formula.
    rec = Recorder(db, study)
    person = rec.participant("=cmd|'/C calc'!A0", "A")
    attempt = rec.attempt(person, "find-product", "A", errors=0, clicks=2)
    rec.event(person, 0, attempt=attempt, type="@SUM(A1)", target="=HYPERLINK(\"x\")",
              url="+1-555", tab_id="-tab")
    rec.observation(person, "=1+1", attempt=attempt, tags=["x"])
    db.commit()

    attempts = read(attempts_csv(db, study))
    events = read(events_csv(db, study))
    observations = read(observations_csv(db, study))

    assert attempts[1][0] == "'=cmd|'/C calc'!A0"
    event_values = dict(zip(events[0], events[1], strict=True))
    assert event_values["participant"] == "'=cmd|'/C calc'!A0"
    assert event_values["type"] == "'@SUM(A1)"
    assert event_values["target"] == "'=HYPERLINK(\"x\")"
    assert event_values["url"] == "'+1-555"
    assert event_values["tab"] == "'-tab"
    assert dict(zip(observations[0], observations[1], strict=True))["text"] == "'=1+1"
    # Numbers are not text: a count of 0 and negative numbers stay numbers.
    assert attempts[1][6:8] == ["0", "2"]
    for rows in (attempts, events, observations):
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
                assert not cell.startswith("-") or _is_number(cell), cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_each_export_holds_only_its_study(db, study, recorded, other_study):
    mine = {f"P-{i:03}" for i in range(12)}
    theirs = {f"Q-{i:03}" for i in range(4)}
    for export in (attempts_csv, survey_csv, events_csv, observations_csv):
        for owner, codes, strangers in ((study, mine, theirs), (other_study, theirs, mine)):
            header, *rows = read(export(db, owner))
            participants = {row[header.index("participant")] for row in rows}
            assert participants and participants <= codes, export.__name__
            assert not participants & strangers


def test_large_exports_come_in_several_chunks(db, study):
    person = Recorder(db, study).participant("P-BIG", "A")
    db.add_all(Event(session_id=person.id, event_uuid=uuid.uuid4(), seq=seq, type="click",
                     target="a.link", url="index.html") for seq in range(3000))
    db.commit()

    chunks = list(events_csv(db, study))

    assert len(chunks) > 1
    assert len(read(chunks)) == 3001
