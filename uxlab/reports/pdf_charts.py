"""Charts in the PDF report as vector graphics: matplotlib's PDF pages merged into reportlab's.

reportlab cannot read a PDF, and a chart drawn as pixels loses its text (it cannot be selected,
searched or read aloud) and blurs when zoomed. So the report is laid out with a placeholder of
each chart's size; the placeholder records where reportlab put it, and afterwards each chart,
rendered by matplotlib's PDF back end (fonts embedded as TrueType, text kept as text), is merged
onto its page at that spot with pypdf.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject
from reportlab.platypus import Flowable

from uxlab.reports import style
from uxlab.reports.charts_common import Chart


@dataclass(frozen=True)
class Placement:
    """Where a chart was laid out: page (1-based), lower-left corner and size in points."""

    chart: Chart
    page: int
    x: float
    y: float
    width: float
    height: float


class ChartPlaceholder(Flowable):
    """Reserves a chart's space in the layout and records where it ends up."""

    def __init__(self, chart: Chart, width: float, height: float, placements: list[Placement]):
        super().__init__()
        self.chart, self.width, self.height = chart, width, height
        self.placements = placements
        self.hAlign = "LEFT"

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        x, y = self.canv.absolutePosition(0, 0)
        self.placements.append(Placement(self.chart, self.canv.getPageNumber(), x, y,
                                         self.width, self.height))


def embed_charts(document: bytes, placements: list[Placement]) -> bytes:
    """Draw each placed chart, as vector PDF, onto its page of ``document``.

    Each chart page becomes a form XObject (its content and resources as they are), drawn by a
    short content stream appended to the page: nothing is parsed or rewritten, which keeps the
    merge far cheaper than pypdf's page merging (that re-parses every operator).
    """
    if not placements:
        return document
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    for number, placement in enumerate(placements):
        chart_page = PdfReader(io.BytesIO(style.render(placement.chart.figure, "pdf"))).pages[0]
        name = f"/UxlabChart{number}"
        page = writer.pages[placement.page - 1]
        _xobjects(page)[NameObject(name)] = writer._add_object(_form(chart_page, writer))
        scale = placement.width / float(chart_page.mediabox.width)
        drawing = StreamObject()
        drawing.set_data(f"q {scale:.6f} 0 0 {scale:.6f} {placement.x:.3f} {placement.y:.3f} cm "
                         f"{name} Do Q".encode("ascii"))
        _append_content(page, writer._add_object(drawing))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _form(chart_page, writer: PdfWriter) -> StreamObject:
    """The chart page as a form XObject owned by ``writer``."""
    form = StreamObject()
    form.set_data(chart_page.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"),
                 NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(chart_page.mediabox),
                 NameObject("/Resources"): chart_page["/Resources"].get_object().clone(writer)})
    return form.flate_encode()


def _xobjects(page) -> DictionaryObject:
    resources = page[NameObject("/Resources")].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    return resources["/XObject"].get_object()


def _append_content(page, reference) -> None:
    contents = page.get("/Contents")
    existing = contents.get_object() if contents is not None else None
    if isinstance(existing, ArrayObject):
        existing.append(reference)
    else:
        page[NameObject("/Contents")] = ArrayObject(
            ([contents] if contents is not None else []) + [reference])
