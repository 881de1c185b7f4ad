"""Render an analysis document (docs/analysis-json.md) as a readable plain-text report."""

from __future__ import annotations

import textwrap

from uxlab.analysis import text_metrics
from uxlab.analysis.document import WITHHELD
from uxlab.analysis.interpretation import (
    confidence_label,
    format_p,
    signed,
    significant_figures,
)

_WIDTH = 100
_INSTRUMENT_TITLES = {"sus": "SUS (System Usability Scale, 0–100)",
                      "umux_lite": "UMUX-Lite (0–100)", "nps": "NPS (Net Promoter Score)",
                      "csat": "CSAT (top-two-box share)", "ces": "CES (Customer Effort Score)"}


def render_text(document: dict) -> str:
    """The whole report: design, variants, sample ratio, each task, questionnaires; then the
    same within each segment when the document has ``segments``."""
    level = confidence_label(document["confidence"])
    times = ("successful attempts" if document["times"] == "successful" else "all attempts")
    lines = [f"uxlab analysis: {document['design']}-subjects design, {level} confidence, "
             f"times of {times}", ""]
    segments = document.get("segments")
    if segments:
        lines += [f"All participants ({len(segments['groups'])} segments by "
                  f"{segments['column']} below)", ""]
    lines += _body(document, level)
    for group in (segments or {}).get("groups", []):
        title = (f"Segment {segments['column']} = {group['label']}: "
                 f"{group['participants']} participants, {group['attempts']} attempts")
        lines += ["", "=" * min(len(title), _WIDTH), title, "=" * min(len(title), _WIDTH)]
        if group.get("note"):
            lines += textwrap.wrap(f"Note: {group['note']}.", width=_WIDTH)
        if group.get("tasks") is not None:
            lines += [""] + _body(group, level)
    return "\n".join(lines) + "\n"


def _body(document: dict, level: str) -> list[str]:
    """Variants, sample ratio, tasks, questionnaires and the SUM of one (segment's) document."""
    lines = []
    variants = document["variants"]
    lines.append("Variants: " + ", ".join(f"{name} ({v['participants']} participants)"
                                          for name, v in variants.items()))
    lines.append(_srm_line(document["srm"]))
    for task in document["tasks"]:
        lines += ["", f"Task {task['task']}", ""]
        lines += _indent(_task_table(task, level))
        lines += _indent(text_metrics.navigation_table(task, level, _table, _interval, _pct,
                                                       _two_decimals))
        lines += text_metrics.benchmark_lines(task["variants"], ("completion", "time", "seq"))
        lines += _comparison_lines(task["comparisons"])
    questionnaires = document["questionnaires"]
    if any(q.get("variants") for q in questionnaires.values()):
        lines += ["", "Questionnaires"]
        for name, result in questionnaires.items():
            if not result.get("variants"):
                continue
            lines += ["", f"  {_INSTRUMENT_TITLES[name]}", ""]
            lines += _indent(_questionnaire_table(name, result, level))
            if result.get("note"):
                lines.append(f"    Note: {result['note']}.")
            lines += text_metrics.benchmark_lines(result["variants"], ("",))
            lines += _comparison_lines(result["comparisons"])
    else:
        lines += ["", "Questionnaires: no survey data."]
    lines += text_metrics.usability_metric_lines(document, level, _table, _interval, _pct)
    return lines


def _srm_line(srm: dict) -> str:
    if srm.get("p") is None:
        return f"Sample ratio check: not applicable ({srm.get('note')})."
    verdict = ("MISMATCH: the split of participants differs from the assignment weights; "
               "check the assignment before trusting comparisons" if srm["flag"] else
               "no mismatch")
    return f"Sample ratio check: {format_p(srm['p'])} ({verdict})."


def _task_table(task: dict, level: str) -> list[str]:
    header = ["variant", "n", "successes", f"completion ({level} CI)", "times",
              f"geometric mean time, s ({level} CI)", "errors", "clicks", "SEQ"]
    rows = []
    for name, v in task["variants"].items():
        completion = v["completion"]
        rows.append([name, str(v["n"]), str(v["successes"]),
                     _interval(completion, "estimate", _pct),
                     str(v["time"].get("n", 0)),
                     _interval(v["time"], "geometric_mean", _one_decimal),
                     _interval(v["errors"], "mean", significant_figures),
                     _interval(v["clicks"], "mean", significant_figures),
                     _interval(v["seq"], "mean", _two_decimals)])
    return _table(header, rows)


def _questionnaire_table(name: str, result: dict, level: str) -> list[str]:
    if name == "nps":
        header = ["variant", "n", f"NPS ({level} CI)", "promoters", "passives", "detractors"]
        rows = [[v, str(s["n"]), _interval(s, "score", _whole),
                 str(s.get("promoters", "–")), str(s.get("passives", "–")),
                 str(s.get("detractors", "–"))] for v, s in result["variants"].items()]
        return _table(header, rows)
    if name == "csat":
        header = ["variant", "n", f"top-two-box ({level} CI)"]
        rows = [[v, str(s["n"]), _interval(s, "estimate", _pct)]
                for v, s in result["variants"].items()]
        return _table(header, rows)
    header = ["variant", "n", f"mean ({level} CI)"]
    if name == "sus":
        header += ["grade", "percentile"]
    elif name == "umux_lite":
        header += ["SUS-equivalent"]
    rows = []
    for v, s in result["variants"].items():
        row = [v, str(s["n"]), _interval(s, "mean", _one_decimal)]
        if name == "sus":
            row += [s.get("grade") or "–",
                    "–" if s.get("percentile") is None else f"{s['percentile']:.0f}"]
        elif name == "umux_lite":
            row += ["–" if s.get("sus_equivalent") is None else f"{s['sus_equivalent']:.1f}"]
        rows.append(row)
    return _table(header, rows)


def _comparison_lines(comparisons: list[dict]) -> list[str]:
    lines = []
    for entry in comparisons:
        pair = "all variants" if entry["kind"] == "omnibus" else f"{entry['a']} vs {entry['b']}"
        label = f"{entry['metric']}, {pair}"
        lines += textwrap.wrap(f"{label}: {entry['interpretation']}", width=_WIDTH,
                               initial_indent="  - ", subsequent_indent="    ")
    return [""] + lines if lines else []


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells):
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _indent(lines: list[str]) -> list[str]:
    return [f"    {line}" if line else line for line in lines]


def _interval(summary: dict, key: str, fmt) -> str:
    """``summary[key]`` with its interval, or with the words saying why there is none."""
    value, low, high = summary.get(key), summary.get("low"), summary.get("high")
    if value is None:
        return "–"
    text = fmt(value)
    if summary.get("interval_withheld"):
        return f"{text} ({WITHHELD})"
    if low is not None and high is not None:
        joint = "–" if low >= 0 and high >= 0 else " to "
        text += f" ({fmt(low)}{joint}{fmt(high)})"
    return text


def _pct(value: float) -> str:
    return signed(f"{100 * value:.0f}%")


def _whole(value: float) -> str:
    return signed(f"{value:.0f}")


def _one_decimal(value: float) -> str:
    return signed(f"{value:.1f}")


def _two_decimals(value: float) -> str:
    return signed(f"{value:.2f}")
