"""``uxlab report``'s other processes: they draw the HTML report's charts.

The command spends its time on one core importing (scipy, SQLAlchemy, matplotlib), reading and
analysing, then drawing; the machine has more than one. So, once the command's own modules are
loaded (the charts need scipy and the analysis too, and inherit them), :meth:`ChartWorker.start`
forks a worker that imports matplotlib and the chart modules and draws a throw-away chart
(fonts, code paths) while the command reads the database and analyses; the warm worker then
forks a helper. The command sends the analysis document and the report context
(:meth:`ChartWorker.draw`); the worker and the helper draw the report's charts, each taking the
next chart job not yet taken (:func:`uxlab.reports.charts.chart_jobs`, a shared counter), and the
command gets back each chart rendered as SVG (:class:`~uxlab.reports.chart_set.SvgChart`). It
assembles the page without ever importing matplotlib; the page is the one
:func:`uxlab.reports.html.render_html_report` makes in process.

For the command line only, never the web app: forking a process that runs other threads (a web
server's) can leave the child holding a lock no thread will release, so :meth:`ChartWorker.start`
gives ``None`` where other threads run, ``fork`` does not exist or only one core is there to
use, and the charts are then drawn in process. Whatever goes wrong in the child (it died, the
input could not be sent, drawing failed) also falls back to drawing in process, which gives the
same page or raises the same error as the command without a worker.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import threading
from multiprocessing.connection import Connection, wait
from types import TracebackType
from typing import TYPE_CHECKING

from uxlab.reports.chart_set import ReportCharts

if TYPE_CHECKING:
    from uxlab.reports.context import ReportContext

#: How long closing waits for the child to end before stopping it.
JOIN_SECONDS = 5.0
#: How long the worker, its own share drawn, waits for the helper's: the helper then has at most
#: one chart left to draw.
HELPER_WAIT_SECONDS = 60.0


def forking_pays() -> bool:
    """Whether a chart worker may and should be forked: ``fork`` exists, no other thread runs
    in this process (see the module's notes) and it may run on more than one core."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity else os.cpu_count() or 1
    return (cores > 1 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


class ChartWorker:
    """A forked child process that draws one report's charts as SVG."""

    def __init__(self, process: multiprocessing.process.BaseProcess,
                 connection: Connection) -> None:
        self._process = process
        self._connection = connection
        self._asked = False

    @classmethod
    def start(cls) -> ChartWorker | None:
        """Fork the worker; ``None`` where it cannot or must not be (see the module's notes)."""
        if not forking_pays():
            return None
        context = multiprocessing.get_context("fork")
        try:
            connection, child_end = context.Pipe()
            # Not a daemon: a daemon may not start the helper. It ends when its pipe closes.
            process = context.Process(target=_serve, args=(child_end, connection),
                                      name="uxlab-charts")
            process.start()
        except OSError:
            return None
        child_end.close()
        return cls(process, connection)

    def draw(self, analysis: dict, context: ReportContext) -> ReportCharts:
        """The report's charts as SVG, drawn by the worker (in this process if it cannot)."""
        self._asked = True
        try:
            self._connection.send((analysis, context))
            # The worker's end of the pipe is open in no other process, so its death ends the
            # wait (an end of file) as its answer does; its sentinel as well, to be sure.
            wait([self._connection, self._process.sentinel])
            charts = self._connection.recv() if self._connection.poll() else None
        except (OSError, EOFError, pickle.PickleError, TypeError, AttributeError, ValueError):
            charts = None  # could not send (pickling) or the child is gone
        if isinstance(charts, ReportCharts):
            return charts
        from uxlab.reports.html import svg_charts

        return svg_charts(analysis, context)

    def close(self) -> None:
        """End the worker: it leaves when its end of the pipe closes, or at once when it was
        never asked for charts (the command failed first: no study, a bad filter)."""
        self._connection.close()
        _end(self._process, JOIN_SECONDS if self._asked else 0)

    def __enter__(self) -> ChartWorker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _end(process, seconds: float) -> None:
    """Wait up to ``seconds`` for ``process`` to end, then stop it (SIGTERM) and wait."""
    process.join(seconds)
    if process.is_alive():
        process.terminate()
        process.join()


def _stop_on_sigterm(_signal, _frame) -> None:
    raise SystemExit(1)  # so that ``finally`` blocks run: the worker then ends its helper


def _serve(connection: Connection, command_end: Connection) -> None:
    """The child: get ready, draw one report's charts with a helper, send them back, end."""
    # The command's end of the pipe, inherited by the fork: closed, so that the command alone
    # holds it and sees an end of file if this process dies.
    command_end.close()
    # A short life with a bounded amount of work: the cyclic garbage collector would only
    # rescan matplotlib's objects (the helper, forked from here, inherits this too). Ctrl-C is
    # the command's to handle: it ends the worker when it stops.
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        _warm_up()
        helper = _Helper.start(inherited=connection)
    except Exception:  # the parent draws in process and meets the problem itself
        return
    try:
        try:
            analysis, context = connection.recv()
        except (EOFError, OSError):  # the command ended (or failed) before it had charts
            return
        try:
            charts = _draw(analysis, context, helper)
        except Exception:  # the parent draws them itself and reports the error as it would
            charts = None
        try:
            connection.send(charts)
        except (OSError, ValueError):
            pass
    finally:
        helper.close()


def _draw(analysis: dict, context: ReportContext, helper: _Helper) -> ReportCharts:
    """Draw the charts with the helper, each taking the next job not yet taken."""
    from uxlab.reports.charts import Chart, assemble_charts, chart_jobs, draw_jobs

    helper.send(analysis, context)
    jobs = chart_jobs(analysis, context)
    drawn = _draw_shared(jobs, helper.counter)
    drawn.update(helper.drawn())
    missing = [number for number in range(len(jobs)) if number not in drawn]  # helper failed
    drawn.update(draw_jobs(jobs, missing, Chart.svg_chart))
    return assemble_charts(jobs, drawn)


class _Helper:
    """A second drawing process, forked from the ready worker (matplotlib already loaded).

    The worker and its helper take jobs from one shared counter, so the costly charts do not
    all fall to one of them.
    """

    def __init__(self, process, connection: Connection, counter) -> None:
        self.process, self.connection, self.counter = process, connection, counter

    @classmethod
    def start(cls, inherited: Connection) -> _Helper:
        """Fork the helper; ``inherited`` is the worker's end of the command's pipe, which the
        helper closes (only the worker may hold it, see :meth:`ChartWorker.draw`)."""
        context = multiprocessing.get_context("fork")
        counter = context.Value("i", 0)
        connection, helper_end = context.Pipe()
        helper = cls(None, connection, counter)
        helper.process = context.Process(target=_help,
                                         args=(helper_end, counter, (connection, inherited)),
                                         name="uxlab-charts-helper", daemon=True)
        helper.process.start()
        helper_end.close()
        return helper

    def send(self, analysis: dict, context: ReportContext) -> None:
        try:
            self.connection.send((analysis, context))
        except (OSError, ValueError):
            pass

    def drawn(self) -> dict[int, tuple]:
        """What the helper drew, by job number; nothing if it failed or hangs (the worker then
        draws those jobs itself)."""
        try:
            if not self.connection.poll(HELPER_WAIT_SECONDS):
                return {}
            drawn = self.connection.recv()
        except (EOFError, OSError):
            return {}
        return drawn if isinstance(drawn, dict) else {}

    def close(self) -> None:
        self.connection.close()
        _end(self.process, JOIN_SECONDS)


def _help(connection: Connection, counter, not_ours: tuple[Connection, ...]) -> None:
    """The helper: draw the jobs it takes, send them (by number) to the worker."""
    from uxlab.reports.charts import chart_jobs

    for inherited in not_ours:  # the worker's pipe ends: its death must reach its readers
        inherited.close()

    try:
        analysis, context = connection.recv()
    except (EOFError, OSError):
        return
    try:
        drawn = _draw_shared(chart_jobs(analysis, context), counter)
    except Exception:  # the worker draws what is missing
        drawn = {}
    try:
        connection.send(drawn)
    except (OSError, ValueError):
        pass


def _draw_shared(jobs: list, counter) -> dict[int, tuple]:
    """Draw jobs one at a time, each the next not yet taken (the shared ``counter``), until
    none is left: job number → its charts as SVG."""
    from uxlab.reports.charts import Chart, draw_jobs

    drawn: dict[int, tuple] = {}
    while True:
        with counter.get_lock():
            number = counter.value
            counter.value += 1
        if number >= len(jobs):
            return drawn
        drawn.update(draw_jobs(jobs, [number], Chart.svg_chart))


def _warm_up() -> None:
    """Draw and render a small chart: loads matplotlib, the chart modules, the fonts and the code
    paths the report's charts use."""
    import uxlab.reports.charts  # noqa: F401
    from uxlab.reports import style

    with style.styled():
        figure = style.new_figure(1.5)
        axes = figure.add_subplot()
        axes.errorbar([0.5], [0.5], xerr=[[0.1], [0.1]], fmt="o", label="A")
        axes.set_title("warm-up")
        axes.set_xlabel("x")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="Variant")
    style.render(figure, "svg")
