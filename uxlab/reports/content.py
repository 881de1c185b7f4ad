"""What a report says: the sections and blocks built from an analysis document and its context.

Sections, each starting a new page in print: title page, executive summary, tasks at a glance,
one section per task, questionnaires, problems, methods appendix.
"""

from __future__ import annotations

from uxlab.analysis.service import DEFAULT_BENCHMARKS
from uxlab.reports import formatting as fmt
from uxlab.reports.blocks import (
    Block,
    Facts,
    Figure,
    FindingList,
    Heading,
    Items,
    Paragraph,
    Report,
    Section,
    Table,
)
from uxlab.reports.chart_set import ReportCharts
from uxlab.reports.content_navigation import usability_metric_section
from uxlab.reports.content_notes import note_blocks, problem_grid_blocks
from uxlab.reports.content_results import METRIC_NAMES, questionnaire_blocks, task_blocks
from uxlab.reports.context import ReportContext
from uxlab.reports.findings import KIND_LABELS, executive_summary, key_findings
from uxlab.reports.methods import METHODS, REFERENCES, test_reason
from uxlab.reports.problem_ranking import problem_interval, problem_share, ranked_problems
from uxlab.reports.style import SEVERITY_LABELS
from uxlab.reports.title_page import day as _date
from uxlab.reports.title_page import moment as _datetime
from uxlab.reports.title_page import title_page

MAX_EXCLUSIONS_LISTED = 200


def build_report(analysis: dict, context: ReportContext,
                 charts: ReportCharts | None = None) -> Report:
    """The whole report as sections of blocks (charts are built unless given)."""
    if charts is None:
        from uxlab.reports.charts import report_charts

        charts = report_charts(analysis, context)
    sections = [_title_page(analysis, context), _summary(analysis, context),
                _tasks_overview(analysis, context, charts)]
    tasks = {t["task"]: t for t in analysis.get("tasks", [])}
    for number, key in enumerate(context.task_order(analysis), start=1):
        sections.append(Section(
            f"task-{number}", f"Task {number}: {context.task_title(key)}",
            tuple(task_blocks(tasks[key], analysis, context, charts.task_clicks.get(key, ())))))
    questionnaire_charts = {chart.key: chart for chart in charts.questionnaires}
    sections.append(Section("questionnaires", "Questionnaires",
                            tuple(questionnaire_blocks(analysis, context, questionnaire_charts))))
    sections += [s for s in (usability_metric_section(analysis, context),) if s is not None]
    sections.append(_problems(analysis, context, charts))
    if context.cx_touchpoints:
        sections.append(_customer_experience(context))
    sections.append(_methods(analysis, context))
    title = context.study.title
    return Report(title, f"Usability study report · {_date(context.generated_at)}",
                  tuple(sections))


def _customer_experience(context: ReportContext) -> Section:
    """The CX figures of the touchpoints the study's tasks map to (docs/cx.md)."""
    rows = tuple((c.touchpoint, c.task, "; ".join(c.figures)) for c in context.cx_touchpoints)
    return Section("customer-experience", "Customer experience at these touchpoints", (
        Paragraph("What customers say about the touchpoints this study's tasks map to, from the "
                  "CX data in uxlab (all time, all segments), each figure with its interval and "
                  "n, and its target where one is set (the CX board, /cx, sets them beside the "
                  "usability results)."),
        Table("CX figures per touchpoint", ("Touchpoint", "Task", "CX figures"), rows,
              widths=(2.0, 1.4, 4.8)),
    ))


def _title_page(analysis: dict, context: ReportContext) -> Section:
    study = context.study
    level = fmt.confidence_label(analysis["confidence"])
    facts = title_page(analysis, context).facts(context)
    blocks: list[Block] = []
    if study.description:
        blocks.append(Paragraph(study.description, "lead"))
    blocks.append(Facts(facts))
    blocks.append(Paragraph(
        f"Every estimate in this report comes with its {level} confidence interval; every "
        f"comparison names its test, the p-value (adjusted when several variants are compared) "
        f"and the size of the difference. The methods appendix says which test was used where "
        f"and why.", "note"))
    return Section("title", study.title, tuple(blocks), kind="title")


def _summary(analysis: dict, context: ReportContext) -> Section:
    findings = key_findings(analysis, context)
    shown, left_out = executive_summary(findings)
    blocks: list[Block] = []
    srm = analysis.get("srm", {})
    if srm.get("flag"):
        blocks.append(Paragraph(
            "Warning: the participants are not split between the variants as planned (sample "
            "ratio mismatch). Check the assignment before acting on any comparison.", "warning"))
    rest = "; ".join(f"{n} more of kind “{KIND_LABELS[kind].lower()}”"
                     for kind, n in left_out.items())
    blocks.append(FindingList(tuple(shown), f"Not listed here: {rest}; see the sections below."
                              if rest else ""))
    if not shown:
        blocks.append(Paragraph("No findings: the analysis holds no comparison, benchmark or "
                                "questionnaire result."))
    counts = context.participant_counts(analysis)
    total = sum(counts.values())
    rows = tuple((context.variant_label(v), str(n), fmt.percent(n / total) if total else "–")
                 for v, n in counts.items())
    blocks.append(Table("Participants per variant", ("Variant", "Participants", "Share"), rows,
                        numeric=(False, True, True)))
    blocks.append(Paragraph(_srm_sentence(srm)))
    if context.excluded:
        blocks.append(Paragraph(f"{len(context.excluded)} participants were excluded before "
                                f"the analysis; the methods appendix lists them with reasons."))
    return Section("summary", "Executive summary", tuple(blocks))


def _srm_sentence(srm: dict) -> str:
    if srm.get("p") is None:
        return f"Sample ratio check: not applicable ({srm.get('note', 'not tested')})."
    verdict = ("the split differs from the assignment weights (p below the "
               f"{srm['threshold']:g} threshold)" if srm.get("flag")
               else "no mismatch between the split and the assignment weights")
    return (f"Sample ratio check (chi-square goodness of fit): χ² = "
            f"{fmt.number(srm.get('statistic'))}, {fmt.format_p(srm['p'])}: {verdict}.")


def _tasks_overview(analysis: dict, context: ReportContext, charts: ReportCharts) -> Section:
    level = fmt.confidence_label(analysis["confidence"])
    blocks: list[Block] = [Paragraph(
        f"Each marker is one variant's estimate and each bar its {level} confidence interval: "
        f"where two variants' intervals overlap little, the comparison in the task's section is "
        f"likely to be significant. Dashed lines are benchmarks.")]
    blocks += [Figure(chart) for chart in charts.tasks]
    if not charts.tasks:
        blocks.append(Paragraph("The analysis holds no task results."))
    return Section("tasks", "Tasks at a glance", tuple(blocks))


def _problems(analysis: dict, context: ReportContext, charts: ReportCharts) -> Section:
    level = fmt.confidence_label(analysis["confidence"])
    blocks: list[Block] = []
    problems = ranked_problems(context.problems)
    if problems:
        rows = []
        for rank, problem in enumerate(problems, start=1):
            bounds = problem_interval(problem, analysis["confidence"]) or (None, None)
            observed = problem.observed_participants
            rows.append((
                f"{rank}. {problem.title}",
                f"{problem.severity} ({SEVERITY_LABELS[problem.severity]})",
                context.task_title(problem.task) if problem.task else fmt.MISSING,
                f"{problem.participants}" + (f" of {observed}" if observed else ""),
                fmt.interval(problem_share(problem), *bounds, fmt.percent)))
        blocks.append(Table(f"Usability problems by priority: catastrophes first, then severity "
                            f"× frequency (frequency with {level} adjusted-Wald interval; "
                            f"severity 0 not a problem … 4 catastrophe)",
                            ("Problem", "Severity", "Task", "Participants", "Frequency"),
                            tuple(rows), numeric=(False, False, False, True, True),
                            widths=(2.6, 1.1, 1.4, 0.9, 1.3)))
    else:
        blocks.append(Paragraph("No usability problems were recorded for this study."))
    blocks += [Figure(chart) for chart in charts.problems]
    discovery = next((c for c in charts.problems if c.key == "discovery"), None)
    if discovery:
        blocks.append(Paragraph(discovery.alt))
    blocks += problem_grid_blocks(context)
    blocks += note_blocks(context)
    return Section("problems", "Usability problems", tuple(blocks))


def _methods(analysis: dict, context: ReportContext) -> Section:
    versions = context.versions
    benchmarks = analysis.get("benchmarks", {})
    filters = context.filters
    blocks: list[Block] = [Heading("Software and settings"), Facts((
        ("uxlab version", versions.uxlab or fmt.MISSING),
        ("scipy version", versions.scipy or fmt.MISSING),
        ("numpy version", versions.numpy or fmt.MISSING),
        ("Python version", versions.python or fmt.MISSING),
        ("matplotlib version", versions.matplotlib or fmt.MISSING),
        ("Confidence level", fmt.confidence_label(analysis["confidence"])),
        ("Design", f"{analysis['design']}-subjects"),
        ("Task times analysed", "successful attempts only" if analysis.get("times") ==
         "successful" else "all attempts"),
        ("Multiplicity adjustment", {"holm": "Holm", "bh": "Benjamini–Hochberg"}.get(
            analysis.get("adjust"), str(analysis.get("adjust")))),
        ("Benchmarks", _benchmarks_text(benchmarks)),
        ("Generated", _datetime(context.generated_at)),
    ))]
    blocks += [Heading("Data and exclusions"), Facts((
        ("Variant filter", filters.variant or "all variants"),
        ("Date range", f"{_date(filters.date_from) if filters.date_from else 'start'} to "
                       f"{_date(filters.date_to) if filters.date_to else 'end'}"),
        ("Session mode", filters.mode or "all modes"),
        ("Filters applied", "; ".join(filters.exclusion_rules) or "none"),
    ))]
    if context.excluded:
        listed = context.excluded[:MAX_EXCLUSIONS_LISTED]
        more = len(context.excluded) - len(listed)
        blocks.append(Table("Excluded participants", ("Participant", "Variant", "Reason"),
                            tuple((e.participant, e.variant or fmt.MISSING, e.reason)
                                  for e in listed),
                            note=f"{more} more not listed." if more > 0 else "",
                            widths=(1.2, 1.0, 4.0)))
    blocks += [Heading("Sample ratio"), Paragraph(_srm_sentence(analysis.get("srm", {})))]
    blocks += [Heading("Tests used, and why"), _tests_table(analysis, context)]
    blocks += [Heading("Methods"), Items(METHODS),
               Heading("Reproducing these numbers"), Paragraph(_reproduce(analysis)),
               Heading("References"), Items(tuple(("", r) for r in REFERENCES))]
    return Section("methods", "Methods appendix", tuple(blocks))


def _benchmarks_text(benchmarks: dict) -> str:
    parts = []
    if benchmarks.get("completion") is not None:
        parts.append(f"completion {fmt.percent(benchmarks['completion'])}")
    time = benchmarks.get("time")
    if isinstance(time, dict):
        parts.append("time " + ", ".join(f"{k} {fmt.seconds(v)}" for k, v in time.items()))
    elif time is not None:
        parts.append(f"time {fmt.seconds(time)}")
    tasks = benchmarks.get("task_completion") or {}
    if tasks:
        parts.append("task completion " + ", ".join(f"{k} {fmt.percent(v)}"
                                                     for k, v in tasks.items()))
    for key, label in (("seq", "SEQ"), ("sus", "SUS"), ("umux_lite", "UMUX-Lite"),
                       ("nps", "NPS")):
        if benchmarks.get(key) is not None:
            parts.append(f"{label} {benchmarks[key]:g}")
    return "; ".join(parts) or "none"


def _tests_table(analysis: dict, context: ReportContext) -> Table:
    """One row per (metric, test): why that test, and every comparison it was used for."""
    groups: dict[tuple[str, str | None, str], list[str]] = {}
    sources = [(context.task_title(t["task"]), t["comparisons"])
               for t in analysis.get("tasks", [])]
    sources += [(METRIC_NAMES.get(name, name), q.get("comparisons", []))
                for name, q in analysis.get("questionnaires", {}).items()]
    for where, comparisons in sources:
        for entry in comparisons:
            reason = test_reason(entry.get("test"), entry.get("note"))
            pair = ("all variants" if entry["kind"] == "omnibus"
                    else f"{entry['b']} vs {entry['a']}")
            groups.setdefault((entry["metric"], entry.get("test"), reason), []).append(
                f"{where}: {pair}")
    rows = tuple((METRIC_NAMES.get(metric, metric),
                  fmt.test_name(test) if test else "none", reason, "; ".join(used))
                 for (metric, test, reason), used in groups.items())
    return Table("The test behind each comparison", ("Metric", "Test", "Why this test",
                                                     "Used for"), rows,
                 widths=(0.8, 1.3, 3.0, 2.2))


def _reproduce(analysis: dict) -> str:
    benchmarks = analysis.get("benchmarks", {})
    options = [f"--design {analysis['design']}", f"--confidence {analysis['confidence']:g}"]
    if analysis.get("times") and analysis["times"] != "successful":
        options.append(f"--times {analysis['times']}")
    if analysis.get("adjust") and analysis["adjust"] != "holm":
        options.append(f"--adjust {analysis['adjust']}")
    options += _benchmark_options(benchmarks)
    command = "uxlab analyze attempts.csv --survey survey.csv " + " ".join(options) + " --json"
    return (f"Export the attempts and survey CSVs of the same participants (with the same "
            f"exclusions) and run “{command}”; the document it prints holds every number of "
            f"this report. Benchmarks used: {_benchmarks_text(benchmarks)}.")


def _benchmark_options(benchmarks: dict) -> list[str]:
    """``--benchmark`` options that set the benchmarks ``analyze`` does not use by default."""
    options = []
    for key in ("completion", "sus", "seq", "umux_lite", "nps", "time"):
        value = benchmarks.get(key)
        if isinstance(value, dict):
            options += [f"--benchmark {key}:{task}={target:g}" for task, target in value.items()]
        elif value is not None and value != DEFAULT_BENCHMARKS.get(key):
            options.append(f"--benchmark {key}={value:g}")
    options += [f"--benchmark completion:{task}={target:g}"
                for task, target in (benchmarks.get("task_completion") or {}).items()]
    return options

