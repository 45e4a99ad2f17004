"""Profile-likelihood confidence intervals of the variance components sigma2_l, as metafor's
``confint.rma.mv(fit, sigma2 = l)``.

The bounds are the values v where 2 (ll(hat) - ll_l(v)) = chi²_{1, level}, ll_l(v) being
the (restricted) log-likelihood maximised over the other components with sigma2_l = v.
As metafor: the search runs over [0, max(10, 100 sigma2_l)] (10 when sigma2_l is 0); a
bound whose side of the profile never reaches the critical value is the end of that range
(0 below; above, None: metafor prints the end with ">"). Bounds here are solved to 1e-10
relative (metafor's ``uniroot`` stops at tol = eps^0.25, about 1.2e-4).
"""

from __future__ import annotations

import numpy as np

from ivigmeta.stats.models.multilevel_fit import LikelihoodPoint, Problem, maximise
from ivigmeta.stats.numerics.distributions import chi2_ppf


def profile_intervals(
    problem: Problem, equal_effects: LikelihoodPoint, fit: LikelihoodPoint, level: float = 95.0
) -> tuple[tuple[float | None, float | None], ...]:
    """(lower, upper) for each sigma2_l of the fitted model ``fit``."""
    from scipy.optimize import brentq

    crit = float(chi2_ppf(level / 100.0, 1))
    ll_hat = fit.ll_reml if problem.reml else fit.ll_ml
    intervals = []
    for index, estimate in enumerate(fit.sigma2):

        def excess(value, index=index):
            point = maximise(problem, equal_effects, fixed=(index, value))
            ll = point.ll_reml if problem.reml else point.ll_ml
            return 2.0 * (ll_hat - ll) - crit

        estimate = float(estimate)
        top = 10.0 if estimate <= np.sqrt(np.finfo(float).eps) else max(10.0, 100 * estimate)
        tolerance = 1e-10 * max(estimate, 1e-8)
        if estimate <= 0 or excess(0.0) <= 0:
            lower = 0.0
        else:
            lower = float(brentq(excess, 0.0, estimate, xtol=tolerance, rtol=1e-12))
        if excess(top) <= 0:
            upper = None
        else:
            upper = float(brentq(excess, estimate, top, xtol=tolerance, rtol=1e-12))
        intervals.append((lower, upper))
    return tuple(intervals)
