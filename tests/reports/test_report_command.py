"""``uxlab report``: a study's report from the database, and the report of an analysis document."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.reports.report_files import assert_a_page_per_section, external_references
from tests.support.study_data import Recorder
from uxlab.analysis.simulate import simulate_study, write_csvs
from uxlab.cli import main

MAJOR_SECTIONS = ["Executive summary", "Tasks at a glance", "Task 1: Find a product",
                  "Task 5: Find the return policy", "Questionnaires", "Usability problems",
                  "Methods appendix"]


@pytest.fixture
def simulated_demo(cli):
    """The acceptance's starting point: ``uxlab demo --simulate 40``."""
    result = cli("demo", "--simulate", "40", "--seed", "4")
    assert result.exit_code == 0, result.output
    return cli


def test_the_demo_study_reports_as_html_pdf_and_json(simulated_demo, tmp_path):
    cli = simulated_demo
    paths = {fmt: tmp_path / f"r.{fmt}" for fmt in ("html", "pdf", "json")}
    for fmt, path in paths.items():
        result = cli("report", "checkout-redesign", "--format", fmt, "-o", str(path))
        assert result.exit_code == 0, result.output
        assert f"Wrote {path}" in result.output

    html = paths["html"].read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert external_references(html) == []
    assert "<script" not in html
    assert "checkout-redesign, version 1" in html and "A · Current checkout: 20" in html

    texts = assert_a_page_per_section(paths["pdf"].read_bytes(), MAJOR_SECTIONS)
    title_page = texts[0]
    for fact in ("Checkout redesign", "checkout-redesign, version 1", "A · Current checkout: 20",
                 "B · Redesign: 20", "40 of those analysed are simulated", "first attempt",
                 "excluded participants left out", "Generated"):
        assert fact in title_page, fact

    report = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert report["format"] == "uxlab-report"
    page = report["title_page"]
    assert (page["slug"], page["version"], page["participants"]) == (
        "checkout-redesign", 1, {"A": 20, "B": 20})
    assert page["first_attempt"] <= page["last_attempt"]
    assert page["filters"] == ["excluded participants left out"]
    assert page["synthetic"] == 40
    assert set(report["analysis"]["variants"]) == {"A", "B"}


def test_variant_a_gives_a_report_of_variant_a_alone(simulated_demo, tmp_path):
    cli = simulated_demo
    result = cli("report", "checkout-redesign", "--format", "json", "--variant", "A")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["analysis"]["variants"]) == {"A"}
    assert all(set(task["variants"]) == {"A"} for task in report["analysis"]["tasks"])
    assert report["title_page"]["participants"] == {"A": 20}
    assert "variants A only" in report["title_page"]["filters"]

    path = tmp_path / "a.pdf"
    assert cli("report", "checkout-redesign", "--format", "pdf", "--variant", "A",
               "-o", str(path)).exit_code == 0
    title_page = assert_a_page_per_section(path.read_bytes(), MAJOR_SECTIONS)[0]
    assert "variants A only" in title_page
    assert "A · Current checkout: 20" in title_page and "B · Redesign" not in title_page

    html = cli("report", "checkout-redesign", "--variant", "A").stdout  # HTML, to stdout
    assert "variants A only" in html and "B · Redesign" not in html


#: ``uxlab report`` as its own program, printing the matplotlib modules its process loaded.
REPORT_PROGRAM = """
import sys
from uxlab.cli import main
main(["report", "checkout-redesign", "-o", sys.argv[1]], standalone_mode=False)
print(sorted(name for name in sys.modules if name.split(".")[0] == "matplotlib"))
"""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the database is not the point
def test_the_html_command_draws_its_charts_in_another_process(simulated_demo, tmp_path):
    # The command's own process assembles the page; matplotlib is loaded only by its chart
    # worker (a fallback to drawing in process would load it here).
    path = tmp_path / "r.html"
    result = subprocess.run([sys.executable, "-c", REPORT_PROGRAM, str(path)], check=True,
                            capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "[]"
    html = path.read_text(encoding="utf-8")
    assert html.count('class="chart-svg"') > 5  # tasks, questionnaires, click maps
    assert 'id="completion-estimate-1"' in html and 'id="clicks-' in html


def test_filters_are_those_of_export(simulated_demo):
    cli = simulated_demo
    result = cli("report", "checkout-redesign", "--format", "json", "--no-synthetic")
    # Every demo participant is synthetic: nothing is left to report, and it says so.
    assert result.exit_code == 2
    assert "synthetic participants left out" in result.stderr
    assert "No attempts match these filters" in result.stderr
    result = cli("report", "checkout-redesign", "--format", "json", "--mode", "unmoderated",
                 "--since", "2000-01-01", "--include-excluded")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title_page"]["filters"] == [
        "unmoderated sessions only", "attempts started from 2000-01-01T00:00:00+00:00",
        "excluded participants kept"]


@pytest.mark.parametrize(("arguments", "code", "message"), [
    (["no-such-study"], 1, "no study 'no-such-study'"),
    (["checkout-redesign", "--variant", "Z"], 2,
     "'--variant': study 'checkout-redesign' has no variant 'Z'"),
    (["checkout-redesign", "--since", "yesterday"], 2, "'--since'"),
    (["checkout-redesign", "--since", "2026-03-02", "--before", "2026-03-01"], 2,
     "before (2026-03-01T00:00:00+00:00) must be after since"),
    (["checkout-redesign", "--mode", "telepathy"], 2, "'--mode'"),
    (["checkout-redesign", "--format", "docx"], 2, "'--format'"),
    (["checkout-redesign", "--format", "pdf"], 2, "--format pdf writes a binary file"),
    ([], 2, "give either a study SLUG or --analysis FILE"),
])
def test_bad_study_or_filter_exits_non_zero_naming_it(cli, study, arguments, code, message):
    result = cli("report", *arguments)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_study_without_attempts_has_no_report(cli, study):
    result = cli("report", "checkout-redesign")
    assert result.exit_code == 2
    assert "no report of study 'checkout-redesign'" in result.stderr
    assert result.stdout == ""


def test_an_unwritable_output_is_named(cli, db, study, tmp_path):
    # A study with one attempt is enough to render; the folder of -o does not exist.
    recorder = Recorder(db, study)
    recorder.attempt(recorder.participant("P-1", "A"), "find-product", "A")
    db.commit()
    target = tmp_path / "missing" / "r.html"
    result = cli("report", "checkout-redesign", "-o", str(target))
    assert result.exit_code == 1
    assert f"{target}: cannot be written" in result.output


# --- the report of an analysis document ------------------------------------------------------

@pytest.fixture(scope="module")
def analysis_file(tmp_path_factory):
    """What someone who analysed a spreadsheet has: ``uxlab analyze … --json > analysis.json``."""
    folder = tmp_path_factory.mktemp("spreadsheet")
    write_csvs(simulate_study(24, 2, ("A", "B"), seed=7), folder / "attempts.csv",
               folder / "survey.csv")
    result = CliRunner().invoke(main, ["analyze", str(folder / "attempts.csv"), "--survey",
                                       str(folder / "survey.csv"), "--json"])
    assert result.exit_code == 0, result.output
    path = folder / "analysis.json"
    path.write_text(result.stdout, encoding="utf-8")
    return path


def report(*arguments):
    return CliRunner().invoke(main, ["report", *arguments])


def test_an_analysis_document_reports_as_pdf_with_its_title(analysis_file, tmp_path):
    path = tmp_path / "spreadsheet.pdf"
    result = report("--analysis", str(analysis_file), "--format", "pdf", "-o", str(path),
                    "--title", "Spreadsheet <study>")
    assert result.exit_code == 0, result.output
    texts = assert_a_page_per_section(path.read_bytes(), [
        "Executive summary", "Tasks at a glance", "Task 1: T1", "Questionnaires",
        "Methods appendix"])
    assert "Spreadsheet <study>" in texts[0]
    assert "A: 12; B: 12" in texts[0]
    assert "not recorded" in texts[0]  # neither filters nor dates are in the document


def test_an_analysis_document_reports_as_html_and_json_to_stdout(analysis_file):
    html = report("--analysis", str(analysis_file), "--title", "Spreadsheet <study>")
    assert html.exit_code == 0, html.output
    assert html.stdout.startswith("<!doctype html>")
    assert "Spreadsheet &lt;study&gt;" in html.stdout and "<study>" not in html.stdout
    assert external_references(html.stdout) == []
    document = json.loads(analysis_file.read_text(encoding="utf-8"))
    as_json = json.loads(report("--analysis", str(analysis_file), "--format", "json").stdout)
    assert as_json["analysis"] == document
    assert as_json["title_page"]["filters"] == [] and as_json["title_page"]["slug"] is None


def _write(tmp_path, text: str):
    path = tmp_path / "analysis.json"
    path.write_text(text, encoding="utf-8")
    return path


def _broken(analysis_file, change) -> str:
    document = json.loads(analysis_file.read_text(encoding="utf-8"))
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize(("make_text", "message"), [
    (lambda good: "{", "not JSON: Expecting property name enclosed in double quotes at line 1"),
    (lambda good: "[1, 2]", "holds an array, not the object `uxlab analyze --json` prints"),
    (lambda good: good.read_text().replace('"confidence": 0.95', '"confidence": NaN'),
     "NaN is not a number JSON allows"),
    (lambda good: json.dumps({"format": "uxlab-report", "analysis": {}}),
     "is a 'uxlab-report' document (its 'analysis' key holds the analysis"),
    (lambda good: json.dumps({"format": "uxlab-study-export", "version": 1}),
     "is a 'uxlab-study-export' document, not an analysis document"),
    (lambda good: _broken(good, lambda d: d.pop("tasks")), "key 'tasks' missing"),
    (lambda good: _broken(good, lambda d: d.update(design="sideways")),
     "key 'design' is 'sideways'; expected between or within"),
    (lambda good: _broken(good, lambda d: d.update(confidence=95)),
     "key 'confidence' is 95; expected a number between 0 and 1"),
    (lambda good: _broken(good, lambda d: d.update(tasks={})),
     "key 'tasks' is an object; expected an array"),
    (lambda good: _broken(good, lambda d: d["variants"]["A"].update(participants="12")),
     "key 'variants.A.participants' must be a whole number ≥ 0, got '12'"),
    (lambda good: _broken(good, lambda d: d["tasks"][1].pop("comparisons")),
     "key 'tasks[1].comparisons' missing"),
    (lambda good: _broken(good, lambda d: d["tasks"][0]["comparisons"].append({})),
     "does not have the shape `uxlab analyze --json` writes (key 'kind' missing)"),
    (lambda good: _broken(good, lambda d: d["tasks"][0]["variants"].update(A="oops")),
     "does not have the shape `uxlab analyze --json` writes ('str' object"),
])
def test_a_bad_or_foreign_analysis_document_is_named(analysis_file, tmp_path, make_text,
                                                       message):
    path = _write(tmp_path, make_text(analysis_file))
    out = tmp_path / "out.html"
    result = report("--analysis", str(path), "-o", str(out))
    assert result.exit_code == 2, result.output
    assert f"Error: {path}: " in result.stderr
    assert message in result.stderr
    assert not out.exists()  # nothing half-written


def test_analysis_file_problems_of_the_command_line(analysis_file, tmp_path):
    missing = tmp_path / "nope.json"
    result = report("--analysis", str(missing))
    assert result.exit_code == 2 and f"{missing}: no such file" in result.stderr
    result = report("--analysis", str(analysis_file), "--variant", "A")
    assert result.exit_code == 2 and "not to --analysis" in result.output
    result = report("checkout-redesign", "--analysis", str(analysis_file))
    assert result.exit_code == 2 and "give either a study SLUG or --analysis FILE" in result.output
    result = report("--analysis", str(analysis_file), "--format", "pdf")
    assert result.exit_code == 2 and "give it with -o FILE.pdf" in result.output
