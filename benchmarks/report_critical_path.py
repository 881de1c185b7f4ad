"""The CPU time on ``uxlab report --format html``'s critical path, for a loaded machine (issue 9).

With its charts drawn by a worker and a helper (:mod:`uxlab.cli.chart_worker`), the command's wall
time on an idle machine is the CPU time of its critical path: the command's process up to asking
for the charts, then the slower of the two drawing processes, then the command's process again.
On a shared machine the wall time says little (this kernel schedules by session, so a busy
machine gives the command one share of the CPU however many processes it runs), but these CPU
times carry over. This runs the command's steps as the command does (its modules imported with
the collector paused and frozen, the worker forked, the report of ``checkout-redesign`` rendered
as HTML) and prints, per run, the CPU seconds of each part and their sum, to set against the CPU
time of the command before the worker (one process: its CPU time is its critical path)::

    UXLAB_DATABASE_URL=sqlite:////tmp/rb-report.sqlite \\
        .venv/bin/python -P benchmarks/report_critical_path.py [RUNS] [--before DIR]

With ``--before DIR`` (a source tree of uxlab before the worker, as for ``report_bench.py``) each
run is followed by the command from that tree, and its CPU time (user + system) is printed
beside, so both come from the same minutes.

It prints the worker's readiness against the request too: the worker must be warm before the
command asks, or its start-up is on the critical path.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import time


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def one_run() -> None:
    """The command's steps, printing ``event pid wall cpu`` lines to standard error."""
    start = time.perf_counter()

    def mark(event: str) -> None:
        print(f"{event} {os.getpid()} {time.perf_counter() - start:.4f} {cpu():.4f}",
              file=sys.stderr, flush=True)

    gc.disable()
    import uxlab.cli.reports  # noqa: F401  (as the CLI imports a command)

    gc.freeze()
    gc.enable()
    from uxlab.cli import chart_worker

    warm_up = chart_worker._warm_up

    def traced_warm_up() -> None:
        warm_up()
        import uxlab.reports.charts as charts

        draw_jobs = charts.draw_jobs

        def traced_draw_jobs(jobs, numbers, convert=None):
            numbers = list(numbers)
            mark("draw-start")
            drawn = draw_jobs(jobs, numbers, convert)
            mark("draw-end")
            return drawn

        charts.draw_jobs = traced_draw_jobs
        mark("ready")

    chart_worker._warm_up = traced_warm_up
    from uxlab.analysis.dataset import Filters
    from uxlab.cli.common import db_session
    from uxlab.results.report import study_report
    from uxlab.studies.service import current_study

    with chart_worker.ChartWorker.start() as worker:
        def draw(analysis, context):
            mark("ask")
            charts = worker.draw(analysis, context)
            mark("answer")
            return charts

        with db_session(write=False) as session:
            study_report(session, current_study(session, "checkout-redesign"), Filters(), "html",
                         draw_charts=draw)
        mark("done")


def summary(lines: list[str]) -> dict:
    events = [line.split() for line in lines if line.split()[:1] and line.split()[0] in
              ("ready", "ask", "answer", "done", "draw-start", "draw-end")]
    first = {name: (float(wall), float(cpu)) for name, _, wall, cpu in events
             if name in ("ready", "ask", "answer", "done")}
    drawing: dict[str, float] = {}
    started: dict[str, float] = {}
    for name, pid, _, seconds in events:
        if name == "draw-start":
            started[pid] = float(seconds)
        elif name == "draw-end":
            drawing[pid] = drawing.get(pid, 0.0) + float(seconds) - started[pid]
    before, after = first["ask"][1], first["done"][1] - first["answer"][1]
    return {"command_to_ask": before, "drawing": sorted(drawing.values()), "command_after": after,
            "critical_path": before + max(drawing.values()) + after,
            "ready_before_ask": first["ask"][0] - first["ready"][0],
            "wall": first["done"][0]}


def command_cpu(source: str, output: str) -> float:
    """CPU time (user + system) of ``uxlab report checkout-redesign -o OUTPUT`` from ``source``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-P", "-c", "from uxlab.cli import main; main()", "report",
                    "checkout-redesign", "-o", output], check=True, capture_output=True,
                   env=dict(os.environ, PYTHONPATH=source))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="?", type=int, default=5)
    parser.add_argument("--before", help="a uxlab source tree to time alternately")
    arguments = parser.parse_args()
    results, earlier = [], []
    for _ in range(arguments.runs):
        child = subprocess.run([sys.executable, "-P", __file__, "--one"], check=True,
                               capture_output=True, text=True)
        result = summary(child.stderr.splitlines())
        results.append(result)
        print(f"critical path {result['critical_path']:.2f} s CPU = command "
              f"{result['command_to_ask']:.2f} + drawing {max(result['drawing']):.2f} "
              f"(each process: {', '.join(f'{d:.2f}' for d in result['drawing'])}) + "
              f"{result['command_after']:.2f}; worker ready {result['ready_before_ask']:+.2f} s "
              f"before asked; wall {result['wall']:.2f} s")
        if arguments.before:
            earlier.append(command_cpu(arguments.before, os.devnull))
            print(f"  --before command: {earlier[-1]:.2f} s CPU")
    print(f"median critical path: "
          f"{statistics.median(r['critical_path'] for r in results):.2f} s CPU "
          f"(+ interpreter exit, about 0.1-0.2 s)")
    if earlier:
        print(f"median CPU of the --before command: {statistics.median(earlier):.2f} s "
              f"(all of it on its critical path)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--one"]:
        one_run()
    else:
        main()
