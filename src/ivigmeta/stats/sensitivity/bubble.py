"""Bubble plot data for a meta-regression on one moderator (metafor ``regplot()``).

Model ``rma(yi, vi, mods = ~ x)``: fitted line b0 + b1 x with its confidence band
(b0 + b1 x) ± crit sqrt(Var b0 + 2 x Cov(b0, b1) + x² Var b1) (crit: z, or t(k - 2) under
knha/t, as metafor's ``predict()``); point sizes as ``regplot()``'s default: sqrt of the
weights rescaled linearly to [0.5, 3] (all 1 when the weights are equal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.results import Result

PLIM = (0.5, 3.0)


@dataclass(frozen=True)
class BubbleData(Result):
    """Points (``x``, ``y``, ``size``), the fitted values at the points and a band on a grid."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    size: tuple[float, ...]
    fitted: tuple[float, ...]
    grid: tuple[float, ...]
    line: tuple[float, ...]
    band_low: tuple[float, ...]
    band_high: tuple[float, ...]
    slope: float
    slope_p: float


def band(fit, at, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted value and CI of ``fit`` (intercept + one moderator) at moderator values ``at``."""
    from ivigmeta.stats.numerics.distributions import t_crit, z_crit

    at = np.asarray(at, dtype=float)
    design = np.column_stack([np.ones_like(at), at])
    pred = design @ fit.beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", design, fit.vb, design))
    crit = z_crit(level) if fit.df is None else t_crit(fit.df, level)
    return pred, pred - crit * se, pred + crit * se


def bubble_data(yi, vi, x, *, method: str = "REML", test: str = "z", level: float = 95.0,
                points: int = 200) -> BubbleData:  # fmt: skip
    """Fit ``rma(yi, vi, mods = x)`` and return what the bubble plot draws."""
    from ivigmeta.stats.models.rma import rma

    x = np.asarray(x, dtype=float)
    fit = rma(yi, vi, mods=x[:, None], method=method, test=test, level=level)
    wi = np.sqrt(fit.weights)
    spread = wi.max() - wi.min()
    if spread <= np.finfo(float).eps ** 0.5:
        size = np.ones_like(wi)
    else:
        size = (wi - wi.min()) / spread * (PLIM[1] - PLIM[0]) + PLIM[0]
    fitted, _, _ = band(fit, x, level)
    grid = np.linspace(x.min(), x.max(), points)
    line, low, high = band(fit, grid, level)
    return BubbleData(
        x=tuple(x.tolist()), y=tuple(np.asarray(yi, float).tolist()), size=tuple(size.tolist()),
        fitted=tuple(fitted.tolist()), grid=tuple(grid.tolist()), line=tuple(line.tolist()),
        band_low=tuple(low.tolist()), band_high=tuple(high.tolist()),
        slope=float(fit.beta[1]), slope_p=float(fit.pval[1]),
    )  # fmt: skip
