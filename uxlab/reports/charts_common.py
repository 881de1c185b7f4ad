"""The chart type and the drawing helpers every report chart shares.

Every estimate is drawn by :func:`point_interval`, which draws its interval in the same call: the
marker gets the SVG id ``estimate-k`` and the interval ``interval-k``, so a test (or a reader of
the SVG) can check that each estimate has its interval. An estimate the analysis could not give an
interval for is drawn with a visible "no interval" label and counted apart.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field, fields

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from uxlab.reports import style
from uxlab.reports.chart_set import ChartFacts, SvgChart
from uxlab.reports.context import ReportContext


@dataclass(frozen=True, eq=False, kw_only=True)
class Chart(ChartFacts):
    """A built chart: the figure, a title, a text alternative and what it draws (see
    :class:`~uxlab.reports.chart_set.ChartFacts`)."""

    figure: Figure = field(repr=False)

    def svg(self, prefix: str | None = None) -> str:
        """Inline SVG text with ``<title>``/``<desc>`` and ids made unique by ``prefix``."""
        return style.accessible_svg(style.render(self.figure, "svg"), prefix or self.key,
                                    self.title, self.alt)

    def svg_chart(self, prefix: str | None = None) -> SvgChart:
        """The chart rendered as :meth:`svg` (ids prefixed with ``prefix``, by default its key),
        as plain data."""
        return SvgChart(svg=self.svg(prefix), **{facts.name: getattr(self, facts.name)
                                                  for facts in fields(ChartFacts)})

    def png(self, dpi: int = style.DPI_PNG) -> bytes:
        """PNG bytes."""
        return style.render(self.figure, "png", dpi=dpi)

    @property
    def size_inches(self) -> tuple[float, float]:
        width, height = self.figure.get_size_inches()
        return float(width), float(height)


class Tally:
    """Counts what a chart draws and hands out the SVG ids of estimates and intervals."""

    def __init__(self) -> None:
        self.estimates = 0
        self.intervals = 0
        self.without_interval = 0

    def chart(self, key: str, title: str, alt: str, figure: Figure, section: str) -> Chart:
        freeze_layout(figure)
        return Chart(key=key, title=title, alt=alt, figure=figure, section=section,
                     estimates=self.estimates, intervals=self.intervals,
                     without_interval=self.without_interval)


def freeze_layout(figure: Figure) -> None:
    """Run the constrained layout once and keep it.

    With a layout engine attached, every ``savefig`` draws the figure twice (once to lay it out);
    a report saves each chart as SVG or PNG, so laying out once at build time halves the cost.
    """
    engine = figure.get_layout_engine()
    if engine is not None:
        with style.styled():
            engine.execute(figure)
        figure.set_layout_engine(None)


def point_interval(ax: Axes, tally: Tally, value: float | None, position: float,
                   low: float | None, high: float | None, variant: style.VariantStyle, *,
                   horizontal: bool = True, missing_text: str = "n/a",
                   limits: tuple[float, float] | None = None) -> None:
    """Draw one estimate with its interval (a line with caps) at ``position`` on the category axis.

    With ``value`` ``None`` nothing is estimated: a short grey label (``missing_text``) says why.
    A one-sided interval (one bound ``None``) is drawn to the axis edge on its open side. With
    the value axis's ``limits`` given, a bound beyond them is drawn to the edge and ends in an
    arrow (SVG id ``interval-arrow-k-low`` / ``-high``) instead of a cap.
    """
    if value is None:
        _label_missing(ax, position, missing_text, horizontal)
        return
    tally.estimates += 1
    k = tally.estimates
    if low is None and high is None:
        tally.without_interval += 1
        _label_missing(ax, position, "no interval", horizontal, anchor=value)
    else:
        tally.intervals += 1
        beyond = _beyond(low, high, limits)
        if beyond["low"]:
            low = limits[0]
        if beyond["high"]:
            high = limits[1]
        lower = value - low if low is not None else 0.0
        upper = high - value if high is not None else 0.0
        error = [[max(lower, 0.0)], [max(upper, 0.0)]]
        xy = ([value], [position]) if horizontal else ([position], [value])
        container = ax.errorbar(*xy, xerr=error if horizontal else None,
                                yerr=None if horizontal else error, fmt="none",
                                ecolor=variant.color, elinewidth=1.6, capsize=3.5,
                                capthick=1.4, zorder=3)
        for line_collection in container.lines[2]:
            line_collection.set_gid(f"interval-{k}")
        for end, cap in enumerate(container.lines[1]):
            cap.set_gid(f"interval-cap-{k}-{end}")
            if beyond[("low", "high")[end]]:
                cap.set_visible(False)
        for side, outside in beyond.items():
            if outside:
                _arrow(ax, limits[side == "high"], position, side, horizontal, variant,
                       f"interval-arrow-{k}-{side}")
    xy = (value, position) if horizontal else (position, value)
    (marker,) = ax.plot(*xy, linestyle="none", zorder=4, **variant.marker_kwargs())
    marker.set_gid(f"estimate-{k}")


def _beyond(low, high, limits) -> dict[str, bool]:
    """Which bounds lie beyond the value axis's limits."""
    if limits is None:
        return {"low": False, "high": False}
    return {"low": low is not None and low < limits[0],
            "high": high is not None and high > limits[1]}


def _arrow(ax: Axes, at: float, position: float, side: str, horizontal: bool,
           variant: style.VariantStyle, gid: str) -> None:
    """An arrowhead at the axis edge: the interval goes on beyond the axis."""
    marker = {(True, "low"): "<", (True, "high"): ">", (False, "low"): "v",
              (False, "high"): "^"}[(horizontal, side)]
    xy = (at, position) if horizontal else (position, at)
    (arrow,) = ax.plot(*xy, linestyle="none", marker=marker, markersize=6.5,
                       color=variant.color, clip_on=False, zorder=4)
    arrow.set_gid(gid)


def _label_missing(ax: Axes, position: float, text: str, horizontal: bool,
                   anchor: float | None = None) -> None:
    if horizontal:
        x = anchor if anchor is not None else 0.01
        transform = ax.transData if anchor is not None else ax.get_yaxis_transform()
        ax.text(x, position, f"  {text}", va="center", ha="left", fontsize=7.5,
                color=style.MUTED, transform=transform, zorder=5)
    else:
        y = anchor if anchor is not None else 0.02
        transform = ax.transData if anchor is not None else ax.get_xaxis_transform()
        ax.text(position, y, text, va="bottom", ha="center", fontsize=7.5, rotation=90,
                color=style.MUTED, transform=transform, zorder=5)


def dodge(count: int, index: int, span: float = 0.62) -> float:
    """Offset of the ``index``-th of ``count`` variants around a category's position."""
    if count <= 1:
        return 0.0
    return -span / 2 + span * index / (count - 1)


def wrap(text: str, width: int = 30, lines: int = 2) -> str:
    """Wrap a label to at most ``lines`` lines, ending in … when cut."""
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder="…")) or text


#: Characters per line of a variant's label on a chart (legend, category axis): a long variant
#: name would otherwise squeeze the plot to nothing (the full name is in the text alternative
#: and the tables).
VARIANT_LABEL_WIDTH = 24


def variant_label(context: ReportContext, name: str) -> str:
    """A variant's label as a chart shows it: wrapped to two lines, cut with … beyond."""
    return wrap(context.variant_label(name), VARIANT_LABEL_WIDTH)


def variant_legend(ax: Axes, variants: list[str], context: ReportContext,
                   extra: list | None = None, **kwargs) -> None:
    """A legend with each variant's marker (and line), in variant order, then ``extra`` handles."""
    handles = []
    for i, name in enumerate(variants):
        look = style.variant_style(i)
        (handle,) = ax.plot([], [], linestyle="-", linewidth=1.6, **look.marker_kwargs(),
                            label=variant_label(context, name))
        handles.append(handle)
    options = {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0), "title": "Variant",
               "title_fontsize": 8.5, "borderaxespad": 0.0, "alignment": "left"}
    options.update(kwargs)
    ax.legend(handles=handles + list(extra or []), **options)


BENCHMARK_LINESTYLE = (0, (4, 2))


def benchmark_line(ax: Axes, value: float, label: str, *, horizontal: bool = True):
    """A dashed benchmark line across the plot; returns a legend handle labelled ``label``."""
    draw = ax.axvline if horizontal else ax.axhline
    return draw(value, color=style.BENCHMARK, linestyle=BENCHMARK_LINESTYLE, linewidth=1.3,
                zorder=2, label=label)


def separate_rows(ax: Axes, rows: int) -> None:
    """Thin lines between the rows of a chart with one row per task."""
    for boundary in range(rows - 1):
        ax.axhline(boundary + 0.5, color=style.GRID, linewidth=0.8, zorder=1)


def task_rows_height(tasks: int, variants: int) -> float:
    """Figure height (inches) for a chart with one row per task and a marker per variant."""
    return 1.1 + tasks * (0.32 + 0.11 * max(variants, 1))


def new_figure(height: float, width: float = style.WIDTH_IN, **kwargs) -> Figure:
    return style.new_figure(height, width, **kwargs)
