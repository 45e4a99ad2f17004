"""metafor's CM.EL model for odds ratios: the conditional GLMM with the exact likelihood.

Given the total number of events m_i = a_i + c_i, a_i follows Fisher's noncentral
hypergeometric distribution with odds ratio psi_i = exp(theta_i):

    P(a | n1, n2, m, psi) = C(n1, a) C(n2, m - a) psi^a / sum_x C(n1, x) C(n2, m - x) psi^x,

(metafor evaluates it with BiasedUrn's ``dFNCHypergeo``, log odds clamped to ±log 1e12), and
theta_i ~ N(beta, tau²). The marginal likelihood of study i is the integral over theta_i,
metafor computes with R's ``integrate`` (QUADPACK ``qagi``, rel.tol = eps^0.25 = 1.2e-4); here
it is adaptive Gauss-Hermite quadrature with 40 nodes centred at the mode of the integrand and
scaled by its curvature (error far below 1e-10 for these smooth unimodal integrands). At
metafor's tolerance the adaptive subdivision makes the likelihood jump by ~1e-4 between nearby
parameters, too rough for a finite-difference Hessian, so metafor's SE carries that noise.
The likelihood is
maximised over (beta, log tau²) as metafor's ``nlminb`` call does, starting from the CM.AL fit;
var(beta) and se(tau²) come from the inverse Hessian (se(tau²) by the delta method). When
tau² < 1e-4 metafor treats it as 0 and reports the equal-effects estimate and its variance
(its ``tau2tol``), with se(tau²) = 0. Heterogeneity: the likelihood-ratio and Wald tests of the
saturated model (one odds ratio per study; studies whose conditional MLE is infinite add 0 to
the Wald statistic, as the zero Hessian columns metafor removes). Reference: van Houwelingen,
Zwinderman & Stijnen (1993) Stat Med 12:2273-2284; metafor 5.0-1 ``rma.glmm``.
"""

from __future__ import annotations

import math

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.glmm_core import hessian, minimise
from ivigmeta.stats.models.glmm_fits import MLFit

CLAMP = 12 * math.log(10)
NODES = 40
TAU2_TOL = 1e-4


class _Study:
    """One table's support and log C(n1, x) C(n2, m - x) for the noncentral hypergeometric."""

    def __init__(self, a, b, c, d):
        n1, n2, m = a + b, c + d, a + c
        self.a = a
        self.x = np.arange(max(0, m - n2), min(n1, m) + 1, dtype=float)
        lg = np.vectorize(math.lgamma, otypes=[float])
        self.base = (lg(n1 + 1) - lg(self.x + 1) - lg(n1 - self.x + 1)
                     + lg(n2 + 1) - lg(m - self.x + 1) - lg(n2 - m + self.x + 1))  # fmt: skip
        self.base_a = float(self.base[int(a - self.x[0])])
        self.finite = self.x[0] < a < self.x[-1]  # conditional MLE finite

    def logpmf(self, theta):
        """log P(a | psi = e^theta) for an array of theta (clamped as metafor)."""
        t = np.clip(np.atleast_1d(theta), -CLAMP, CLAMP)
        terms = self.base[None, :] + t[:, None] * self.x[None, :]
        top = terms.max(axis=1)
        lse = top + np.log(np.exp(terms - top[:, None]).sum(axis=1))
        return self.base_a + t * self.a - lse


class _Tables:
    """All tables at once: supports padded to a common length (padding has log weight -inf)."""

    def __init__(self, studies):
        width = max(s.x.size for s in studies)
        self.x = np.zeros((len(studies), width))
        self.base = np.full((len(studies), width), -np.inf)
        for i, s in enumerate(studies):
            self.x[i, : s.x.size] = s.x
            self.base[i, : s.x.size] = s.base
        self.a = np.array([s.a for s in studies], dtype=float)
        self.base_a = np.array([s.base_a for s in studies])

    def moments(self, theta):
        """log P(a_i | theta_i), E and Var of X_i, for theta of shape (k, m)."""
        t = np.clip(theta, -CLAMP, CLAMP)
        terms = self.base[:, None, :] + t[..., None] * self.x[:, None, :]
        top = terms.max(axis=2, keepdims=True)
        e = np.exp(terms - top)
        total = e.sum(axis=2)
        mean = (e * self.x[:, None, :]).sum(axis=2) / total
        var = (e * self.x[:, None, :] ** 2).sum(axis=2) / total - mean**2
        logp = self.base_a[:, None] + t * self.a[:, None] - (top[..., 0] + np.log(total))
        return logp, mean, np.maximum(var, 0.0)


def _log_marginals(tables: _Tables, mu: float, tau2: float, nodes: int = NODES) -> np.ndarray:
    """log of the integral over theta of P(a | theta) N(theta; mu, tau2), per table, by adaptive
    Gauss-Hermite quadrature centred at the mode of the integrand."""
    k = tables.a.size
    theta = np.full((k, 1), mu)
    for _ in range(100):
        _, mean, var = tables.moments(theta)
        grad = tables.a[:, None] - mean - (theta - mu) / tau2
        step = grad / (var + 1.0 / tau2)
        theta = theta + np.clip(step, -2.0, 2.0)
        if np.max(np.abs(step)) < 1e-10:
            break
    _, _, var = tables.moments(theta)
    scale = 1.0 / np.sqrt(var + 1.0 / tau2)
    x, w = np.polynomial.hermite.hermgauss(nodes)
    points = theta + math.sqrt(2.0) * scale * x[None, :]
    logp, _, _ = tables.moments(points)
    logf = logp - 0.5 * (points - mu) ** 2 / tau2 - 0.5 * math.log(2 * math.pi * tau2)
    terms = logf + x[None, :] ** 2 + np.log(w)[None, :]
    top = terms.max(axis=1)
    return (
        top
        + np.log(np.exp(terms - top[:, None]).sum(axis=1))
        + np.log(math.sqrt(2.0) * scale[:, 0])
    )


def fit_cm_el(a, b, c, d, *, label: str):
    """(fit, ll.FE, ll.QE, QE.Wld, se(tau²)) of CM.EL for the tables (a, b, c, d)."""
    from ivigmeta.stats.models.glmm_core import Family
    from ivigmeta.stats.models.glmm_fits import ScalarModel, fit_scalar

    studies = [_Study(*cells) for cells in zip(a, b, c, d, strict=True)]
    k = len(studies)

    def nll_fixed(beta):
        return -sum(float(s.logpmf(beta)[0]) for s in studies)

    tables = _Tables(studies)

    def nll(params):
        mu, log_tau2 = params
        if not (np.isfinite(mu) and -30 < log_tau2 < 10):
            return np.inf
        return -float(np.sum(_log_marginals(tables, mu, math.exp(log_tau2))))

    # start values: the CM.AL fit, as metafor
    one = np.ones((k, 1))
    fam = Family(a[:, None], (a + c)[:, None])
    start = fit_scalar(ScalarModel(fam, one, np.log((a + b) / (c + d))[:, None], one), label=label)
    x_fe, f_fe = minimise(lambda v: nll_fixed(v[0]), [start.beta])
    h_fe = hessian(lambda v: nll_fixed(v[0]), x_fe, [1e-3])[0, 0]
    # saturated model: each study's own conditional MLE of theta_i
    ll_qe, wald_theta, wald_info = 0.0, [], []
    for s in studies:
        if s.finite:
            xi, fi = minimise(lambda v, s=s: -float(s.logpmf(v[0])[0]), [0.0])
            ll_qe -= fi
            wald_theta.append(xi[0])
            wald_info.append(hessian(lambda v, s=s: -float(s.logpmf(v[0])[0]), xi, [1e-3])[0, 0])
        else:
            ll_qe += float(s.logpmf(CLAMP if s.a == s.x[-1] else -CLAMP)[0])
    th, info = np.array(wald_theta), np.array(wald_info)
    q = float(np.sum(info * th**2) - np.sum(info * th) ** 2 / np.sum(info)) if th.size else 0.0
    x, f_ml = minimise(nll, [start.beta, math.log(start.tau2 + 0.01)])
    if not np.all(np.isfinite(x)) or abs(x[0]) > 25:
        raise AnalysisError(f"GLMM ({label}) did not converge")
    tau2 = math.exp(x[1])
    if tau2 < TAU2_TOL:
        fit = MLFit(float(x_fe[0]), 1.0 / h_fe, tau2, None, -f_ml)
        return fit, -f_fe, ll_qe, q, 0.0
    H = hessian(nll, x, [1e-3 * max(1.0, abs(x[0])), 1e-3 * max(1.0, abs(x[1]))])
    try:
        inv = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        raise AnalysisError("the Hessian of the ML model cannot be inverted") from None
    if inv[0, 0] <= 0:
        raise AnalysisError("the variance of the estimate is not positive")
    se_tau2 = math.sqrt(inv[1, 1]) * tau2 if inv[1, 1] >= 0 else None
    return MLFit(float(x[0]), float(inv[0, 0]), tau2, None, -f_ml), -f_fe, ll_qe, q, se_tau2
