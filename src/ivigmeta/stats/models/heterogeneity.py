"""Cochran's Q test for residual heterogeneity, I², H² and the typical within-study variance."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.stats.numerics.distributions import chi2_sf
from ivigmeta.stats.numerics.projection import WeightedProjection


@dataclass(frozen=True)
class Heterogeneity:
    """QE test, typical within-study variance ``s2`` and I² (percent) / H², as metafor reports."""

    q: float
    q_df: int
    q_p: float
    s2: float
    i2: float
    h2: float


def typical_variance(P: WeightedProjection, k: int, p: int) -> float:
    """Typical within-study variance s² = (k - p) / tr(P), P built from w_i = 1/v_i.

    For the intercept-only model this is (k - 1) sum(w) / ((sum w)² - sum(w²))
    (Higgins & Thompson 2002, Stat Med 21:1539-1558, eq. 9); metafor's ``vt``.
    """
    return (k - p) / P.trace()


def heterogeneity(
    yc: np.ndarray, vi: np.ndarray, X: np.ndarray, tau2: float, *, equal_effects: bool
) -> Heterogeneity:
    """Q_E = yc' P yc (weights 1/v_i) on k - p df, with I² and H² as metafor defines them.

    Random-effects models: I² = 100 tau² / (tau² + s²), H² = tau²/s² + 1, so both depend on
    the tau² estimator. Equal-effects models: I² = max(0, 100 (Q - df)/Q), H² = Q/df.
    With k = p (e.g. k = 1): Q = 0, p = 1, I² = 0, H² = 1, s² = 0 (metafor's convention).
    With a zero sampling variance nothing is defined: all NaN (metafor warns and gives NA).
    """
    k, p = X.shape
    if np.any(vi <= 0):
        nan = math.nan
        return Heterogeneity(nan, k - p, nan, nan, nan, nan)
    if k <= p:
        return Heterogeneity(0.0, 0, 1.0, 0.0, 0.0, 1.0)
    P = WeightedProjection(X, 1.0 / vi)
    q = P.quadratic(yc)
    df = k - p
    s2 = typical_variance(P, k, p)
    if equal_effects:
        if q == 0:
            i2, h2 = 0.0, 0.0
        else:
            i2, h2 = max(0.0, 100 * (q - df) / q), q / df
    else:
        i2, h2 = 100 * tau2 / (s2 + tau2), tau2 / s2 + 1
    return Heterogeneity(q, df, float(chi2_sf(q, df)), s2, i2, h2)
