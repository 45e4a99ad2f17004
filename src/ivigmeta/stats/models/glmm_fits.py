"""Maximum-likelihood fits of the lme4-based GLMMs of metafor's ``rma.glmm`` (PLO, IRLN, OR
with UM.FS, UM.RS, CM.AL); the formulas of the deviances are in
:mod:`ivigmeta.stats.models.glmm_core`.

- One random effect per study (PLO, IRLN, CM.AL, UM.FS): adaptive Gauss-Hermite quadrature
  with 7 nodes (metafor's default ``nAGQ = 7`` passed to ``glmer``). UM.FS has a fixed effect
  alpha_i per study; it is profiled out (each alpha_i by Newton's method, studies separate).
- Two random effects per study (UM.RS): Laplace (``glmer`` refuses nAGQ > 1 there; metafor
  sets nAGQ = 1).

The estimates maximise the approximated likelihood (lme4 stops its Nelder-Mead search near
that maximum). Var(beta) is lme4's ``vcov``: twice the fixed-effects block of the inverse
Hessian of the deviance in (theta, beta), which equals the inverse Hessian of the deviance
profiled over the study effects; at theta = 0 (the deviance is even in theta) the
theta-beta cross terms vanish.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.glmm_core import (
    Family,
    agq_deviance,
    glm_irls,
    hessian,
    laplace2_deviance,
    minimise,
)

NODES = 7


@dataclass(frozen=True)
class MLFit:
    """beta (the first fixed effect), its variance, tau² (sigma² for UM.RS's study effects)
    and the log-likelihood as metafor reports it."""

    beta: float
    var_beta: float
    tau2: float
    sigma2: float | None
    loglik: float


def _profile_alpha(dev_fun, alpha0, tol=1e-8, *, batched: bool = False):
    """Minimise the per-study deviances ``dev_fun(alpha)`` (a vector) over the per-study
    alpha (Newton with central differences, studies separate). ``batched``: ``dev_fun`` also
    takes a (2, k) stack of alphas and returns (2, k) deviances (one call for both
    differences)."""
    a = np.array(alpha0, dtype=float)
    h = 1e-4
    f0 = dev_fun(a)
    for _ in range(100):
        if batched:
            fp, fm = dev_fun(np.stack([a + h, a - h]))
        else:
            fp, fm = dev_fun(a + h), dev_fun(a - h)
        g = (fp - fm) / (2 * h)
        H = (fp - 2 * f0 + fm) / h**2
        step = np.where(H > 1e-12, g / np.where(H > 1e-12, H, 1.0), np.sign(g) * 0.5)
        step = np.clip(step, -2.0, 2.0)
        new = a - step
        f_new = dev_fun(new)
        for _ in range(30):
            worse = f_new > f0 + 1e-13 * (1 + np.abs(f0))
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
            new = a - step
            f_new = dev_fun(new)
        a, f0 = new, f_new
        # converged, or running off to infinity on a flat deviance (a zero cell)
        if np.all((np.abs(step) < tol) | (np.abs(g) < 1e-7)):
            break
    return a, f0


class ScalarModel:
    """eta = beta*xb + off [+ alpha_i] + theta z u_i (u_i ~ N(0, 1)) on (k, J) arrays; with
    ``alpha`` (start values) the fixed study effects of UM.FS, profiled out."""

    def __init__(self, fam: Family, xb, off, z, *, alpha=None, nodes: int = NODES):
        self.fam, self.xb, self.off, self.z, self.nodes = fam, xb, off, z, nodes
        self.alpha = None if alpha is None else np.asarray(alpha, dtype=float)
        self.modes = {}  # conditional modes of the last evaluation (theta > 0), by batch size
        if alpha is not None:  # two copies of the studies, for batched differences
            size = None if fam.size is None else np.tile(fam.size, (2, 1))
            self.fam2 = Family(np.tile(fam.y, (2, 1)), size)

    def eta0(self, beta: float, alpha=None):
        eta0 = beta * self.xb + self.off
        if alpha is None:
            return eta0
        if alpha.ndim == 2:
            return np.tile(eta0, (alpha.shape[0], 1)) + alpha.reshape(-1)[:, None]
        return eta0 + alpha[:, None]

    def deviance(self, beta: float, theta: float) -> float:
        """lme4's AGQ deviance at (beta, theta), minimised over the study effects if any."""
        if not (np.isfinite(beta) and np.isfinite(theta)):
            return np.inf

        sign = math.copysign(1.0, theta)

        def per_study(alpha=None):
            m = 1 if alpha is None or alpha.ndim == 1 else alpha.shape[0]
            fam, z = (self.fam, self.z) if m == 1 else (self.fam2, np.tile(self.z, (m, 1)))
            start = self.modes.get(m)
            eta0 = self.eta0(beta, alpha)
            dev, u = agq_deviance(
                fam, eta0, z, theta, self.nodes, None if start is None else start * sign
            )
            if theta != 0.0:
                self.modes[m] = u * sign
            return dev if m == 1 else dev.reshape(m, -1)

        if self.alpha is None:
            return float(np.sum(per_study()))
        self.alpha, f = _profile_alpha(per_study, self.alpha, batched=True)
        return float(np.sum(f))


def fit_scalar(model: ScalarModel, *, label: str) -> MLFit:
    """The ML fit of a :class:`ScalarModel` (start: beta from the equal-effects glm, tau 0.5)."""
    fam, xb = model.fam, model.xb
    beta0, *_ = glm_irls(fam, _fe_design(xb, model.alpha is not None), model.off.ravel())

    def dev(v):
        return model.deviance(v[1], v[0])

    x, _ = minimise(dev, [0.5, beta0[0]], even_first=True)
    theta, b = x
    if not np.isfinite(b) or abs(b) > 25:
        raise AnalysisError(f"GLMM ({label}) did not converge")
    steps = [1e-3 * max(0.1, theta), 1e-3 * max(1.0, abs(b))]
    var_beta = _var_first_fixed(hessian(dev, np.array([theta, b]), steps), theta)
    model.deviance(b, theta)  # the study effects at the estimate
    eta0 = model.eta0(b, model.alpha)
    _, u = agq_deviance(fam, eta0, model.z, theta, model.nodes)
    devres = float(np.sum(fam.devres(eta0 + theta * model.z * u[:, None])))
    return MLFit(float(b), var_beta, float(theta) ** 2, None, -0.5 * devres)


def _var_first_fixed(H, theta) -> float:
    """2 [H^-1]_beta,beta for H over (theta, beta); lme4 falls back to the Hessian at fixed
    theta when the full one is not positive definite (e.g. theta on its bound 0)."""
    try:
        inv = np.linalg.inv(H)
        ok = np.all(np.linalg.eigvalsh(inv) > 0)
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        return float(2.0 * inv[1, 1])
    if H[1, 1] <= 0:
        raise AnalysisError("GLMM: the Hessian of the likelihood is not positive definite")
    return float(2.0 / H[1, 1])


def _fe_design(xb, study_effects: bool):
    k, j = xb.shape
    cols = [xb.ravel()]
    if study_effects:
        cols += [np.repeat(np.eye(k), j, axis=0)[:, i] for i in range(k)]
    else:
        cols.append(np.ones(k * j)) if not np.all(xb == 1) else None
    return np.column_stack(cols)


def fit_um_rs(fam: Family, xb, label: str) -> tuple[MLFit, float, float, float]:
    """UM.RS: eta_ij = mu + beta*xb_ij + sigma u1_i + tau (±1/2) u2_i, Laplace. Returns the fit,
    ll.FE (random intercept only, tau = 0), ll.QE and QE.Wld (study-specific treatment
    effects)."""
    z1 = np.ones_like(xb)
    z2 = np.where(xb == 1, 0.5, -0.5)
    sat = fam.loglik_saturated()
    beta0, *_ = glm_irls(fam, np.column_stack([xb.ravel(), np.ones(xb.size)]), np.zeros(xb.size))

    def dev(params):
        s1, s2, b, mu = params
        return float(np.sum(laplace2_deviance(fam, mu + b * xb, z1, z2, s1, s2)[0]))

    x, dmin = minimise(
        lambda v: dev([v[1], v[0], v[2], v[3]]), [0.5, 0.5, beta0[0], beta0[1]], even_first=True
    )
    s2, s1, b, mu = x
    s1 = abs(s1)
    x = np.array([s1, s2, b, mu])
    if abs(b) > 25:
        raise AnalysisError(f"GLMM ({label}) did not converge")
    steps = [
        1e-3 * max(0.1, s1),
        1e-3 * max(0.1, s2),
        1e-3 * max(1, abs(b)),
        1e-3 * max(1, abs(mu)),
    ]
    H = hessian(dev, x, steps)
    try:
        inv = np.linalg.inv(H)
        ok = np.all(np.linalg.eigvalsh(inv) > 0)
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        var_beta = 2.0 * inv[2, 2]
    else:
        sub = H[2:, 2:]
        var_beta = 2.0 * np.linalg.inv(sub)[0, 0]
    fit = MLFit(float(b), float(var_beta), float(s2) ** 2, float(s1) ** 2, sat - 0.5 * dmin)

    def dev_fe(params):
        s1, b, mu = params
        return float(np.sum(agq_deviance(fam, mu + b * xb, z1, s1, 1)[0]))

    x_fe, dfe = minimise(dev_fe, [max(s1, 0.1), b, mu], even_first=True)
    ll_qe, q = _um_rs_saturated(fam, xb, z1, x_fe[0], x_fe[2], sat)
    return fit, sat - 0.5 * dfe, ll_qe, q


def _um_rs_saturated(fam: Family, xb, z1, s_start, mu_start, sat):
    """UM.RS's saturated model (metafor: ``glmer`` with one treatment effect theta_i per study
    and the random study intercept, Laplace): its log-likelihood and the Wald statistic of
    equal theta_i, theta'(M/2)theta - (1'(M/2)theta)²/(1'(M/2)1) with M the Schur complement
    of the (sigma, mu) block in the Hessian of the deviance (M/2 = inverse of var(theta))."""
    k = xb.shape[0]
    state = {"theta": np.zeros(k)}

    def per_study(s1, mu, theta):
        return agq_deviance(fam, mu + theta[:, None] * xb, z1, s1, 1)[0]

    def profile(params):
        s1, mu = params
        t, f = _profile_alpha(lambda tv: per_study(s1, mu, tv), state["theta"])
        state["theta"] = t
        return float(np.sum(f))

    x, dqe = minimise(profile, [max(s_start, 0.1), mu_start], even_first=True)
    s1, mu = x
    theta = state["theta"]
    h = 1e-3
    A = hessian(lambda v: float(np.sum(per_study(v[0], v[1], theta))), x, [h * max(0.1, s1), h])
    f0 = per_study(s1, mu, theta)
    fp, fm = per_study(s1, mu, theta + h), per_study(s1, mu, theta - h)
    D = (fp - 2 * f0 + fm) / h**2
    B = np.empty((2, k))
    for row, e in enumerate(([h * max(0.1, s1), 0.0], [0.0, h])):
        step = e[0] + e[1]

        def cross(t_shift, e=e):
            return per_study(s1 + e[0], mu + e[1], theta + t_shift) - per_study(
                s1 - e[0], mu - e[1], theta + t_shift
            )

        B[row] = (cross(h) - cross(-h)) / (4 * h * step)
    M = np.diag(D) - B.T @ np.linalg.solve(A, B)
    P = M / 2
    one = np.ones(k)
    q = float(theta @ P @ theta - (one @ P @ theta) ** 2 / (one @ P @ one))
    return sat - 0.5 * dqe, q
