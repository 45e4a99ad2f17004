"""GOSH plot (metafor ``plot.gosh``): the pooled estimate of every subset against its I².

Olkin, Dahabreh & Trikalinos (2012), Res Synth Methods 3:214-223. One point per subset
(x = estimate, y = I² in percent), or a hexagonal-bin density when there are more than
:data:`HEXBIN_ABOVE` subsets; histograms of both on the margins (estimate on top, I² on the
right). Ratio measures show exp(estimate) on a log axis. SVG ids: ``gosh-points`` (or
``gosh-hexbin``), ``gosh-hist-estimate``, ``gosh-hist-i2``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ivigmeta.render.figures.style import (
    ACCENT,
    INK,
    RATIO_MEASURES,
    figure_context,
    new_figure,
    ratio_axis,
)

HEXBIN_ABOVE = 20_000
BINS = 40


def gosh_plot(estimate, i2, measure: str, *, effect_label: str | None = None) -> Figure:
    """Draw the GOSH plot of the subsets' ``estimate`` (analysis scale) and ``i2``."""
    with figure_context():
        return _draw(np.asarray(estimate, float), np.asarray(i2, float), measure, effect_label)


def _draw(estimate, i2, measure, effect_label) -> Figure:
    ratio = measure.upper() in RATIO_MEASURES
    fitted = np.isfinite(estimate) & np.isfinite(i2)
    x = np.exp(estimate[fitted]) if ratio else estimate[fitted]
    y = i2[fitted]
    figure = new_figure(6.4, 5.6)
    main = figure.add_axes((0.12, 0.1, 0.6, 0.6))
    top = figure.add_axes((0.12, 0.72, 0.6, 0.22), sharex=main)
    right = figure.add_axes((0.74, 0.1, 0.22, 0.6), sharey=main)
    if x.size > HEXBIN_ABOVE:
        main.hexbin(
            x,
            y,
            gridsize=50,
            xscale="log" if ratio else "linear",
            cmap="Blues",
            mincnt=1,
            linewidths=0,
            gid="gosh-hexbin",
        )
    else:
        main.scatter(x, y, s=6, color=ACCENT, alpha=0.5, linewidths=0, gid="gosh-points")
    span = (x.min(), x.max()) if x.size else (0.0, 1.0)
    if ratio:
        edges = np.geomspace(span[0], span[1], BINS + 1) if span[0] < span[1] else BINS
    else:
        edges = BINS
    top.hist(
        x, bins=edges, color=ACCENT, edgecolor="white", linewidth=0.3, gid="gosh-hist-estimate"
    )
    right.hist(
        y,
        bins=BINS,
        orientation="horizontal",
        color=ACCENT,
        edgecolor="white",
        linewidth=0.3,
        gid="gosh-hist-i2",
    )
    pad = 0.04 * (span[1] - span[0] or 1.0)
    if ratio:
        main.set_xlim(span[0] / 1.05, span[1] * 1.05)
        ratio_axis(main)
    else:
        main.set_xlim(span[0] - pad, span[1] + pad)
    main.set_ylim(min(0.0, y.min(initial=0.0)) - 2, max(100.0, y.max(initial=0.0)) + 2)
    label = effect_label or ("Estimate" if not ratio else f"{measure.upper()} (log scale)")
    main.set_xlabel(label)
    main.set_ylabel("I² (%)")
    for ax in (top, right):
        ax.tick_params(labelbottom=False, labelleft=False, colors=INK)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    top.set_ylabel("Subsets", fontsize=8)
    right.set_xlabel("Subsets", fontsize=8)
    figure.suptitle(f"GOSH plot: {x.size} subsets", x=0.12, ha="left", fontsize=10)
    return figure
