"""``uxlab report``'s chart worker: charts drawn in two other processes make the same page."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from uxlab.cli import chart_worker
from uxlab.cli.chart_worker import ChartWorker
from uxlab.reports.html import render_html_report


@pytest.fixture
def worker(monkeypatch):
    """A started worker. ``forking_pays`` is forced because the suite may run other threads
    (live servers) that the command's own process never has; the fork itself is real."""
    monkeypatch.setattr(chart_worker, "forking_pays", lambda: True)
    started = ChartWorker.start()
    assert started is not None
    yield started
    started.close()


@pytest.mark.parametrize("document", ["two_variants", "three_variants", "within_design"])
def test_the_worker_s_page_is_the_page_drawn_in_process(request, worker, document):
    # two_variants has every kind of chart: tasks, click maps, questionnaires, problems,
    # discovery; three_variants two pages per task; within_design escaped task titles.
    analysis, context = request.getfixturevalue(document)
    serial = render_html_report(analysis, context)
    assert render_html_report(analysis, context, worker.draw) == serial
    assert serial.count("<svg") >= 5


def test_a_worker_that_died_falls_back_to_drawing_in_process(two_variants, worker):
    analysis, context = two_variants
    worker._process.kill()
    worker._process.join()
    assert render_html_report(analysis, context, worker.draw) == render_html_report(
        analysis, context)


def test_a_worker_never_asked_ends_when_closed(worker):
    worker.close()
    assert not worker._process.is_alive()


def _helper_pid(worker: ChartWorker) -> int:
    """The pid of the worker's helper, once the warm worker has forked it."""
    children = Path(f"/proc/{worker._process.pid}/task/{worker._process.pid}/children")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pids = children.read_text().split()
        if pids:
            return int(pids[0])
        time.sleep(0.05)
    raise AssertionError("the worker started no helper")


def _ends(pid: int, seconds: float = 30) -> bool:
    """Whether process ``pid`` ends (or is a zombie) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


needs_proc = pytest.mark.skipif(not Path("/proc/self/task").exists(),
                                reason="reads the processes' children from Linux's /proc")


@needs_proc
def test_a_worker_killed_after_forking_its_helper_neither_hangs_the_command_nor_leaves_it(
        two_variants, worker):
    analysis, context = two_variants
    helper = _helper_pid(worker)
    os.kill(worker._process.pid, signal.SIGKILL)
    pages = []
    drawing = threading.Thread(
        target=lambda: pages.append(render_html_report(analysis, context, worker.draw)))
    drawing.start()
    drawing.join(120)
    assert not drawing.is_alive(), "the command waits for a dead worker"
    assert pages == [render_html_report(analysis, context)]
    assert _ends(helper), "the helper outlived its worker"


@needs_proc
def test_a_warm_worker_never_asked_ends_with_its_helper_when_closed(worker):
    helper = _helper_pid(worker)
    worker.close()
    assert not worker._process.is_alive()
    assert _ends(helper), "the helper outlived its worker"


def test_no_worker_where_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not chart_worker.forking_pays()
        assert ChartWorker.start() is None
    finally:
        stop.set()
        thread.join()
