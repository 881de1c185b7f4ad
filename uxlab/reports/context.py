"""What a report needs beyond the analysis document: the study, names, problems, clicks, versions.

The analysis document (docs/analysis-json.md) holds the numbers; a :class:`ReportContext` holds
the words and records around them. Every field has a default, so a report can be rendered from an
analysis document alone (e.g. the output of ``uxlab analyze --json``): names then fall back to the
keys, and sections without data (problems, clicks) say so.

The context is plain data: the service that reads the database builds one, the renderers in this
package only read it. Nested values may be given as plain dicts and lists (as from JSON); they are
converted to the frozen types below on construction.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from types import MappingProxyType

from uxlab.reports.paths import TaskPaths, as_task_paths


@dataclass(frozen=True)
class StudyInfo:
    """The study a report is about, as the researcher described it."""

    slug: str = ""
    title: str = "Usability study"
    description: str = ""
    design: str | None = None
    version: int | None = None
    status: str | None = None
    first_session: date | datetime | None = None
    last_session: date | datetime | None = None


@dataclass(frozen=True)
class Exclusion:
    """A participant left out of the analysis, and why (e.g. "speeder: 12 s in total")."""

    participant: str
    reason: str
    variant: str | None = None


@dataclass(frozen=True)
class Filters:
    """The filters applied to the data behind the analysis, each ``None`` when not applied.

    ``description`` says in words everything the data was filtered by (e.g. "variants A only",
    "excluded participants left out"), as the source of the data states it; empty when unknown,
    as for a report made from an analysis document alone.
    """

    variant: str | None = None
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    mode: str | None = None
    exclusion_rules: tuple[str, ...] = ()
    description: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "exclusion_rules", tuple(str(r) for r in self.exclusion_rules))
        object.__setattr__(self, "description", tuple(str(r) for r in self.description))


@dataclass(frozen=True)
class ProblemRecord:
    """A usability problem: severity 0 (none) … 4 (catastrophe), how many it affected.

    ``frequency`` is the share of observed participants who met the problem; ``observed`` is how
    many participants could have met it (derived as ``participants / frequency`` when omitted).
    """

    title: str
    severity: int = 2
    task: str | None = None
    participants: int = 0
    frequency: float | None = None
    observed: int | None = None

    def __post_init__(self):
        if not (isinstance(self.severity, int) and 0 <= self.severity <= 4):
            raise ValueError(f"problem severity must be an integer 0–4, got {self.severity!r} "
                             f"for {self.title!r}")
        if self.participants < 0:
            raise ValueError(f"problem participants must be ≥ 0, got {self.participants!r}")
        if self.frequency is not None and not 0 <= self.frequency <= 1:
            raise ValueError(f"problem frequency must be a share 0–1, got {self.frequency!r} "
                             f"for {self.title!r}")

    @property
    def observed_participants(self) -> int | None:
        """Participants who could have met the problem, when known or derivable."""
        if self.observed is not None:
            return self.observed
        if self.frequency:
            return max(self.participants, round(self.participants / self.frequency))
        return None


@dataclass(frozen=True)
class NoteRecord:
    """A note logged during a session: who it is about, when (ms into the session), what kind
    (note, quote, error, assist, problem), its text, severity and linked problem."""

    participant: str
    offset_ms: int
    kind: str
    text: str
    severity: int | None = None
    problem: str | None = None
    task: str | None = None


@dataclass(frozen=True)
class Click:
    """One click on a prototype page, in CSS pixels of the viewport it happened in.

    ``interactive`` is false for a misclick (a click on nothing clickable); ``first`` marks the
    participant's first click of the task.
    """

    page: str
    x: float
    y: float
    vw: float
    vh: float
    interactive: bool = True
    first: bool = False

    def __post_init__(self):
        if not (self.vw > 0 and self.vh > 0):
            raise ValueError(f"click viewport must be positive, got {self.vw!r} × {self.vh!r}")


@dataclass(frozen=True)
class NpsCounts:
    """Promoters (9–10), passives (7–8) and detractors (0–6) of one variant."""

    promoters: int
    passives: int
    detractors: int


@dataclass(frozen=True)
class Versions:
    """Software versions that produced the numbers, for the methods appendix."""

    uxlab: str = ""
    scipy: str = ""
    numpy: str = ""
    python: str = ""
    matplotlib: str = ""

    @classmethod
    def current(cls) -> Versions:
        """The versions running now.

        matplotlib's is read from its installed metadata, not by importing it: a report's text
        is assembled where matplotlib need not be loaded (the charts may be drawn elsewhere).
        """
        from importlib.metadata import version

        import numpy
        import scipy

        import uxlab

        return cls(uxlab=uxlab.__version__, scipy=scipy.__version__, numpy=numpy.__version__,
                   python=platform.python_version(), matplotlib=version("matplotlib"))


def _frozen_mapping(values) -> Mapping:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class CxTouchpoint:
    """The CX side of one touchpoint a task of the study maps to (from ``uxlab.cx``)."""

    touchpoint: str  # "Journey › Stage › Touchpoint"
    task: str
    figures: tuple[str, ...]  # e.g. "NPS 24 (CI 11 to 36, n 180) — misses target 30"


@dataclass(frozen=True)
class ReportContext:
    """Everything a report shows that the analysis document does not hold.

    Attributes
    ----------
    study : StudyInfo
    variant_names : mapping variant key → display name
    task_titles : mapping task key → title, in study order
    participants : mapping variant key → participants analysed (the document's counts otherwise)
    excluded : tuple of Exclusion
    filters : Filters
    problems : tuple of ProblemRecord
    discovery_matrix : tuple of tuples of 0/1, or None
        Participants × problems, 1 where the participant met the problem.
    grid_participants, grid_problems : tuple of str
        Labels of the discovery matrix's rows (participant codes) and columns (problem titles);
        with them the report shows the problems × participants grid.
    notes : tuple of NoteRecord
        Notes, quotes, errors, assists and problems logged during the sessions.
    moderator_outcomes : mapping
        ``decided`` (attempts decided by a moderator), ``assisted``, ``undecided``.
    clicks : mapping (task key, variant key) → tuple of Click
    nps_counts : mapping variant key → NpsCounts
        Only needed when the analysis document lacks the counts.
    paths : tuple of TaskPaths
        Each task's most common page paths per variant.
    versions : Versions
    generated_at : datetime
    first_attempt, last_attempt : datetime or None
        When the first and the last analysed attempt started: the dates of the data (None when
        unknown, e.g. for an analysis document made from a spreadsheet).
    synthetic : int
        How many of the analysed participants are synthetic (simulated, not people).
    """

    study: StudyInfo = field(default_factory=StudyInfo)
    variant_names: Mapping[str, str] = field(default_factory=dict)
    task_titles: Mapping[str, str] = field(default_factory=dict)
    participants: Mapping[str, int] = field(default_factory=dict)
    excluded: tuple[Exclusion, ...] = ()
    filters: Filters = field(default_factory=Filters)
    problems: tuple[ProblemRecord, ...] = ()
    discovery_matrix: tuple[tuple[int, ...], ...] | None = None
    grid_participants: tuple[str, ...] = ()
    grid_problems: tuple[str, ...] = ()
    notes: tuple[NoteRecord, ...] = ()
    moderator_outcomes: Mapping[str, int] = field(default_factory=dict)
    clicks: Mapping[tuple[str, str], tuple[Click, ...]] = field(default_factory=dict)
    nps_counts: Mapping[str, NpsCounts] = field(default_factory=dict)
    paths: tuple[TaskPaths, ...] = ()
    versions: Versions = field(default_factory=Versions.current)
    # Not uxlab.timeutil.utcnow: that module brings SQLAlchemy, which rendering must not import.
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    first_attempt: date | datetime | None = None
    last_attempt: date | datetime | None = None
    synthetic: int = 0
    cx_touchpoints: tuple[CxTouchpoint, ...] = ()

    def __post_init__(self):
        convert = object.__setattr__
        convert(self, "study", _as(StudyInfo, self.study))
        convert(self, "filters", _as(Filters, self.filters))
        convert(self, "versions", _as(Versions, self.versions))
        convert(self, "variant_names",
                _frozen_mapping((str(k), str(v)) for k, v in dict(self.variant_names).items()))
        convert(self, "task_titles",
                _frozen_mapping((str(k), str(v)) for k, v in dict(self.task_titles).items()))
        convert(self, "participants", _frozen_mapping(self.participants))
        convert(self, "excluded", tuple(_as(Exclusion, e) for e in self.excluded))
        convert(self, "problems", tuple(_as(ProblemRecord, p) for p in self.problems))
        convert(self, "notes", tuple(_as(NoteRecord, n) for n in self.notes))
        convert(self, "cx_touchpoints", tuple(_as(CxTouchpoint, c) for c in self.cx_touchpoints))
        convert(self, "grid_participants", tuple(str(c) for c in self.grid_participants))
        convert(self, "grid_problems", tuple(str(t) for t in self.grid_problems))
        convert(self, "moderator_outcomes", _frozen_mapping(self.moderator_outcomes))
        convert(self, "nps_counts", _frozen_mapping(
            (k, _as(NpsCounts, v)) for k, v in dict(self.nps_counts).items()))
        convert(self, "clicks", _frozen_mapping(
            (tuple(key), tuple(_as(Click, c) for c in values))
            for key, values in _click_items(self.clicks)))
        convert(self, "paths", tuple(as_task_paths(p) for p in self.paths))
        if self.discovery_matrix is not None:
            matrix = tuple(tuple(int(cell) for cell in row) for row in self.discovery_matrix)
            if any(cell not in (0, 1) for row in matrix for cell in row):
                raise ValueError("discovery_matrix must hold only 0 and 1")
            convert(self, "discovery_matrix", matrix or None)

    def variant_name(self, key: str) -> str:
        """The display name of a variant (its key when no name was given)."""
        return self.variant_names.get(key, key)

    def variant_label(self, key: str) -> str:
        """``"B · New checkout"`` when the name differs from the key, else the key."""
        name = self.variant_names.get(key)
        return key if not name or name == key else f"{key} · {name}"

    def task_title(self, key: str) -> str:
        """The title of a task (its key when no title was given)."""
        return self.task_titles.get(key, key)

    def task_order(self, analysis: dict) -> list[str]:
        """Task keys of the analysis, in study order where titles give one."""
        keys = [task["task"] for task in analysis.get("tasks", [])]
        position = {key: i for i, key in enumerate(self.task_titles)}
        return sorted(keys, key=lambda k: (position.get(k, len(position)), keys.index(k)))

    def participant_counts(self, analysis: dict) -> dict[str, int]:
        """Participants per variant: the context's counts, else the document's."""
        document = {name: v.get("participants", 0)
                    for name, v in analysis.get("variants", {}).items()}
        return {name: self.participants.get(name, count) for name, count in document.items()}

    def clicks_for(self, task: str, variant: str) -> tuple[Click, ...]:
        return self.clicks.get((task, variant), ())

    def paths_for(self, task: str) -> list[TaskPaths]:
        """The paths of ``task``, one entry per variant that has any."""
        return [entry for entry in self.paths if entry.task == task]

    def __reduce__(self):
        # For pickling (``uxlab report`` sends the context to its chart process): the mapping
        # proxies cannot be pickled, so the fields travel as plain values and are frozen again.
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return _context_from_fields, ({name: dict(value) if isinstance(value, MappingProxyType)
                                       else value for name, value in values.items()},)

    def to_dict(self) -> dict:
        """The context as strict-JSON-ready data (dates as ISO 8601 strings)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["study"] = _iso(asdict(self.study))
        data["filters"] = _iso(asdict(self.filters))
        data["filters"]["exclusion_rules"] = list(self.filters.exclusion_rules)
        data["filters"]["description"] = list(self.filters.description)
        data["versions"] = asdict(self.versions)
        data["variant_names"] = dict(self.variant_names)
        data["task_titles"] = dict(self.task_titles)
        data["participants"] = dict(self.participants)
        data["excluded"] = [asdict(e) for e in self.excluded]
        data["problems"] = [asdict(p) for p in self.problems]
        data["discovery_matrix"] = ([list(row) for row in self.discovery_matrix]
                                    if self.discovery_matrix else None)
        data["grid_participants"] = list(self.grid_participants)
        data["grid_problems"] = list(self.grid_problems)
        data["notes"] = [asdict(n) for n in self.notes]
        data["moderator_outcomes"] = dict(self.moderator_outcomes)
        data["clicks"] = [{"task": task, "variant": variant, "clicks": [asdict(c) for c in cs]}
                          for (task, variant), cs in self.clicks.items()]
        data["nps_counts"] = {k: asdict(v) for k, v in self.nps_counts.items()}
        data["paths"] = [asdict(p) for p in self.paths]
        data["cx_touchpoints"] = [asdict(c) for c in self.cx_touchpoints]
        data["generated_at"] = self.generated_at.isoformat()
        data["first_attempt"] = isoformat_or_none(self.first_attempt)
        data["last_attempt"] = isoformat_or_none(self.last_attempt)
        return data


def _context_from_fields(values: dict) -> ReportContext:
    return ReportContext(**values)


def _as(kind, value):
    if isinstance(value, kind):
        return value
    if isinstance(value, Mapping):
        return kind(**value)
    raise ValueError(f"expected a {kind.__name__} or a mapping of its fields, got {value!r}")


def _click_items(clicks) -> list[tuple[tuple[str, str], Sequence]]:
    """Accept ``{(task, variant): [...]}`` or the list form written by ``to_dict``."""
    if isinstance(clicks, Mapping):
        items = list(clicks.items())
    else:
        items = [((entry["task"], entry["variant"]), entry["clicks"]) for entry in clicks]
    for key, _ in items:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"clicks must be keyed by (task, variant), got {key!r}")
    return items


def _iso(data: dict) -> dict:
    return {k: isoformat_or_none(v) for k, v in data.items()}


def isoformat_or_none(value):
    """A date or datetime as ISO 8601 text; anything else (None, text) as it is."""
    return value.isoformat() if isinstance(value, date | datetime) else value
