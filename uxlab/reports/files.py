"""A report as a file: the HTML, PDF or JSON report of an analysis, with its name and media type.

What the CLI (``uxlab report``) writes and the researcher's download routes send; both get the
bytes from :func:`report_file`, so a report saved from the command line and one downloaded from the
results page are the same file for the same data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from uxlab.reports.context import ReportContext

if TYPE_CHECKING:
    from uxlab.reports.html import ChartDrawer

#: The formats a report comes in.
REPORT_FORMATS = ("html", "pdf", "json")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
               "json": "application/json"}


@dataclass(frozen=True)
class ReportFile:
    """A rendered report: its bytes, media type and a file name to save it under."""

    content: bytes
    mimetype: str
    filename: str


def check_format(fmt: str) -> None:
    """Raise ValueError naming ``fmt`` unless it is one of :data:`REPORT_FORMATS`."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of "
                         f"{', '.join(REPORT_FORMATS)}")


def report_file(analysis: dict, context: ReportContext, fmt: str, name: str = "",
                draw_charts: ChartDrawer | None = None) -> ReportFile:
    """Render the report of ``analysis`` as ``fmt`` (``html``, ``pdf`` or ``json``).

    ``name`` becomes the start of the file name (``NAME-report.FMT``; the study's slug when
    empty), reduced to letters, digits, ``-``, ``_`` and ``.`` so it is safe in a
    Content-Disposition header and on any file system. Raises ValueError for another format.
    ``draw_charts`` draws the HTML report's charts (see
    :func:`uxlab.reports.html.render_html_report`); the PDF draws its own.
    """
    check_format(fmt)
    if fmt == "html":
        from uxlab.reports.html import render_html_report

        content = render_html_report(analysis, context, draw_charts).encode("utf-8")
    elif fmt == "pdf":
        from uxlab.reports.pdf import render_pdf_report

        content = render_pdf_report(analysis, context)
    else:
        from uxlab.reports.json_report import render_json_report

        content = (json.dumps(render_json_report(analysis, context), indent=2,
                              ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name or context.study.slug).strip("-.") or "study"
    return ReportFile(content, MEDIA_TYPES[fmt], f"{stem}-report.{fmt}")
