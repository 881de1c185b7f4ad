"""Assigning arriving participants to variants and orders.

Between subjects: balanced randomization over the variants by their weights. Each arrival goes
to the variant furthest below its share of the participants assigned so far (ties broken at
random), so group sizes never drift apart by more than one for equal weights, however the
arrivals interleave. Within subjects: every participant sees every variant; the order of variants
and of tasks follows the rows of a balanced Latin square (Williams 1949), so each condition
appears in each position, and follows each other condition, equally often.

Quotas (:mod:`uxlab.screening.quotas`) are checked here, under the study lock: a variant whose
quota is full for this participant's segment is skipped; with none left, :class:`StudyFull`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import Participant, Study, Variant
from uxlab.screening.quotas import StudyFull, open_variants

__all__ = ["StudyFull", "assign", "balanced_latin_square", "choose_variant", "latin_square_order"]

_random = random.SystemRandom()


def balanced_latin_square(n: int) -> list[list[int]]:
    """Return the rows of a balanced Latin square for ``n`` conditions (Williams design).

    Notes
    -----
    The first row is 0, 1, n−1, 2, n−2, …; row r adds r (mod n) to it. For odd ``n`` a square
    cannot be balanced for first-order carry-over on its own, so the mirrored rows are appended
    (2n rows in all).

    References
    ----------
    Williams, E. J. (1949). Experimental designs balanced for the estimation of residual effects
    of treatments. *Australian Journal of Scientific Research*, A2(2), 149–168.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    first, low, high = [0], 1, n - 1
    while len(first) < n:
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    rows = [[(c + r) % n for c in first] for r in range(n)]
    if n % 2 == 1 and n > 1:
        rows += [list(reversed(row)) for row in rows]
    return rows


def latin_square_order(items: Sequence, index: int) -> list:
    """Return ``items`` in the order of row ``index`` (cycling) of their balanced Latin square."""
    rows = balanced_latin_square(len(items))
    return [items[i] for i in rows[index % len(rows)]]


def choose_variant(variants: Sequence[Variant], counts: dict[int, int]) -> Variant:
    """Pick the variant furthest below its weighted share after one more arrival."""
    total_weight = sum(v.weight for v in variants)
    arrivals = sum(counts.get(v.id, 0) for v in variants) + 1
    deficits = {v.id: v.weight / total_weight * arrivals - counts.get(v.id, 0) for v in variants}
    best = max(deficits.values())
    # Compare with a tolerance: shares such as 1/3 do not add up exactly in floating point.
    tied = [v for v in variants if deficits[v.id] >= best - 1e-9]
    return _random.choice(tied)


def _lock_study(session: Session, study: Study) -> None:
    # PostgreSQL: a row lock on the study serializes concurrent arrivals. SQLite: the write
    # transaction began with BEGIN IMMEDIATE, which already holds the database's write lock.
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Study.id).where(Study.id == study.id).with_for_update())


def assign(session: Session, study: Study, participant: Participant) -> None:
    """Give ``participant`` a variant (between) or variant and task orders (within). Idempotent.

    Raises :class:`StudyFull` when the quotas leave no place for the participant.
    """
    if participant.task_order is not None:
        return
    _lock_study(session, study)
    variants = open_variants(session, study, participant, study.variants)
    task_keys = [t.key for t in study.tasks]
    if study.design == "between":
        counts = dict(session.execute(
            select(Participant.variant_id, func.count(Participant.id))
            .where(Participant.study_id == study.id, Participant.variant_id.is_not(None))
            .group_by(Participant.variant_id)
        ).all())
        participant.variant = choose_variant(variants, counts)
        participant.task_order = task_keys
    else:
        index = session.scalar(
            select(func.count(Participant.id)).where(
                Participant.study_id == study.id, Participant.variant_order.is_not(None))
        ) or 0
        participant.variant_order = latin_square_order([v.key for v in study.variants], index)
        participant.task_order = latin_square_order(task_keys, index)
    session.flush()
