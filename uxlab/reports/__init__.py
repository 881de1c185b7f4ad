"""Study reports: charts and exported HTML, PDF and JSON reports of an analysis document.

Pure rendering: an analysis document (docs/analysis-json.md) and a :class:`ReportContext` in,
text or bytes out. Nothing here touches Flask or the database; the service that reads the
database builds the inputs and the web app and CLI call these functions::

    from uxlab.reports import ReportContext, render_html_report, render_pdf_report

    html = render_html_report(analysis, ReportContext(task_titles=...))

:func:`uxlab.reports.files.report_file` renders one format as a file (bytes, media type, name),
and :mod:`uxlab.reports.analysis_file` reads and checks an analysis document saved by
``uxlab analyze --json``. The report of a study in the database is made by
:func:`uxlab.results.report.study_report`, which ``uxlab report``, the results page's downloads
and share links call.

The renderers are imported lazily so that building a context does not load matplotlib or
reportlab.
"""

from uxlab.reports.context import ReportContext

__all__ = ["ReportContext", "render_html_report", "render_pdf_report", "render_json_report",
           "key_findings", "report_charts"]

_LAZY = {
    "render_html_report": "uxlab.reports.html",
    "render_pdf_report": "uxlab.reports.pdf",
    "render_json_report": "uxlab.reports.json_report",
    "key_findings": "uxlab.reports.findings",
    "report_charts": "uxlab.reports.charts",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
