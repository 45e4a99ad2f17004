"""Numerics shared by the GLMMs of :mod:`ivigmeta.stats.models.glmm`: lme4's adaptive
Gauss-Hermite deviance, its Laplace deviance for two random effects per study, R's ``glm``
IRLS, and the optimiser and finite-difference Hessian used on them.

**Deviance of a random-intercept GLMM (lme4 ``glmer``, nAGQ nodes).** Study i has
observations j with linear predictor ``eta_ij = eta0_ij + theta * z_ij * u_i``, u_i ~ N(0, 1)
(lme4's spherical random effect; theta is the SD tau of the random effect b = theta u). With
the deviance residuals d_ij (relative to the saturated model), the conditional mode û_i
minimises ``g_i(u) = sum_j d_ij(u) + u²`` and ``L_i² = 1 + theta² sum_j w_ij z_ij²`` (w the
GLM weights at û_i). lme4's AGQ deviance (``glmerAGQ``) is

    D = sum_i [ g_i(û_i) + log L_i² - 2 log sum_k w_k exp(-(g_i(û_i + x_k / L_i) - g_i(û_i)) / 2
                                                   - log phi(x_k)) / sqrt(2 pi) ],

with (x_k, w_k) the Gauss-Hermite rule for the standard normal density (lme4 ``GHrule``);
one node (x = 0, w = 1) is the Laplace approximation. The two random effects per study of
metafor's UM.RS model use the Laplace form with ``log det(L_i L_i')``,
``L_i L_i' = I + Lambda' Z_i' W_i Z_i Lambda``. References: Pinheiro & Bates (1995) J Comput
Graph Stat 4:12-35; Bates et al. (2015) J Stat Softw 67(1), and lme4 1.1-31's source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def gh_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and weights for the standard normal density (lme4 ``GHrule(n)``):
    sum_k w_k f(x_k) ~ E f(X), X ~ N(0, 1); weights sum to 1."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class Family:
    """Binomial (logit link; ``size`` = trials) or Poisson (log link) responses ``y``."""

    y: np.ndarray
    size: np.ndarray | None  # None: Poisson

    def __post_init__(self) -> None:
        y, n = self.y, self.size
        sat = _xlogy(y, y) - y if n is None else _xlogy(y, y / n) + _xlogy(n - y, (n - y) / n)
        object.__setattr__(self, "_sat", sat)

    def mean(self, eta: np.ndarray) -> np.ndarray:
        if self.size is None:
            return np.exp(eta)
        return self.size / (1.0 + np.exp(-eta))

    def weight(self, eta: np.ndarray) -> np.ndarray:
        """GLM working weight d mean / d eta (canonical links)."""
        if self.size is None:
            return np.exp(eta)
        e = np.exp(-np.abs(eta))  # p (1 - p) without cancellation, symmetric in eta
        return self.size * e / (1.0 + e) ** 2

    def devres(self, eta: np.ndarray) -> np.ndarray:
        """Deviance residuals d = 2 (l_saturated - l(eta)) per observation."""
        y = self.y
        if self.size is None:
            return 2.0 * (self._sat - y * eta + np.exp(eta))
        # -log p = log(1 + e^-eta), -log(1 - p) = log(1 + e^eta) = eta + log(1 + e^-eta)
        lp = np.logaddexp(0.0, -eta)
        return 2.0 * (self._sat + self.size * lp + (self.size - y) * eta)

    def loglik_saturated(self) -> float:
        """Log-likelihood of the saturated model (with the binomial coefficients / y!)."""
        y = self.y
        if self.size is None:
            return float(np.sum(_xlogy(y, y) - y - _lgamma(y + 1.0)))
        n = self.size
        return float(np.sum(_lchoose(n, y) + _xlogy(y, y / n) + _xlogy(n - y, (n - y) / n)))


def _xlogy(x, y):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0.0, 0.0, x * np.log(np.where(x == 0.0, 1.0, y)))


def _lgamma(x):
    return np.vectorize(math.lgamma, otypes=[float])(x)


def _lchoose(n, k):
    return _lgamma(n + 1.0) - _lgamma(k + 1.0) - _lgamma(n - k + 1.0)


def conditional_modes(fam: Family, eta0, z, theta: float, u0=None, tol: float = 1e-11):
    """Conditional modes û (one per study, rows of the (k, J) arrays ``eta0``, ``z``) of
    ``g(u) = sum_j d_j + u²``, by Newton's method with step halving (g is convex), from
    ``u0`` (default 0)."""
    u = np.zeros(eta0.shape[0]) if u0 is None else np.array(u0, dtype=float)
    if theta == 0.0:
        return u
    tz = theta * z
    g_old = np.sum(fam.devres(eta0 + tz * u[:, None]), axis=1) + u * u
    for _ in range(200):
        eta = eta0 + tz * u[:, None]
        grad = -2.0 * np.sum((fam.y - fam.mean(eta)) * tz, axis=1) + 2.0 * u
        hess = 2.0 * np.sum(fam.weight(eta) * tz * tz, axis=1) + 2.0
        step = grad / hess
        new = u - step
        g_new = np.sum(fam.devres(eta0 + tz * new[:, None]), axis=1) + new * new
        for _ in range(30):
            worse = g_new > g_old + 1e-12 * (1.0 + np.abs(g_old))
            if not worse.any():
                break
            step = np.where(worse, step / 2.0, step)
            new = u - step
            g_new = np.sum(fam.devres(eta0 + tz * new[:, None]), axis=1) + new * new
        u, g_old = new, g_new
        if np.max(np.abs(step)) < tol:
            break
    return u


def agq_deviance(fam: Family, eta0, z, theta: float, nodes: int, u0=None):
    """lme4's AGQ (nodes > 1) or Laplace (nodes = 1) deviance per study, and the conditional
    modes û (searched from ``u0``). ``theta`` may be negative (the deviance is even in
    theta)."""
    u = conditional_modes(fam, eta0, z, theta, u0)
    tz = theta * z
    eta = eta0 + tz * u[:, None]
    g0 = np.sum(fam.devres(eta), axis=1) + u * u
    l2 = 1.0 + np.sum(fam.weight(eta) * tz * tz, axis=1)
    dev = g0 + np.log(l2)
    if nodes > 1:
        x, w = gh_rule(nodes)
        sd = 1.0 / np.sqrt(l2)
        mult = np.zeros_like(u)
        for xk, wk in zip(x, w, strict=True):
            if xk == 0.0:
                mult += wk
                continue
            uk = u + xk * sd
            gk = np.sum(fam.devres(eta0 + tz * uk[:, None]), axis=1) + uk * uk
            mult += wk * np.exp(-0.5 * (gk - g0) + 0.5 * xk * xk)
        dev = dev - 2.0 * np.log(mult)
    return dev, u


def laplace2_deviance(fam: Family, eta0, z1, z2, s1: float, s2: float):
    """lme4's Laplace deviance per study for two independent random effects per study
    (``(x || study)``: b1 = s1 u1 on ``z1``, b2 = s2 u2 on ``z2``) and the modes (k, 2)."""
    k = eta0.shape[0]
    u = np.zeros((k, 2))
    a1, a2 = s1 * z1, s2 * z2

    def g(uu):
        eta = eta0 + a1 * uu[:, :1] + a2 * uu[:, 1:]
        return np.sum(fam.devres(eta), axis=1) + np.sum(uu * uu, axis=1), eta

    g_old, eta = g(u)
    for _ in range(200):
        r = fam.y - fam.mean(eta)
        w = fam.weight(eta)
        g1 = -2.0 * np.sum(r * a1, axis=1) + 2.0 * u[:, 0]
        g2 = -2.0 * np.sum(r * a2, axis=1) + 2.0 * u[:, 1]
        h11 = 2.0 * np.sum(w * a1 * a1, axis=1) + 2.0
        h22 = 2.0 * np.sum(w * a2 * a2, axis=1) + 2.0
        h12 = 2.0 * np.sum(w * a1 * a2, axis=1)
        det = h11 * h22 - h12 * h12
        step = np.stack([(h22 * g1 - h12 * g2) / det, (h11 * g2 - h12 * g1) / det], axis=1)
        new = u - step
        g_new, eta_new = g(new)
        for _ in range(30):
            worse = g_new > g_old + 1e-12 * (1.0 + np.abs(g_old))
            if not worse.any():
                break
            step = np.where(worse[:, None], step / 2.0, step)
            new = u - step
            g_new, eta_new = g(new)
        u, g_old, eta = new, g_new, eta_new
        if np.max(np.abs(step)) < 1e-11:
            break
    w = fam.weight(eta)
    m11 = 1.0 + np.sum(w * a1 * a1, axis=1)
    m22 = 1.0 + np.sum(w * a2 * a2, axis=1)
    m12 = np.sum(w * a1 * a2, axis=1)
    return g_old + np.log(m11 * m22 - m12 * m12), u


def minimise(fun, x0, *, even_first: bool = False, tol: float = 1e-9):
    """Minimise a smooth ``fun`` of a few parameters by Newton's method with central-difference
    derivatives and step halving (steepest descent where the Hessian is not positive
    definite). ``even_first``: ``fun`` is even in the first parameter (a random-effect SD), so
    it is searched unconstrained and returned as its absolute value. Returns (x, fun(x))."""
    x = np.asarray(x0, dtype=float).copy()
    f0 = fun(x)
    for _ in range(200):
        steps = 1e-4 * np.maximum(1.0, np.abs(x))
        g, H = _gradient_hessian(fun, x, f0, steps)
        try:
            ok = np.all(np.linalg.eigvalsh(H) > 0)
        except np.linalg.LinAlgError:
            ok = False
        step = np.linalg.solve(H, g) if ok else g / max(1.0, float(np.max(np.abs(g))))
        step = step * min(1.0, 3.0 / max(1e-300, float(np.max(np.abs(step)))))
        new = x - step
        f_new = fun(new)
        for _ in range(40):
            if f_new <= f0 + 1e-13 * (1.0 + abs(f0)):
                break
            step = step / 2.0
            new = x - step
            f_new = fun(new)
        else:
            break
        done = float(np.max(np.abs(step))) < tol and abs(f0 - f_new) < 1e-11 * (1.0 + abs(f0))
        x, f0 = new, f_new
        if done or float(np.max(np.abs(step))) < 1e-12:
            break
    if even_first:
        x[0] = abs(x[0])
    return x, float(f0)


def _gradient_hessian(fun, x, f0, h):
    n = x.size
    e = np.eye(n)
    g = np.empty(n)
    H = np.empty((n, n))
    fp = [fun(x + h[i] * e[i]) for i in range(n)]
    fm = [fun(x - h[i] * e[i]) for i in range(n)]
    for i in range(n):
        g[i] = (fp[i] - fm[i]) / (2.0 * h[i])
        H[i, i] = (fp[i] - 2.0 * f0 + fm[i]) / h[i] ** 2
        for j in range(i):
            fpp = fun(x + h[i] * e[i] + h[j] * e[j])
            fmm = fun(x - h[i] * e[i] - h[j] * e[j])
            H[i, j] = H[j, i] = (fpp - fp[i] - fp[j] + 2.0 * f0 - fm[i] - fm[j] + fmm) / (
                2.0 * h[i] * h[j]
            )
    return g, H


def hessian(fun, x, steps) -> np.ndarray:
    """Central-difference Hessian of ``fun`` at ``x`` with per-parameter ``steps``."""
    x = np.asarray(x, dtype=float)
    n = x.size
    h = np.asarray(steps, dtype=float)
    f0 = fun(x)
    out = np.empty((n, n))
    e = np.eye(n)
    for i in range(n):
        fp, fm = fun(x + h[i] * e[i]), fun(x - h[i] * e[i])
        out[i, i] = (fp - 2.0 * f0 + fm) / h[i] ** 2
        for j in range(i):
            fpp = fun(x + h[i] * e[i] + h[j] * e[j])
            fpm = fun(x + h[i] * e[i] - h[j] * e[j])
            fmp = fun(x - h[i] * e[i] + h[j] * e[j])
            fmm = fun(x - h[i] * e[i] - h[j] * e[j])
            out[i, j] = out[j, i] = (fpp - fpm - fmp + fmm) / (4.0 * h[i] * h[j])
    return out


def glm_irls(fam: Family, X: np.ndarray, offset: np.ndarray):
    """R's ``glm.fit``: IRLS from ``mustart`` = (y + 1/2)/(n + 1) (binomial) or y + 1/10
    (Poisson), stopping when |dev - dev_old| / (|dev| + 0.1) < 1e-8 (at most 25 iterations).
    Returns (coefficients, vcov from the weights of the last iteration, deviance)."""
    y, n = fam.y.ravel(), None if fam.size is None else fam.size.ravel()
    off = offset.ravel()
    if n is None:
        mu = y + 0.1
        eta = np.log(mu)
    else:
        mu = (y + 0.5) / (n + 1.0)
        eta = np.log(mu / (1.0 - mu))
    flat = Family(y, n)
    dev_old = float(np.sum(flat.devres(eta)))
    beta = np.zeros(X.shape[1])
    xtwx = np.eye(X.shape[1])
    for _ in range(25):
        w = flat.weight(eta)
        zwork = eta - off + (y - flat.mean(eta)) / w
        xtwx = X.T @ (w[:, None] * X)
        beta = np.linalg.solve(xtwx, X.T @ (w * zwork))
        eta = X @ beta + off
        dev = float(np.sum(flat.devres(eta)))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
            break
        dev_old = dev
    return beta, np.linalg.inv(xtwx), dev
