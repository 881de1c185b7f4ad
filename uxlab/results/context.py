"""The report context of a results page: its names, exclusions, filters and problems.

:class:`uxlab.reports.ReportContext` holds what a report (and its charts) needs beyond the
analysis document; this builds one from a :class:`~uxlab.results.page.ResultsPage`, so the page's
charts and an exported report of the same filters say the same thing.
"""

from __future__ import annotations

from dataclasses import asdict

from uxlab.reports.context import Exclusion, NoteRecord, ProblemRecord, ReportContext, StudyInfo
from uxlab.reports.context import Filters as ReportFilters
from uxlab.results.page import ResultsPage


def report_context(page: ResultsPage) -> ReportContext:
    """Return the :class:`ReportContext` of ``page``, with its paths and clicks."""
    study, overview, filters = page.study, page.overview, page.filters
    listing = page.problems
    problems = tuple(
        ProblemRecord(title=p.title, severity=p.severity,
                      task=p.task_keys[0] if p.task_keys else None, participants=p.met,
                      observed=p.observed or None)
        for p in listing.problems)
    matrix = listing.discovery_matrix() if listing.observed and listing.problems else None
    return ReportContext(
        study=StudyInfo(slug=study.slug, title=study.title, description=study.description,
                        design=study.design, version=study.version, status=study.status,
                        first_session=overview.first_session,
                        last_session=overview.last_session),
        variant_names=page.variant_names,
        task_titles=page.task_titles,
        excluded=tuple(Exclusion(participant=e.code, reason=e.reason, variant=e.variant)
                       for e in overview.excluded),
        filters=ReportFilters(
            variant=", ".join(filters.variants) or None, date_from=filters.started_from,
            date_to=filters.started_before, mode=", ".join(filters.modes) or None,
            exclusion_rules=tuple(filters.describe()), description=tuple(filters.describe())),
        problems=problems,
        discovery_matrix=matrix,
        clicks=page.navigation.clicks,
        paths=page.navigation.paths,
        first_attempt=overview.first_attempt,
        last_attempt=overview.last_attempt,
        synthetic=overview.synthetic,
        grid_participants=tuple(p.code for p in listing.grid.participants) if matrix else (),
        grid_problems=tuple(p.title for p in listing.problems) if matrix else (),
        notes=tuple(NoteRecord(**asdict(row)) for row in page.note_rows),
        moderator_outcomes=asdict(page.moderator_outcomes),
    )
