"""Forest plot: one row per study, pooled diamonds, prediction interval, heterogeneity line.

Layout follows metafor's ``forest()`` and RevMan: study label on the left; square (area
proportional to the study's weight) with its confidence interval in the middle; the effect with
its CI and the weight as text on the right. A pooled estimate is a diamond spanning its CI; the
prediction interval is a bar on its own row; the heterogeneity line gives tau², I², Q (df) and
its p-value. Subgroup blocks (``--by``) get a header row and their own diamond.

Ratio measures (:data:`~ivigmeta.render.figures.style.RATIO_MEASURES`) carry log ratios in
``yi``: they are drawn as exp(yi) on a log axis with the reference line at 1; text shows ratios.

A confidence interval reaching far beyond the others is clipped at the axis limit and drawn with
an arrow head there (the text column still gives its full value). Artists carry ids (``gid``)
that appear in SVG output: ``study-square-N``, ``study-ci-N``, ``clip-arrow``,
``diamond-overall``, ``diamond-subgroup-N``, ``prediction-interval``.

About 500 lines: one figure's layout (row geometry, text columns, clipping, diamonds) that
the drawing helpers share; the data a forest plot shows comes from
:mod:`ivigmeta.render.figures.forest_from_pool`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.transforms import blended_transform_factory

from ivigmeta.render.figures.style import (
    ACCENT,
    GRID,
    HIGHLIGHT,
    INK,
    MUTED,
    RATIO_MEASURES,
    figure_context,
    format_number,
    format_p,
    new_figure,
    ratio_axis,
)


@dataclass(frozen=True)
class ForestStudy:
    """One study row. ``yi`` and the CI are on the analysis scale (log for ratio measures)."""

    label: str
    yi: float
    ci_low: float
    ci_high: float
    weight: float | None = None  # percent of the block's (or the model's) total weight


@dataclass(frozen=True)
class ForestSummary:
    """A pooled estimate (a diamond), with its prediction interval and heterogeneity."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float | None = None
    pi_high: float | None = None
    tau2: float | None = None
    i2: float | None = None  # percent
    q: float | None = None
    q_df: int | None = None
    q_p: float | None = None
    test: str | None = None  # "z" or "t" (for the test of the pooled effect)
    statistic: float | None = None
    df: float | None = None
    p: float | None = None
    k: int | None = None  # studies pooled: no PI below 3 (subgroups) and no Q line below 2


@dataclass(frozen=True)
class ForestBlock:
    """A block of studies: all of them, or one subgroup with its own pooled diamond."""

    title: str | None
    studies: tuple[ForestStudy, ...]
    summary: ForestSummary | None = None


# Layout, in inches and figure fractions.
WIDTH = 8.6
ROW_HEIGHT = 0.24
TOP_MARGIN = 0.45
BOTTOM_MARGIN = 0.8
LABEL_X = 0.012
AXES_LEFT, AXES_RIGHT = 0.36, 0.685
EFFECT_X = 0.895
WEIGHT_X = 0.985
SQUARE_MIN, SQUARE_MAX = 4.0, 13.0  # side of the weight square, points
DIAMOND_HALF_HEIGHT = 0.36  # in row units


def heterogeneity_text(summary: ForestSummary) -> str | None:
    """``Heterogeneity: τ² = 1.23, I² = 45.6%, Q = 7.89 (df = 3), p = 0.0483`` (known parts)."""
    parts = []
    if summary.tau2 is not None:
        parts.append(f"τ² = {format_number(summary.tau2)}")
    if summary.i2 is not None:
        parts.append(f"I² = {summary.i2:.1f}%")
    if summary.q is not None:
        df = f" (df = {summary.q_df})" if summary.q_df is not None else ""
        parts.append(f"Q = {format_number(summary.q)}{df}")
    if summary.q_p is not None:
        parts.append(format_p(summary.q_p))
    return "Heterogeneity: " + ", ".join(parts) if parts else None


def effect_test_text(summary: ForestSummary) -> str | None:
    """``Test for overall effect: z = −2.95, p = 0.0032`` (t shows its degrees of freedom)."""
    if summary.statistic is None or summary.p is None:
        return None
    name = "t" if summary.test in ("t", "knha") else "z"
    df = (
        f"({format_number(summary.df, 0 if float(summary.df).is_integer() else 2)})"
        if (name == "t" and summary.df is not None)
        else ""
    )
    return (
        f"Test for effect: {name}{df} = {format_number(summary.statistic)}, {format_p(summary.p)}"
    )


def _effect_text(estimate: float, low: float, high: float, ratio: bool) -> str:
    if not all(math.isfinite(v) for v in (estimate, low, high)):
        return "not estimable"
    values = (estimate, low, high)
    if ratio:
        values = tuple(math.exp(v) for v in values)
    text = [_format_value(v, ratio) for v in values]
    return f"{text[0]} [{text[1]}, {text[2]}]"


def _format_value(value: float, ratio: bool) -> str:
    """Two decimals; ratios outside [0.01, 1000) in three significant digits instead."""
    if ratio and not 0.01 <= value < 1000:
        return f"{value:.3g}"
    return format_number(value)


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def axis_limits(
    blocks: Sequence[ForestBlock], overall: ForestSummary | None
) -> tuple[float, float]:
    """Default x limits on the analysis scale.

    The core range spans the point estimates, every pooled CI and PI, and the null (0). CIs are
    shown whole unless they reach more than one core width beyond it; those are clipped.
    """
    summaries = [b.summary for b in blocks if b.summary is not None]
    if overall is not None:
        summaries.append(overall)
    studies = [s for b in blocks for s in b.studies]
    core = _finite([0.0, *(s.yi for s in studies)])
    for summary in summaries:
        core += _finite([summary.estimate, summary.ci_low, summary.ci_high])
        core += _finite([summary.pi_low, summary.pi_high])
    core_low, core_high = min(core), max(core)
    width = core_high - core_low or 1.0
    every = core + _finite(v for s in studies for v in (s.ci_low, s.ci_high))
    low = max(min(every), core_low - width)
    high = min(max(every), core_high + width)
    pad = 0.04 * (high - low)
    return low - pad, high + pad


def _square_sizes(weights: list[float | None]) -> list[float]:
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


def forest_plot(
    blocks: Sequence[ForestBlock],
    measure: str,
    *,
    overall: ForestSummary | None = None,
    level: float = 95.0,
    favours: tuple[str, str] | None = None,
    effect_label: str | None = None,
    xlim: tuple[float, float] | None = None,
    column_head: str | None = None,
    null_line: bool = True,
) -> Figure:
    """Draw a forest plot and return the matplotlib ``Figure``.

    ``blocks`` hold the study rows (one block without a title for an ungrouped analysis; one
    per subgroup otherwise, each with its own summary diamond); ``overall`` is the pooled
    estimate over all studies. ``favours`` labels the left and right of the null line.
    ``effect_label`` names the x axis (default: the measure, e.g. "Mean change (MC)").
    ``xlim`` is on the analysis scale (log for ratio measures). ``column_head`` heads the
    effect column (default: the measure); ``null_line=False`` draws no line of no effect
    (single proportions have none).
    """
    with figure_context():
        return _draw(blocks, measure, overall, level, favours, effect_label, xlim, column_head,
                     null_line)  # fmt: skip


def _draw(
    blocks, measure, overall, level, favours, effect_label, xlim, column_head=None, null_line=True
) -> Figure:
    ratio = measure.upper() in RATIO_MEASURES

    def scale(value: float) -> float:
        return math.exp(value) if ratio else value

    # Rows from the top: (kind, payload, block index)
    rows: list[tuple[str, object, int]] = []
    for index, block in enumerate(blocks, start=1):
        if block.title:
            rows.append(("header", block.title, index))
        rows += [("study", study, index) for study in block.studies]
        if block.summary is not None:
            summary = block.summary
            k = summary.k if summary.k is not None else len(block.studies)
            rows.append(("summary", summary, index))
            has_pi = summary.pi_low is not None and summary.pi_high is not None
            if has_pi and (len(blocks) == 1 or k >= 3):
                rows.append(("pi", summary, index))
            if len(blocks) > 1 and k >= 2 and (text := heterogeneity_text(summary)):
                rows.append(("note", text, index))
        if len(blocks) > 1:
            rows.append(("gap", None, index))
    if overall is not None:
        rows.append(("summary", overall, 0))
        if overall.pi_low is not None and overall.pi_high is not None:
            rows.append(("pi", overall, 0))
        for text in (heterogeneity_text(overall), effect_test_text(overall)):
            if text:
                rows.append(("note", text, 0))
    elif len(blocks) == 1 and blocks[0].summary is not None:
        if text := effect_test_text(blocks[0].summary):
            rows.append(("note", text, 1))
        if text := heterogeneity_text(blocks[0].summary):
            rows.append(("note", text, 1))
    while rows and rows[-1][0] == "gap":
        rows.pop()

    n_rows = len(rows)
    height = TOP_MARGIN + BOTTOM_MARGIN + ROW_HEIGHT * max(n_rows, 3)
    figure = new_figure(WIDTH, height)
    bottom = BOTTOM_MARGIN / height
    top = 1 - TOP_MARGIN / height
    ax = figure.add_axes((AXES_LEFT, bottom, AXES_RIGHT - AXES_LEFT, top - bottom))
    ax.set_ylim(-0.5, n_rows - 0.5)
    ax.invert_yaxis()  # row 0 at the top

    low, high = xlim if xlim is not None else axis_limits(blocks, overall)
    ax.set_xlim(scale(low), scale(high))
    if ratio:
        ratio_axis(ax)
    ax.yaxis.set_visible(False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    if null_line:
        ax.axvline(scale(0.0), color=INK, linewidth=0.8, zorder=1)
    if overall is not None and math.isfinite(overall.estimate):
        ax.axvline(
            scale(overall.estimate), color=GRID, linewidth=0.8, linestyle=(0, (4, 3)), zorder=0
        )

    text_at = blended_transform_factory(figure.transFigure, ax.transData)
    header_y = -0.5 - 0.35 / ROW_HEIGHT * 0.6  # just above the first row
    level_text = f"{level:g}%"
    measure_head = f"{column_head or measure.upper()} [{level_text} CI]"
    for x, text, align in (
        (LABEL_X, "Study", "left"),
        (EFFECT_X, measure_head, "right"),
        (WEIGHT_X, "Weight", "right"),
    ):
        ax.text(
            x,
            header_y,
            text,
            transform=text_at,
            ha=align,
            va="center",
            fontweight="bold",
            clip_on=False,
        )

    studies = [payload for kind, payload, _ in rows if kind == "study"]
    sizes = iter(_square_sizes([s.weight for s in studies]))
    x_low, x_high = ax.get_xlim()
    study_number = 0
    subgroup_number = 0
    for y, (kind, payload, block_index) in enumerate(rows):
        if kind == "header":
            ax.text(
                LABEL_X,
                y,
                payload,
                transform=text_at,
                ha="left",
                va="center",
                fontweight="bold",
                clip_on=False,
            )
        elif kind == "study":
            study_number += 1
            size = next(sizes)
            _draw_study(ax, text_at, y, payload, size, study_number, ratio, scale, x_low, x_high)
        elif kind == "summary":
            gid = "diamond-overall" if block_index == 0 else None
            if gid is None:
                subgroup_number += 1
                gid = f"diamond-subgroup-{subgroup_number}"
            _draw_summary(ax, text_at, y, payload, gid, ratio, scale, bold=block_index == 0)
        elif kind == "pi":
            _draw_prediction(ax, text_at, y, payload, level_text, ratio, scale)
        elif kind == "note":
            ax.text(
                LABEL_X,
                y,
                payload,
                transform=text_at,
                ha="left",
                va="center",
                color=MUTED,
                fontsize=8,
                clip_on=False,
            )

    label = effect_label or measure.upper()
    if ratio:
        label += " (log scale)"
    ax.set_xlabel(label, labelpad=18 if favours else 4)
    if favours:
        left, right = favours
        null = scale(0.0)
        for text, offset, align in ((f"← {left}", -6, "right"), (f"{right} →", 6, "left")):
            if text.strip("←→ "):
                ax.annotate(
                    text,
                    xy=(null, 0),
                    xycoords=("data", "axes fraction"),
                    xytext=(offset, -17),
                    textcoords="offset points",
                    ha=align,
                    va="top",
                    fontsize=8,
                    color=MUTED,
                    annotation_clip=False,
                )
    return figure


def _draw_study(ax, text_at, y, study: ForestStudy, size, number, ratio, scale, x_low, x_high):
    ax.text(LABEL_X, y, study.label, transform=text_at, ha="left", va="center", clip_on=False)
    ax.text(
        EFFECT_X,
        y,
        _effect_text(study.yi, study.ci_low, study.ci_high, ratio),
        transform=text_at,
        ha="right",
        va="center",
        clip_on=False,
    )
    if study.weight is not None:
        ax.text(
            WEIGHT_X,
            y,
            f"{study.weight:.1f}%",
            transform=text_at,
            ha="right",
            va="center",
            clip_on=False,
        )
    if not all(math.isfinite(v) for v in (study.yi, study.ci_low, study.ci_high)):
        return
    low, high = scale(study.ci_low), scale(study.ci_high)
    drawn_low, drawn_high = max(low, x_low), min(high, x_high)
    ax.plot(
        [drawn_low, drawn_high],
        [y, y],
        color=INK,
        linewidth=1.0,
        solid_capstyle="butt",
        gid=f"study-ci-{number}",
        zorder=2,
    )
    for clipped, x, marker in ((low < x_low, x_low, "<"), (high > x_high, x_high, ">")):
        if clipped:
            ax.plot(
                [x],
                [y],
                marker=marker,
                markersize=5,
                color=INK,
                linestyle="none",
                gid="clip-arrow",
                clip_on=False,
                zorder=3,
            )
    if x_low <= scale(study.yi) <= x_high:
        ax.plot(
            [scale(study.yi)],
            [y],
            marker="s",
            markersize=size,
            color=INK,
            markeredgewidth=0,
            linestyle="none",
            gid=f"study-square-{number}",
            zorder=3,
        )


def _draw_summary(ax, text_at, y, summary: ForestSummary, gid, ratio, scale, bold):
    weight = "bold" if bold else "normal"
    ax.text(
        LABEL_X,
        y,
        summary.label,
        transform=text_at,
        ha="left",
        va="center",
        fontweight=weight,
        clip_on=False,
    )
    ax.text(
        EFFECT_X,
        y,
        _effect_text(summary.estimate, summary.ci_low, summary.ci_high, ratio),
        transform=text_at,
        ha="right",
        va="center",
        fontweight=weight,
        clip_on=False,
    )
    if not all(math.isfinite(v) for v in (summary.estimate, summary.ci_low, summary.ci_high)):
        return
    h = DIAMOND_HALF_HEIGHT
    vertices = [
        (scale(summary.ci_low), y),
        (scale(summary.estimate), y - h),
        (scale(summary.ci_high), y),
        (scale(summary.estimate), y + h),
    ]
    ax.add_patch(
        Polygon(
            vertices,
            closed=True,
            facecolor=ACCENT,
            edgecolor=ACCENT,
            linewidth=0.8,
            gid=gid,
            zorder=3,
        )
    )


def _draw_prediction(ax, text_at, y, summary: ForestSummary, level_text, ratio, scale):
    ax.text(
        LABEL_X + 0.015,
        y,
        f"Prediction interval ({level_text})",
        transform=text_at,
        ha="left",
        va="center",
        color=HIGHLIGHT,
        fontsize=8,
        clip_on=False,
    )
    low, high = summary.pi_low, summary.pi_high
    shown = (math.exp(low), math.exp(high)) if ratio else (low, high)
    text = f"[{_format_value(shown[0], ratio)}, {_format_value(shown[1], ratio)}]"
    ax.text(
        EFFECT_X,
        y,
        text,
        transform=text_at,
        ha="right",
        va="center",
        color=HIGHLIGHT,
        fontsize=8,
        clip_on=False,
    )
    ax.add_patch(
        Polygon(
            [
                (scale(low), y - 0.12),
                (scale(high), y - 0.12),
                (scale(high), y + 0.12),
                (scale(low), y + 0.12),
            ],
            closed=True,
            facecolor=HIGHLIGHT,
            edgecolor="none",
            alpha=0.85,
            gid="prediction-interval",
            zorder=3,
        )
    )
