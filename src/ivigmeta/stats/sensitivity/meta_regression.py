"""Mixed-effects meta-regression: a thin layer over :func:`ivigmeta.stats.models.rma.rma` with mods.

Model y_i = b0 + b1 x_i1 + ... + u_i + e_i, u_i ~ N(0, tau²) (residual heterogeneity),
e_i ~ N(0, v_i), any tau² estimator, z or Knapp-Hartung (t/F) tests, as metafor's
``rma(yi, vi, mods = ~ x1 + x2, method, test)``. Reported: each coefficient with SE, CI,
statistic and p; the omnibus test of the moderators QM (chi² on m df, or F on (m, k - p) df);
the residual heterogeneity test QE on k - p df; and the pseudo R² (percent),
max(0, 100 (tau²_RE - tau²_ME) / tau²_RE), tau²_RE from the intercept-only model.

Reference: Raudenbush SW. Analyzing effect sizes: random-effects models. In: The Handbook of
Research Synthesis and Meta-Analysis, 2nd ed. Russell Sage; 2009:295-315.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.rma import rma


@dataclass(frozen=True)
class Coefficient(Result):
    """One regression coefficient; ``statistic`` is z, or t under knha/t tests."""

    name: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float


@dataclass(frozen=True)
class MetaRegressionResult(Result):
    """Fitted meta-regression. ``qm_df2`` is the F denominator df (None under z tests)."""

    method: str
    test: str
    level: float
    k: int
    coefficients: tuple[Coefficient, ...]
    df: int | None
    tau2: float
    i2: float
    h2: float
    qm: float
    qm_df: int
    qm_df2: int | None
    qm_p: float
    qe: float
    qe_df: int
    qe_p: float
    r2: float | None


def meta_regression(
    yi,
    vi,
    mods: Mapping[str, Sequence[float]],
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> MetaRegressionResult:
    """Fit ``rma(yi, vi, mods = ~ <mods>)``; ``mods`` maps a moderator name to its k values."""
    if not mods:
        raise AnalysisError("meta-regression needs at least one moderator")
    names = list(mods)
    columns = []
    for name in names:
        column = np.asarray(mods[name], dtype=float)
        if column.size != len(yi):
            raise AnalysisError(f"moderator {name!r} has {column.size} values for k = {len(yi)}")
        columns.append(column)
    fit = rma(yi, vi, mods=np.column_stack(columns), method=method, test=test, level=level)
    coefficients = tuple(
        Coefficient(
            name=name,
            estimate=float(fit.beta[j]),
            se=float(fit.se[j]),
            ci_low=float(fit.ci_low[j]),
            ci_high=float(fit.ci_high[j]),
            statistic=float(fit.statistic[j]),
            p=float(fit.pval[j]),
        )
        for j, name in enumerate(["intercept", *names])
    )
    return MetaRegressionResult(
        method=fit.method,
        test=fit.test,
        level=fit.level,
        k=fit.k,
        coefficients=coefficients,
        df=fit.df,
        tau2=fit.tau2,
        i2=fit.i2,
        h2=fit.h2,
        qm=fit.qm,
        qm_df=fit.qm_df[0],
        qm_df2=fit.qm_df[1],
        qm_p=fit.qm_p,
        qe=fit.q,
        qe_df=fit.q_df,
        qe_p=fit.q_p,
        r2=fit.r2,
    )
