"""The PDF report: the same content as the HTML report, laid out with reportlab.

Text and tables are real PDF text (selectable, searchable, extractable), set in DejaVu Sans, the
Unicode font matplotlib ships, so "−", "χ²" and "≥" print as themselves. Charts are embedded as
vector graphics (matplotlib's PDF output merged in, :mod:`uxlab.reports.pdf_charts`), so their
labels are selectable text too, with their text description beneath. Every major section starts on a new page
and is an entry of the PDF outline (bookmarks).

reportlab is used because it writes selectable-text PDFs in pure Python with no system
libraries (WeasyPrint, the HTML-to-PDF alternative, needs Pango).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as PdfParagraph

from uxlab.reports import blocks as b
from uxlab.reports.charts import report_charts
from uxlab.reports.content import build_report
from uxlab.reports.context import ReportContext
from uxlab.reports.pdf_charts import ChartPlaceholder, embed_charts

FONT = "DejaVuSans"
PAGE = A4
MARGIN = 17 * mm
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#4d4d4d")
RULE = colors.HexColor("#c8c8c8")
ZEBRA = colors.HexColor("#f5f5f5")
WARNING = colors.HexColor("#fff4e0")
# Binary (not ASCII85) streams: without reportlab's optional C accelerator, ASCII85-encoding the
# chart images in pure Python takes longer than drawing the charts. Binary PDFs are the norm.
rl_config.useA85 = 0

BADGE_COLOURS = {"difference": "#00466e", "no-difference": "#3d3d3d",
                 "benchmark-missed": "#8a2d00", "benchmark-passed": "#00573e",
                 "sample-ratio": "#7a3d00", "lowest-sus": "#4a2b5e", "lowest-seq": "#4a2b5e"}


def render_pdf_report(analysis: dict, context: ReportContext | None = None) -> bytes:
    """Render the report of an analysis document as a PDF.

    Parameters
    ----------
    analysis : dict
        The analysis document (docs/analysis-json.md).
    context : ReportContext, optional
        Study, names, problems, clicks and versions; defaults render from the document alone.

    Returns
    -------
    bytes
        A PDF with the HTML report's content: title page, executive summary, tasks at a glance,
        a section per task, questionnaires, problems and the methods appendix, each starting on
        a new page and bookmarked. Text and tables are selectable text.
    """
    context = context or ReportContext()
    charts = report_charts(analysis, context)
    return render_report_blocks_pdf(build_report(analysis, context, charts), context)


class _Document(BaseDocTemplate):
    """A4 pages with a footer; level-2 headings become PDF outline entries."""

    def __init__(self, buffer, report: b.Report, context: ReportContext):
        _register_fonts()
        super().__init__(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=report.title,
                         subject=report.subtitle, author="uxlab",
                         creator=f"uxlab {context.versions.uxlab}".strip(), lang="en")
        self.report = report
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        # onPageEnd: the footer is drawn after the page's content, so extracted text starts with
        # the page's own heading.
        self.addPageTemplates([PageTemplate("page", [frame], onPageEnd=self._footer)])

    def _footer(self, canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN * 0.6, f"{self.report.title} · {self.report.subtitle}")
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN * 0.6, f"page {document.page}")
        canvas.restoreState()

    def afterFlowable(self, flowable) -> None:
        key = getattr(flowable, "outline_key", None)
        if key:
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=0, closed=False)


def _section(section: b.Section, report: b.Report, styles: dict) -> list:
    story = []
    if section.kind == "title":
        story += [Spacer(1, 40 * mm), _paragraph(report.subtitle.upper(), styles["kicker"]),
                  _heading(section.title, styles["title"], section.id)]
    else:
        story.append(_heading(section.title, styles["h2"], section.id))
    for block in section.blocks:
        story += _block(block, styles)
    return story


def _block(block, styles: dict) -> list:
    if isinstance(block, b.Paragraph):
        style = {"lead": styles["lead"], "note": styles["note"],
                 "warning": styles["warning"]}.get(block.kind, styles["body"])
        return [_paragraph(block.text, style)]
    if isinstance(block, b.Heading):
        return [CondPageBreak(30 * mm),
                _paragraph(block.text, styles["h3" if block.level <= 3 else "h4"])]
    if isinstance(block, b.Facts):
        return [_facts(block, styles)]
    if isinstance(block, b.Items):
        return [_paragraph((f"<b>{escape(label)}</b> " if label else "") + escape(text),
                           styles["bullet"], markup=True, bullet="•")
                for label, text in block.items]
    if isinstance(block, b.FindingList):
        return _findings(block, styles)
    if isinstance(block, b.Table):
        return _table(block, styles)
    if isinstance(block, b.Figure):
        return [_figure(block.chart, styles)]
    raise TypeError(f"unknown block {block!r}")


def _paragraph(text: str, style, markup: bool = False, bullet: str | None = None):
    return PdfParagraph(text if markup else escape(text), style, bulletText=bullet)


def _heading(text: str, style, key: str):
    heading = _paragraph(text, style)
    heading.outline_key = key
    return heading


def _facts(block: b.Facts, styles: dict) -> Table:
    width = PAGE[0] - 2 * MARGIN
    rows = [[_paragraph(label, styles["cell_bold"]), _paragraph(value, styles["cell"])]
            for label, value in block.items]
    table = Table(rows, colWidths=(0.3 * width, 0.7 * width), hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                               ("TOPPADDING", (0, 0), (-1, -1), 2),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _findings(block: b.FindingList, styles: dict) -> list:
    story = []
    for number, finding in enumerate(block.findings, start=1):
        colour = BADGE_COLOURS.get(finding.kind, "#1a1a1a")
        text = (f'<font color="{colour}"><b>[{escape(finding.label)}]</b></font> '
                f"{escape(finding.text)}")
        story.append(_paragraph(text, styles["finding"], markup=True, bullet=f"{number}."))
    if block.left_out:
        story.append(_paragraph(block.left_out, styles["note"]))
    return story


def _table(block: b.Table, styles: dict) -> list:
    width = PAGE[0] - 2 * MARGIN
    weights = block.widths or (1.0,) * len(block.header)
    column_widths = [width * w / sum(weights) for w in weights]
    header = [_paragraph(cell, styles["head_right" if numeric else "head"])
              for cell, numeric in zip(block.header, block.numeric, strict=True)]
    rows = [header]
    for row in block.rows:
        rows.append([_paragraph(cell, styles["cell_bold"] if i == 0 else
                                styles["cell_right"] if block.numeric[i] else styles["cell"])
                     for i, cell in enumerate(row)])
    table = Table(rows, colWidths=column_widths, repeatRows=1, hAlign="LEFT")
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(rows), 2)]
    table.setStyle(TableStyle(commands))
    story = [_paragraph(block.caption, styles["caption"]), table]
    if block.note:
        story.append(_paragraph(block.note, styles["note"]))
    story.append(Spacer(1, 3 * mm))
    # Keep a short table with its caption; long ones may split (the header row repeats), or a
    # table nearly a page tall would leave its heading alone at the foot of the previous page.
    text = sum(len(cell) for row in block.rows for cell in row)
    return [KeepTogether(story)] if len(rows) <= 12 and text <= 1500 else story


def _figure(chart, styles: dict):
    width_in, height_in = chart.size_inches
    available = PAGE[0] - 2 * MARGIN
    scale = min(1.0, available / (width_in * 72), (PAGE[1] - 2 * MARGIN - 30 * mm)
                / (height_in * 72))
    placeholder = ChartPlaceholder(chart, width_in * 72 * scale, height_in * 72 * scale,
                                   styles["placements"])
    return KeepTogether([placeholder, _paragraph(chart.alt, styles["figure_text"]),
                         Spacer(1, 4 * mm)])


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {"": "DejaVuSans.ttf", "-Bold": "DejaVuSans-Bold.ttf",
             "-Oblique": "DejaVuSans-Oblique.ttf", "-BoldOblique": "DejaVuSans-BoldOblique.ttf"}
    for suffix, filename in faces.items():
        pdfmetrics.registerFont(TTFont(f"{FONT}{suffix}", str(folder / filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold",
                                  italic=f"{FONT}-Oblique", boldItalic=f"{FONT}-BoldOblique")


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13.5, textColor=INK,
                          spaceAfter=5, bulletFontName=FONT)
    bold = f"{FONT}-Bold"

    def style(name, **changes):
        return ParagraphStyle(name, parent=base, **changes)

    return {
        "body": base,
        "lead": style("lead", fontSize=12, leading=16.5, spaceAfter=8),
        "note": style("note", fontSize=8.5, leading=11.5, textColor=MUTED),
        "warning": style("warning", fontName=bold, backColor=WARNING, borderPadding=5,
                         borderColor=colors.HexColor("#a35200"), borderWidth=0.8,
                         spaceBefore=4, spaceAfter=10),
        "kicker": style("kicker", fontSize=8.5, textColor=MUTED, spaceAfter=2),
        "title": style("title", fontName=bold, fontSize=24, leading=29, spaceAfter=12),
        "h2": style("h2", fontName=bold, fontSize=16, leading=20, spaceAfter=10),
        "h3": style("h3", fontName=bold, fontSize=12, leading=15, spaceBefore=8, spaceAfter=5,
                    keepWithNext=True),
        "h4": style("h4", fontName=bold, fontSize=10.5, leading=13, spaceBefore=6,
                    keepWithNext=True),
        "bullet": style("bullet", fontSize=9, leading=12.5, leftIndent=11, bulletIndent=1,
                        spaceAfter=3),
        "finding": style("finding", fontSize=9.5, leading=13.5, leftIndent=16, bulletIndent=0,
                         spaceAfter=5),
        "caption": style("caption", fontName=bold, fontSize=8.5, leading=11, spaceAfter=3,
                         keepWithNext=True),
        "head": style("head", fontName=bold, fontSize=7.5, leading=9.5, spaceAfter=0),
        "head_right": style("head_right", fontName=bold, fontSize=7.5, leading=9.5,
                            spaceAfter=0, alignment=TA_RIGHT),
        "cell": style("cell", fontSize=7.5, leading=9.5, spaceAfter=0),
        "cell_bold": style("cell_bold", fontName=bold, fontSize=7.5, leading=9.5, spaceAfter=0),
        "cell_right": style("cell_right", fontSize=7.5, leading=9.5, spaceAfter=0,
                            alignment=TA_RIGHT),
        "figure_text": style("figure_text", fontSize=7.5, leading=10, textColor=MUTED),
    }


def render_report_blocks_pdf(report: b.Report, context: ReportContext | None = None) -> bytes:
    """Lay out a built report as a PDF: the study report above, or e.g. the CX journey report."""
    context = context or ReportContext()
    buffer = io.BytesIO()
    document = _Document(buffer, report, context)
    story, placements = [], []
    styles = dict(_styles(), placements=placements)
    for index, section in enumerate(report.sections):
        if index:
            story.append(PageBreak())
        story += _section(section, report, styles)
    document.build(story)
    return embed_charts(buffer.getvalue(), placements)
