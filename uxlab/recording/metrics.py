"""Attempt metrics derived from the stored events: the one place that sets them.

:func:`derive_attempt_metrics` reads an attempt's events and writes its clicks, misclicks, errors,
page path, direct success, first-click correctness and lostness. It is run when an attempt ends and
again whenever late events arrive for an ended attempt; it recomputes everything from the stored
rows, so running it twice gives the same result. :func:`attempt_metrics` is the pure computation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Event, Observation
from uxlab.recording.rules import (
    SUCCESS_RULE,
    click_matches,
    criterion_for_variant,
    error_rule_id,
    event_matches,
    split_url,
    url_matches,
)


@dataclass(frozen=True)
class AttemptMetrics:
    """What the events of one attempt say about it (see :func:`attempt_metrics`)."""

    clicks: int
    misclicks: int
    errors: int
    path: list[str]
    direct: bool | None
    first_click_correct: bool | None
    lostness: float | None


def smith_lostness(visits: int, distinct: int, optimal: int) -> float:
    """Return Smith's (1996) lostness of a navigation.

    Parameters
    ----------
    visits : int
        S, the pages visited, counting revisits.
    distinct : int
        N, the different pages visited.
    optimal : int
        R, the fewest pages that must be visited to do the task (the optimal path's length).

    Returns
    -------
    float
        0 for a perfect navigation; Smith read values above about 0.4 as a participant who looks
        lost. With ``optimal <= distinct`` it stays below sqrt(2).

    Notes
    -----
    .. math:: L = \\sqrt{(N/S - 1)^2 + (R/N - 1)^2}

    N/S falls with revisits, R/N with detours to pages off the optimal path.

    References
    ----------
    P. A. Smith (1996), "Towards a practical measure of hypertext usability", *Interacting with
    Computers* 8(4), 365–381. Worked example: T. Tullis & B. Albert, *Measuring the User
    Experience*, ch. 4 ("Lostness"): N = 6, S = 9, R = 3 gives L ≈ 0.6.
    """
    if distinct < 1:
        raise ValueError(f"distinct must be at least 1, not {distinct}")
    if visits < distinct:
        raise ValueError(f"visits ({visits}) cannot be fewer than distinct pages ({distinct})")
    if optimal < 1:
        raise ValueError(f"optimal must be at least 1, not {optimal}")
    return math.hypot(distinct / visits - 1, optimal / distinct - 1)


def page_key(url: str) -> str:
    """Return the page a URL shows: its path, without query or fragment."""
    return split_url(url)[0]


def without_repeats(path: Sequence[str]) -> list[str]:
    """Return ``path`` with consecutive repeats (reloads) collapsed into one visit."""
    return [page for i, page in enumerate(path) if i == 0 or page != path[i - 1]]


def _on_page(expected: str, visited: str) -> bool:
    return url_matches({"url": expected}, visited)


def attempt_metrics(
    events: Sequence[Mapping[str, Any]],
    *,
    start_page: str | None,
    criterion: Mapping[str, Any],
    error_rules: Sequence[Mapping[str, Any]],
    optimal_path: Sequence[str] | None,
    success: bool,
    moderator_errors: int = 0,
) -> AttemptMetrics:
    """Compute an attempt's metrics from its events (protocol form, in order).

    Parameters
    ----------
    events
        Mappings with ``type``, ``url`` and ``data``, ordered by client time, tab and sequence.
    start_page
        The task's start page, the first page of the path.
    criterion
        The success criterion as it applies to the attempt's variant.
    error_rules
        The task's error rules; rule ``i`` has the id ``error:i``.
    optimal_path
        The task's optimal page path, or None.
    success
        Whether the attempt's outcome is a success.
    moderator_errors
        Errors a moderator logged on the attempt.

    Notes
    -----
    - A ``navigate`` event with ``data.restored`` true is the page a reload of the task showed
      again (the runner marks it): it is left out of everything below, so a reload is neither a
      revisit nor a second error.
    - clicks: ``click`` events; misclicks: those with ``data.interactive`` false.
    - errors: ``navigate`` and ``click`` events that meet at least one error rule, plus the
      moderator's.
    - path: the start page, then the page of every ``navigate`` event (fragment dropped; the
      first one is dropped when it is the start page loading).
    - direct: success on exactly the optimal path once reloads are collapsed; None without an
      optimal path or without success.
    - first_click_correct: with an optimal path of at least two pages, whether the first move
      from the start page went to its second page; with an element criterion, whether the first
      click hit the success element; None otherwise or when there was no move or click.
    - lostness: :func:`smith_lostness` with S = visits in the path with reloads collapsed,
      N = different pages (by path, without query), R = the optimal path's length; None without
      an optimal path or when N < R.
    """
    # A page a reload showed again is no move of the participant's: not a visit, not an error.
    events = [e for e in events if not (e.get("type") == "navigate"
                                        and (e.get("data") or {}).get("restored") is True)]
    clicks = [e for e in events if e.get("type") == "click"]
    misclicks = sum(1 for e in clicks if (e.get("data") or {}).get("interactive") is False)
    rules = [(rule, error_rule_id(i)) for i, rule in enumerate(error_rules)]
    errors = moderator_errors + sum(
        1 for e in events
        if e.get("type") in ("navigate", "click")
        and any(event_matches(rule, rule_id, e) for rule, rule_id in rules)
    )

    pages = [split_url(e["url"])[1] for e in events if e.get("type") == "navigate" and e.get("url")]
    path = [start_page] if start_page else []
    if path and pages and page_key(pages[0]) == page_key(start_page):
        pages = pages[1:]
    path += pages
    visits = without_repeats(path)

    direct = None
    first_click_correct = None
    lostness = None
    if optimal_path:
        if success:
            direct = len(visits) == len(optimal_path) and all(
                _on_page(expected, visited) for expected, visited in zip(optimal_path, visits, strict=True)
            )
        if len(optimal_path) >= 2 and len(visits) >= 2:
            first_click_correct = _on_page(optimal_path[1], visits[1])
        distinct = len({page_key(page) for page in visits})
        if visits and distinct >= len(optimal_path):
            lostness = smith_lostness(len(visits), distinct, len(optimal_path))
    if first_click_correct is None and criterion.get("type") == "element" and clicks:
        first_click_correct = click_matches(SUCCESS_RULE, clicks[0])

    return AttemptMetrics(
        clicks=len(clicks), misclicks=misclicks, errors=errors, path=path, direct=direct,
        first_click_correct=first_click_correct, lostness=lostness,
    )


def derive_attempt_metrics(session: Session, attempt: Attempt) -> None:
    """Set ``attempt``'s metrics from its stored events and its moderator's error notes.

    Idempotent: everything is recomputed from the stored rows. The caller commits. A caller that
    ends an attempt should update its row (``ended_at``) before calling this, so that an ingestion
    running at the same time either waits for it or sees the attempt as ended (see
    :func:`uxlab.recording.ingest.ingest_events`).

    Once the retention rule has deleted the attempt's raw events (``raw_events_deleted_at``),
    the metrics stored then are the only record of them and are left as they are.
    """
    if attempt.raw_events_deleted_at is not None:
        return
    rows = session.execute(
        select(Event.type, Event.url, Event.payload)
        .where(Event.attempt_id == attempt.id, Event.late.is_(False))  # late: ingest.LATE_AFTER
        .order_by(Event.client_ts_ms, Event.tab_id, Event.seq, Event.id)
    ).all()
    moderator_errors = session.scalar(
        select(func.count()).select_from(Observation)
        .where(Observation.attempt_id == attempt.id, Observation.kind == "error")
    )
    task = attempt.task
    metrics = attempt_metrics(
        [{"type": kind, "url": url, "data": payload} for kind, url, payload in rows],
        start_page=task.start_page,
        criterion=criterion_for_variant(task.criterion, attempt.variant.key),
        error_rules=task.error_rules or [],
        optimal_path=task.optimal_path,
        success=attempt.outcome == "success",
        moderator_errors=moderator_errors or 0,
    )
    attempt.clicks = metrics.clicks
    attempt.misclicks = metrics.misclicks
    attempt.errors = metrics.errors
    attempt.path = metrics.path
    attempt.direct = metrics.direct
    attempt.first_click_correct = metrics.first_click_correct
    attempt.lostness = metrics.lostness
