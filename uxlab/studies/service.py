"""Studies in the database: load a spec (creating, updating or versioning), read one back, and
move a study through draft → running → closed.

A study that already has participant data is never rewritten: loading a changed definition creates
the next version, and the old version keeps its data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from uxlab.cx.journeys import ensure_touchpoint
from uxlab.models import (
    Participant,
    Questionnaire,
    Quota,
    ScreenerQuestion,
    Study,
    StudyMember,
    Task,
    TestSession,
    Touchpoint,
    User,
    Variant,
)
from uxlab.observations.seeding import seeded_problem_specs, sync_seeded_problems
from uxlab.screening.spec import QuotaSpec, ScreenerQuestionSpec
from uxlab.studies.runnable import prototype_problems
from uxlab.studies.spec import (
    QuestionnaireSpec,
    StudySpec,
    TaskSpec,
    TouchpointSpec,
    VariantSpec,
)
from uxlab.timeutil import utcnow


class StudyStateError(ValueError):
    """An operation the study's current state does not allow; the message says why."""


@dataclass(frozen=True)
class LoadResult:
    study: Study
    #: created | updated | unchanged | new_version
    action: str

    def describe(self) -> str:
        s = self.study
        return {
            "created": f"created study {s.slug} (version {s.version})",
            "updated": f"updated study {s.slug} (version {s.version})",
            "unchanged": f"study {s.slug} is unchanged (version {s.version})",
            "new_version": f"study {s.slug} has participant data, so the changes were loaded as "
                           f"version {s.version} (draft); version {s.version - 1} keeps its data",
        }[self.action]


def current_study(session: Session, slug: str) -> Study | None:
    """Return the newest version of the study called ``slug``."""
    return session.scalar(
        select(Study).where(Study.slug == slug).order_by(Study.version.desc()).limit(1)
    )


def has_participant_data(session: Session, study: Study) -> bool:
    """Whether any participant of ``study`` has started a session, answered its screener (and
    was let on to consent: ``step`` > 0) or was turned away by it (the screen-out count belongs
    to the rules that produced it)."""
    return bool(session.scalar(select(exists().where(
        TestSession.participant_id == Participant.id, Participant.study_id == study.id
    )))) or bool(session.scalar(select(exists().where(
        Participant.study_id == study.id,
        (Participant.step > 0) | Participant.turned_away.is_not(None),
    ))))


def participant_counts(session: Session, study_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Participant.study_id, func.count(Participant.id))
        .where(Participant.study_id.in_(study_ids))
        .group_by(Participant.study_id)
    )
    return {study_id: count for study_id, count in rows}


def load_spec(
    session: Session, spec: StudySpec, owner: User | None = None, source_file: str | None = None
) -> LoadResult:
    """Create or update the study ``spec`` describes; version it if it has participant data."""
    existing = current_study(session, spec.slug)
    if existing is None:
        study = Study(slug=spec.slug, version=1, owner=owner, source_file=source_file)
        session.add(study)
        apply_spec(session, study, spec)
        _add_owner(session, study)
        return LoadResult(study, "created")
    if spec_from_study(existing) == spec:
        return LoadResult(existing, "unchanged")
    if has_participant_data(session, existing):
        study = Study(slug=spec.slug, version=existing.version + 1,
                      owner=existing.owner or owner, source_file=source_file)
        session.add(study)
        apply_spec(session, study, spec)
        session.flush()
        for member in existing.members:
            session.add(StudyMember(study_id=study.id, user_id=member.user_id,
                                    access=member.access))
        session.flush()
        return LoadResult(study, "new_version")
    if source_file:
        existing.source_file = source_file
    apply_spec(session, existing, spec)
    return LoadResult(existing, "updated")


def _add_owner(session: Session, study: Study) -> None:
    session.flush()
    if study.owner_id is not None:
        session.add(StudyMember(study_id=study.id, user_id=study.owner_id, access="owner"))
        session.flush()


def apply_spec(session: Session, study: Study, spec: StudySpec) -> None:
    """Make ``study`` match ``spec``, updating rows by key so participant links stay valid."""
    study.title = spec.title
    study.description = spec.description
    study.design = spec.design
    study.welcome_text = spec.welcome
    study.consent_text = spec.consent
    study.thanks_text = spec.thanks
    study.completion_redirect_url = spec.completion_redirect
    study.open_recruitment = spec.open_recruitment
    study.panel_id_param = spec.panel_id_param
    study.panel = dict(spec.panel)
    study.screen_out_text = spec.screen_out
    study.full_text = spec.full
    study.place_hold_minutes = spec.place_hold_minutes
    study.languages = list(spec.languages)
    study.translations = spec.translations
    if study.status == "running":
        ensure_recruitment_token(study)
    study.benchmarks = dict(spec.benchmarks)
    _sync(session, study.variants, spec.variants, Variant, _variant_fields, "variant")
    _sync(session, study.tasks, spec.tasks, Task,
          lambda t, i: _task_fields(session, t, i), "task")
    _sync(session, study.questionnaires, spec.questionnaires, Questionnaire,
          _questionnaire_fields, "questionnaire")
    _sync(session, study.screener_questions, spec.screener, ScreenerQuestion,
          _screener_fields, "screener question")
    variants = {v.key: v for v in study.variants}
    _sync(session, study.quotas, spec.quotas, Quota,
          lambda q, i: _quota_fields(q, i, variants), "quota")
    session.flush()
    sync_seeded_problems(session, study, spec.problems)


def _sync(session, rows: list, specs: tuple, model, fields, kind: str) -> None:
    by_key = {row.key: row for row in rows}
    wanted = {item.key for item in specs}
    for row in [r for r in rows if r.key not in wanted]:
        if kind == "variant" and session.scalar(
            select(exists().where(Participant.variant_id == row.id))
        ):
            raise StudyStateError(
                f"variant {row.key!r} has participants assigned to it and cannot be removed"
            )
        rows.remove(row)
    for position, item in enumerate(specs):
        values = fields(item, position)
        row = by_key.get(item.key)
        if row is None:
            rows.append(model(**values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    rows.sort(key=lambda row: row.position)


def _variant_fields(v: VariantSpec, position: int) -> dict:
    return {"key": v.key, "name": v.name, "prototype": v.prototype, "weight": v.weight,
            "description": v.description, "position": position}


def _task_fields(session: Session, t: TaskSpec, position: int) -> dict:
    return {
        "key": t.key, "position": position, "title": t.title, "instructions": t.instructions,
        "start_page": t.start, "criterion": dict(t.success),
        "error_rules": [dict(rule) for rule in t.errors], "time_limit_s": t.time_limit,
        "optimal_path": list(t.optimal_path) if t.optimal_path else None,
        "optimal_clicks": t.optimal_clicks, "target_completion": t.benchmark_completion,
        "target_time_s": t.benchmark_time,
        "touchpoint": touchpoint_for(session, t.touchpoint) if t.touchpoint else None,
    }


def _questionnaire_fields(q: QuestionnaireSpec, position: int) -> dict:
    return {"key": q.key, "instrument": q.instrument, "timing": q.timing, "position": position,
            "options": dict(q.options)}


def _screener_fields(q: ScreenerQuestionSpec, position: int) -> dict:
    return {"key": q.key, "kind": q.kind, "text": q.text, "options": list(q.options),
            "rule": dict(q.rule), "position": position}


def _quota_fields(q: QuotaSpec, position: int, variants: dict[str, Variant]) -> dict:
    return {"key": q.key, "places": q.places, "position": position,
            "variant": variants[q.variant] if q.variant else None,
            "conditions": {k: dict(rule) for k, rule in q.where.items()}}


def touchpoint_for(session: Session, spec: TouchpointSpec) -> Touchpoint:
    """Return the touchpoint (journey, name), creating journey, stage and touchpoint on first use."""
    return ensure_touchpoint(session, spec.journey, spec.stage, spec.name)


def spec_from_study(study: Study) -> StudySpec:
    """Return the :class:`StudySpec` of a stored study (the inverse of :func:`apply_spec`)."""
    return StudySpec(
        slug=study.slug, title=study.title, description=study.description, design=study.design,
        welcome=study.welcome_text, consent=study.consent_text, thanks=study.thanks_text,
        completion_redirect=study.completion_redirect_url,
        open_recruitment=study.open_recruitment, panel_id_param=study.panel_id_param,
        benchmarks=dict(study.benchmarks or {}),
        variants=tuple(
            VariantSpec(key=v.key, name=v.name, prototype=v.prototype, weight=v.weight,
                        description=v.description)
            for v in study.variants
        ),
        tasks=tuple(
            TaskSpec(
                key=t.key, title=t.title, instructions=t.instructions, start=t.start_page,
                success=dict(t.criterion), errors=tuple(dict(r) for r in t.error_rules or ()),
                time_limit=t.time_limit_s,
                optimal_path=tuple(t.optimal_path) if t.optimal_path else None,
                optimal_clicks=t.optimal_clicks, benchmark_completion=t.target_completion,
                benchmark_time=t.target_time_s,
                touchpoint=TouchpointSpec(t.touchpoint.journey.name, t.touchpoint.name,
                                          t.touchpoint.stage.name) if t.touchpoint else None,
            )
            for t in study.tasks
        ),
        questionnaires=tuple(
            QuestionnaireSpec(q.key, q.instrument, q.timing, dict(q.options or {}))
            for q in study.questionnaires
        ),
        problems=seeded_problem_specs(study),
        screen_out=study.screen_out_text or "", full=study.full_text or "",
        place_hold_minutes=study.place_hold_minutes, panel=dict(study.panel or {}),
        screener=tuple(
            ScreenerQuestionSpec(q.key, q.kind, q.text, tuple(q.options or ()), dict(q.rule or {}))
            for q in study.screener_questions
        ),
        quotas=tuple(
            QuotaSpec(q.key, q.places, q.variant.key if q.variant else None,
                      {k: dict(rule) for k, rule in (q.conditions or {}).items()})
            for q in study.quotas
        ),
        languages=tuple(study.languages or ("en",)),
        translations=dict(study.translations or {}),
    )


def check_startable(study: Study, studies_dir: str | Path | None = None) -> None:
    """Raise :class:`StudyStateError` unless ``study`` has what a participant needs.

    With ``studies_dir``, its local prototypes must also have every page its tasks start on
    and succeed on (:mod:`uxlab.studies.runnable`); the message names each variant, task and page.
    """
    if not study.variants:
        raise StudyStateError("add at least one variant before starting the study")
    if not study.tasks:
        raise StudyStateError("add at least one task before starting the study")
    if study.design == "within" and len(study.variants) < 2:
        raise StudyStateError("a within-subjects study needs at least two variants")
    if studies_dir is not None:
        problems = prototype_problems(spec_from_study(study), studies_dir)
        if problems:
            raise StudyStateError("; ".join(problem.message for problem in problems))


def ensure_recruitment_token(study: Study) -> None:
    """Give a study with open recruitment its public link token (kept once made)."""
    if study.open_recruitment and not study.recruitment_token:
        study.recruitment_token = secrets.token_urlsafe(16)


def start_study(study: Study, studies_dir: str | Path | None = None) -> None:
    """Open ``study`` to participants (from draft, or reopen a closed one).

    Give ``studies_dir`` (the folder local prototypes are served from) wherever participants
    will be sent: a study whose prototypes lack a page it needs does not start.
    """
    if study.status == "running":
        raise StudyStateError("the study is already running")
    check_startable(study, studies_dir)
    ensure_recruitment_token(study)
    study.status = "running"
    study.started_at = study.started_at or utcnow()
    study.closed_at = None


def close_study(study: Study) -> None:
    """Stop accepting participants; data already recorded is kept."""
    if study.status != "running":
        raise StudyStateError("only a running study can be closed")
    study.status = "closed"
    study.closed_at = utcnow()
