"""Leave-one-out plot: the pooled estimate re-computed with each study omitted in turn.

One row per omitted study (circle and CI), as metafor's ``leave1out()`` printed as a forest.
The full-data estimate is a vertical line with its CI as a shaded band, so a study whose
omission moves the estimate outside that band stands out. Ratio measures: exp on a log axis.
Artist ids in SVG: ``omitted-N`` (the N-th row), ``overall-estimate``, ``overall-ci``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from ivigmeta.render.figures.style import (
    ACCENT,
    INK,
    RATIO_MEASURES,
    figure_context,
    format_number,
    new_figure,
    ratio_axis,
)

ROW_HEIGHT = 0.26


def leave_one_out_plot(
    labels: Sequence[str],
    estimates: Sequence[float],
    ci_low: Sequence[float],
    ci_high: Sequence[float],
    *,
    overall_estimate: float,
    overall_ci: tuple[float, float],
    measure: str,
    level: float = 95.0,
    effect_label: str | None = None,
) -> Figure:
    """Draw the leave-one-out estimates (analysis scale) and return the Figure.

    ``labels[i]`` names the study omitted for ``estimates[i]``.
    """
    with figure_context():
        return _draw(
            labels,
            estimates,
            ci_low,
            ci_high,
            overall_estimate,
            overall_ci,
            measure,
            level,
            effect_label,
        )


def _draw(
    labels, estimates, ci_low, ci_high, overall_estimate, overall_ci, measure, level, effect_label
):
    ratio = measure.upper() in RATIO_MEASURES

    def scale(value: float) -> float:
        return math.exp(value) if ratio else value

    n = len(labels)
    height = 0.5 + 0.7 + ROW_HEIGHT * max(n, 3)
    figure = new_figure(8.0, height)
    ax = figure.add_axes((0.3, 0.7 / height, 0.4, 1 - 1.2 / height))
    ax.set_ylim(n - 0.5, -0.5)
    values = [v for v in (*ci_low, *ci_high, *overall_ci) if math.isfinite(v)]
    pad = 0.06 * (max(values) - min(values) or 1.0)
    ax.set_xlim(scale(min(values) - pad), scale(max(values) + pad))
    if ratio:
        ratio_axis(ax)
    ax.axvspan(
        scale(overall_ci[0]),
        scale(overall_ci[1]),
        color=ACCENT,
        alpha=0.12,
        linewidth=0,
        gid="overall-ci",
        zorder=0,
    )
    ax.axvline(
        scale(overall_estimate), color=ACCENT, linewidth=1.0, gid="overall-estimate", zorder=1
    )
    text_at = blended_transform_factory(figure.transFigure, ax.transData)
    ax.text(
        0.015,
        -0.5,
        "Omitted study",
        transform=text_at,
        ha="left",
        va="bottom",
        fontweight="bold",
        clip_on=False,
    )
    ax.text(
        0.985,
        -0.5,
        f"Estimate [{level:g}% CI]",
        transform=text_at,
        ha="right",
        va="bottom",
        fontweight="bold",
        clip_on=False,
    )
    for row, (label, estimate, low, high) in enumerate(
        zip(labels, estimates, ci_low, ci_high, strict=True)
    ):
        ax.text(0.015, row, label, transform=text_at, ha="left", va="center", clip_on=False)
        shown = [scale(v) for v in (estimate, low, high)]
        ax.text(
            0.985,
            row,
            f"{format_number(shown[0])} [{format_number(shown[1])}, {format_number(shown[2])}]",
            transform=text_at,
            ha="right",
            va="center",
            clip_on=False,
        )
        ax.plot(shown[1:], [row, row], color=INK, linewidth=1.0, zorder=2)
        ax.plot(
            [shown[0]],
            [row],
            marker="o",
            markersize=5,
            color=INK,
            linestyle="none",
            gid=f"omitted-{row + 1}",
            zorder=3,
        )
    ax.yaxis.set_visible(False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    label = effect_label or measure.upper()
    ax.set_xlabel(label + (" (log scale)" if ratio else ""))
    return figure
