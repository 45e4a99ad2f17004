"""Deterministic figure settings: the same input gives byte-identical SVG, PNG and PDF.

Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas attached explicitly (no
pyplot, no global figure manager, no interactive backend). Every figure is drawn and saved
inside :func:`figure_context`, which fixes the rcParams that would otherwise vary: the SVG id
salt (``svg.hashsalt``, else random per run), fonts, and text kept as SVG ``<text>`` (so the
files are small, searchable and testable). Metadata carrying dates is removed on save.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from collections.abc import Iterator

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from ivigmeta.effects.transforms import log_axis_measures
from ivigmeta.output import atomic_write
from ivigmeta.render.figures.paths import format_for

#: Measures whose ``yi`` are logarithms (plotted as exp on a log axis): those whose
#: back-transformation (:mod:`ivigmeta.effects.transforms`) asks for a log axis, and PETO, HR.
RATIO_MEASURES = frozenset({"PETO", "HR"}) | log_axis_measures()

NICE_RATIO_TICKS = tuple(m * 10.0**e for e in range(-4, 5) for m in (1, 2, 5))

INK = "#1a1a1a"
MUTED = "#6b6b6b"
ACCENT = "#1f4e79"  # pooled estimates
HIGHLIGHT = "#b03a2e"  # prediction intervals, filled studies
GRID = "#d9d9d9"

RC_PARAMS = {
    "svg.hashsalt": "ivigmeta",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.0,
    "path.simplify": False,
    "savefig.dpi": 150,
}

METADATA = {
    "svg": {"Date": None, "Creator": "ivigmeta"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "ivigmeta", "Producer": "ivigmeta"},
    "png": {"Software": None},
}


@contextlib.contextmanager
def figure_context() -> Iterator[None]:
    """Apply the deterministic rcParams (build and save figures inside this context)."""
    with matplotlib.rc_context(RC_PARAMS):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches on an explicit Agg canvas."""
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """Render ``figure`` as ``fmt`` (svg, png, pdf) with dates and random ids removed."""
    buffer = io.BytesIO()
    with figure_context():
        figure.savefig(buffer, format=fmt, metadata=METADATA[fmt])
    return buffer.getvalue()


def figure_svg(figure: Figure) -> str:
    """The figure as an SVG document (text), for inlining in HTML."""
    return figure_bytes(figure, "svg").decode("utf-8")


def save_figure(figure: Figure, path: str | os.PathLike[str]) -> None:
    """Write ``figure`` atomically to ``path``; the extension (.svg/.png/.pdf) picks the format."""
    atomic_write(path, figure_bytes(figure, format_for(path)))


def format_number(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and a true minus sign (U+2212)."""
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        text = "\u2212" + text[1:]
        if float(text[1:]) == 0:
            text = text[1:]
    return text


def format_p(p: float) -> str:
    """A p-value as a reader expects it: ``p < 0.0001`` below that, else 4 decimals."""
    if p < 0.0001:
        return "p < 0.0001"
    return f"p = {p:.4f}"


def ratio_axis(ax: Axes) -> None:
    """Log-scale x axis for ratios (call after setting the limits): 1-2-5 ticks shown as plain
    numbers (0.5, 1, 2), powers of ten only when 1-2-5 would crowd the axis."""
    ax.set_xscale("log")
    low, high = sorted(ax.get_xlim())
    ticks = [t for t in NICE_RATIO_TICKS if low <= t <= high]
    if len(ticks) > 8:
        ticks = [t for t in ticks if math.log10(t).is_integer()]
    if 3 <= len(ticks) <= 8:
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
    elif len(ticks) < 3:  # a narrow range: the minor ticks carry the labels (0.4, 0.6)
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:.2g}"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
