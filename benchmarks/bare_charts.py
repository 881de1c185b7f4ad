"""The bare-matplotlib baseline of the report benchmark, as a function and as a program.

``draw(plan, fmt, dpi)``: for each chart of a report, a ``Figure`` of the same size with one axes,
as many error bars as the chart has estimates (at least one), a title and axis labels, saved as
SVG, PNG or PDF (Type 3 fonts, as the PDF report's charts): the floor any matplotlib report with these charts pays. Run as a program
(``python benchmarks/bare_charts.py FORMAT PLAN_JSON DPI``) it is the baseline of the
``uxlab report`` command: Python start-up, importing numpy and matplotlib, the same charts. It
imports nothing of uxlab, so the program pays no more than a bare matplotlib script would.
"""

from __future__ import annotations

import io
import json
import sys

import matplotlib
import numpy as np
from matplotlib.figure import Figure


def draw(sizes_and_counts, fmt: str, dpi: int) -> int:
    """Draw one figure per (size, count) entry and save it as ``fmt``; return bytes written."""
    written = 0
    for (width, height), count in sizes_and_counts:
        figure = Figure(figsize=(width, height))
        ax = figure.add_subplot()
        positions = np.arange(max(count, 1))
        ax.errorbar(0.5 + 0.1 * np.sin(positions), positions, xerr=0.1, fmt="o", capsize=3)
        ax.set_title("chart")
        ax.set_xlabel("estimate")
        ax.set_ylabel("row")
        buffer = io.BytesIO()
        with matplotlib.rc_context({"pdf.fonttype": 3}):  # the report's PDF charts' fonts
            figure.savefig(buffer, format=fmt, dpi=dpi)
        written += buffer.tell()
    return written


if __name__ == "__main__":
    draw(json.loads(sys.argv[2]), sys.argv[1], int(sys.argv[3]))
