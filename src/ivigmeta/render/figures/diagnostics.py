"""Diagnostic scatter plots: Baujat (metafor ``baujat()``) and radial/Galbraith (``radial()``).

Baujat: each study's contribution to the heterogeneity (x) against its influence on the pooled
result (y), labelled by study (:mod:`ivigmeta.stats.sensitivity.baujat`). Radial (Galbraith
1988, Stat Med 7:889-94): x = 1/sqrt(v_i + tau²), y = y_i/sqrt(v_i + tau²); the line through
the origin with slope mu is the pooled estimate, the band ±z around it the region where a
study fits the model; for ratio measures the arc on the right reads exp of the slope.
SVG ids: ``baujat-points``, ``radial-points``, ``radial-line``, ``radial-band``.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from ivigmeta.render.figures.style import ACCENT, GRID, INK, MUTED, figure_context, new_figure


def baujat_plot(x, y, labels, *, equal_effects: bool = False) -> Figure:
    """Baujat plot of the coordinates ``x``, ``y`` with a label per study."""
    with figure_context():
        figure = new_figure(6.4, 4.8)
        ax = figure.add_axes((0.11, 0.12, 0.84, 0.8))
        ax.grid(True, color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.scatter(x, y, s=16, color=ACCENT, linewidths=0, gid="baujat-points", zorder=3)
        middle = 0.5 * (min(x) + max(x))
        for xi, yi, label in zip(x, y, labels, strict=True):
            right = xi > middle  # labels point inwards, so none leaves the axes
            ax.annotate(label, (xi, yi), xytext=(-4 if right else 4, 3),
                        textcoords="offset points", fontsize=7, color=INK,
                        ha="right" if right else "left")  # fmt: skip
        ax.set_xlabel("Contribution to overall heterogeneity" if equal_effects
                      else "Squared Pearson residual")  # fmt: skip
        ax.set_ylabel("Influence on overall result")
        ax.margins(0.08)
        ax.set_title("Baujat plot", loc="left", fontsize=10)
        return figure


def radial_plot(x, y, slope: float, *, level: float = 95.0, measure: str = "") -> Figure:
    """Radial (Galbraith) plot of ``x`` = 1/sqrt(v + tau²), ``y`` = yi/sqrt(v + tau²)."""
    from ivigmeta.render.figures.style import RATIO_MEASURES
    from ivigmeta.stats.numerics.distributions import z_crit

    x, y = np.asarray(x, float), np.asarray(y, float)
    z = z_crit(level)
    with figure_context():
        figure = new_figure(6.4, 4.8)
        ax = figure.add_axes((0.11, 0.12, 0.84, 0.8))
        top = float(x.max()) * 1.08
        ax.fill_between([0.0, top], [-z, slope * top - z], [z, slope * top + z], color=GRID,
                        alpha=0.6, linewidth=0, gid="radial-band")  # fmt: skip
        ax.plot([0.0, top], [0.0, slope * top], color=ACCENT, linewidth=1.0, gid="radial-line")
        ax.axhline(0.0, color=MUTED, linewidth=0.6)
        ax.scatter(x, y, s=16, color=INK, linewidths=0, gid="radial-points", zorder=3)
        ax.set_xlim(0.0, top)
        ax.set_xlabel("1 / SE (precision)")
        ax.set_ylabel("Standardised effect (y / SE)")
        shown = math.exp(slope) if measure.upper() in RATIO_MEASURES else slope
        ax.set_title(f"Radial plot: the line's slope is the pooled estimate ({measure} "
                     f"{shown:.2f})", loc="left", fontsize=10)  # fmt: skip
        return figure


def labbe_plot(x, y, weights, measure: str, estimate: float) -> Figure:
    """L'Abbé plot: treatment-arm against control-arm outcome, back-transformed to risks (RR:
    exp on log axes; OR: inverse logit; RD: risks), point area by weight; the diagonal (no
    effect) and the pooled effect's curve (y = x exp(mu), expit(logit x + mu) or x + mu)."""
    from scipy.special import expit

    measure = measure.upper()
    x, y = np.asarray(x, float), np.asarray(y, float)
    back = {"RR": np.exp, "OR": expit, "RD": lambda v: v}[measure]
    grid = np.linspace(min(x.min(), y.min()), max(x.max(), y.max()), 200)
    with figure_context():
        figure = new_figure(5.6, 5.2)
        ax = figure.add_axes((0.13, 0.12, 0.8, 0.78))
        size = 20 + 180 * np.asarray(weights, float) / max(weights)
        ax.scatter(back(x), back(y), s=size, facecolor="none", edgecolor=INK, linewidths=0.9,
                   gid="labbe-points", zorder=3)  # fmt: skip
        ax.plot(back(grid), back(grid), color=MUTED, linewidth=0.8, gid="labbe-diagonal")
        ax.plot(back(grid), back(grid + estimate), color=ACCENT, linewidth=1.0,
                linestyle=(0, (4, 3)), gid="labbe-effect")  # fmt: skip
        if measure == "RR":
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_xlabel("Risk in the control group" + (" (log scale)" if measure == "RR" else ""))
        ax.set_ylabel("Risk in the treatment group")
        ax.set_title(f"L'Abbé plot ({measure})", loc="left", fontsize=10)
        return figure


def bubble_plot(data, *, moderator: str, measure: str, level: float = 95.0) -> Figure:
    """Bubble plot (metafor ``regplot()``) of :class:`~ivigmeta.stats.sensitivity.bubble.
    BubbleData`: effects against the moderator, area by weight, fitted line and CI band;
    ratio measures back-transformed (exp) on a log axis."""
    from ivigmeta.render.figures.style import RATIO_MEASURES

    ratio = measure.upper() in RATIO_MEASURES

    def back(values):
        values = np.asarray(values, float)
        return np.exp(values) if ratio else values

    with figure_context():
        figure = new_figure(6.4, 4.8)
        ax = figure.add_axes((0.12, 0.12, 0.83, 0.8))
        ax.fill_between(data.grid, back(data.band_low), back(data.band_high), color=GRID,
                        alpha=0.7, linewidth=0, gid="bubble-band")  # fmt: skip
        ax.plot(data.grid, back(data.line), color=ACCENT, linewidth=1.2, gid="bubble-line")
        ax.scatter(data.x, back(data.y), s=(6.0 * np.asarray(data.size)) ** 2,
                   facecolor="#9bb7d4", edgecolor=INK, linewidths=0.7, alpha=0.85,
                   gid="bubble-points", zorder=3)  # fmt: skip
        if ratio:
            from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

            from ivigmeta.render.figures.style import NICE_RATIO_TICKS

            ax.set_yscale("log")
            ax.axhline(1.0, color=MUTED, linewidth=0.6)
            low, high = ax.get_ylim()
            ax.yaxis.set_major_locator(FixedLocator([t for t in NICE_RATIO_TICKS
                                                     if low <= t <= high]))  # fmt: skip
            ax.yaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.set_xlabel(moderator)
        ax.set_ylabel(measure.upper() + (" (log scale)" if ratio else ""))
        ax.set_title(f"Bubble plot: slope {data.slope:.3g} per unit of {moderator} "
                     f"(p = {data.slope_p:.3g}; {level:g}% CI band)", loc="left",
                     fontsize=10)  # fmt: skip
        return figure


def drapery_curves(yi, sei, grid, *, df: float | None = None) -> np.ndarray:
    """p-value functions (Rücker & Schwarzer 2021, Res Synth Methods 12:794-809): for each
    (y, se) the two-sided p of H0: theta = t at every grid value t, 2 (1 - Phi(|y - t| / se))
    (t(df) instead of the normal when ``df`` is given). Shape (len(yi), len(grid))."""
    from ivigmeta.stats.numerics.distributions import two_sided_t_p, two_sided_z_p

    y = np.asarray(yi, float)[:, None]
    se = np.asarray(sei, float)[:, None]
    statistic = (y - np.asarray(grid, float)[None, :]) / se
    return two_sided_z_p(statistic) if df is None else two_sided_t_p(statistic, df)


def drapery_plot(yi, sei, labels, *, estimate: float, se: float, df: float | None,
                 measure: str, pi: tuple[float, float] | None = None) -> Figure:  # fmt: skip
    """Drapery plot: every study's p-value function (grey), the pooled one (bold), the
    prediction interval as a band at the bottom; the right axis reads the confidence level
    (1 - p) at which a horizontal line cuts the curves into CIs. Ratios: exp on a log axis."""
    from ivigmeta.render.figures.style import RATIO_MEASURES, ratio_axis

    ratio = measure.upper() in RATIO_MEASURES
    yi, sei = np.asarray(yi, float), np.asarray(sei, float)
    low = min((yi - 3.5 * sei).min(), estimate - 4 * se)
    high = max((yi + 3.5 * sei).max(), estimate + 4 * se)
    grid = np.linspace(low, high, 600)
    shown = np.exp(grid) if ratio else grid
    with figure_context():
        figure = new_figure(6.8, 4.6)
        ax = figure.add_axes((0.1, 0.12, 0.8, 0.8))
        for curve in drapery_curves(yi, sei, grid):
            ax.plot(shown, curve, color=MUTED, linewidth=0.7, gid="drapery-study")
        pooled = drapery_curves([estimate], [se], grid, df=df)[0]
        ax.plot(shown, pooled, color=ACCENT, linewidth=1.8, gid="drapery-pooled")
        if pi is not None:
            a, b = (math.exp(v) for v in pi) if ratio else pi
            ax.fill_between([a, b], [0, 0], [0.02, 0.02], color="#b03a2e", linewidth=0,
                            gid="drapery-prediction")  # fmt: skip
        ax.set_xlim(shown[0], shown[-1])
        if ratio:
            ratio_axis(ax)
        ax.set_ylim(0, 1.0)
        ax.axvline(1.0 if ratio else 0.0, color=INK, linewidth=0.6)
        ax.set_ylabel("p-value")
        right = ax.secondary_yaxis("right", functions=(lambda p: 100 * (1 - p),
                                                       lambda c: 1 - c / 100))  # fmt: skip
        right.set_ylabel("Confidence level (%)")
        ax.set_xlabel(measure.upper() + (" (log scale)" if ratio else ""))
        ax.set_title("Drapery plot: p-value functions of the studies and the pooled estimate",
                     loc="left", fontsize=10)  # fmt: skip
        return figure
