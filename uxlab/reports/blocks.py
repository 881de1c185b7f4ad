"""The content model of a report: sections of blocks that the HTML and the PDF lay out alike.

What a report says is decided once (:mod:`uxlab.reports.content`); the HTML template and the PDF
builder only decide how it looks, so the two formats carry the same words, numbers and charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from uxlab.reports.findings import Finding

if TYPE_CHECKING:  # the HTML report is assembled without matplotlib (see chart_set)
    from uxlab.reports.chart_set import SvgChart
    from uxlab.reports.charts_common import Chart


@dataclass(frozen=True)
class Paragraph:
    """Running text. ``kind``: ``body``, ``lead`` (larger), ``note`` (small, muted), ``warning``."""

    text: str
    kind: str = "body"


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section (HTML h3/h4)."""

    text: str
    level: int = 3


@dataclass(frozen=True)
class Facts:
    """Label–value pairs (a definition list in HTML, a two-column table in the PDF)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Items:
    """A bulleted list of sentences, each optionally led by a bold label."""

    items: tuple[tuple[str, str], ...]  # (label, text); label may be ""


@dataclass(frozen=True)
class Table:
    """A data table: the first cell of each row is that row's header.

    ``numeric`` marks right-aligned columns; ``widths`` are relative column widths for the PDF.
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    widths: tuple[float, ...] = ()
    note: str = ""

    def __post_init__(self):
        if any(len(row) != len(self.header) for row in self.rows):
            raise ValueError(f"table {self.caption!r}: every row needs {len(self.header)} cells")
        if not self.numeric:
            object.__setattr__(self, "numeric", (False,) * len(self.header))


@dataclass(frozen=True)
class FindingList:
    """The ranked key findings, with a sentence on those left out of the summary."""

    findings: tuple[Finding, ...]
    left_out: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart with its caption (the chart's title) and text alternative: a drawn
    :class:`Chart` (the PDF) or one rendered as :class:`SvgChart` (the HTML)."""

    chart: Chart | SvgChart


Block = Paragraph | Heading | Facts | Items | Table | FindingList | Figure


@dataclass(frozen=True)
class Section:
    """A major section: starts a new page in print and in the PDF."""

    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    kind: str = "section"  # "title" for the title page


@dataclass(frozen=True)
class Report:
    """A whole report: its title, subtitle and sections in order."""

    title: str
    subtitle: str
    sections: tuple[Section, ...] = field(default_factory=tuple)
    language: str = "en"

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)
