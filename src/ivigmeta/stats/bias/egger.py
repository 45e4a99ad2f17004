"""Egger's regression test for funnel-plot asymmetry (metafor ``regtest``, predictor ``sei``).

The effects are regressed on their standard errors, y_i = b0 + b1 sqrt(v_i) + error, and
b1 = 0 is tested. The intercept b0 is the "limit estimate": the effect expected for a study
of infinite precision (se -> 0).

- ``model="rma"`` (metafor's default): the mixed-effects meta-regression
  ``rma(yi, vi, mods = sei, method, test)``: z (or t under knha/t) test of b1.
- ``model="lm"``: Egger's original weighted least squares, weights 1/v_i with a free
  residual scale s² = sum w_i r_i² / (k - 2), t test on k - 2 df.

Reference: Egger M, Davey Smith G, Schneider M, Minder C. Bias in meta-analysis detected by a
simple, graphical test. BMJ 1997;315:629-634. Sterne JAC, Egger M. Regression methods to
detect publication and other bias in meta-analysis. In: Publication Bias in Meta-Analysis.
Wiley; 2005:99-110.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.rma import rma
from ivigmeta.stats.numerics.distributions import t_crit, two_sided_t_p

MIN_STUDIES = 3
MODELS = ("rma", "lm")


@dataclass(frozen=True)
class EggerResult(Result):
    """Test of the slope on the standard error, and the limit estimate (intercept) with its CI."""

    model: str
    method: str | None
    test: str
    k: int
    statistic: float
    df: int | None
    p: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float


def _weighted_least_squares(yi, vi, level: float, k: int) -> EggerResult:
    X = np.column_stack([np.ones(k), np.sqrt(vi)])
    w = 1.0 / vi
    unscaled = np.linalg.inv(X.T @ (X * w[:, None]))
    beta = unscaled @ (X.T @ (w * yi))
    df = k - 2
    scale = float(np.sum(w * (yi - X @ beta) ** 2)) / df
    se = np.sqrt(scale * np.diag(unscaled))
    statistic = float(beta[1] / se[1])
    crit = float(t_crit(df, level))
    return EggerResult(
        model="lm",
        method=None,
        test="t",
        k=k,
        statistic=statistic,
        df=df,
        p=float(two_sided_t_p(statistic, df)),
        limit_estimate=float(beta[0]),
        limit_ci_low=float(beta[0] - crit * se[0]),
        limit_ci_high=float(beta[0] + crit * se[0]),
    )


def egger_test(
    yi,
    vi,
    *,
    model: str = "rma",
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> EggerResult:
    """Egger's regression test with predictor sei; needs k >= 3 studies."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = yi.size
    if model not in MODELS:
        raise AnalysisError(f"Egger's test model must be one of {', '.join(MODELS)}; got {model!r}")
    if k < MIN_STUDIES:
        raise AnalysisError(
            f"Egger's regression test needs at least {MIN_STUDIES} studies; got k = {k}"
        )
    if np.ptp(vi) == 0:
        raise AnalysisError(
            "Egger's test needs studies of different precision; all sampling variances are equal"
        )
    if model == "lm":
        return _weighted_least_squares(yi, vi, level, k)
    fit = rma(yi, vi, mods=np.sqrt(vi), method=method, test=test, level=level)
    return EggerResult(
        model="rma",
        method=fit.method,
        test=fit.test,
        k=k,
        statistic=float(fit.statistic[1]),
        df=fit.df,
        p=float(fit.pval[1]),
        limit_estimate=float(fit.beta[0]),
        limit_ci_low=float(fit.ci_low[0]),
        limit_ci_high=float(fit.ci_high[0]),
    )
