"""The CX board as plain text for the terminal (``uxlab cx summary``)."""

from __future__ import annotations

from uxlab.cx.board import METRIC_LABELS, Board, Card
from uxlab.cx.figures import Figure


def shown_value(metric: str, value: float) -> str:
    """A metric's value as people read it: rates in %, others to 3 significant figures."""
    if metric in ("csat", "contact_rate", "churn_rate", "retention_rate"):
        return f"{value * 100:.0f}%"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def trend_text(metric: str, points: list[tuple[str, Figure]]) -> str:
    """E.g. ``2026-07 24 (n 40) · 2026-08 31 (n 38)``."""
    return " · ".join(f"{label} {shown_value(metric, figure.estimate)}"
                      + (f" (n {figure.n})" if figure.n is not None else "")
                      for label, figure in points)


def figure_text(metric: str, figure: Figure) -> str:
    """E.g. ``NPS 24 (95% CI 11 to 36, n 180)`` or ``CSAT 81% (no interval (n unknown))``."""
    def shown(value: float) -> str:
        return shown_value(metric, value)

    text = f"{METRIC_LABELS[metric]} {shown(figure.estimate)}"
    details = []
    if figure.low is not None and figure.high is not None:
        details.append(f"CI {shown(figure.low)} to {shown(figure.high)}")
    if figure.n is not None:
        details.append(f"n {figure.n}")
    if figure.note:
        details.append(figure.note)
    if metric == "ces" and "agree" in figure.extra:
        details.append(f"{figure.extra['agree']['estimate'] * 100:.0f}% agree")
    return text + (f" ({', '.join(details)})" if details else "")


def card_lines(card: Card, indent: str = "  ") -> list[str]:
    lines = [f"{indent}{card.name}" + ("  ⚠ weak spot" if card.weak_spot else "")]
    for metric, figure in card.figures.items():
        target = card.targets.get(metric)
        mark = "" if target is None else (" — misses target " if card.misses(metric)
                                          else " — meets target ") + shown_value(metric, target)
        lines.append(f"{indent}  CX  {figure_text(metric, figure)}{mark}")
    if card.ux:
        ux = card.ux
        lines.append(f"{indent}  UX  {ux.study_title} v{ux.study_version}, task {ux.task_title}"
                     + (f" ({ux.note})" if ux.note else ""))
        for v in ux.variants:
            parts = []
            if v.completion:
                c = v.completion
                parts.append(f"completion {c['estimate'] * 100:.0f}% (CI {c['low'] * 100:.0f}"
                             f"–{c['high'] * 100:.0f}%)")
            if v.time and v.time.get("geometric_mean") is not None:
                parts.append(f"time {v.time['geometric_mean']:.0f} s")
            if v.seq and v.seq.get("mean") is not None:
                parts.append(f"SEQ {v.seq['mean']:.1f}")
            if v.sus and v.sus.get("mean") is not None:
                parts.append(f"SUS {v.sus['mean']:.0f}")
            lines.append(f"{indent}      {v.variant_name}: {', '.join(parts) or 'no data'}")
    for comparison in card.comparisons.values():
        lines.append(f"{indent}  Δ   {comparison['sentence']}")
    return lines


def board_text(board: Board) -> str:
    if board.journey is None:
        return "No journeys yet. Load one with `uxlab journeys load FILE`."
    head = f"{board.journey.name}" + (f" · {board.period}" if board.period else " · all time") \
        + (f" vs {board.compare_to}" if board.compare_to else "") \
        + (f" · segment {board.segment}" if board.segment else "")
    lines = [head, "=" * len(head)]
    if board.summary and board.summary.figures:
        lines += card_lines(board.summary, "")
    for stage in board.stages:
        lines.append("")
        lines.append(f"[{stage.name}]")
        if stage.summary.figures:
            lines += card_lines(stage.summary)
        for card in stage.cards:
            lines += card_lines(card)
    return "\n".join(lines)
