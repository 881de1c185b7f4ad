"""problems.csv and the grid CSV: what they hold, and hostile titles stay inert."""

from __future__ import annotations

import csv
import io
import json

from tests.support.study_data import Recorder
from uxlab.observations.exports import grid_csv, problems_csv


def read(chunks):
    return list(csv.DictReader(io.StringIO("".join(chunks))))


def test_problems_csv_ranks_problems_and_lists_expected_behaviours_last(db, study):
    rec = Recorder(db, study)
    people = [rec.participant(f"P{i}", "AB"[i % 2], mode="in_person") for i in range(4)]
    minor = rec.problem("=HYPERLINK(\"http://evil\")", severity=2)
    fatal = rec.problem("Payment fails", severity=4, task="guest-checkout")
    expected = rec.problem("Uses search", severity=0)
    expected.kind = "expected"
    for person in people[:3]:
        rec.observation(person, "link", kind="problem", problem=minor)
    rec.observation(people[0], "“It just spins”", kind="quote", problem=fatal)
    db.commit()

    rows = read(problems_csv(db, study))
    assert [(r["rank"], r["title"], r["participants"], r["observed"]) for r in rows] == [
        ("1", "Payment fails", "1", "4"), ("2", "'=HYPERLINK(\"http://evil\")", "3", "4"),
        ("", "Uses search", "0", "4")]
    assert json.loads(rows[0]["quotes"]) == ["“It just spins”"]
    assert json.loads(rows[1]["by_variant"]) == {"A": [2, 2], "B": [1, 2]}
    assert rows[0]["severity_label"] == "4 · catastrophe"

    grid = list(csv.reader(io.StringIO("".join(grid_csv(db, study)))))
    assert grid[0] == ["participant", "'=HYPERLINK(\"http://evil\")", "Payment fails"]
    assert grid[1:] == [["P0", "1", "1"], ["P1", "1", "0"], ["P2", "1", "0"], ["P3", "0", "0"]]
