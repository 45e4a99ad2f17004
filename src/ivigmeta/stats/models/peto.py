"""Peto's one-step odds ratio for 2x2 tables, equal to metafor's ``rma.peto``.

Table i (``a`` events and ``b`` non-events in group 1, ``c`` and ``d`` in group 2, used as
given: no continuity correction, as metafor's default ``add[2] = 0``): observed O_i = a,
expected E_i = (a + c) n1 / N, hypergeometric variance V_i = (a + c)(b + d) n1 n2 /
(N² (N - 1)). Pooled log odds ratio theta = sum (O_i - E_i) / sum V_i, SE = 1 / sqrt(sum V_i).
Heterogeneity: Q = sum (O_i - E_i)² / V_i - (sum (O_i - E_i))² / sum V_i over the tables with
V_i > 0, df = k_yi - 1 (k_yi: studies with an effect size); I² = max(0, (Q - df)/Q). Weights
(percent) are V_i / sum V_i (metafor ``weights.rma.peto``).

The per-study Peto log odds ratio (escalc ``PETO``, :mod:`ivigmeta.effects.peto`) is
(O_i - E_i)/V_i with variance 1/V_i, on the tables after ``add``/``to``/``drop00`` (rma.peto's
defaults 1/2, only0, TRUE).

Reference: Yusuf S, Peto R, Lewis J, Collins R, Sleight P. Beta blockade during and after
myocardial infarction: an overview of the randomized trials. Prog Cardiovasc Dis
1985;27:335-371.
"""

from __future__ import annotations

import math

import numpy as np

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


def peto(ai, bi, ci, di, yi, vi, *, level: float = 95.0) -> TableFit:
    """Peto's pooled log odds ratio of the tables (see the module docstring); ``yi``/``vi``
    are the studies' effect sizes (escalc ``PETO``), which set the Q test's df.
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
