"""The JSON report: the analysis document, the context and the ranked findings in one object."""

from __future__ import annotations

import json
import math

from uxlab.reports.context import ReportContext
from uxlab.reports.findings import key_findings
from uxlab.reports.title_page import title_page

REPORT_FORMAT = "uxlab-report"
REPORT_FORMAT_VERSION = 1


def render_json_report(analysis: dict, context: ReportContext | None = None) -> dict:
    """The report as strict-JSON-ready data.

    Parameters
    ----------
    analysis : dict
        The analysis document (docs/analysis-json.md), included unchanged.
    context : ReportContext, optional
        Study, names, problems, clicks and versions (defaults when omitted).

    Returns
    -------
    dict
        ``{"format": "uxlab-report", "format_version": 1, "title_page": …, "analysis": …,
        "context": …, "findings": [{"kind", "label", "text", "task", "metric"}, …]}``, where
        ``title_page`` says what the HTML and PDF title pages say (study, version, dates of the
        data, participants per variant, filters, when it was made); dates are ISO 8601
        strings and no number is NaN or infinite, so ``json.dumps(..., allow_nan=False)``
        succeeds.

    Raises
    ------
    ValueError
        If the analysis document holds a NaN or an infinite number.
    """
    context = context or ReportContext()
    report = {
        "format": REPORT_FORMAT,
        "format_version": REPORT_FORMAT_VERSION,
        "title_page": title_page(analysis, context).to_dict(),
        "analysis": analysis,
        "context": context.to_dict(),
        "findings": [{"kind": f.kind, "label": f.label, "text": f.text, "task": f.task,
                      "metric": f.metric} for f in key_findings(analysis, context)],
    }
    _check_finite(report)
    json.dumps(report, allow_nan=False)  # raises TypeError on anything that is not JSON
    return report


def _check_finite(value, path: str = "report") -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{path} is {value!r}: a JSON report holds only finite numbers")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_finite(item, f"{path}[{i}]")
