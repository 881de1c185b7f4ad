"""``uxlab report``'s second process: it draws the HTML report's charts.

The command spends its time on one core importing (scipy, SQLAlchemy, matplotlib), reading and
analysing, then drawing; the machine has more than one. So, before the command's heavy imports,
:meth:`ChartWorker.start` forks a child that imports matplotlib and the chart modules and draws a
throw-away chart (loading the fonts) while the command imports scipy, reads the database and
analyses. The command then sends the analysis document and the report context
(:meth:`ChartWorker.draw`) and gets back each chart rendered as SVG
(:class:`~uxlab.reports.chart_set.SvgChart`); it assembles the page without ever importing
matplotlib. The page is the one :func:`uxlab.reports.html.render_html_report` makes in process.

For the command line only, never the web app: forking a process that runs other threads (a web
server's) can leave the child holding a lock no thread will release, so :meth:`ChartWorker.start`
gives ``None`` where other threads run or ``fork`` does not exist, and the charts are then drawn
in process. Whatever goes wrong in the child (it died, the input could not be sent, drawing
failed) also falls back to drawing in process, which gives the same page or raises the same error
as the command without a worker.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from types import TracebackType
from typing import TYPE_CHECKING

from uxlab.reports.chart_set import ReportCharts

if TYPE_CHECKING:
    from uxlab.reports.context import ReportContext

#: How long closing waits for the child to end before stopping it.
JOIN_SECONDS = 5.0


class ChartWorker:
    """A forked child process that draws one report's charts as SVG."""

    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection):
        self._process = process
        self._connection = connection

    @classmethod
    def start(cls) -> ChartWorker | None:
        """Fork the worker; ``None`` where it cannot or must not be (see the module's notes)."""
        if threading.active_count() != 1 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        context = multiprocessing.get_context("fork")
        try:
            connection, child_end = context.Pipe()
            process = context.Process(target=_serve, args=(child_end,), name="uxlab-charts",
                                      daemon=True)
            process.start()
        except OSError:
            return None
        child_end.close()
        return cls(process, connection)

    def draw(self, analysis: dict, context: ReportContext) -> ReportCharts:
        """The report's charts as SVG, drawn by the worker (in this process if it cannot)."""
        try:
            self._connection.send((analysis, context))
            charts = self._connection.recv()
        except (OSError, EOFError, TypeError, AttributeError, ValueError):
            charts = None  # could not send (pickling) or the child is gone
        if isinstance(charts, ReportCharts):
            return charts
        from uxlab.reports.html import svg_charts

        return svg_charts(analysis, context)

    def close(self) -> None:
        """End the worker: it leaves when its end of the pipe closes."""
        self._connection.close()
        self._process.join(JOIN_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def __enter__(self) -> ChartWorker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _serve(connection: Connection) -> None:
    """The child: get ready to draw, draw one report's charts, send them back, end."""
    try:
        from uxlab.reports.charts import svg_charts as draw

        _warm_up()
    except Exception:  # the parent draws in process and meets the problem itself
        draw = None
    try:
        analysis, context = connection.recv()
    except (EOFError, OSError):  # the command ended (or failed) before it had charts to draw
        return
    try:
        charts = draw(analysis, context) if draw else None
    except Exception:  # the parent draws them itself and reports the error as it would
        charts = None
    try:
        connection.send(charts)
    except (OSError, ValueError):
        pass


def _warm_up() -> None:
    """Draw and render a small chart: loads the fonts and the code paths the report's charts use."""
    from uxlab.reports import style

    with style.styled():
        figure = style.new_figure(1.5)
        axes = figure.add_subplot()
        axes.errorbar([0.5], [0.5], xerr=[[0.1], [0.1]], fmt="o", label="A")
        axes.set_title("warm-up")
        axes.set_xlabel("x")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="Variant")
    style.render(figure, "svg")
