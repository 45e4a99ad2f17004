"""``sensitivity --plot``: metafor's influence panel (``plot(influence(res))``) above the
leave-one-out forest (``forest(leave1out(res))``), in one figure.

Eight panels, one point per study in input order: externally standardised residual, DFFITS,
Cook's distance, covariance ratio, tau² and Q when the study is left out, hat value and weight
(%); studies that metafor flags as influential are drawn in red, with metafor's reference
lines (0 and ±2 for residuals, 3 sqrt(p/(k - p)) for DFFITS, the chi²(p) median for Cook's
distance, 1 for the covariance ratio, the full model's tau², 3p/k for hat values and
100/k for weights). Below: each leave-one-out estimate with its CI, the full model dashed.
SVG ids: ``influence-<name>`` (points), ``leave-one-out-ci-N``, ``leave-one-out-point``.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from ivigmeta.render.figures.style import (
    ACCENT,
    GRID,
    HIGHLIGHT,
    INK,
    RATIO_MEASURES,
    figure_context,
    new_figure,
    ratio_axis,
)

PANELS = (
    ("rstudent", "rstudent"), ("dffits", "dffits"), ("cook_d", "cook.d"),
    ("cov_r", "cov.r"), ("tau2_del", "tau2.del"), ("qe_del", "QE.del"),
    ("hat", "hat"), ("weight", "weight"),
)  # fmt: skip


def influence_plot(sensitivity) -> Figure:
    """The panel and the leave-one-out forest of a
    :class:`~ivigmeta.analyses.sensitivity.SensitivityResult`."""
    with figure_context():
        return _draw(sensitivity)


def _reference(name: str, k: int, tau2: float) -> tuple[float, ...]:
    from ivigmeta.stats.numerics.distributions import chi2_ppf

    return {"rstudent": (-2.0, 0.0, 2.0), "dffits": (3 * math.sqrt(1 / (k - 1)),),
            "cook_d": (float(chi2_ppf(0.5, 1)),), "cov_r": (1.0,), "tau2_del": (tau2,),
            "qe_del": (), "hat": (3 / k,), "weight": (100 / k,)}[name]  # fmt: skip


def _draw(s) -> Figure:
    k = s.k
    rows = s.influence
    loo = s.leave_one_out
    full = s.cumulative[-1]  # all k studies
    figure = new_figure(8.0, 6.0 + 0.22 * k)
    top = 1 - 0.4 / figure.get_figheight()
    panel_height = 3.6 / figure.get_figheight()
    index = np.arange(1, k + 1)
    flagged = np.array([r.influential for r in rows])
    for n, (name, title) in enumerate(PANELS):
        col, row = n % 4, n // 4
        ax = figure.add_axes((0.06 + col * 0.24, top - (row + 1) * panel_height / 2 + 0.02,
                              0.19, panel_height / 2 - 0.06))  # fmt: skip
        values = np.array([getattr(r, name) for r in rows], dtype=float)
        ax.plot(index, values, color=GRID, linewidth=0.8)
        ax.scatter(index, values, s=14, c=np.where(flagged, HIGHLIGHT, INK), linewidths=0,
                   gid=f"influence-{name}", zorder=3)  # fmt: skip
        for line in _reference(name, k, full.tau2):
            ax.axhline(line, color=ACCENT, linewidth=0.6, linestyle=(0, (3, 2)))
        ax.set_title(title, fontsize=8, loc="left")
        ax.set_xticks(index if k <= 15 else index[:: max(1, k // 8)])
        ax.tick_params(labelsize=6)
    ax = figure.add_axes((0.3, 0.06, 0.65, top - panel_height - 0.12))
    ratio = s.measure.upper() in RATIO_MEASURES

    def scale(values):
        values = np.asarray(values, float)
        return np.exp(values) if ratio else values

    y = np.arange(k)
    for i, summary in enumerate(loo):
        ax.plot(scale([summary.ci_low, summary.ci_high]), [i, i], color=INK, linewidth=0.9,
                gid=f"leave-one-out-ci-{i + 1}")  # fmt: skip
    ax.plot(scale([r.estimate for r in loo]), y, "s", color=INK, markersize=4,
            gid="leave-one-out-point")  # fmt: skip
    ax.axvline(float(scale(full.estimate)), color=ACCENT, linewidth=0.8, linestyle=(0, (4, 3)))
    ax.set_yticks(y, [f"omitting {r.id}" for r in loo], fontsize=7)
    ax.set_ylim(k - 0.5, -0.5)
    if ratio:
        ratio_axis(ax)
    ax.set_xlabel(f"{s.measure.upper()} without the study ({s.level:g}% CI)"
                  + (" (log scale)" if ratio else ""), fontsize=8)  # fmt: skip
    figure.suptitle("Influence diagnostics (metafor influence()) and leave-one-out",
                    x=0.06, ha="left", fontsize=10)  # fmt: skip
    return figure
