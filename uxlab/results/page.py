"""Everything the results page shows, built from the database under the page's filters.

One :class:`ResultsPage` holds the analysis document of the filtered tidy rows (the same
``analyze`` the CLI and the reports run, docs/analysis-json.md), and around it what the document
does not hold: names, the overview counts, exclusions, problems and the participants' table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from uxlab.analysis.dataset import (
    Dataset,
    ExcludedParticipant,
    Filters,
    analyze_dataset,
    attempt_span,
    build_dataset,
)
from uxlab.analysis.tidy import TidyDataError, natural_key
from uxlab.models import Study
from uxlab.observations.counts import (
    ModeratorOutcomes,
    NoteRow,
    listed_notes,
    moderator_outcomes,
    note_counts,
)
from uxlab.observations.problem_list import ProblemList, problem_list
from uxlab.results.navigation import Navigation, build_navigation
from uxlab.results.options import analysis_options
from uxlab.results.participants import ParticipantRow, participant_rows, started_and_completed


@dataclass(frozen=True)
class VariantOverview:
    """One variant on the overview: participants analysed, started and completed."""

    key: str
    name: str
    analysed: int
    started: int
    completed: int


@dataclass(frozen=True)
class Overview:
    """The results page's first section.

    ``variants`` lists every variant of the study (within subjects ``started`` and
    ``completed`` are study-wide, in ``started`` / ``completed``); ``srm`` is the analysis'
    sample-ratio check (None without an analysis); ``excluded`` every excluded participant of
    the study; ``synthetic`` how many analysed participants are synthetic; ``first_attempt`` and
    ``last_attempt`` when the first and the last analysed attempt started (the dates of the data).
    """

    variants: tuple[VariantOverview, ...]
    started: int
    completed: int
    first_session: datetime | None
    last_session: datetime | None
    srm: dict | None
    excluded: tuple[ExcludedParticipant, ...]
    synthetic: int
    first_attempt: datetime | None = None
    last_attempt: datetime | None = None


@dataclass(frozen=True)
class ResultsPage:
    """The data of one study's results page.

    ``analysis`` is None when the rows cannot be analysed (no attempts yet, or rows that do
    not fit the design); ``analysis_error`` then says why.
    """

    study: Study
    filters: Filters
    dataset: Dataset
    analysis: dict | None
    analysis_error: str | None
    overview: Overview
    participants: tuple[ParticipantRow, ...]
    problems: ProblemList
    notes: dict[str, int]
    note_rows: tuple[NoteRow, ...]
    moderator_outcomes: ModeratorOutcomes
    navigation: Navigation = field(default_factory=Navigation)

    @property
    def variant_names(self) -> dict[str, str]:
        return {v.key: v.name for v in self.study.variants}

    @property
    def undecided(self) -> dict[str, int]:
        """Attempts without an outcome per task: running, or waiting for a moderator's
        judgement. They are not in the completion rates, so the page says how many there are."""
        counts: dict[str, int] = {}
        for row in self.dataset.attempts:
            if row["outcome"] is None:
                counts[row["task"]] = counts.get(row["task"], 0) + 1
        return counts

    @property
    def task_titles(self) -> dict[str, str]:
        return {t.key: t.title for t in self.study.tasks}


def build_results(session: Session, study: Study, filters: Filters | None = None,
                  with_clicks: bool = True) -> ResultsPage:
    """Build the results page of ``study`` under ``filters`` (ValueError for a bad filter).

    ``with_clicks=False`` leaves the click events unread: a page that draws no click map (the
    results page itself) need not load them; a report needs them for its click maps.
    """
    filters = filters or Filters()
    dataset = build_dataset(session, study, filters)
    analysis, error = _analysis(dataset, study)
    participants = tuple(participant_rows(session, study, filters, dataset))
    listed = [p.id for p in participants]
    problems = problem_list(session, study, listed, (analysis or {}).get("confidence", 0.95))
    return ResultsPage(
        study=study, filters=filters, dataset=dataset, analysis=analysis, analysis_error=error,
        overview=_overview(study, dataset, analysis, participants,
                           attempt_span(session, study, filters)),
        participants=participants, problems=problems, notes=note_counts(session, listed),
        note_rows=tuple(listed_notes(session, listed)),
        moderator_outcomes=moderator_outcomes(session, listed),
        navigation=build_navigation(session, study, filters, with_clicks=with_clicks))


def _analysis(dataset: Dataset, study: Study) -> tuple[dict | None, str | None]:
    if not dataset.attempts:
        return None, "No attempts match these filters yet."
    variants = sorted({row["variant"] for row in dataset.attempts}
                      | {row["variant"] for row in dataset.survey}, key=natural_key)
    try:
        return analyze_dataset(dataset, **analysis_options(study, variants)), None
    except TidyDataError as exc:
        return None, f"The data cannot be analysed: {exc}"


def _overview(study: Study, dataset: Dataset, analysis: dict | None,
              participants: tuple[ParticipantRow, ...],
              span: tuple[datetime | None, datetime | None]) -> Overview:
    counts = started_and_completed(participants, study.design)
    analysed = {name: entry["participants"]
                for name, entry in (analysis or {}).get("variants", {}).items()}
    variants = tuple(
        VariantOverview(key=v.key, name=v.name, analysed=analysed.get(v.key, 0),
                        started=counts.get(v.key, (0, 0))[0],
                        completed=counts.get(v.key, (0, 0))[1])
        for v in study.variants)
    starts = [s.started_at for p in participants for s in p.sessions]
    return Overview(
        variants=variants, started=len(participants),
        completed=sum(p.completed for p in participants),
        first_session=min(starts, default=None), last_session=max(starts, default=None),
        srm=analysis["srm"] if analysis else None, excluded=tuple(dataset.excluded),
        synthetic=len(dataset.synthetic), first_attempt=span[0], last_attempt=span[1])
