"""Tests of the fixed effects of a multilevel model, as metafor 5.0-1's ``rma.mv``.

``test = "z"`` (metafor's default): b_j / se_j against N(0, 1), CI b -/+ z se, QM chi² on m
df. ``test = "t"``: t on ddf_j df, CI b -/+ t_{ddf_j} se, and QM / m against F(m, min ddf)
(metafor tests all coefficients but the intercept, btt = 2..p). The df (metafor's
``.ddf.calc``, argument ``dfs``):

- ``"residual"`` (metafor's default): ddf_j = k - p for every coefficient;
- ``"contain"``: for each random-effects factor f (the nested levels' interactions of
  ``~ 1 | a/b``; for ``~ inner | outer`` the inner:outer combinations and the outer factor),
  coefficient j is "contained" in f when its column of X is constant within every level of
  f; ddf_j = (the smallest number of levels of a factor containing j, else k) - p.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.numerics.distributions import (
    chi2_sf,
    f_sf,
    t_crit,
    two_sided_t_p,
    two_sided_z_p,
    z_crit,
)

TESTS = ("Z", "T")
DFS = ("RESIDUAL", "CONTAIN")


def denominator_df(X: np.ndarray, factors: Sequence[np.ndarray], dfs: str) -> list[int]:
    """ddf_j for each column of X; ``factors`` are integer level codes per random factor."""
    k, p = X.shape
    if dfs == "RESIDUAL":
        return [k - p] * p
    ddf = []
    for j in range(p):
        sizes = [k]
        for codes in factors:
            distinct = {(c, x) for c, x in zip(codes.tolist(), X[:, j].tolist(), strict=True)}
            n_levels = int(codes.max()) + 1
            if len(distinct) == n_levels:  # one value of X_j per level
                sizes.append(n_levels)
        ddf.append(min(sizes) - p)
    return ddf


def coefficient_tests(point, names: Sequence[str], test: str, ddf, level: float, robust):
    """One :class:`~ivigmeta.stats.models.multilevel.MultilevelCoefficient` per coefficient
    and the QM test (value, df, second df or None, p) of the coefficients after the first."""
    from ivigmeta.stats.models.multilevel import MultilevelCoefficient

    p = len(names)
    se = np.sqrt(np.diag(point.vb))
    if test == "T" and min(ddf) <= 0:
        where = names[int(np.argmin(ddf))]
        raise AnalysisError(
            f"t test: {where} has {min(ddf)} 'contain' degrees of freedom (metafor reports "
            "NA); use --dfs residual or --test z"
        )
    coefficients = []
    for j in range(p):
        b, statistic = float(point.beta[j]), float(point.beta[j] / se[j])
        if test == "T":
            df = ddf[j]
            crit, pval = float(t_crit(df, level)), float(two_sided_t_p(statistic, df))
        else:
            crit, pval, df = z_crit(level), float(two_sided_z_p(statistic)), None
        coefficients.append(
            MultilevelCoefficient(
                name=names[j],
                estimate=b,
                se=float(se[j]),
                ci_low=b - crit * se[j],
                ci_high=b + crit * se[j],
                statistic=statistic,
                p=pval,
                df=df,
                robust=robust[j],
            )
        )
    qm = qm_df2 = qm_p = None
    if p > 1:
        b = point.beta[1:]
        qm = float(b @ np.linalg.solve(point.vb[1:, 1:], b))
        if test == "T":
            qm, qm_df2 = qm / (p - 1), int(min(ddf[1:]))
            qm_p = float(f_sf(qm, p - 1, qm_df2))
        else:
            qm_p = float(chi2_sf(qm, p - 1))
    return tuple(coefficients), (qm, p - 1 if p > 1 else None, qm_df2, qm_p)
