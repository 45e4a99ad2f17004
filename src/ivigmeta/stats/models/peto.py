"""Peto's one-step odds ratio for 2x2 tables, equal to metafor's ``rma.peto``.

Table i (``a`` events and ``b`` non-events in group 1, ``c`` and ``d`` in group 2, used as
given: no continuity correction, as metafor's default ``add[2] = 0``): observed O_i = a,
expected E_i = (a + c) n1 / N, hypergeometric variance V_i = (a + c)(b + d) n1 n2 /
(N² (N - 1)). Pooled log odds ratio theta = sum (O_i - E_i) / sum V_i, SE = 1 / sqrt(sum V_i).
Heterogeneity: Q = sum (O_i - E_i)² / V_i - (sum (O_i - E_i))² / sum V_i over the tables with
V_i > 0, df = k_yi - 1 (k_yi: studies with an effect size); I² = max(0, (Q - df)/Q). Weights
(percent) are V_i / sum V_i (metafor ``weights.rma.peto``).

The per-study Peto log odds ratio (escalc ``PETO``) is (O_i - E_i)/V_i with variance 1/V_i,
on the tables after ``add``/``to``/``drop00`` (rma.peto's defaults 1/2, only0, TRUE):
:func:`peto_effects`.

Reference: Yusuf S, Peto R, Lewis J, Collins R, Sleight P. Beta blockade during and after
myocardial infarction: an overview of the randomized trials. Prog Cardiovasc Dis
1985;27:335-371.
"""

from __future__ import annotations

import math

import numpy as np

from ivigmeta.effects.continuity import add_to_cells
from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.mantel_haenszel import (
    TableFit,
    i_squared,
    table_columns,
)
from ivigmeta.stats.numerics.distributions import chi2_sf, two_sided_z_p, z_crit


def _observed_expected(a, b, c, d):
    n1, n2 = a + b, c + d
    N = n1 + n2
    xt, yt = a + c, b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = xt * n1 / N
        variance = xt * yt * (n1 / N) * (n2 / N) / (N - 1)
    return a - expected, variance


def peto_effects(ai, bi, ci, di, *, add=0.5, to="only0", drop00=True):
    """Per-study Peto log odds ratios and variances (yi, vi), as escalc(measure="PETO") with
    ``add``, ``to`` and ``drop00``; NaN where undefined (V_i = 0, or a dropped double zero)."""
    a, b, c, d = table_columns(ai, bi, ci, di)
    if drop00:
        double = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
        a, b, c, d = (np.where(double, np.nan, x) for x in (a, b, c, d))
    a, b, c, d = add_to_cells([a, b, c, d], add, to)
    deviation, variance = _observed_expected(a, b, c, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi, vi = deviation / variance, 1 / variance
    bad = ~np.isfinite(yi) | ~np.isfinite(vi)
    return np.where(bad, np.nan, yi), np.where(bad, np.nan, vi)


def peto(ai, bi, ci, di, yi, vi, *, level: float = 95.0) -> TableFit:
    """Peto's pooled log odds ratio of the tables (see the module docstring); ``yi``/``vi``
    are the studies' effect sizes (:func:`peto_effects`), which set the Q test's df.
    AnalysisError when no table has both outcomes (sum V_i = 0), as metafor stops."""
    a, b, c, d = table_columns(ai, bi, ci, di)
    deviation, variance = _observed_expected(a, b, c, d)
    total = float(np.nansum(variance))
    if total == 0:
        raise AnalysisError(
            "one of the two outcomes never occurred in any of the tables; "
            "Peto's method cannot be used"
        )
    beta = float(np.sum(deviation)) / total
    se = 1 / math.sqrt(total)
    crit = z_crit(level)
    positive = variance > 0
    k_pos = int(np.sum(positive))
    k_yi = int(np.sum(np.isfinite(yi) & np.isfinite(vi)))
    q = max(
        0.0,
        float(np.sum(deviation[positive] ** 2 / variance[positive]))
        - float(np.sum(deviation)) ** 2 / float(np.sum(variance[positive])),
    )
    if k_pos > 1:
        df = k_yi - 1
        q_p, i2, h2 = float(chi2_sf(q, df)), i_squared(q, df), q / df
    else:
        q_p, i2, h2 = 1.0, 0.0, 1.0
    z = beta / se
    return TableFit(
        method="PETO",
        measure="OR",
        level=level,
        k=int(a.size),
        k_yi=k_yi,
        estimate=beta,
        se=se,
        ci_low=beta - crit * se,
        ci_high=beta + crit * se,
        statistic=z,
        p=float(two_sided_z_p(z)),
        q=q,
        q_df=max(k_yi - 1, 0),
        q_p=q_p,
        i2=i2,
        h2=h2,
        weights=variance / total * 100,
    )
