"""Quota places: who holds one, how full each quota is, and which variants are still open.

A place is held by a participant who consented, was not excluded by the researcher and either
completed the study or consented less than the study's ``place_hold_minutes`` ago (120 by
default). So someone who walks away mid-study frees their place after the hold, without anyone
having to exclude them; if they come back later they may still finish (nothing they did is ever
thrown away) and the quota can then end one over its limit, which the fill shows.

Places are taken at consent, in :func:`uxlab.participants.assignment.assign`, under the lock it
holds on the study (a row lock on PostgreSQL, the write lock of ``BEGIN IMMEDIATE`` on SQLite):
two people taking the last place at once are served one after the other, and the second finds
the quota full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from uxlab.models import Participant, Quota, Study, Variant
from uxlab.screening.rules import answers_meet, describe_rule
from uxlab.timeutil import utcnow


class StudyFull(Exception):
    """No variant has a place left for this participant's segment."""


@dataclass(frozen=True)
class QuotaFill:
    quota: Quota
    taken: int

    @property
    def full(self) -> bool:
        return self.taken >= self.quota.places


def _place_holders(session: Session, study: Study, but: int | None = None):
    since = utcnow() - timedelta(minutes=study.place_hold_minutes)
    query = select(Participant.variant_id, Participant.screener).where(
        Participant.study_id == study.id, Participant.consented_at.is_not(None),
        Participant.excluded_at.is_(None), Participant.turned_away.is_(None),
        Participant.synthetic.is_(False),  # a simulated run takes no real person's place
        or_(Participant.completed_at.is_not(None), Participant.consented_at >= since))
    if but is not None:
        query = query.where(Participant.id != but)
    return session.execute(query).all()


def _kinds(study: Study) -> dict[str, str]:
    return {q.key: q.kind for q in study.screener_questions}


def quota_fills(session: Session, study: Study, quotas: Sequence[Quota] | None = None,
                but: int | None = None) -> list[QuotaFill]:
    """How many places of each quota are held now (``but``: leave that participant out)."""
    quotas = study.quotas if quotas is None else quotas
    if not quotas:
        return []
    kinds = _kinds(study)
    holders = _place_holders(session, study, but)
    return [QuotaFill(q, sum(1 for variant_id, answers in holders
                             if (q.variant_id is None or q.variant_id == variant_id)
                             and answers_meet(kinds, q.conditions or {}, answers or {})))
            for q in quotas]


def open_variants(session: Session, study: Study, participant: Participant,
                  variants: Sequence[Variant]) -> list[Variant]:
    """The variants in which ``participant``'s segment still has a place in every quota they
    fall in; raise :class:`StudyFull` if none."""
    kinds = _kinds(study)
    mine = [q for q in study.quotas
            if answers_meet(kinds, q.conditions or {}, participant.screener or {})]
    if not mine:
        return list(variants)
    full = [fill.quota for fill in quota_fills(session, study, mine, but=participant.id)
            if fill.full]
    result = [v for v in variants
              if not any(q.variant_id is None or q.variant_id == v.id for q in full)]
    if not result:
        raise StudyFull()
    return result


def turned_away_counts(session: Session, study: Study) -> dict[str, int]:
    """How many people the screener turned away, and how many found the study full."""
    rows = session.execute(
        select(Participant.turned_away, func.count(Participant.id))
        .where(Participant.study_id == study.id, Participant.turned_away.is_not(None))
        .group_by(Participant.turned_away))
    counts = {"screened_out": 0, "full": 0}
    counts.update(dict(rows.all()))
    return counts


def screening_summary(session: Session, study: Study) -> dict:
    """What the study page shows: each quota's fill with its segment in words, how many people
    were turned away, and each screener question's rule in words."""
    kinds = _kinds(study)
    return {
        "fills": [(fill, "; ".join(f"{key} {describe_rule(kinds.get(key, ''), rule)}"
                                   for key, rule in (fill.quota.conditions or {}).items()))
                  for fill in quota_fills(session, study)],
        "turned_away": turned_away_counts(session, study),
        "rules": {q.key: describe_rule(q.kind, q.rule or {}) for q in study.screener_questions},
    }
