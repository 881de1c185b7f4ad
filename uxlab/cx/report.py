"""The journey report: the CX board's content as report blocks, for HTML and PDF.

It says what the board says (figures with their intervals and n, targets, the UX side, weak spots,
period comparisons), laid out by the study report's own HTML template and PDF builder.
"""

from __future__ import annotations

from datetime import UTC, datetime

from uxlab.cx.board import METRIC_LABELS, Board, Card
from uxlab.cx.text_summary import figure_text, shown_value
from uxlab.reports import blocks as b

CX_COLUMNS = ("nps", "csat", "ces", "tickets", "contact_rate")


def render_journey_report(board: Board, fmt: str, synthetic: bool = False
                          ) -> tuple[bytes | str, str]:
    """The journey report as ``(body, mimetype)`` in ``fmt`` (``html`` or ``pdf``)."""
    from uxlab import __version__
    from uxlab.reports.html import render_report_blocks
    from uxlab.reports.pdf import render_report_blocks_pdf

    report = journey_report(board, synthetic)
    if fmt == "pdf":
        return render_report_blocks_pdf(report), "application/pdf"
    return render_report_blocks(report, __version__), "text/html"


def journey_report(board: Board, synthetic: bool = False) -> b.Report:
    """Build the report of one board (raise ValueError when the board has no journey)."""
    if board.journey is None:
        raise ValueError("there is no journey to report on")
    when = board.period or "all time"
    subtitle = f"CX journey report · {when}" + (f" vs {board.compare_to}" if board.compare_to
                                                else "")
    facts = [("Journey", board.journey.name), ("Period", when),
             ("Segment", board.segment or "all"),
             ("Stages", str(len(board.stages))),
             ("Touchpoints", str(sum(len(s.cards) for s in board.stages))),
             ("Made", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))]
    if board.compare_to:
        facts.insert(2, ("Compared with", board.compare_to))
    title_blocks: list = [b.Facts(tuple(facts))]
    if synthetic:
        title_blocks.append(b.Paragraph("This database holds the demo's synthetic CX data "
                                        "(source “synthetic-demo”): made-up answers, not real "
                                        "customers.", "warning"))
    sections = [b.Section("title", f"Journey report: {board.journey.name}",
                          tuple(title_blocks), kind="title"),
                _summary_section(board)]
    sections += [_stage_section(i, stage) for i, stage in enumerate(board.stages)]
    sections.append(b.Section("methods", "Methods", (b.Paragraph(
        "NPS with the adjusted-Wald interval; CSAT as the share answering 4 or 5 of 5 with the "
        "adjusted-Wald interval; CES as the mean with its t interval and the share agreeing "
        "(5–7); each from the stored answers. Where a touchpoint has no answers in the period "
        "the newest aggregate figure of the period stands in. Periods are compared by the "
        "adjusted-Wald NPS difference, the N−1 two-proportion test and Welch's t. Usability: "
        "the task's completion rate with the adjusted-Wald interval from the newest study "
        "round mapped to the touchpoint. A weak spot is a touchpoint whose completion misses its "
        "benchmark while a CX figure misses its target. Details: docs/cx.md and "
        "docs/statistics.md."),)))
    return b.Report(f"Journey report: {board.journey.name}", subtitle, tuple(sections))


def _summary_section(board: Board) -> b.Section:
    cards = [c for s in board.stages for c in s.cards]
    weak = [c for c in cards if c.weak_spot]
    blocks: list = []
    if weak:
        blocks.append(b.Items(tuple(
            (card.name, f"usability misses its benchmark and "
                        f"{', '.join(METRIC_LABELS[m] for m in card.cx_misses)} "
                        f"{'misses its target' if len(card.cx_misses) == 1 else 'miss targets'}.")
            for card in weak)))
    else:
        blocks.append(b.Paragraph("No touchpoint misses both its usability benchmark and a CX "
                                  "target."))
    if board.summary and board.summary.figures:
        blocks.append(b.Facts(tuple((METRIC_LABELS[m], figure_text(m, f))
                                    for m, f in board.summary.figures.items())))
    return b.Section("summary", "Weak spots and the journey as a whole", tuple(blocks))


def _stage_section(index: int, stage) -> b.Section:
    header = ("Touchpoint", *(METRIC_LABELS[m] for m in CX_COLUMNS), "Usability")
    rows = tuple((card.name, *(_cell(card, m) for m in CX_COLUMNS), _ux_cell(card))
                 for card in stage.cards)
    blocks: list = [b.Table(f"{stage.name}: CX and usability per touchpoint", header, rows,
                            widths=(1.3, 1.4, 1.4, 1.4, 0.8, 0.8, 2.2))]
    sentences = [(card.name, c["sentence"]) for card in stage.cards
                 for c in card.comparisons.values()]
    if sentences:
        blocks.append(b.Heading("Compared with the earlier period"))
        blocks.append(b.Items(tuple(sentences)))
    return b.Section(f"stage-{index + 1}", f"Stage: {stage.name}", tuple(blocks))


def _cell(card: Card, metric: str) -> str:
    figure = card.figures.get(metric)
    if figure is None:
        return "–"
    text = figure_text(metric, figure).split(" ", 1)[1]
    target = card.targets.get(metric)
    if target is not None:
        text += (" · misses " if card.misses(metric) else " · meets ") + \
            shown_value(metric, target)
    return text


def _ux_cell(card: Card) -> str:
    if card.ux is None:
        return "no study maps a task here"
    parts = []
    for v in card.ux.variants:
        if v.completion:
            c = v.completion
            parts.append(f"{v.variant_name}: {c['estimate'] * 100:.0f}% "
                         f"({c['low'] * 100:.0f}–{c['high'] * 100:.0f}%)")
    flag = " · WEAK SPOT" if card.weak_spot else ""
    return f"{card.ux.study_title}: " + ("; ".join(parts) or "no data") + flag


def study_cx_touchpoints(session, study) -> tuple:
    """The CX figures of the touchpoints the study's tasks map to that have CX data.

    For the study's report. Each journey involved is read once, through the same board as
    ``/cx`` (all time, all segments, without the UX side, which the report itself is), so the
    report's figures are the board's. Without any CX data for those touchpoints: nothing.
    """
    from sqlalchemy import exists, or_, select

    from uxlab.cx.board import build_board
    from uxlab.models import CxMeasure, CxResponse
    from uxlab.reports.context import CxTouchpoint

    tasks = [t for t in study.tasks if t.touchpoint is not None]
    ids = [t.touchpoint_id for t in tasks]
    if not ids or not session.scalar(select(or_(
            exists().where(CxResponse.touchpoint_id.in_(ids)),
            exists().where(CxMeasure.touchpoint_id.in_(ids))))):
        return ()
    boards = {}
    rows = []
    for task in tasks:
        journey = task.touchpoint.journey.name
        if journey not in boards:
            boards[journey] = build_board(session, journey, with_ux=False)
        card = next((c for stage in boards[journey].stages for c in stage.cards
                     if c.touchpoint.id == task.touchpoint_id), None)
        if card is None or not card.figures:
            continue  # a touchpoint without CX data has nothing to add to the report
        figures = tuple(
            figure_text(metric, figure) + (
                "" if card.targets.get(metric) is None else
                (" — misses target " if card.misses(metric) else " — meets target ")
                + shown_value(metric, card.targets[metric]))
            for metric, figure in card.figures.items())
        rows.append(CxTouchpoint(f"{journey} › {card.touchpoint.stage.name} › {card.name}",
                                 task.title, figures))
    return tuple(rows)
