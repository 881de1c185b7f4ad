"""What a report's title page states: the study, its version, the data's dates, who, filters, when.

One :class:`TitlePage` feeds the title page of the HTML and PDF reports (as facts) and the
``title_page`` object of the JSON report, so the three formats cannot disagree about which data a
file holds. No matplotlib here: the JSON report imports this without drawing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from uxlab.reports import formatting as fmt
from uxlab.reports.context import ReportContext, isoformat_or_none

#: What the title page says when the context does not know the filters (an analysis document).
FILTERS_UNKNOWN = "not recorded (the report was made from an analysis document)"


@dataclass(frozen=True)
class TitlePage:
    """The facts of a report's title page.

    ``filters`` are the filters in words (empty when unknown); ``first_attempt`` and
    ``last_attempt`` are when the first and the last analysed attempt started (None when
    unknown); ``participants`` counts participants per variant, in variant order; ``synthetic``
    how many of them are simulated.
    """

    title: str
    slug: str
    version: int | None
    status: str | None
    design: str
    participants: dict[str, int]
    tasks: int
    first_attempt: date | datetime | None
    last_attempt: date | datetime | None
    filters: tuple[str, ...]
    excluded: int
    synthetic: int
    confidence: float
    generated_at: datetime
    uxlab_version: str

    def to_dict(self) -> dict:
        """The title page as strict-JSON-ready data (dates as ISO 8601 strings)."""
        return {
            "study": self.title, "slug": self.slug or None, "version": self.version,
            "status": self.status, "design": self.design,
            "participants": dict(self.participants), "tasks": self.tasks,
            "first_attempt": isoformat_or_none(self.first_attempt),
            "last_attempt": isoformat_or_none(self.last_attempt),
            "filters": list(self.filters), "excluded": self.excluded,
            "synthetic": self.synthetic,
            "confidence": self.confidence, "generated_at": self.generated_at.isoformat(),
            "uxlab_version": self.uxlab_version or None,
        }

    def facts(self, context: ReportContext) -> tuple[tuple[str, str], ...]:
        """(label, text) pairs for the HTML and PDF title page, variants named by ``context``."""
        facts = []
        if self.slug:
            version = f", version {self.version}" if self.version is not None else ""
            status = f" ({self.status})" if self.status else ""
            facts.append(("Study", f"{self.slug}{version}{status}"))
        facts.append(("Design", f"{self.design}-subjects"))
        facts.append(("Participants", "; ".join(
            f"{context.variant_label(v)}: {n}" for v, n in self.participants.items())
            or fmt.MISSING))
        if self.synthetic:
            facts.append(("Synthetic participants", f"{self.synthetic} of those analysed are "
                                                    f"simulated, not people"))
        facts.append(("Tasks", str(self.tasks)))
        facts.append(("Data", _span(self.first_attempt, self.last_attempt)))
        facts.append(("Filters", "; ".join(self.filters) or FILTERS_UNKNOWN))
        if self.excluded:
            facts.append(("Excluded participants", str(self.excluded)))
        facts.append(("Confidence level", fmt.confidence_label(self.confidence)))
        facts.append(("Generated", f"{moment(self.generated_at)} by uxlab "
                                   f"{self.uxlab_version or 'unknown version'}"))
        return tuple(facts)


def title_page(analysis: dict, context: ReportContext) -> TitlePage:
    """The title page of the report of ``analysis`` under ``context``."""
    study = context.study
    return TitlePage(
        title=study.title, slug=study.slug, version=study.version, status=study.status,
        design=analysis["design"], participants=context.participant_counts(analysis),
        tasks=len(analysis.get("tasks", [])),
        first_attempt=context.first_attempt or study.first_session,
        last_attempt=context.last_attempt or study.last_session,
        filters=context.filters.description, excluded=len(context.excluded),
        synthetic=context.synthetic,
        confidence=analysis["confidence"], generated_at=context.generated_at,
        uxlab_version=context.versions.uxlab)


def day(value) -> str:
    """A date (or the date of a datetime) as ``YYYY-MM-DD``; an en dash for None."""
    if value is None:
        return fmt.MISSING
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def moment(value) -> str:
    """A UTC datetime as ``YYYY-MM-DD HH:MM UTC`` (other datetimes in ISO 8601, to the minute)."""
    if isinstance(value, datetime):
        offset = value.utcoffset()
        return (value.strftime("%Y-%m-%d %H:%M UTC") if offset is not None and not offset
                else value.isoformat(timespec="minutes"))
    return day(value)


def _span(first, last) -> str:
    if first is None and last is None:
        return "dates not recorded (the report was made from an analysis document)"
    return f"first attempt {moment(first)}, last attempt {moment(last)}"
