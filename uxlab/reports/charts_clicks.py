"""Click maps: where participants clicked on a page, with misclicks marked, and their first clicks.

Positions are shares of the viewport (x / width, y / height), so clicks from different screen
sizes share one map; y can exceed 1 on a page scrolled below the first screen (the "fold" line).
Misclicks, clicks on nothing interactive, are drawn as filled crosses over the density so they
read without colour.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter
from scipy import ndimage

from uxlab.reports import style
from uxlab.reports.charts_common import Chart, Tally, wrap
from uxlab.reports.context import Click, ReportContext

_BINS_X = 40
_SMOOTHING = 1.2  # Gaussian smoothing of the density, in bins
_RASTERIZE_ABOVE = 400  # markers beyond this many are drawn as an image inside the SVG
_MAX_PAGE_HEIGHT = 3.0  # viewports; clicks further down are clipped to keep the map legible
_DENSITY_CMAP = LinearSegmentedColormap.from_list("uxlab-density", style.DENSITY_COLOURS)


def click_charts(context: ReportContext, task: str, variants: list[str]) -> list[Chart]:
    """One click map per page for each variant of ``task`` (in the given variant order)."""
    charts = []
    for variant in variants:
        clicks = context.clicks_for(task, variant)
        pages: dict[str, list[Click]] = {}
        for click in clicks:
            pages.setdefault(click.page, []).append(click)
        for number, (page, page_clicks) in enumerate(pages.items(), start=1):
            charts.append(click_map(context, task, variant, page, page_clicks,
                                    key=f"clicks-{_slug(task)}-{_slug(variant)}-{number}"))
    return charts


def click_map(context: ReportContext, task: str, variant: str, page: str,
              clicks: list[Click], key: str = "clicks", title: str | None = None) -> Chart:
    """Two panels for one page: the density of all clicks with misclicks marked; first clicks.

    ``title`` replaces the default "Clicks on PAGE: TASK, variant V".
    """
    x = np.array([c.x / c.vw for c in clicks])
    y = np.array([c.y / c.vh for c in clicks])
    interactive = np.array([c.interactive for c in clicks], dtype=bool)
    first = np.array([c.first for c in clicks], dtype=bool)
    aspect = float(np.median([c.vh / c.vw for c in clicks]))
    bottom = float(min(_MAX_PAGE_HEIGHT, max(1.0, np.quantile(y, 0.99) * 1.05)))
    x, y = np.clip(x, 0.0, 1.0), np.clip(y, 0.0, bottom)
    title = title or (f"Clicks on {page}: {context.task_title(task)}, "
                      f"variant {context.variant_label(variant)}")
    with style.styled():
        figure, density_ax, first_ax, colour_ax = _layout(aspect * bottom)
        image = _density(density_ax, x, y, bottom, aspect)
        _markers(density_ax, x[~interactive], y[~interactive], "X", style.MISCLICK)
        density_ax.set_title("All clicks: density, misclicks marked", fontsize=9)
        _markers(first_ax, x[first & interactive], y[first & interactive], "o", None)
        _markers(first_ax, x[first & ~interactive], y[first & ~interactive], "X",
                 style.MISCLICK)
        first_ax.set_title("First clicks", fontsize=9)
        for ax in (density_ax, first_ax):
            _page_frame(ax, bottom, aspect)
        colourbar = figure.colorbar(image, cax=colour_ax, orientation="horizontal")
        colourbar.set_label("share of all clicks per cell", fontsize=7.5)
        colourbar.ax.tick_params(labelsize=7)
        colourbar.ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        figure.legend(handles=_legend_handles(), loc="lower center", ncols=3, fontsize=7.5,
                      bbox_to_anchor=(0.5, 0.0))
        figure.text(0.01, 1 - 0.12 / figure.get_figheight(), wrap(title, _TITLE_WIDTH),
                    ha="left", va="top", fontweight="bold", fontsize=10)
    alt = _describe(title, x, y, interactive, first)
    return Tally().chart(key, title, alt, figure, f"task:{task}")


# Fixed layout, in inches: the labels of a click map never change, and a layout engine would
# cost more than drawing the map.
_PANEL_WIDTH, _LEFT, _GAP, _TOP, _BOTTOM = 2.55, 0.8, 0.9, 0.62, 1.36
#: Characters per line of the title (two lines at most, above the panels' own titles): a long
#: task title or variant name would run off the figure (the whole title is the chart's caption).
_TITLE_WIDTH = 64


def _layout(height_per_width: float):
    """The figure, its two page panels (same size, side by side) and the colour-bar axes."""
    panel_height = min(4.2, _PANEL_WIDTH * height_per_width)
    height = panel_height + _TOP + _BOTTOM
    figure = Figure(figsize=(style.WIDTH_IN, height))
    width = style.WIDTH_IN

    def rect(left, bottom, w, h):
        return (left / width, bottom / height, w / width, h / height)

    density_ax = figure.add_axes(rect(_LEFT, _BOTTOM, _PANEL_WIDTH, panel_height))
    first_ax = figure.add_axes(rect(_LEFT + _PANEL_WIDTH + _GAP, _BOTTOM, _PANEL_WIDTH,
                                    panel_height))
    colour_ax = figure.add_axes(rect(_LEFT + 0.35, _BOTTOM - 0.72, _PANEL_WIDTH - 0.7, 0.09))
    return figure, density_ax, first_ax, colour_ax


def _density(ax, x, y, bottom: float, aspect: float):
    bins_y = max(8, round(_BINS_X * bottom * aspect))
    counts, _, _ = np.histogram2d(y, x, bins=(bins_y, _BINS_X), range=((0, bottom), (0, 1)))
    smooth = ndimage.gaussian_filter(counts, _SMOOTHING, mode="constant")
    share = smooth / smooth.sum() if smooth.sum() > 0 else smooth
    return ax.imshow(share, extent=(0, 1, bottom, 0), cmap=_DENSITY_CMAP, vmin=0.0,
                     interpolation="bilinear", aspect=aspect, zorder=1)


def _markers(ax, x, y, marker: str, face: str | None) -> None:
    if not len(x):
        return
    many = len(x) > _RASTERIZE_ABOVE
    # Smaller, lighter markers as they multiply, so hundreds of them do not hide the density.
    size = float(np.clip(18.0 * np.sqrt(80.0 / len(x)), 3.0, 18.0))
    ax.scatter(x, y, marker=marker, s=size, facecolors=face if face else "none",
               edgecolors=style.INK if face else style.PALETTE[0],
               linewidths=(0.4 if face else 1.0) * min(1.0, size / 12), zorder=3,
               rasterized=many, alpha=0.95 if len(x) <= 80 else 0.7)


def _page_frame(ax, bottom: float, aspect: float) -> None:
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom, 0)
    ax.set_aspect(aspect)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(style.MUTED)
    if bottom > 1:
        ax.axhline(1.0, color=style.MUTED, linestyle="--", linewidth=0.9, zorder=2)
        ax.annotate("fold", (1.0, 1.0), xytext=(-2, -2), textcoords="offset points",
                    ha="right", va="bottom", fontsize=7, color=style.MUTED)
    ax.set_xticks([0, 0.5, 1], ["left", "centre", "right"], fontsize=7.5)
    ax.set_yticks([0, 1], ["top", "1 screen"], fontsize=7.5)
    ax.set_xlabel("across the viewport", fontsize=7.5, labelpad=1)
    ax.set_ylabel("down the page", fontsize=7.5, labelpad=1)


def _legend_handles() -> list[Line2D]:
    return [
        Line2D([], [], marker="X", linestyle="none", markerfacecolor=style.MISCLICK,
               markeredgecolor=style.INK, markersize=7,
               label="misclick (not on anything interactive)"),
        Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
               markeredgecolor=style.PALETTE[0], markersize=6.5,
               label="first click on an interactive element"),
    ]


def _describe(title: str, x, y, interactive, first) -> str:
    total = len(x)
    misclicks = int((~interactive).sum())
    firsts = int(first.sum())
    first_hits = int((first & interactive).sum())
    parts = [f"{title}. {total} clicks, {misclicks} of them misclicks ({misclicks / total:.0%})"]
    parts.append(f"{firsts} first clicks, {first_hits} on an interactive element"
                 if firsts else "no first clicks recorded")
    row = ("top", "middle", "bottom")[min(2, int(np.median(y) * 3))] if np.median(y) < 1 \
        else "below the first screen"
    column = ("left", "centre", "right")[min(2, int(np.median(x) * 3))]
    parts.append(f"clicks centre on the {row} {column} of the page"
                 if row != "below the first screen" else f"clicks centre {row}")
    return "; ".join(parts) + "."


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower() or "x"
