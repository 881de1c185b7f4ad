"""The tidy attempts and survey rows of one study, built from the database.

This is the web side of the hinge between recording and analysis: it turns a study's attempts and
questionnaire answers into exactly the rows ``uxlab analyze`` reads from the tidy CSV files
(docs/analysis-json.md, ../shared/DESIGN.md), so :func:`uxlab.analysis.service.analyze` runs on
them unchanged and an exported CSV reproduces the same analysis.

Rows are plain ``dict`` objects keyed by the CSV columns, with Python values and ``None`` for a
missing value. Each table is read with a few set-based queries (joins, never a query per attempt)
and streamed (``yield_per``), so the exports can write a large study without holding it in
memory. Excluded participants (see :mod:`uxlab.analysis.exclusions`) are left out unless asked;
synthetic participants are kept and their codes are listed in :attr:`Dataset.synthetic`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

# The exclusion helpers belong to the dataset's API: they decide who the rows leave out.
from uxlab.analysis.exclusions import (  # noqa: F401
    SpeederRule,
    exclude_participant,
    exclude_participants,
    include_participant,
)
from uxlab.analysis.screener_columns import screener_answers, screener_columns
from uxlab.analysis.segment_filter import SegmentFilter, segment_conditions
from uxlab.analysis.tidy import ATTEMPT_COLUMNS, NAVIGATION_COLUMNS, SUS_ITEMS, UMUX_ITEMS
from uxlab.models import (
    Attempt,
    Participant,
    Questionnaire,
    QuestionnaireResponse,
    Study,
    Task,
    TestSession,
    Variant,
)
from uxlab.models.participants import SESSION_MODES

#: Survey columns every export has (the DESIGN.md contract); csat and ces follow when asked.
SURVEY_BASE_COLUMNS = ("participant", "variant", *SUS_ITEMS, *UMUX_ITEMS, "nps")
OPTIONAL_SURVEY_INSTRUMENTS = ("csat", "ces")
#: Column of each (instrument, item) answer in the survey table.
_SURVEY_CELLS = {
    **{("sus", i): f"sus_{i}" for i in range(1, 11)},
    ("umux_lite", 1): "umux_1", ("umux_lite", 2): "umux_2",
    ("nps", 1): "nps", ("csat", 1): "csat", ("ces", 1): "ces",
}
#: Rows fetched from the database per round trip while streaming.
BATCH_ROWS = 2000


@dataclass(frozen=True)
class Filters:
    """Which attempts (and survey answers) a dataset holds.

    ``variants`` and ``modes`` restrict to those variant keys and session modes (empty: all);
    ``started_from`` / ``started_before`` bound the attempts' start time (aware datetimes; the
    first inclusive, the second exclusive). ``segments`` keep the participants whose screener
    answers match (:mod:`uxlab.analysis.segment_filter`: alternatives on one question, all
    questions together). Survey answers follow the attempts: a participant's
    answers about a variant are kept when at least one of their attempts in that variant is.
    """

    variants: tuple[str, ...] = ()
    started_from: datetime | None = None
    started_before: datetime | None = None
    modes: tuple[str, ...] = ()
    include_excluded: bool = False
    include_synthetic: bool = True
    segments: tuple[SegmentFilter, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "variants", tuple(self.variants))
        object.__setattr__(self, "modes", tuple(self.modes))
        object.__setattr__(self, "segments", tuple(self.segments))
        for mode in self.modes:
            if mode not in SESSION_MODES:
                raise ValueError(f"unknown session mode {mode!r}; expected one of "
                                 f"{', '.join(SESSION_MODES)}")
        for name in ("started_from", "started_before"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")
        if (self.started_from is not None and self.started_before is not None
                and self.started_before <= self.started_from):
            # Named as the researcher gives them: --since / --before, ?since= / ?before=.
            raise ValueError(f"before ({self.started_before.isoformat()}) must be after "
                             f"since ({self.started_from.isoformat()})")

    def check(self, study: Study) -> None:
        """Raise ValueError naming a variant key, or a segment's screener question or answer,
        that ``study`` does not have."""
        known = {v.key for v in study.variants}
        unknown = [key for key in self.variants if key not in known]
        if unknown:
            raise ValueError(f"study {study.slug!r} has no variant {', '.join(map(repr, unknown))}"
                             f"; its variants are {', '.join(sorted(known))}")
        for segment in self.segments:
            segment.check(study)

    def describe(self) -> list[str]:
        """Plain-language lines saying what the filters keep (for reports and methods)."""
        lines = []
        if self.variants:
            lines.append(f"variants {', '.join(self.variants)} only")
        lines += [segment.describe() for segment in self.segments]
        if self.modes:
            lines.append(f"{', '.join(m.replace('_', ' ') for m in self.modes)} sessions only")
        if self.started_from is not None:
            lines.append(f"attempts started from {self.started_from.isoformat()}")
        if self.started_before is not None:
            lines.append(f"attempts started before {self.started_before.isoformat()}")
        lines.append("excluded participants kept" if self.include_excluded
                     else "excluded participants left out")
        if not self.include_synthetic:
            lines.append("synthetic participants left out")
        return lines


@dataclass(frozen=True)
class ExcludedParticipant:
    """A participant left out of the analysis, and why."""

    code: str
    variant: str | None
    excluded_at: datetime
    reason: str
    synthetic: bool


@dataclass(frozen=True)
class Dataset:
    """The tidy rows of one study under some filters, with who was left out and who is synthetic.

    ``attempts`` rows have the keys :func:`attempt_columns` (the tidy ones, the navigation ones,
    a ``screener_<key>`` per screener question); ``survey`` rows
    the keys ``survey_columns``. ``excluded`` lists every excluded participant of the study (left
    out of the rows unless the filters include them); ``synthetic`` holds the codes of synthetic
    participants present in the rows.
    """

    design: str
    attempts: list[dict]
    survey: list[dict]
    survey_columns: tuple[str, ...]
    excluded: list[ExcludedParticipant]
    synthetic: frozenset[str]
    filters: Filters = field(default_factory=Filters)

    @property
    def survey_or_none(self) -> list[dict] | None:
        """The survey rows, or None when there are none (what ``analyze`` expects)."""
        return self.survey or None


def build_dataset(session: Session, study: Study, filters: Filters | None = None) -> Dataset:
    """Return the attempts and survey rows of ``study`` (held in memory) with their context.

    For exports, iterate :func:`attempt_rows` and :func:`survey_rows` instead: they stream.
    """
    filters = filters or Filters()
    attempts = list(attempt_rows(session, study, filters))
    survey = list(survey_rows(session, study, filters))
    present = {row["participant"] for row in attempts} | {row["participant"] for row in survey}
    return Dataset(
        design=study.design, attempts=attempts, survey=survey,
        survey_columns=survey_columns(study), excluded=excluded_participants(session, study),
        synthetic=_synthetic_codes(session, study) & present, filters=filters)


def analyze_dataset(dataset: Dataset, **options) -> dict:
    """Run :func:`uxlab.analysis.service.analyze` on a dataset with the study's design.

    ``options`` are passed on (``confidence``, ``times``, ``weights``, ``benchmarks``,
    ``adjust``). Raises :class:`uxlab.analysis.tidy.TidyDataError` when there are no attempts.
    """
    from uxlab.analysis.service import analyze

    return analyze(dataset.attempts, dataset.survey_or_none, design=dataset.design, **options)


# --- attempts ------------------------------------------------------------------------------------


def attempt_rows(session: Session, study: Study, filters: Filters | None = None
                 ) -> Iterator[dict]:
    """Yield the tidy attempt rows of ``study``, streamed from one query.

    Rows come in the study's task order, then variant order, then participant, so the analysis
    lists tasks as the study does. ``success`` is 1 for the outcome ``success``, 0 for any other
    outcome (``partial`` counts as 0) and None while an attempt has no outcome; ``time_s`` is the
    server-measured time on task in seconds (None when missing or zero); ``seq`` is the attempt's
    post-task SEQ answer. The navigation columns follow (:func:`navigation_cells`), then the
    participant's screener answers, one ``screener_<key>`` column per screener question
    (:mod:`uxlab.analysis.screener_columns`).
    """
    filters = filters or Filters()
    filters.check(study)
    columns = attempt_columns(study)
    answers = screener_answers(session, study)
    unanswered = (None,) * (len(columns) - len(ATTEMPT_COLUMNS + NAVIGATION_COLUMNS))
    seq = aliased(QuestionnaireResponse)
    statement = (
        select(Participant.id, Participant.code, Variant.key, Task.key, Attempt.outcome, Attempt.time_on_task_ms,
               Attempt.errors, Attempt.clicks, seq.value, Task.optimal_path, Attempt.direct,
               Attempt.first_click_correct, Attempt.lostness)
        .select_from(Attempt)
        .join(TestSession, TestSession.id == Attempt.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .join(Task, Task.id == Attempt.task_id)
        .join(Variant, Variant.id == Attempt.variant_id)
        .outerjoin(seq, and_(seq.attempt_id == Attempt.id, seq.instrument == "seq",
                             seq.item == 1))
        .where(Participant.study_id == study.id, Task.study_id == study.id,
               *participant_filter_conditions(filters), *_attempt_conditions(filters))
        .order_by(Task.position, Task.id, Variant.position, Variant.id, Participant.id,
                  Attempt.id)
    )
    for (participant_id, code, variant, task, outcome, time_ms, errors, clicks, seq_value,
         *navigation) in _stream(session, statement):
        yield dict(zip(columns, (
            code, variant, task, outcome,
            None if outcome is None else int(outcome == "success"),
            time_ms / 1000 if time_ms else None,
            errors, clicks,
            None if seq_value is None else int(seq_value),
            *navigation_cells(outcome, *navigation),
            *answers.get(participant_id, unanswered),
        ), strict=True))


def attempt_columns(study: Study) -> tuple[str, ...]:
    """The attempts table's columns: the tidy ones, the navigation ones, the screener ones."""
    return ATTEMPT_COLUMNS + NAVIGATION_COLUMNS + screener_columns(study)


def navigation_cells(outcome: str | None, optimal_path: list | None, direct: bool | None,
                     first_click: bool | None, lostness: float | None) -> tuple:
    """The ``direct, first_click, lostness`` cells of an attempt.

    ``direct`` is a rate over every attempt with an outcome at a task with an optimal path: the
    recording sets it only on successes (:mod:`uxlab.recording.metrics`), so any other outcome
    there is 0. ``first_click`` is 1/0 where recorded; ``lostness`` as recorded.
    """
    if direct is None and optimal_path and outcome is not None and outcome != "success":
        direct = False
    return (None if direct is None else int(direct),
            None if first_click is None else int(first_click), lostness)


def attempt_filter_conditions(filters: Filters) -> list:
    """SQL conditions that keep the attempts ``filters`` keep (on Attempt, Variant, TestSession
    and Participant, which the caller joins), for queries beside the tidy rows (paths, clicks)."""
    return [*participant_filter_conditions(filters), *_attempt_conditions(filters)]


def attempt_span(session: Session, study: Study, filters: Filters | None = None
                 ) -> tuple[datetime | None, datetime | None]:
    """When the first and the last attempt of the rows started (None, None without attempts).

    The same attempts as :func:`attempt_rows` under ``filters``: what a report calls the dates
    of its data.
    """
    filters = filters or Filters()
    filters.check(study)
    statement = (
        select(func.min(Attempt.started_at), func.max(Attempt.started_at))
        .select_from(Attempt)
        .join(TestSession, TestSession.id == Attempt.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .join(Task, Task.id == Attempt.task_id)
        .join(Variant, Variant.id == Attempt.variant_id)
        .where(Participant.study_id == study.id, Task.study_id == study.id,
               *participant_filter_conditions(filters), *_attempt_conditions(filters))
    )
    first, last = session.execute(statement).one()
    return first, last


def participant_filter_conditions(filters: Filters) -> list:
    """SQL conditions on Participant alone that ``filters`` imply (exclusions, synthetic
    participants, screener segments)."""
    conditions = segment_conditions(filters.segments)
    if not filters.include_excluded:
        conditions.append(Participant.excluded_at.is_(None))
    if not filters.include_synthetic:
        conditions.append(Participant.synthetic.is_(False))
    return conditions


def _attempt_conditions(filters: Filters, attempt=Attempt, variant=Variant,
                        test_session=TestSession) -> list:
    conditions = []
    if filters.variants:
        conditions.append(variant.key.in_(filters.variants))
    if filters.started_from is not None:
        conditions.append(attempt.started_at >= filters.started_from)
    if filters.started_before is not None:
        conditions.append(attempt.started_at < filters.started_before)
    if filters.modes:
        conditions.append(test_session.mode.in_(filters.modes))
    return conditions


# --- survey --------------------------------------------------------------------------------------


def survey_columns(study: Study) -> tuple[str, ...]:
    """The survey table's columns: the DESIGN.md ones, csat / ces if the study asks them, then
    one ``screener_<key>`` per screener question."""
    asked = {q.instrument for q in study.questionnaires if q.timing == "post_study"}
    return (SURVEY_BASE_COLUMNS + tuple(i for i in OPTIONAL_SURVEY_INSTRUMENTS if i in asked)
            + screener_columns(study))


def survey_rows(session: Session, study: Study, filters: Filters | None = None
                ) -> Iterator[dict]:
    """Yield one survey row per participant and variant with post-study answers, streamed.

    Within subjects a participant answers the post-study questionnaires once per variant (scope
    ``variant:<id>``) and has a row per variant; between subjects the answers belong to the
    participant's variant. Items not answered (or not asked) are None.
    """
    filters = filters or Filters()
    filters.check(study)
    columns = survey_columns(study)
    answers = screener_answers(session, study)
    screener = screener_columns(study)
    instruments = ("sus", "umux_lite", "nps", *(c for c in columns
                                                 if c in OPTIONAL_SURVEY_INSTRUMENTS))
    answered_variant = func.coalesce(QuestionnaireResponse.variant_id, Participant.variant_id)
    statement = (
        select(Participant.id, Participant.code, Variant.key, QuestionnaireResponse.instrument,
               QuestionnaireResponse.item, QuestionnaireResponse.value)
        .select_from(QuestionnaireResponse)
        .join(Questionnaire, Questionnaire.id == QuestionnaireResponse.questionnaire_id)
        .join(TestSession, TestSession.id == QuestionnaireResponse.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .join(Variant, Variant.id == answered_variant)
        .where(Participant.study_id == study.id, Questionnaire.study_id == study.id,
               Questionnaire.timing == "post_study", QuestionnaireResponse.attempt_id.is_(None),
               QuestionnaireResponse.instrument.in_(instruments),
               *participant_filter_conditions(filters),
               _has_kept_attempt(filters, Participant.id, Variant.id))
        .order_by(Participant.id, Variant.position, Variant.id, QuestionnaireResponse.id)
    )
    row, current = None, None
    for participant_id, code, variant, instrument, item, value in _stream(session, statement):
        if (participant_id, variant) != current:
            if row is not None:
                yield row
            current = (participant_id, variant)
            row = dict.fromkeys(columns)
            row.update(participant=code, variant=variant)
            row.update(zip(screener, answers.get(participant_id, ()), strict=False))
        column = _SURVEY_CELLS.get((instrument, item))
        if column in row and value is not None:
            row[column] = int(value)
    if row is not None:
        yield row


def _has_kept_attempt(filters: Filters, participant_id, variant_id):
    """EXISTS: the participant has an attempt in the variant that the filters keep."""
    attempt, test_session, variant = aliased(Attempt), aliased(TestSession), aliased(Variant)
    return exists(
        select(attempt.id)
        .join(test_session, test_session.id == attempt.session_id)
        .join(variant, variant.id == attempt.variant_id)
        # "+ 0" keeps SQLite's planner off the index on attempts.variant_id, which would make it
        # scan every attempt of the variant for each answer (quadratic in the study's size);
        # it then goes participant → sessions → attempts by the unique (session, task, variant).
        .where(test_session.participant_id == participant_id,
               attempt.variant_id + 0 == variant_id,
               *_attempt_conditions(filters, attempt, variant, test_session))
    )


# --- participants --------------------------------------------------------------------------------


def excluded_participants(session: Session, study: Study) -> list[ExcludedParticipant]:
    """Every excluded participant of ``study`` with the reason, in order of exclusion."""
    rows = session.execute(
        select(Participant.code, Variant.key, Participant.excluded_at,
               Participant.exclusion_reason, Participant.synthetic)
        .outerjoin(Variant, Variant.id == Participant.variant_id)
        .where(Participant.study_id == study.id, Participant.excluded_at.is_not(None))
        .order_by(Participant.excluded_at, Participant.id)
    )
    return [ExcludedParticipant(code, variant, at, reason or "", synthetic)
            for code, variant, at, reason, synthetic in rows]


def _synthetic_codes(session: Session, study: Study) -> frozenset[str]:
    return frozenset(session.scalars(
        select(Participant.code).where(Participant.study_id == study.id,
                                       Participant.synthetic.is_(True))))


def _stream(session: Session, statement) -> Iterator[Sequence]:
    """Execute ``statement`` fetching :data:`BATCH_ROWS` rows at a time (server-side cursor)."""
    result = session.execute(statement.execution_options(yield_per=BATCH_ROWS))
    try:
        yield from result
    finally:
        result.close()
