"""The rows of a forest plot and the text in them: studies, pooled summaries, data columns,
effect and p-value formatting as RevMan prints them, text widths and the default axis.

Drawn by :mod:`ivigmeta.render.figures.forest`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath

from ivigmeta.render.figures.style import format_number

SQUARE_MIN, SQUARE_MAX = 3.5, 11.0  # points
FONT_SIZE = 8.0


@dataclass(frozen=True)
class ForestStudy:
    """One study row. ``yi`` and the CI are on the analysis scale (log for ratio measures);
    ``cells`` the text of its data columns; ``weight`` in percent."""

    label: str
    yi: float
    ci_low: float
    ci_high: float
    weight: float | None = None
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForestSummary:
    """A pooled estimate (a diamond) with its totals, prediction interval and the text lines
    that go under it (heterogeneity, test for overall effect)."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    weight: float | None = None
    cells: tuple[str, ...] = ()
    events: tuple[str, ...] = ()  # the "Total events" row (empty: none)
    pi_low: float | None = None
    pi_high: float | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForestBlock:
    """A block of studies: all of them, or one subgroup with its own diamond(s)."""

    title: str | None
    studies: tuple[ForestStudy, ...]
    summaries: tuple[ForestSummary, ...] = ()


@dataclass(frozen=True)
class ForestColumns:
    """Data columns: ``arms`` as (arm name, its column headers), e.g.
    (("BCG", ("Events", "Total")), ("Control", ("Events", "Total")))."""

    arms: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def count(self) -> int:
        return sum(len(headers) for _, headers in self.arms)


def text_width(text: str, bold: bool = False, size: float = FONT_SIZE) -> float:
    """Width of ``text`` in inches, in DejaVu Sans (the SVG's font)."""
    if not text:
        return 0.0
    prop = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    return TextPath((0, 0), text, size=size, prop=prop).get_extents().width / 72.0


def format_effect(estimate: float, low: float, high: float, ratio: bool, digits: int = 2) -> str:
    """``0.49 [0.34, 0.70]``: ``digits`` decimals, on the ratio scale for ratio measures."""
    values = (estimate, low, high)
    if not all(math.isfinite(v) for v in values):
        return "Not estimable"
    if ratio:
        values = tuple(math.exp(v) for v in values)
    text = [format_number(v, digits) for v in values]
    return f"{text[0]} [{text[1]}, {text[2]}]"


def format_revman_p(p: float) -> str:
    """RevMan's P: ``P < 0.00001``, ``P < 0.0001``, else 4 decimals below 0.001, 3 below
    0.01 and 2 above (``P = 0.0004``, ``P = 0.002``, ``P = 0.39``)."""
    if p < 0.00001:
        return "P < 0.00001"
    if p < 0.0001:
        return "P < 0.0001"
    digits = 4 if p < 0.001 else 3 if p < 0.01 else 2
    return f"P = {p:.{digits}f}"


def axis_limits(
    blocks: Sequence[ForestBlock], overall: Sequence[ForestSummary], symmetric: bool
) -> tuple[float, float]:
    """Default x limits on the analysis scale: the estimates, pooled CIs and PIs and the null;
    study CIs up to one core width beyond (wider ones are clipped). ``symmetric`` centres the
    axis on the null, as RevMan does."""
    summaries = [*overall, *(s for b in blocks for s in b.summaries)]
    studies = [s for b in blocks for s in b.studies]
    core = _finite([0.0, *(s.yi for s in studies)])
    for s in summaries:
        core += _finite([s.estimate, s.ci_low, s.ci_high, s.pi_low, s.pi_high])
    low, high = min(core), max(core)
    width = high - low or 1.0
    every = core + _finite(v for s in studies for v in (s.ci_low, s.ci_high))
    low, high = max(min(every), low - width), min(max(every), high + width)
    if symmetric:
        reach = max(abs(low), abs(high)) * 1.05
        return -reach, reach
    pad = 0.04 * (high - low)
    return low - pad, high + pad


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def square_sizes(weights: list[float | None]) -> list[float]:
    """Side of each square in points: area proportional to weight (equal when weights unknown)."""
    known = [w for w in weights if w is not None and w > 0]
    top = max(known) if known else None
    sizes = []
    for weight in weights:
        if top is None or weight is None or weight <= 0:
            sizes.append(0.5 * (SQUARE_MIN + SQUARE_MAX) if top is None else SQUARE_MIN)
        else:
            sizes.append(max(SQUARE_MIN, SQUARE_MAX * math.sqrt(weight / top)))
    return sizes
