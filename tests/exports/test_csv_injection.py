"""CSV injection: a hostile cell can neither run as a formula nor start a row, in every CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.exports.test_tables import _is_number
from tests.support.study_data import Recorder
from uxlab.csvutil import LINE_BREAKS, csv_line, safe_cell
from uxlab.exports.tables import events_csv, observations_csv
from uxlab.observations.exports import problems_csv
from uxlab.participants.links import links_csv

QUOTED = re.compile(r'"(?:[^"]|"")*"')
ROW_STARTS = [f"ok{br}=cmd|'/C calc'!A0" for br in LINE_BREAKS]
FORMULAS = ["=1+1", " =1+1", "\xa0=1+1", "\u200b=1+1", "\ufeff@SUM(A1)", "\u200d+1", "\uff1d1+1",
            "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\t=1", "\r=1", "\n=1", "  \u200c-2+3"]


def unquoted_breaks(text: str) -> set[str]:
    """The line-break characters of ``text`` outside quoted cells (the row ends a reader sees)."""
    return set(QUOTED.sub("", text)) & set(LINE_BREAKS)


@pytest.mark.parametrize("value", ROW_STARTS)
def test_a_cell_with_any_line_break_is_quoted(value):
    line = csv_line(["P-1", value, 3])
    assert unquoted_breaks(line) == {"\n"}  # only the row's own terminator
    assert next(csv.reader(io.StringIO(line, newline=""))) == ["P-1", value, "3"]


@pytest.mark.parametrize("value", FORMULAS)
def test_text_whose_first_visible_character_is_a_formula_sign_is_prefixed(value):
    assert safe_cell(value) == "'" + value
    assert next(csv.reader(io.StringIO(csv_line([value]), newline=""))) == ["'" + value]


@pytest.mark.parametrize("value", ["-5", "plain", "a=b", "x-1", "", " ", "\u200b"])
def test_harmless_text_and_numbers_pass(value):
    expected = "'-5" if value == "-5" else value  # text "-5" could still be a formula
    assert safe_cell(value) == expected
    assert csv_line([-5, 0.25, None]) == "-5,0.25,\n"


def test_every_export_quotes_breaks_and_guards_formulas(db, study):
    rec = Recorder(db, study)
    person = rec.participant("P-1", "A")
    attempt = rec.attempt(person, "find-product", "A", errors=0, clicks=2)
    rec.event(person, 0, attempt=attempt, target="ok\r=cmd|'/C calc'!A0", url="x\u2028@SUM(A1)")
    rec.observation(person, "fine\x0b+1", attempt=attempt, tags=["x"])
    rec.problem("\u00a0=HYPERLINK(\"http://evil\")\u2029next")
    db.commit()
    person_row = rec.participant("P-2", "A")
    person_row.participant.label = "team\r=2+2"
    db.commit()

    texts = {
        "events": "".join(events_csv(db, study)),
        "observations": "".join(observations_csv(db, study)),
        "problems": "".join(problems_csv(db, study)),
        "links": links_csv([person_row.participant], "http://x"),
    }
    for name, text in texts.items():
        assert unquoted_breaks(text) == {"\n"}, name
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == text.count("\n") - sum(
            cell.count("\n") for row in rows for cell in row), name
        for row in rows:
            for cell in row:  # nothing left that a spreadsheet would run
                assert safe_cell(cell) == cell or _is_number(cell), (name, cell)
    events = list(csv.reader(io.StringIO(texts["events"], newline="")))
    event = dict(zip(events[0], events[1], strict=True))
    assert event["target"] == "ok\r=cmd|'/C calc'!A0"  # kept whole, in one quoted cell
    assert len(events) == 2
    problems = list(csv.reader(io.StringIO(texts["problems"], newline="")))
    assert dict(zip(problems[0], problems[1], strict=True))["title"] == (
        "'\u00a0=HYPERLINK(\"http://evil\")\u2029next")
    links = list(csv.reader(io.StringIO(texts["links"], newline="")))
    assert links[1][1] == "team\r=2+2" and len(links) == 2
