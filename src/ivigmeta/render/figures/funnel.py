"""Funnel plot: effect against its standard error, the SE axis inverted (precise studies on top).

As metafor's ``funnel()``: a vertical line at the pooled estimate and the pseudo-confidence
region estimate ± z·SE (a triangle from SE = 0 down to the largest SE). The contour-enhanced
variant (Peters et al., J Clin Epidemiol 2008;61:991-6) instead shades where a study would be
significant against the null (0): p between 0.10 and 0.05, 0.05 and 0.01, and below 0.01.
Studies added by trim-and-fill are drawn as open circles. Ratio measures plot exp(yi) on a log
axis. Artist ids in SVG: ``observed-studies``, ``filled-studies``, ``pseudo-ci``, ``estimate``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon

from ivigmeta.render.figures.style import (
    ACCENT,
    HIGHLIGHT,
    INK,
    MUTED,
    RATIO_MEASURES,
    figure_context,
    new_figure,
    ratio_axis,
)
from ivigmeta.stats.numerics.distributions import z_crit

#: Contour regions, widest first: (confidence level, shade of its inside, what the band means).
CONTOURS = (
    (99.0, "#c4c4c4", "0.05 > p > 0.01"),
    (95.0, "#e3e3e3", "0.10 > p > 0.05"),
    (90.0, "#ffffff", "p > 0.10"),
)
CONTOUR_OUTSIDE = "#9e9e9e"  # p < 0.01


def funnel_plot(
    yi: Sequence[float],
    sei: Sequence[float],
    *,
    estimate: float,
    measure: str,
    level: float = 95.0,
    contours: bool = False,
    filled_yi: Sequence[float] = (),
    filled_sei: Sequence[float] = (),
    effect_label: str | None = None,
) -> Figure:
    """Draw a funnel plot of ``yi`` (analysis scale) against ``sei`` and return the Figure.

    ``estimate`` is the pooled effect (after filling, when ``filled_*`` are given: pass the
    trim-and-fill estimate). ``contours=True`` draws the contour-enhanced version.
    """
    with figure_context():
        return _draw(
            yi, sei, estimate, measure, level, contours, filled_yi, filled_sei, effect_label
        )


def _draw(yi, sei, estimate, measure, level, contours, filled_yi, filled_sei, effect_label):
    ratio = measure.upper() in RATIO_MEASURES

    def scale(value: float) -> float:
        return math.exp(value) if ratio else value

    every_se = [float(s) for s in (*sei, *filled_sei)]
    se_max = max(every_se) * 1.05 if every_se else 1.0
    every_y = [float(v) for v in (*yi, *filled_yi)]

    figure = new_figure(7.0, 4.4)
    ax = figure.add_axes((0.11, 0.13, 0.6, 0.8))
    ax.set_ylim(se_max, 0.0)  # inverted: SE = 0 at the top

    if contours:
        null = 0.0
        ax.set_facecolor(CONTOUR_OUTSIDE)
        for contour_level, shade, _ in CONTOURS:  # widest first; each paints its inside
            ax.add_patch(
                _triangle(
                    null,
                    z_crit(contour_level),
                    se_max,
                    scale,
                    facecolor=shade,
                    edgecolor="none",
                    zorder=0,
                )
            )
        legend = [
            Patch(facecolor=shade, edgecolor=MUTED, label=text)
            for _, shade, text in reversed(CONTOURS)
        ]
        legend.append(Patch(facecolor=CONTOUR_OUTSIDE, edgecolor=MUTED, label="p < 0.01"))
        reach = z_crit(CONTOURS[0][0]) * se_max
        x_low, x_high = min([*every_y, null - reach]), max([*every_y, null + reach])
        ax.axvline(scale(null), color=MUTED, linewidth=0.8, zorder=1)
    else:
        z = z_crit(level)
        ax.add_patch(
            _triangle(
                estimate,
                z,
                se_max,
                scale,
                facecolor="none",
                edgecolor=INK,
                linestyle=(0, (4, 3)),
                linewidth=0.8,
                gid="pseudo-ci",
                zorder=1,
            )
        )
        reach = z * se_max
        x_low = min([*every_y, estimate - reach])
        x_high = max([*every_y, estimate + reach])
        legend = []
    pad = 0.05 * (x_high - x_low or 1.0)
    ax.set_xlim(scale(x_low - pad), scale(x_high + pad))
    if ratio:
        ratio_axis(ax)

    estimate_label = "Estimate after trim-and-fill" if len(filled_yi) else "Pooled estimate"
    ax.axvline(scale(estimate), color=ACCENT, linewidth=1.0, gid="estimate", zorder=2,
               label=estimate_label)  # fmt: skip
    ax.plot(
        [scale(v) for v in yi],
        list(sei),
        marker="o",
        markersize=6,
        linestyle="none",
        color=INK,
        markeredgecolor=INK,
        gid="observed-studies",
        zorder=3,
        label="Studies",
    )
    if len(filled_yi):
        ax.plot(
            [scale(v) for v in filled_yi],
            list(filled_sei),
            marker="o",
            markersize=6,
            linestyle="none",
            markerfacecolor="white",
            markeredgecolor=HIGHLIGHT,
            markeredgewidth=1.2,
            gid="filled-studies",
            zorder=3,
            label="Filled by trim-and-fill",
        )
    legend = [*legend, *ax.get_legend_handles_labels()[0]]
    if legend:
        ax.legend(
            handles=legend, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False
        )
    label = effect_label or measure.upper()
    ax.set_xlabel(label + (" (log scale)" if ratio else ""))
    ax.set_ylabel("Standard error")
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    return figure


def _triangle(centre: float, z: float, se_max: float, scale, **style) -> Polygon:
    """The region centre ± z·SE for SE in [0, se_max] (straight edges on the analysis scale)."""
    steps = 24  # polyline so the edges stay true on a log axis
    left = [(scale(centre - z * se_max * i / steps), se_max * i / steps) for i in range(steps + 1)]
    right = [
        (scale(centre + z * se_max * i / steps), se_max * i / steps) for i in range(steps, -1, -1)
    ]
    return Polygon(left + right, closed=True, **style)


def funnel_from_bias(result, yi, vi, *, contours: bool = False) -> Figure:
    """Funnel plot of a :class:`~ivigmeta.analyses.bias.BiasResult` and its studies' yi, vi.

    The vertical line is the trim-and-fill estimate (the plain pooled estimate when no study
    is filled); filled studies are drawn open.
    """
    from ivigmeta.render.figures.forest_from_pool import effect_label_for

    trimfill = result.trimfill
    return funnel_plot(
        [float(y) for y in yi],
        [math.sqrt(float(v)) for v in vi],
        estimate=trimfill.estimate,
        measure=result.measure,
        level=result.level,
        contours=contours,
        filled_yi=list(trimfill.filled_yi),
        filled_sei=[math.sqrt(v) for v in trimfill.filled_vi],
        effect_label=effect_label_for(result.outcome, result.measure),
    )


def save_bias_funnel(result, path, *, contours: bool = False, **options) -> None:
    """Write the funnel plot of ``result`` (from :func:`ivigmeta.bias`) to ``path``.

    ``options`` are the options of the ``bias`` call; the study selection among them is used
    to reload the studies' effect sizes.
    """
    from ivigmeta.analyses.effect_data import SELECTION_KEYS, load_effect_data
    from ivigmeta.render.figures.style import format_for, save_figure

    format_for(path)
    selection = {key: options[key] for key in SELECTION_KEYS if key in options}
    data = load_effect_data(options.get("outcome"), r=options.get("r"), **selection)
    save_figure(funnel_from_bias(result, data.yi, data.vi, contours=contours), path)
