"""Problem charts: how often each problem occurred and how severe it is; the discovery curve.

References
----------
Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3 (adjusted-Wald
interval of a proportion) and ch. 7 (problem discovery, 1 − (1 − p)^n).
Lewis, J. R. (2001). Evaluation of procedures for adjusting problem-discovery rates estimated from
small samples. *International Journal of Human-Computer Interaction*, 13(4), 445–479.
"""

from __future__ import annotations

from matplotlib.ticker import MaxNLocator, PercentFormatter

from uxlab.reports import formatting as fmt
from uxlab.reports import style
from uxlab.reports.charts_common import Chart, Tally, new_figure, point_interval, wrap
from uxlab.reports.context import ReportContext
from uxlab.reports.problem_ranking import problem_interval, problem_share, ranked_problems
from uxlab.stats.discovery import discovery_probability, estimate_p, participants_needed

MAX_PROBLEMS_CHARTED = 25


def problem_chart(context: ReportContext, confidence: float = 0.95) -> Chart | None:
    """Each problem's frequency with its interval, one row per problem, severity as the marker."""
    problems = ranked_problems(context.problems)[:MAX_PROBLEMS_CHARTED]
    if not problems:
        return None
    level = fmt.confidence_label(confidence)
    tally = Tally()
    title = "Usability problems: frequency and severity"
    with style.styled():
        figure = new_figure(1.2 + 0.42 * len(problems))
        ax = figure.add_subplot()
        described = []
        for row, problem in enumerate(problems):
            share = problem_share(problem)
            bounds = problem_interval(problem, confidence)
            look = style.VariantStyle(style.SEVERITY_COLOURS[problem.severity],
                                      style.SEVERITY_MARKERS[problem.severity], "-", "",
                                      problem.severity >= 2)
            point_interval(ax, tally, share, row, *(bounds or (None, None)), look,
                           missing_text="frequency unknown")
            described.append(f"{problem.title} (severity {problem.severity}, "
                             f"{style.SEVERITY_LABELS[problem.severity]}): "
                             f"{fmt.interval(share, *(bounds or (None, None)), fmt.percent)}")
        ax.set_yticks(range(len(problems)),
                      [f"[{p.severity}] {wrap(p.title, 36)}" for p in problems])
        ax.set_ylim(len(problems) - 0.5, -0.5)
        ax.set_xlim(-0.02, 1.02)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"share of participants who met the problem ({level} CI)")
        ax.set_ylabel("[severity] problem")
        ax.set_title(title)
        handles = []
        for severity in range(4, -1, -1):
            look = style.VariantStyle(style.SEVERITY_COLOURS[severity],
                                      style.SEVERITY_MARKERS[severity], "-", "", severity >= 2)
            (handle,) = ax.plot([], [], linestyle="none", **look.marker_kwargs(),
                                label=f"{severity} {style.SEVERITY_LABELS[severity]}")
            handles.append(handle)
        ax.legend(handles=handles, title="Severity", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  borderaxespad=0.0, title_fontsize=8.5)
    more = len(context.problems) - len(problems)
    alt = (f"{title}: one row per problem, worst first, the share of participants who met it "
           f"with its {level} adjusted-Wald interval and its severity (0 none … 4 catastrophe). "
           + "; ".join(described) + "."
           + (f" {more} less severe problems are listed in the table only." if more > 0 else ""))
    return tally.chart("problems", title, alt, figure, "problems")


def discovery_chart(context: ReportContext) -> Chart | None:
    """The problem-discovery curve 1 − (1 − p)^n for the observed and the Lewis-adjusted p."""
    if not context.discovery_matrix:
        return None
    try:
        estimate = estimate_p(context.discovery_matrix)
    except ValueError:
        return None  # no problem recorded in the matrix: nothing to estimate
    observed_n = estimate.participants
    curves = {"adjusted": estimate.p_adjusted, "observed": estimate.p_observed}
    usable = {k: p for k, p in curves.items() if 0 < p < 1}
    if not usable:
        return None
    planning_p = usable.get("adjusted", usable.get("observed"))
    horizon = min(60, max(10, 2 * observed_n, participants_needed(planning_p, 0.9)))
    ns = list(range(1, horizon + 1))
    title = "Problem discovery: share of problems expected to be found"
    with style.styled():
        figure = new_figure(3.0)
        ax = figure.add_subplot()
        for (key, p), line_style in zip(usable.items(), ("-", "--"), strict=False):
            label = (f"Lewis-adjusted p = {p:.2f}" if key == "adjusted"
                     else f"observed p = {p:.2f} (inflated by small samples)")
            ax.plot(ns, [discovery_probability(p, n) for n in ns], linestyle=line_style,
                    color=style.INK if key == "adjusted" else style.MUTED, linewidth=1.6,
                    label=label)
        found = discovery_probability(planning_p, observed_n)
        ax.axvline(observed_n, color=style.PALETTE[0], linestyle=":", linewidth=1.2,
                   label=f"this study: {observed_n} participants")
        ax.plot([observed_n], [found], marker="o", color=style.PALETTE[0], linestyle="none")
        ax.annotate(f"{found:.0%}", (observed_n, found), xytext=(6, -12),
                    textcoords="offset points", fontsize=8, color=style.PALETTE[0])
        ax.set_xlim(0, horizon + 0.5)
        ax.set_ylim(0, 1.02)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("participants (n)")
        ax.set_ylabel("problems discovered, 1 − (1 − p)ⁿ")
        ax.set_title(title)
        ax.legend(loc="lower right")
    needed = {goal: participants_needed(planning_p, goal) for goal in (0.8, 0.9)}
    alt = (f"{title}. From {estimate.problems} problems seen among {observed_n} participants "
           f"the observed discovery rate is p = {estimate.p_observed:.2f} and the Lewis-adjusted "
           f"rate p = {estimate.p_adjusted:.2f}. With the adjusted rate this study's "
           f"{observed_n} participants are expected to have found {found:.0%} of problems that "
           f"common; {needed[0.8]} participants would find 80% and {needed[0.9]} would find 90%.")
    return Tally().chart("discovery", title, alt, figure, "problems")
