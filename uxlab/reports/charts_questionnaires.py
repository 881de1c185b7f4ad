"""Questionnaire charts: SUS against the Sauro–Lewis grade bands, and NPS composition with the NPS.

References
----------
Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 8 (the curved
grading scale of SUS means; NPS and its adjusted-Wald interval).
"""

from __future__ import annotations

from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from uxlab.reports import formatting as fmt
from uxlab.reports import style
from uxlab.reports.charts_common import (
    Chart,
    Tally,
    benchmark_line,
    new_figure,
    point_interval,
    variant_label,
    variant_legend,
)
from uxlab.reports.context import ReportContext
from uxlab.stats.questionnaires import SUS_GRADES

_BAND_SHADES = ("#f3f3f3", "#e4e4e4")


def sus_chart(analysis: dict, context: ReportContext) -> Chart | None:
    """Mean SUS per variant with its interval, over the shaded Sauro–Lewis grade bands."""
    sus = analysis.get("questionnaires", {}).get("sus", {}).get("variants", {})
    variants = [v for v in analysis.get("variants", {}) if v in sus]
    if not any(sus[v].get("n") for v in variants):  # SUS not asked, or nobody answered
        return None
    level = fmt.confidence_label(analysis["confidence"])
    tally = Tally()
    title = "SUS by variant, against the grade scale"
    lows = [sus[v].get("low") if sus[v].get("low") is not None else sus[v].get("mean")
            for v in variants]
    lowest = min([x for x in lows if x is not None] or [50.0])
    left = max(0.0, min(50.0, 10.0 * (lowest // 10) - 5.0))
    with style.styled():
        figure = new_figure(1.5 + 0.42 * len(variants))
        ax = figure.add_subplot()
        _grade_bands(ax, left)
        described = []
        for row, name in enumerate(variants):
            summary = sus[name]
            point_interval(ax, tally, summary.get("mean"), row, summary.get("low"),
                           summary.get("high"), style.variant_style(row),
                           missing_text=summary.get("note") or "no scores")
            grade = summary.get("grade")
            if summary.get("mean") is not None:
                _label_point(ax, summary, row, _one(summary["mean"])
                             + (f" · {grade}" if grade else ""))
            estimate = fmt.interval(summary.get("mean"), summary.get("low"), summary.get("high"),
                                    _one)
            described.append(f"{context.variant_name(name)} {estimate}"
                             + (f", grade {grade}" if grade else ""))
        ax.set_yticks(range(len(variants)), [variant_label(context, v) for v in variants])
        ax.set_ylim(len(variants) - 0.4, -0.6)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(left, 100)
        ax.set_xlabel("SUS score (0–100); shaded bands: Sauro–Lewis grades")
        ax.set_ylabel("variant")
        ax.set_title(title, pad=22)
        benchmark = analysis.get("benchmarks", {}).get("sus")
        extra = [benchmark_line(ax, benchmark, f"benchmark {benchmark:g}")] if benchmark else []
        extra.append(Patch(facecolor=_BAND_SHADES[1], edgecolor="none", label="grade band"))
        variant_legend(ax, variants, context, extra)
    alt = (f"{title}: each variant's mean SUS score with its {level} confidence interval, drawn "
           f"over the Sauro–Lewis curved grading scale (A+ from 84.1 … F below 51.7). "
           + "; ".join(described) + "."
           + (f" The dashed line is the benchmark of {benchmark:g}." if benchmark else ""))
    return tally.chart("sus", title, alt, figure, "questionnaires")


def _label_point(ax, summary: dict, row: int, text: str, key: str = "mean") -> None:
    """Write an estimate's value just above its marker."""
    ax.annotate(text, (summary[key], row), xytext=(0, 6.5), textcoords="offset points",
                ha="center", va="bottom", fontsize=7.5, color=style.INK, zorder=6,
                bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.8})


def _one(value):
    return fmt.decimal(value, 1)


def _grade_bands(ax, left: float) -> None:
    """Shade each grade's range and write its letter above the plot, staggered when narrow."""
    upper = 100.0
    visible = 0
    for cut, grade, _ in SUS_GRADES:
        low, high = max(cut, left), upper
        upper = cut
        if high <= left:
            continue
        ax.axvspan(low, high, color=_BAND_SHADES[visible % 2], zorder=0, linewidth=0)
        centre = (low + high) / 2
        lift = 11 if visible % 2 else 2
        ax.annotate(grade, (centre, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, lift), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7, color=style.MUTED)
        visible += 1


def nps_chart(analysis: dict, context: ReportContext) -> Chart | None:
    """NPS composition (detractors, passives, promoters) per variant beside the NPS and interval."""
    nps = analysis.get("questionnaires", {}).get("nps", {}).get("variants", {})
    variants = [v for v in analysis.get("variants", {})
                if v in nps or v in context.nps_counts]
    if not any(nps.get(v, {}).get("n") or v in context.nps_counts for v in variants):
        return None
    level = fmt.confidence_label(analysis["confidence"])
    tally = Tally()
    title = "Net Promoter Score by variant"
    with style.styled():
        figure = new_figure(1.6 + 0.42 * len(variants))
        composition, score_ax = figure.subplots(1, 2, sharey=True,
                                                gridspec_kw={"width_ratios": (1.25, 1)})
        described = []
        for row, name in enumerate(variants):
            summary = nps.get(name, {})
            counts = _counts(summary, context, name)
            if counts:
                _stack(composition, row, counts)
            point_interval(score_ax, tally, summary.get("score"), row, summary.get("low"),
                           summary.get("high"), style.variant_style(row),
                           missing_text=summary.get("note") or "no ratings")
            if summary.get("score") is not None:
                _label_point(score_ax, summary, row, fmt.interval(
                    summary["score"], summary.get("low"), summary.get("high"), fmt.whole),
                    key="score")
            parts = ["NPS " + fmt.interval(summary.get("score"), summary.get("low"),
                                           summary.get("high"), fmt.whole)]
            if counts:
                parts.append(f"{counts[2]} promoters, {counts[1]} passives, "
                             f"{counts[0]} detractors")
            described.append(f"{context.variant_name(name)}: " + ", ".join(parts))
        composition.set_yticks(range(len(variants)), [variant_label(context, v) for v in variants])
        composition.set_ylim(len(variants) - 0.5, -0.5)
        composition.set_xlim(0, 1)
        composition.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        composition.set_xlabel("share of respondents")
        composition.set_ylabel("variant")
        composition.grid(axis="y", visible=False)
        composition.set_title("Composition", fontsize=9)
        composition.legend(handles=[
            Patch(facecolor=c, hatch=h, edgecolor=style.INK, linewidth=0.6, label=label)
            for c, h, label in zip(style.NPS_COLOURS, style.NPS_HATCHES,
                                   ("detractors (0–6)", "passives (7–8)", "promoters (9–10)"),
                                   strict=True)],
            loc="upper center", bbox_to_anchor=(0.5, -0.32), ncols=3, fontsize=7.5,
            handlelength=1.6, columnspacing=0.9)
        score_ax.axvline(0, color=style.MUTED, linewidth=0.9, zorder=1)
        score_ax.set_xlim(-100, 100)
        score_ax.set_xticks(range(-100, 101, 50))
        score_ax.set_xlabel(f"NPS (−100 to 100), {level} CI")
        score_ax.grid(axis="y", visible=False)
        score_ax.set_title("NPS with interval", fontsize=9)
        figure.suptitle(title, x=0.0, ha="left", fontweight="bold", fontsize=10.5)
    alt = (f"{title}: the share of detractors, passives and promoters per variant, and each "
           f"variant's NPS with its {level} adjusted-Wald interval. " + "; ".join(described) + ".")
    return tally.chart("nps", title, alt, figure, "questionnaires")


def _counts(summary: dict, context: ReportContext, name: str) -> tuple[int, int, int] | None:
    """(detractors, passives, promoters) from the document, else from the context."""
    keys = ("detractors", "passives", "promoters")
    if all(isinstance(summary.get(k), int) for k in keys):
        return tuple(summary[k] for k in keys)
    counts = context.nps_counts.get(name)
    if counts is None:
        return None
    return counts.detractors, counts.passives, counts.promoters


def _stack(ax, row: int, counts: tuple[int, int, int]) -> None:
    total = sum(counts)
    if not total:
        return
    start = 0.0
    for count, colour, hatch in zip(counts, style.NPS_COLOURS, style.NPS_HATCHES, strict=True):
        share = count / total
        ax.barh(row, share, left=start, height=0.6, color=colour, hatch=hatch,
                edgecolor=style.INK, linewidth=0.6, zorder=2)
        if share >= 0.09:
            ax.text(start + share / 2, row, f"{share:.0%}", ha="center", va="center",
                    fontsize=7.5, color=style.INK, zorder=3,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.85})
        start += share
