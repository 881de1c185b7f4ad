"""The one chart style of uxlab's reports: readable in colour, for colour-blind readers and in grey.

Variants are told apart by a marker shape, a line style and a hatch as well as a colour, so a chart
printed in grey (or read by someone who does not see the colour) still says which is which. The
colours are the Okabe–Ito palette, chosen to stay distinct under the common colour-vision
deficiencies. Figures are built as ``matplotlib.figure.Figure`` (never ``pyplot``, which keeps
global state unsuitable for a server) and rendered with the Agg/SVG back ends.

References
----------
Okabe, M., & Ito, K. (2008). Color universal design (CUD): How to make figures and presentations
that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported where a figure is made: the constants need none of it
    from matplotlib.figure import Figure

# Okabe–Ito, darkest first, so the first variants' thin interval lines keep their contrast on
# white paper when printed in grey; the light ones (orange, sky blue, yellow) come last.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9",
           "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES = ("", "///", "...", "xx", "\\\\\\", "++", "oo", "--")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)), (0, (3, 3)))
# Filled markers for even variants, open for odd: one more cue that survives grey printing.
FILLED = (True, False, True, False, True, False, True, False)

INK = "#1a1a1a"
MUTED = "#5c5c5c"
GRID = "#d9d9d9"
BENCHMARK = "#a01010"
MISCLICK = "#D55E00"
# White to dark blue through ColorBrewer's YlGnBu: monotone in lightness, so density reads in grey
# and for colour-blind readers; empty areas stay white.
DENSITY_COLOURS = ("#ffffff", "#edf8b1", "#7fcdbb", "#2c7fb8", "#081d58")

# Nielsen's severity scale, 0–4: darker and larger for worse problems.
SEVERITY_LABELS = ("not a problem", "cosmetic", "minor", "major", "catastrophe")
SEVERITY_MARKERS = ("o", "o", "s", "^", "D")
SEVERITY_COLOURS = ("#bdbdbd", "#56B4E9", "#0072B2", "#E69F00", "#D55E00")

# NPS categories: detractors, passives, promoters.
NPS_COLOURS = ("#D55E00", "#d9d9d9", "#0072B2")
NPS_HATCHES = ("xx", "", "//")

WIDTH_IN = 7.0
DPI_PNG = 200
# Resolution of the few raster parts of an SVG (click densities, dense scatter): they are smooth,
# and at 200 dpi encoding them would cost more than the rest of the SVG.
DPI_SVG_RASTER = 110

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9.0,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.0,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "hatch.linewidth": 0.8,
    "hatch.color": INK,
    "lines.linewidth": 1.4,
    "errorbar.capsize": 3.0,
    "svg.fonttype": "none",  # keep text as text: selectable, searchable, read by screen readers
    # PDF charts: Type 3 fonts keep glyph names, so their text extracts (pypdf, viewers' search);
    # TrueType (42) subsetting through fontTools cost seconds per chart for the same result.
    "pdf.fonttype": 3,
    "svg.hashsalt": "uxlab",  # stable ids, so the same report renders byte-identical SVG
    "figure.dpi": 100,
    "savefig.dpi": DPI_PNG,
    "savefig.bbox": None,
    "savefig.pad_inches": 0.08,
    "savefig.facecolor": "white",
}

# rcParams are global: rendering holds this lock so concurrent requests do not see each other's
# settings half-applied (matplotlib itself is not thread-safe either).
_RENDER_LOCK = threading.RLock()


@dataclass(frozen=True)
class VariantStyle:
    """How one variant is drawn: colour, marker, line style, hatch, filled or open marker."""

    color: str
    marker: str
    linestyle: object
    hatch: str
    filled: bool

    def marker_kwargs(self, size: float = 6.5) -> dict:
        return {"marker": self.marker, "markersize": size, "color": self.color,
                "markeredgecolor": self.color,
                "markerfacecolor": self.color if self.filled else "white",
                "markeredgewidth": 1.4}


def variant_style(index: int) -> VariantStyle:
    """The style of the ``index``-th variant (in the document's variant order)."""
    if index < 0:
        raise ValueError(f"index must be ≥ 0, got {index!r}")
    i = index % len(PALETTE)
    return VariantStyle(PALETTE[i], MARKERS[i], LINESTYLES[i], HATCHES[i], FILLED[i])


@contextmanager
def styled() -> Iterator[None]:
    """Apply the report style while building and rendering a figure (serialised, see above)."""
    import matplotlib

    with _RENDER_LOCK, matplotlib.rc_context(RC):
        yield


def new_figure(height: float, width: float = WIDTH_IN, **kwargs) -> Figure:
    """A figure in the report style; call inside :func:`styled`."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained", **kwargs)


def render(figure: Figure, fmt: str = "svg", *, dpi: int | None = None) -> str | bytes:
    """Render a figure as SVG text (``fmt="svg"``), or PNG or vector PDF bytes (``"png"``, ``"pdf"``).

    The SVG keeps text as ``<text>`` (``svg.fonttype = none``) and has matplotlib's metadata block
    and XML prologue removed so it can be inlined in HTML. ``dpi`` is the PNG's resolution
    (default ``DPI_PNG``) or that of an SVG's rasterized parts (default ``DPI_SVG_RASTER``).
    """
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"fmt must be 'svg', 'png' or 'pdf', got {fmt!r}")
    dpi = dpi or (DPI_PNG if fmt == "png" else DPI_SVG_RASTER)
    buffer = io.BytesIO()
    with styled():
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    if fmt != "svg":
        return buffer.getvalue()
    return _inline_svg(buffer.getvalue().decode("utf-8"))


def _metadata(fmt: str) -> dict:
    if fmt == "svg":
        return {"Date": None, "Creator": None, "Format": None, "Type": None}
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": None, "Producer": None}
    return {"Software": None}


_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def _inline_svg(svg: str) -> str:
    svg = _PROLOGUE.sub("", svg, count=1)
    return _METADATA.sub("", svg, count=1)


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')


def accessible_svg(svg: str, prefix: str, title: str, description: str) -> str:
    """Make an inline SVG unique and accessible inside a page holding many.

    Every ``id`` (and every reference to it) gets ``prefix``, so several charts can share one
    HTML document without clashing clip paths or markers; a ``<title>`` and ``<desc>`` become the
    first children of ``<svg>``, which gets ``role="img"`` and ``aria-labelledby`` pointing at them.
    """
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    head_end = svg.index(">", svg.index("<svg")) + 1
    head = svg[:head_end].rstrip(">").rstrip("/")
    head += (f' role="img" aria-labelledby="{prefix}-title {prefix}-desc"'
             f' class="chart-svg">')
    label = (f'<title id="{prefix}-title">{escape(title)}</title>'
             f'<desc id="{prefix}-desc">{escape(description)}</desc>')
    return head + label + svg[head_end:]
