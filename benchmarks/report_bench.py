"""Benchmark the HTML and PDF reports of a 1,000-participant study (issues 5 and 9).

The study: 1,000 participants × 5 tasks × 2 variants between subjects with the survey
(``uxlab.analysis.simulate``, fixed seed), analysed by ``uxlab.analysis.service.analyze``, plus a
simulated report context (``uxlab.reports.simulate``: problems, a discovery matrix and about six
clicks per participant and task, so every section and every click map is drawn). Timed in the same
process, alternating, several times:

- ``render_html_report`` (charts built and rendered as inline SVG, content, template);
- ``render_pdf_report`` (charts built and rendered as vector PDF, content, reportlab, the
  charts drawn into the pages with pypdf);
- baseline: bare matplotlib, the floor any matplotlib report with these charts pays: for each
  chart of the report, a ``Figure`` of the same size with one axes and as many error bars as the
  chart has estimates (at least one), a title and axis labels, saved as SVG (the HTML baseline)
  and as PDF with the report's Type 3 fonts (the PDF baseline);
- for scale, ``analyze`` itself on the same rows.

Then the same through ``uxlab report`` (issue 9): ``uxlab demo --simulate 1000`` fills a SQLite
database with 1,000 synthetic participants of the demo study (5 tasks, 2 variants) through the
participant flow, and, alternating, several times:

- the command ``uxlab report checkout-redesign --format html|pdf -o FILE`` in a subprocess, as a
  user runs it (start-up, imports, reading the database, the analysis, rendering, writing);
- the service behind it, :func:`uxlab.results.report.study_report`, in this process;
- the same bare-matplotlib baselines for that report's charts;
- with ``--before DIR``, the same command run from another source tree of uxlab (e.g. the commit
  before a change, ``git archive COMMIT | tar -x -C DIR``; same schema revision), so that a
  change's before and after figures come from the same run on the same machine.

Goal: HTML ≤ 5 s and PDF ≤ 10 s (medians, wall clock) for the command. The machine may be
shared, so CPU time (``time.process_time``; the child's user + system time for the command) is
reported beside the wall clock, and the ratios to the baseline, timed in the same runs, are the
figures that carry over between machines. Run::

    .venv/bin/python benchmarks/report_bench.py [--participants 1000] [--repeats 5]
        [--database FILE.sqlite]   (kept and reused: the simulation takes a minute or two)
        [--before DIR]             (also time `uxlab report` from the uxlab source tree in DIR)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib
import reportlab
import scipy
from bare_charts import draw

from uxlab.analysis.service import analyze
from uxlab.analysis.simulate import simulate_study
from uxlab.reports import render_html_report, render_pdf_report
from uxlab.reports.charts import report_charts
from uxlab.reports.style import DPI_PNG

HTML_GOAL_SECONDS = 5.0
TABLE_HEAD = ("| step | wall (s) | CPU (s) | baseline wall (s) | ratio to baseline (wall) | output |",
              "| --- | ---: | ---: | ---: | ---: | ---: |")
PDF_GOAL_SECONDS = 10.0


def baseline(sizes_and_counts: list[tuple[tuple[float, float], int]], fmt: str) -> int:
    """Bare matplotlib: one figure per chart, ``count`` error bars each; returns bytes written."""
    return draw(sizes_and_counts, fmt, DPI_PNG)


def timed(function, *arguments) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*arguments)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def run(participants: int, tasks: int, repeats: int) -> dict:
    from uxlab.reports.simulate import simulate_context

    study = simulate_study(participants, tasks, ("A", "B"), extra_questions=True,
                           seed=20160101)
    analysis = analyze(study.attempts, study.survey)
    context = simulate_context(analysis, seed=20160101)
    charts = report_charts(analysis, context).all()
    plan = [(chart.size_inches, chart.estimates) for chart in charts]
    clicks = sum(len(c) for c in context.clicks.values())
    # Warm up imports, font caches and the template once.
    render_html_report(analysis, context)
    render_pdf_report(analysis, context)
    baseline(plan, "svg")
    contenders = {
        "analyze": lambda: analyze(study.attempts, study.survey),
        "html": lambda: render_html_report(analysis, context),
        "pdf": lambda: render_pdf_report(analysis, context),
        "baseline_svg": lambda: baseline(plan, "svg"),
        "baseline_pdf": lambda: baseline(plan, "pdf"),
    }
    wall = {key: [] for key in contenders}
    cpu = {key: [] for key in contenders}
    sizes = {}
    for _ in range(repeats):
        for key, function in contenders.items():
            seconds, cpu_seconds, result = timed(function)
            wall[key].append(seconds)
            cpu[key].append(cpu_seconds)
            if key in ("html", "pdf"):
                sizes[key] = len(result)
    return {"participants": participants, "tasks": tasks, "attempt_rows": len(study.attempts),
            "clicks": clicks, "charts": len(charts), "repeats": repeats, "sizes": sizes,
            "wall": {k: statistics.median(v) for k, v in wall.items()},
            "cpu": {k: statistics.median(v) for k, v in cpu.items()}}


def simulated_database(path: Path, participants: int) -> dict[str, str]:
    """The environment of a SQLite database holding ``uxlab demo --simulate N`` (made once)."""
    environment = dict(os.environ, UXLAB_DATABASE_URL=f"sqlite:///{path.resolve()}",
                       UXLAB_INSTANCE_PATH=str(path.resolve().parent / "instance"))
    # An installed uxlab has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile ~200 modules from source on every run, a cost no
    # user pays. The first command below writes the bytecode; the timed ones reuse it.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    made = path.exists()
    # A kept database may predate a migration of the code being measured.
    subprocess.run([*UXLAB, "db", "upgrade"], env=environment, check=True,
                   stdout=subprocess.DEVNULL)
    if not made:
        started = time.perf_counter()
        subprocess.run([*UXLAB, "demo", "--simulate", str(participants), "--seed", "20160101"],
                       env=environment, check=True, stdout=subprocess.DEVNULL)
        print(f"(simulated {participants:,} participants in {time.perf_counter() - started:.0f} "
              f"s into {path})", file=sys.stderr)
    return environment


#: ``-P``: no current folder on ``sys.path``, so ``--before``'s PYTHONPATH decides which uxlab runs
#: (run from a checkout, the current folder's uxlab came first and both timed the same code).
UXLAB = [sys.executable, "-P", "-c", "from uxlab.cli import main; main()"]
#: The bare-matplotlib baseline as a program of its own (see bare_charts.py).
BASELINE_PROGRAM = str(Path(__file__).with_name("bare_charts.py"))


def child(arguments: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Run a program to its end: its wall time and CPU time (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(arguments, env=environment, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def command(environment: dict[str, str], fmt: str, output: Path) -> tuple[float, float, int]:
    """Run ``uxlab report checkout-redesign --format FMT -o OUTPUT``: wall, CPU, bytes written."""
    wall, cpu = child([*UXLAB, "report", "checkout-redesign", "--format", fmt, "-o",
                       str(output)], environment)
    return wall, cpu, output.stat().st_size


def source_environment(environment: dict[str, str], source: Path) -> dict[str, str]:
    """``environment`` running the uxlab package of the source tree ``source`` (PYTHONPATH comes
    before the editable install's finder), with its own repository for migrations."""
    if not (source / "uxlab" / "__init__.py").is_file():
        raise SystemExit(f"--before {source}: no uxlab package in that folder")
    return dict(environment, PYTHONPATH=str(source.resolve()))


def run_command(participants: int, repeats: int, database: Path,
                before: Path | None = None) -> dict:
    """Time ``uxlab report`` and its service on the simulated demo study, with baselines (and
    the command from the source tree ``before``, when given)."""
    from uxlab.app import create_app
    from uxlab.results.context import report_context
    from uxlab.results.page import build_results
    from uxlab.results.report import study_report
    from uxlab.studies.service import current_study

    environment = simulated_database(database, participants)
    earlier = source_environment(environment, before) if before else None
    app = create_app({"DATABASE_URL": environment["UXLAB_DATABASE_URL"],
                      "INSTANCE_PATH": environment["UXLAB_INSTANCE_PATH"]})
    db = app.extensions["uxlab.db"]
    folder = Path(tempfile.mkdtemp(prefix="uxlab-report-bench-"))
    try:
        with app.app_context(), db.session(write=False) as session:
            study = current_study(session, "checkout-redesign")
            page = build_results(session, study)
            charts = report_charts(page.analysis, report_context(page)).all()
            plan = [(chart.size_inches, chart.estimates) for chart in charts]
            analysed = sum(v["participants"] for v in page.analysis["variants"].values())
            service = {fmt: (lambda fmt=fmt: study_report(session, study, fmt=fmt))
                       for fmt in ("html", "pdf")}
            service["html"]()
            service["pdf"]()  # warm up, as the renderers above
            wall = {key: [] for key in ("command_html", "command_pdf", "service_html",
                                        "service_pdf", "baseline_svg", "baseline_pdf",
                                        "program_svg", "program_pdf",
                                        *(("before_html", "before_pdf") if earlier else ()))}
            cpu = {key: [] for key in wall}
            sizes = {}
            for _ in range(repeats):
                for fmt in ("html", "pdf"):
                    seconds, cpu_seconds, sizes[fmt] = command(environment, fmt,
                                                               folder / f"r.{fmt}")
                    wall[f"command_{fmt}"].append(seconds)
                    cpu[f"command_{fmt}"].append(cpu_seconds)
                    if earlier:
                        seconds, cpu_seconds, _ = command(earlier, fmt, folder / f"b.{fmt}")
                        wall[f"before_{fmt}"].append(seconds)
                        cpu[f"before_{fmt}"].append(cpu_seconds)
                    seconds, cpu_seconds, _ = timed(service[fmt])
                    wall[f"service_{fmt}"].append(seconds)
                    cpu[f"service_{fmt}"].append(cpu_seconds)
                for fmt in ("svg", "pdf"):
                    seconds, cpu_seconds, _ = timed(baseline, plan, fmt)
                    wall[f"baseline_{fmt}"].append(seconds)
                    cpu[f"baseline_{fmt}"].append(cpu_seconds)
                    seconds, cpu_seconds = child(
                        [sys.executable, BASELINE_PROGRAM, fmt, json.dumps(plan),
                         str(DPI_PNG)], environment)
                    wall[f"program_{fmt}"].append(seconds)
                    cpu[f"program_{fmt}"].append(cpu_seconds)
    finally:
        db.dispose()
        for written in folder.iterdir():
            written.unlink()
        folder.rmdir()
    return {"participants": analysed, "charts": len(charts), "repeats": repeats, "before": before,
            "sizes": sizes, "wall": {k: statistics.median(v) for k, v in wall.items()},
            "cpu": {k: statistics.median(v) for k, v in cpu.items()}}


def report_command_table(result: dict) -> str:
    wall, cpu = result["wall"], result["cpu"]
    lines = [
        f"uxlab report on `uxlab demo --simulate` ({result['participants']:,} participants "
        f"analysed, 5 tasks × 2 variants, {result['charts']} charts), median of "
        f"{result['repeats']} runs",
        "",
        *TABLE_HEAD,
    ]
    for fmt, image in (("html", "svg"), ("pdf", "pdf")):
        for step, label, base in (
                (f"command_{fmt}", f"`uxlab report --format {fmt}`", f"program_{image}"),
                (f"service_{fmt}", f"`study_report(…, \"{fmt}\")`", f"baseline_{image}")):
            lines.append(f"| {label} | {wall[step]:.2f} | {cpu[step]:.2f} | {wall[base]:.2f} | "
                         f"{wall[step] / wall[base]:.2f} | "
                         f"{result['sizes'][fmt] / 1e6:.1f} MB |")
        if result["before"]:
            step, base = f"before_{fmt}", f"program_{image}"
            lines.append(f"| the same from `{result['before']}` | {wall[step]:.2f} | "
                         f"{cpu[step]:.2f} | {wall[base]:.2f} | {wall[step] / wall[base]:.2f} | |")
    lines += ["", "The command's baseline is the bare-matplotlib program (Python start-up, "
                  "imports, the same charts); the service's, the same charts in this process. "
                  f"Baseline CPU: program {cpu['program_svg']:.2f} s (SVG), "
                  f"{cpu['program_pdf']:.2f} s (PDF); in process {cpu['baseline_svg']:.2f} s, "
                  f"{cpu['baseline_pdf']:.2f} s."]
    html_ok = wall["command_html"] <= HTML_GOAL_SECONDS
    pdf_ok = wall["command_pdf"] <= PDF_GOAL_SECONDS
    lines += ["", f"Goals (the command): HTML ≤ {HTML_GOAL_SECONDS:g} s "
                  f"{'met' if html_ok else 'NOT met'}; PDF ≤ {PDF_GOAL_SECONDS:g} s "
                  f"{'met' if pdf_ok else 'NOT met'}."]
    return "\n".join(lines)


def report(result: dict) -> str:
    wall, cpu = result["wall"], result["cpu"]
    lines = [
        f"{result['participants']:,} participants × {result['tasks']} tasks × 2 variants "
        f"({result['attempt_rows']:,} attempt rows, {result['clicks']:,} clicks, "
        f"{result['charts']} charts), median of {result['repeats']} runs",
        f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, reportlab "
        f"{reportlab.Version}, scipy {scipy.__version__}, {platform.machine()}",
        "",
        *TABLE_HEAD,
        f"| HTML report | {wall['html']:.2f} | {cpu['html']:.2f} | {wall['baseline_svg']:.2f} | "
        f"{wall['html'] / wall['baseline_svg']:.2f} | {result['sizes']['html'] / 1e6:.1f} MB |",
        f"| PDF report | {wall['pdf']:.2f} | {cpu['pdf']:.2f} | {wall['baseline_pdf']:.2f} | "
        f"{wall['pdf'] / wall['baseline_pdf']:.2f} | {result['sizes']['pdf'] / 1e6:.1f} MB |",
        f"| (analyze, for scale) | {wall['analyze']:.2f} | {cpu['analyze']:.2f} | | | |",
        "",
    ]
    html_ok = wall["html"] <= HTML_GOAL_SECONDS
    pdf_ok = wall["pdf"] <= PDF_GOAL_SECONDS
    lines.append(f"Goals: HTML ≤ {HTML_GOAL_SECONDS:g} s {'met' if html_ok else 'NOT met'}; "
                 f"PDF ≤ {PDF_GOAL_SECONDS:g} s {'met' if pdf_ok else 'NOT met'}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database", type=Path,
                        help="SQLite file of the simulated demo study (made when missing, kept)")
    parser.add_argument("--before", type=Path,
                        help="Also time `uxlab report` from this uxlab source tree (e.g. "
                             "`git archive COMMIT | tar -x -C DIR`), alternating with this one.")
    parser.add_argument("--command-only", action="store_true",
                        help="Time only `uxlab report` and its service, not the renderers alone.")
    arguments = parser.parse_args(argv)
    ok = True
    if not arguments.command_only:
        result = run(arguments.participants, arguments.tasks, arguments.repeats)
        print(report(result))
        ok = (result["wall"]["html"] <= HTML_GOAL_SECONDS
              and result["wall"]["pdf"] <= PDF_GOAL_SECONDS)
        print()
    database = arguments.database or Path(tempfile.mkdtemp(prefix="uxlab-bench-")) / "db.sqlite"
    result = run_command(arguments.participants, arguments.repeats, database, arguments.before)
    print(report_command_table(result))
    ok = ok and (result["wall"]["command_html"] <= HTML_GOAL_SECONDS
                 and result["wall"]["command_pdf"] <= PDF_GOAL_SECONDS)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
