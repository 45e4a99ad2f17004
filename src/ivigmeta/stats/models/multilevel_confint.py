"""Profile-likelihood confidence intervals of the variance components sigma2_l, as metafor's
``confint.rma.mv(fit, sigma2 = l)``, and of tau2 and rho of ``--struct`` fits
(``confint(fit, tau2 = j)``, ``confint(fit, rho = j)``: :func:`struct_intervals`).

The bounds are the values v where 2 (ll(hat) - ll_l(v)) = chi²_{1, level}, ll_l(v) being
the (restricted) log-likelihood maximised over the other components with sigma2_l = v.
As metafor: the search runs over [0, max(10, 100 sigma2_l)] (10 when sigma2_l is 0); a
bound whose side of the profile never reaches the critical value is the end of that range
(0 below; above, None: metafor prints the end with ">"). Bounds here are solved to 1e-10
relative (metafor's ``uniroot`` stops at tol = eps^0.25, about 1.2e-4).
"""

from __future__ import annotations

import numpy as np

from ivigmeta.errors import AnalysisError
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


def struct_intervals(problem, fit, level: float = 95.0):
    """(tau2 intervals, rho intervals) of a ``--struct`` fit (``StructFit``), as metafor's
    ``confint(fit, tau2 = j)`` / ``confint(fit, rho = j)``: the profile maximises over the
    other components in (log tau2, atanh rho); for UN, as metafor, over the Cholesky factor
    of G with the fixed variance or correlation substituted (so a profiled tau2 keeps the
    correlations positive semi-definite, a profiled rho need not). Search ranges as metafor: tau2 in
    [0, max(10, 100 tau2)] (10 when tau2 is 0); rho in [-1, 1] for CS/HCS/UN and
    [min(0, rho), 1] for AR/HAR. Where the profile cannot be fitted at an end of the range
    the end moves a tenth of the way to the estimate, up to 10 times (metafor's
    ``eptries``); each profile point starts from the estimates, or from rho = 0 where that
    start is not positive definite. An end the profile never crosses is the bound (0 for
    tau2, -1 or 1 for rho), or None where metafor marks it with "<" or ">" (tau2 above;
    rho below 0 for AR/HAR, or any end moved inwards)."""
    from scipy.optimize import brentq

    from ivigmeta.stats.models.multilevel_struct import cholesky_search, natural_search

    search = cholesky_search if problem.struct == "UN" else natural_search

    crit = float(chi2_ppf(level / 100.0, 1))
    estimates = [*fit.tau2, *fit.rho]
    n_tau2 = len(fit.tau2)

    def excess(value, index):
        """From the estimates, else (where G is then not positive definite) from rho = 0."""
        for rho in (fit.rho, np.zeros(len(fit.rho))):
            try:
                point, _ = search(problem, fit.tau2, rho, fixed=(index, value))
            except np.linalg.LinAlgError:
                point = None
            if point is not None:
                return 2.0 * (fit.ll - point.ll) - crit
        return None

    def inside(value, index):
        result = excess(value, index)
        if result is None:
            raise AnalysisError(f"the profile likelihood cannot be fitted at {value:g}")
        return result

    intervals = []
    for index, estimate in enumerate(estimates):
        if index < n_tau2:
            small = estimate <= np.sqrt(np.finfo(float).eps)
            ends = (0.0, 10.0 if small else max(10.0, 100 * estimate))
            natural = (0.0, None)
        else:
            low = -1.0 if problem.struct in ("CS", "HCS", "UN") else min(0.0, estimate)
            ends = (low, 1.0)
            natural = (-1.0, 1.0)
        bounds = []
        for side in (0, 1):
            end = ends[side]
            step = abs(end - estimate) / 10
            bound = None
            for attempt in range(10):
                if end == estimate:
                    bound = end
                    break
                value = excess(end, index)
                if value is not None:
                    if value <= 0:
                        bound = end if attempt == 0 and end == natural[side] else None
                    else:
                        a, b = sorted((end, estimate))
                        tolerance = 1e-7 * max(abs(estimate), 1e-3)
                        bound = float(
                            brentq(inside, a, b, args=(index,), xtol=tolerance, rtol=1e-9)
                        )
                    break
                end += step if side == 0 else -step
            bounds.append(bound)
        intervals.append(tuple(bounds))
    return tuple(intervals[:n_tau2]), tuple(intervals[n_tau2:])
