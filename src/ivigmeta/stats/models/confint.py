"""Q-profile confidence interval for tau² (and tau, I², H²), as metafor's ``confint.rma.uni``.

The generalised Q statistic Q(tau²) = y' P(tau²) y with w_i = 1/(v_i + tau²) follows a
chi²(k - p) distribution at the true tau² and decreases in tau². The bounds solve
Q(tau²_lb) = chi²_{1-a/2, k-p} and Q(tau²_ub) = chi²_{a/2, k-p} on [tau2_min, tau2_max] with
R's ``uniroot`` (tolerance eps^0.25, at most 1000 iterations), metafor's defaults:
tau2_min = min(0, tau²), tau2_max = max(100, 10 tau²). When Q(tau2_min) is already below a
critical value the bound is tau2_min (``"<"`` sign in metafor's printout when it is positive);
when Q(0) < chi²_{a/2} the whole interval is {0} ("the CI is the null set"; ``ci_null``);
when Q(tau2_max) is above a critical value the bound is tau2_max (``">"``).
I², H² bounds follow from tau² bounds through the fit's typical variance s²:
I² = 100 tau²/(s² + tau²), H² = tau²/s² + 1.

Viechtbauer W. Confidence intervals for the amount of heterogeneity in meta-analysis.
Stat Med 2007;26:37-52.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.rma import RmaFit
from ivigmeta.stats.numerics.distributions import chi2_ppf
from ivigmeta.stats.numerics.projection import WeightedProjection
from ivigmeta.stats.numerics.uniroot import R_DEFAULT_TOL, uniroot


@dataclass(frozen=True)
class Tau2Interval(Result):
    """Estimates and CI bounds of tau², tau, I² (percent) and H².

    ``low_sign``/``high_sign`` are ``"<"``/``">"`` when a bound is only a limit of the
    searched interval (metafor prints them), ``""`` otherwise; ``ci_null`` is True when the
    interval is empty at tau² = 0 (metafor's ``ci.null``).
    """

    level: float
    tau2: float
    tau2_low: float
    tau2_high: float
    tau: float
    tau_low: float
    tau_high: float
    i2: float
    i2_low: float
    i2_high: float
    h2: float
    h2_low: float
    h2_high: float
    low_sign: str
    high_sign: str
    ci_null: bool
    tau2_min: float
    tau2_max: float


def tau2_confint(
    fit: RmaFit,
    *,
    level: float | None = None,
    tau2_min: float | None = None,
    tau2_max: float | None = None,
    tol: float = R_DEFAULT_TOL,
    maxiter: int = 1000,
) -> Tau2Interval:
    """Q-profile CI for tau² of a random/mixed-effects fit (metafor ``confint(fit)``)."""
    if fit.k == 1:
        raise AnalysisError("no confidence interval for tau^2 with k = 1 (metafor: stopped)")
    if fit.method == "EE":
        raise AnalysisError("an equal-effects model has no tau^2 to give a confidence interval")
    if fit.tau2_fixed:
        raise AnalysisError("tau^2 was fixed, not estimated; it has no confidence interval")
    vi, yi, X = fit.vi, fit.yi, fit.X
    if np.any(vi <= 0):
        raise AnalysisError(
            "no Q-profile CI for tau^2 when a study has sampling variance 0 (as metafor)"
        )
    level = fit.level if level is None else level
    alpha = 1 - level / 100
    df = fit.k - fit.p
    lo_min = min(0.0, fit.tau2) if tau2_min is None else tau2_min
    hi_max = max(100.0, 10 * fit.tau2, 10 * lo_min) if tau2_max is None else tau2_max
    crit_u = float(chi2_ppf(1 - alpha / 2, df))
    crit_l = float(chi2_ppf(alpha / 2, df))

    def q_at(tau2: float) -> float:
        return WeightedProjection(X, 1.0 / (vi + tau2)).quadratic(yi)

    q_max, q_min = q_at(hi_max), q_at(lo_min)
    low = high = math.nan
    low_sign = high_sign = ""
    ci_null = False

    def solve(target: float) -> float:
        try:
            return uniroot(
                lambda t: q_at(t) - target,
                lo_min,
                hi_max,
                f_lower=q_min - target,
                f_upper=q_max - target,
                tol=tol,
                maxiter=maxiter,
            ).root
        except ValueError:
            return math.nan

    if q_min < crit_l:
        low = high = lo_min
        low_sign = high_sign = "<"
        ci_null = lo_min <= 0
    elif q_max > crit_l:
        high, high_sign = hi_max, ">"
    else:
        high = solve(crit_l)
    if q_max > crit_u:
        low = high = hi_max
        low_sign = high_sign = ">"
    elif q_min < crit_u:
        low = lo_min
        if lo_min > 0:
            low_sign = "<"
    else:
        low = solve(crit_u)

    s2 = fit.s2

    def i2(t: float) -> float:
        return 100 * t / (s2 + t)

    def h2(t: float) -> float:
        return t / s2 + 1

    def root(t: float) -> float:
        return math.sqrt(t) if t >= 0 else math.nan

    return Tau2Interval(
        level=float(level),
        tau2=fit.tau2,
        tau2_low=low,
        tau2_high=high,
        tau=root(fit.tau2),
        tau_low=root(low),
        tau_high=root(high),
        i2=fit.i2,
        i2_low=i2(low),
        i2_high=i2(high),
        h2=fit.h2,
        h2_low=h2(low),
        h2_high=h2(high),
        low_sign=low_sign,
        high_sign=high_sign,
        ci_null=ci_null,
        tau2_min=lo_min,
        tau2_max=hi_max,
    )
