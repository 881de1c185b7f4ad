"""How participants moved through a prototype: each task's most common paths, and the clicks.

Built from the database under the results page's filters (the same attempts the tidy rows
hold): the page paths recorded on each attempt (:mod:`uxlab.recording.metrics`), counted per
task and variant, and the click events with their viewport, for the click maps
(:mod:`uxlab.reports.charts_clicks`). Each is one set-based query, not a query per attempt.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.analysis.dataset import Filters, attempt_filter_conditions
from uxlab.models import Attempt, Event, Participant, Study, Task, TestSession, Variant
from uxlab.recording.metrics import page_key, without_repeats
from uxlab.reports.context import Click
from uxlab.reports.paths import PathCount, TaskPaths

#: Paths listed per task and variant; the rest are counted together.
TOP_PATHS = 5


@dataclass(frozen=True)
class Navigation:
    """Paths (one entry per task and variant) and clicks by (task, variant), in study order."""

    paths: tuple[TaskPaths, ...] = ()
    clicks: dict[tuple[str, str], tuple[Click, ...]] = field(default_factory=dict)

    def paths_of(self, task: str) -> list[TaskPaths]:
        return [entry for entry in self.paths if entry.task == task]


def build_navigation(session: Session, study: Study, filters: Filters | None = None,
                     with_clicks: bool = True) -> Navigation:
    """Paths and (unless ``with_clicks`` is false) clicks of the attempts ``filters`` keep."""
    filters = filters or Filters()
    return Navigation(paths=common_paths(session, study, filters),
                      clicks=task_clicks(session, study, filters) if with_clicks else {})


def _kept_attempts(statement, study: Study, filters: Filters):
    return (statement
            .join(TestSession, TestSession.id == Attempt.session_id)
            .join(Participant, Participant.id == TestSession.participant_id)
            .join(Task, Task.id == Attempt.task_id)
            .join(Variant, Variant.id == Attempt.variant_id)
            .where(Participant.study_id == study.id, Task.study_id == study.id,
                   *attempt_filter_conditions(filters))
            .order_by(Task.position, Task.id, Variant.position, Variant.id, Attempt.id))


def common_paths(session: Session, study: Study, filters: Filters,
                 limit: int = TOP_PATHS) -> tuple[TaskPaths, ...]:
    """The ``limit`` most common page paths per task and variant (ties: first seen first).

    A path is the attempt's recorded pages with query and fragment dropped and reloads
    collapsed; attempts without a recorded page are left out.
    """
    rows = session.execute(_kept_attempts(
        select(Task.key, Variant.key, Attempt.path).select_from(Attempt), study, filters))
    counters: dict[tuple[str, str], Counter] = {}
    for task, variant, path in rows:
        pages = tuple(without_repeats([page_key(str(p)) for p in path or [] if p]))
        if pages:
            counters.setdefault((task, variant), Counter())[pages] += 1
    return tuple(TaskPaths(task, variant, sum(counter.values()), tuple(
        PathCount(pages, count) for pages, count in counter.most_common(limit)))
        for (task, variant), counter in counters.items())


def task_clicks(session: Session, study: Study, filters: Filters
                ) -> dict[tuple[str, str], tuple[Click, ...]]:
    """Every pointer click of the kept attempts, with the viewport it happened in.

    Keyboard activations (no coordinates) and clicks without a recorded viewport are left out,
    since a click map places a click by its share of the viewport. ``first`` marks each
    attempt's first click (in the recorder's order), placed or not.
    """
    statement = _kept_attempts(
        select(Task.key, Variant.key, Attempt.id, Event.url, Event.x, Event.y, Event.payload)
        .select_from(Event).join(Attempt, Attempt.id == Event.attempt_id)
        .where(Event.type == "click", Event.late.is_(False)), study, filters
    ).order_by(None).order_by(Task.position, Task.id, Variant.position, Variant.id, Attempt.id,
                              Event.client_ts_ms, Event.tab_id, Event.seq, Event.id)
    clicks: dict[tuple[str, str], list[Click]] = {}
    previous_attempt = None
    for task, variant, attempt, url, x, y, payload in session.execute(statement):
        first, previous_attempt = attempt != previous_attempt, attempt
        click = _click(url, x, y, payload or {}, first)
        if click is not None:
            clicks.setdefault((task, variant), []).append(click)
    return {key: tuple(values) for key, values in clicks.items()}


def _click(url, x, y, payload: dict, first: bool) -> Click | None:
    width, height = payload.get("vw"), payload.get("vh")
    if x is None or y is None or not _positive(width) or not _positive(height):
        return None
    return Click(page=_page(url), x=float(x), y=float(y),
                 vw=float(width), vh=float(height),
                 interactive=payload.get("interactive") is not False, first=first)


def _page(url: str | None) -> str:
    """The page of a click: its path (relative for local prototypes; without the host else)."""
    if not url:
        return "(unknown page)"
    parts = urlsplit(url)
    return (parts.path or "/") if parts.scheme else page_key(url)


def _positive(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0

