"""Estimators of the between-study variance tau², one function per estimator, as in metafor.

Every function takes the *mean-centred* effects ``yc`` (metafor fits tau² to ``yi - mean(yi)``;
with an intercept in the model this changes nothing), the sampling variances ``vi`` and the
model matrix ``X`` (k x p), and returns a :class:`Tau2Estimate` with metafor's standard error of
the estimate. ``fixed`` holds tau² at a given value (metafor's ``rma(tau2=...)``); the standard
error is then evaluated at that value, as metafor does. Notation: k studies, p coefficients,
w_i = 1/v_i (or 1/(v_i + tau²)), P the residual projection matrix
(:class:`ivigmeta.stats.numerics.projection.WeightedProjection`, never formed as a k x k
matrix: every estimator is O(k p²)), Q = yc' P yc.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.stats.numerics.projection import WeightedProjection
from ivigmeta.stats.numerics.uniroot import R_DEFAULT_TOL, uniroot


@dataclass(frozen=True)
class Control:
    """Iteration settings, named and defaulted as metafor's ``control`` list for ``rma.uni``.

    ``tau2_max`` None means metafor's default max(100, 10 * mad(yi)^2).
    """

    threshold: float = 1e-5
    maxiter: int = 100
    stepadj: float = 1.0
    tol: float = R_DEFAULT_TOL
    tau2_init: float | None = None
    tau2_max: float | None = None
    ll0check: bool = True

    @classmethod
    def from_mapping(cls, control: dict | None) -> Control:
        """Build from a dict; keys may use metafor's dots (``tau2.init``) or underscores."""
        if not control:
            return cls()
        known = {f.name for f in fields(cls)}
        values = {}
        for key, value in control.items():
            name = str(key).replace(".", "_")
            if name not in known:
                raise InputError(
                    f"unknown control setting {key!r}; expected one of {', '.join(sorted(known))}",
                    field="control",
                )
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class Tau2Estimate:
    """An estimate of tau², its standard error (NaN if undefined), iterations used and notes
    (adjustments metafor reports as warnings)."""

    tau2: float
    se: float
    iterations: int = 0
    notes: tuple[str, ...] = ()


def _require_positive_variances(vi: np.ndarray, name: str) -> None:
    if np.any(vi <= 0):
        raise AnalysisError(
            f"the {name} estimator cannot be used when a study has a sampling variance of 0"
        )


def _inverse_weights(vi: np.ndarray, tau2: float) -> np.ndarray:
    total = vi + tau2
    if np.any(total <= 0):
        raise AnalysisError(
            "a study has sampling variance 0 and tau^2 = 0, so its inverse-variance weight is "
            "infinite (metafor: division by zero when computing the inverse variance weights)"
        )
    return 1.0 / total


def _clip(tau2: float) -> float:
    return max(0.0, float(tau2))


def dersimonian_laird(
    yc: np.ndarray, vi: np.ndarray, X: np.ndarray, *, fixed: float | None = None
) -> Tau2Estimate:
    """DerSimonian-Laird method-of-moments estimator, truncated at 0.

    tau² = max(0, (Q - (k - p)) / tr(P)) with P built from w_i = 1/v_i.
    SE: sqrt((2(k-p) + 4 tau² tr(P) + 2 tau⁴ tr(P P)) / tr(P)²).
    DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials
    1986;7:177-188.
    """
    _require_positive_variances(vi, "DL")
    k, p = X.shape
    P = WeightedProjection(X, 1.0 / vi)
    tr_p = P.trace()
    tau2 = _clip((P.quadratic(yc) - (k - p)) / tr_p if fixed is None else fixed)
    se = math.sqrt((2 * (k - p) + 4 * tau2 * tr_p + 2 * tau2**2 * P.trace_product()) / tr_p**2)
    return Tau2Estimate(tau2, se)


def hedges(
    yc: np.ndarray, vi: np.ndarray, X: np.ndarray, *, fixed: float | None = None
) -> Tau2Estimate:
    """Hedges' (unweighted method-of-moments, "HE") estimator, truncated at 0.

    tau² = max(0, (RSS - tr(P V)) / (k - p)) with P = I - X (X'X)^-1 X' and V = diag(v_i).
    SE: sqrt((2 tr(PV PV) + 4 tau² tr(PV) + 2 tau⁴ (k-p)) / (k-p)²).
    Hedges LV, Olkin I. Statistical Methods for Meta-Analysis. Academic Press, 1985.
    """
    k, p = X.shape
    P = WeightedProjection(X, np.ones(k))
    tr_pv = P.trace(vi)
    tau2 = _clip((P.quadratic(yc) - tr_pv) / (k - p) if fixed is None else fixed)
    se = math.sqrt(
        (2 * P.trace_product(vi, vi) + 4 * tau2 * tr_pv + 2 * tau2**2 * (k - p)) / (k - p) ** 2
    )
    return Tau2Estimate(tau2, se)


def hunter_schmidt(
    yc: np.ndarray, vi: np.ndarray, X: np.ndarray, *, fixed: float | None = None
) -> Tau2Estimate:
    """Hunter-Schmidt estimator, truncated at 0.

    tau² = max(0, (Q - k) / sum(w_i)), w_i = 1/v_i.
    SE: sqrt((2(k-p) + 4 tau² tr(P) + 2 tau⁴ tr(P P)) / (sum w_i)²).
    Hunter JE, Schmidt FL. Methods of Meta-Analysis, 2nd ed. Sage, 2004.
    """
    _require_positive_variances(vi, "HS")
    k, p = X.shape
    w = 1.0 / vi
    P = WeightedProjection(X, w)
    tau2 = _clip((P.quadratic(yc) - k) / w.sum() if fixed is None else fixed)
    se = math.sqrt(
        (2 * (k - p) + 4 * tau2 * P.trace() + 2 * tau2**2 * P.trace_product()) / w.sum() ** 2
    )
    return Tau2Estimate(tau2, se)


def sidik_jonkman(
    yc: np.ndarray,
    vi: np.ndarray,
    X: np.ndarray,
    *,
    fixed: float | None = None,
    control: Control = Control(),
) -> Tau2Estimate:
    """Sidik-Jonkman estimator.

    Start tau0² = sum(yc_i²)/k (metafor: ``var(yi) * (k-1)/k``, or ``control.tau2_init``);
    tau² = tau0² * Q(tau0²) / (k - p), Q with weights 1/(v_i + tau0²).
    SE: tau0²/(k-p) * sqrt(2 tr(PV PV) + 4 tau² tr(PV P) + 2 tau⁴ tr(P P)).
    Sidik K, Jonkman JN. Simple heterogeneity variance estimation for meta-analysis.
    J R Stat Soc C 2005;54:367-384.
    """
    k, p = X.shape
    tau2_0 = float(np.mean(yc**2)) if control.tau2_init is None else float(control.tau2_init)
    P = WeightedProjection(X, _inverse_weights(vi, tau2_0))
    tau2 = _clip(tau2_0 * P.quadratic(yc) / (k - p) if fixed is None else fixed)
    se = math.sqrt(
        tau2_0**2
        / (k - p) ** 2
        * (
            2 * P.trace_product(vi, vi)
            + 4 * tau2 * P.trace_product(vi)
            + 2 * tau2**2 * P.trace_product()
        )
    )
    return Tau2Estimate(tau2, se)


def _moment_se(vi: np.ndarray, tau2: float, k: int, p: int) -> float:
    """SE used by metafor for the EB and PM estimators: sqrt(2 k² / (k-p)) / sum(w_i)."""
    w = _inverse_weights(vi, tau2)
    return math.sqrt(2 * k**2 / (k - p) / w.sum() ** 2)


def paule_mandel(
    yc: np.ndarray,
    vi: np.ndarray,
    X: np.ndarray,
    *,
    fixed: float | None = None,
    control: Control = Control(),
    tau2_max: float = 100.0,
) -> Tau2Estimate:
    """Paule-Mandel estimator: the tau² at which the generalised Q equals its expectation k - p.

    Q(tau²) = yc' P(tau²) yc with w_i = 1/(v_i + tau²) is decreasing in tau². If Q(0) < k - p,
    tau² = 0; otherwise the root of Q(tau²) = k - p in [0, tau2_max] by R's ``uniroot``
    (tolerance ``control.tol``), as metafor. SE as for EB (metafor).
    Paule RC, Mandel J. Consensus values and weighting factors. J Res Natl Bur Stand
    1982;87:377-385.
    """
    _require_positive_variances(vi, "PM")
    k, p = X.shape
    if fixed is not None:
        return Tau2Estimate(_clip(fixed), _moment_se(vi, _clip(fixed), k, p))
    target = k - p

    def excess(tau2: float) -> float:
        return WeightedProjection(X, 1.0 / (vi + tau2)).quadratic(yc) - target

    at_min = excess(0.0)
    if at_min < 0:
        tau2, iterations = 0.0, 0
    else:
        at_max = excess(tau2_max)
        if at_max > 0:
            raise AnalysisError(
                f"Paule-Mandel: tau^2 exceeds the search limit tau2_max = {tau2_max:g}; "
                "increase control tau2_max or use another method (metafor: 'tau2.max' too low)"
            )
        root = uniroot(
            excess,
            0.0,
            tau2_max,
            f_lower=at_min,
            f_upper=at_max,
            tol=control.tol,
            maxiter=control.maxiter,
        )
        tau2, iterations = _clip(root.root), root.iterations
    return Tau2Estimate(tau2, _moment_se(vi, tau2, k, p), iterations)


def _log_likelihood(yc, vi, X, tau2, restricted: bool) -> float:
    """ML or REML log-likelihood as metafor's ll0 check computes it (constants included)."""
    k, p = X.shape
    w = 1.0 / (vi + tau2)
    wx = X * w[:, None]
    xtwx = X.T @ wx
    beta = np.linalg.solve(xtwx, wx.T @ yc)
    rss = float(np.sum(w * (yc - X @ beta) ** 2))
    if not restricted:
        return -0.5 * k * math.log(2 * math.pi) - 0.5 * float(np.sum(np.log(vi + tau2))) - rss / 2
    logdet = float(np.linalg.slogdet(xtwx)[1])
    return (
        -0.5 * (k - p) * math.log(2 * math.pi)
        - 0.5 * float(np.sum(np.log(vi + tau2)))
        - 0.5 * logdet
        - rss / 2
    )


def fisher_scoring(
    method: str,
    yc: np.ndarray,
    vi: np.ndarray,
    X: np.ndarray,
    *,
    fixed: float | None = None,
    control: Control = Control(),
) -> Tau2Estimate:
    """ML, REML or empirical Bayes tau² by metafor's iterative algorithm.

    Start: the HE estimate (or ``control.tau2_init``). Each step adds
      ML:   (yc' P P yc - sum w) / sum w²
      REML: (yc' P P yc - tr P) / tr(P P)
      EB:   (Q k/(k-p) - k) / sum w
    (times ``control.stepadj``), halving the step while it would make tau² < 0; stop when
    tau² changes by <= ``control.threshold``; more than ``control.maxiter`` iterations is
    non-convergence (AnalysisError, as metafor stops). ML/REML then compare the log-likelihood
    with that at tau² = 0 and use 0 if it is higher by more than ``control.tol`` (metafor's
    ``ll0check``). SE: ML sqrt(2 / sum w²), REML sqrt(2 / tr(P P)), EB as PM.
    Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. J Educ Behav Stat 2005;30:261-293 (ML, REML);
    Morris CN. Parametric empirical Bayes inference. J Am Stat Assoc 1983;78:47-55 (EB).
    """
    k, p = X.shape
    notes: tuple[str, ...] = ()
    if fixed is not None:
        tau2 = fixed
    elif control.tau2_init is not None:
        tau2 = float(control.tau2_init)
    else:
        tau2 = _clip(hedges(yc, vi, X).tau2)
    change = control.threshold + 1
    iterations = 0
    while change > control.threshold:
        iterations += 1
        old = tau2
        w = _inverse_weights(vi, tau2)
        P = WeightedProjection(X, w)
        if method == "ML":
            Py = P.apply(yc)
            adj = (float(Py @ Py) - w.sum()) / float(np.sum(w**2))
        elif method == "REML":
            Py = P.apply(yc)
            adj = (float(Py @ Py) - P.trace()) / P.trace_product()
        else:
            adj = (P.quadratic(yc) * k / (k - p) - k) / w.sum()
        adj *= control.stepadj
        if math.isnan(adj):
            adj = 0.0
        while tau2 + adj < 0:
            adj /= 2
        tau2 = fixed if fixed is not None else tau2 + adj
        change = abs(old - tau2)
        if iterations > control.maxiter:
            raise AnalysisError(
                f"{method}: Fisher scoring did not converge in {control.maxiter} iterations "
                "(metafor stops too); try control maxiter/stepadj or another method"
            )
    if (
        method in ("ML", "REML")
        and control.ll0check
        and fixed is None
        and np.all(vi > 0)
        and tau2 > control.threshold
    ):
        restricted = method == "REML"
        ll0 = _log_likelihood(yc, vi, X, 0.0, restricted)
        ll = _log_likelihood(yc, vi, X, tau2, restricted)
        if ll0 - ll > control.tol:
            notes = (
                f"{method}: Fisher scoring stopped at a local maximum; the likelihood is higher "
                "at tau^2 = 0, so tau^2 is set to 0 (as metafor)",
            )
            tau2 = 0.0
    tau2 = _clip(tau2)
    w = _inverse_weights(vi, tau2)
    if method == "ML":
        se = math.sqrt(2 / float(np.sum(w**2)))
    elif method == "REML":
        se = math.sqrt(2 / WeightedProjection(X, w).trace_product())
    else:
        se = _moment_se(vi, tau2, k, p)
    return Tau2Estimate(tau2, se, iterations, notes)


def estimate_tau2(
    method: str,
    yc: np.ndarray,
    vi: np.ndarray,
    X: np.ndarray,
    *,
    fixed: float | None = None,
    control: Control = Control(),
    tau2_max: float = 100.0,
) -> Tau2Estimate:
    """Dispatch to the estimator named by metafor's ``method`` code (not EE)."""
    if method == "DL":
        return dersimonian_laird(yc, vi, X, fixed=fixed)
    if method == "HE":
        return hedges(yc, vi, X, fixed=fixed)
    if method == "HS":
        return hunter_schmidt(yc, vi, X, fixed=fixed)
    if method == "SJ":
        return sidik_jonkman(yc, vi, X, fixed=fixed, control=control)
    if method == "PM":
        return paule_mandel(yc, vi, X, fixed=fixed, control=control, tau2_max=tau2_max)
    return fisher_scoring(method, yc, vi, X, fixed=fixed, control=control)
