"""``uxlab report``'s chart worker: charts drawn in two other processes make the same page."""

from __future__ import annotations

import threading

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
