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


def test_cli_exports_the_grid_for_plan_discovery(db, study, cli, tmp_path):
    rec = Recorder(db, study)
    people = [rec.participant(f"P{i}", "A", mode="in_person") for i in range(3)]
    first, second = rec.problem("Hidden coupon"), rec.problem("Tiny totals")
    for person, problem in ((people[0], first), (people[1], first), (people[1], second)):
        rec.observation(person, "seen", kind="problem", problem=problem)
    db.commit()
    path = tmp_path / "grid.csv"
    assert cli("export", study.slug, "--what", "grid", "-o", str(path)).exit_code == 0
    assert path.read_text().splitlines() == [
        "participant,Hidden coupon,Tiny totals", "P0,1,0", "P1,1,1", "P2,0,0"]
    result = cli("plan", "discovery", "--matrix", str(path))
    assert result.exit_code == 0, result.output
    assert "3 participants met 2 problems (1 seen once)" in result.output
    assert cli("export", study.slug, "--what", "problems").output.startswith("rank,problem,")
