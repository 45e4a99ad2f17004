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


def _profile_alpha(dev_fun, alpha0, tol=1e-8):
    """Minimise the per-study deviances ``dev_fun(alpha)`` (a vector) over the per-study
    alpha (Newton with central differences, studies separate)."""
    a = np.array(alpha0, dtype=float)
    h = 1e-4
    f0 = dev_fun(a)
    for _ in range(100):
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
        if np.max(np.abs(step)) < tol:
            break
    return a, f0


def fit_scalar(fam: Family, xb, off, z, *, alpha=None, nodes: int = NODES, label: str) -> MLFit:
    """ML fit of eta = beta*xb + off [+ alpha_i] + theta z u_i (u_i ~ N(0, 1)); (k, J) arrays.
    ``alpha`` (start values) adds the fixed study effects (UM.FS)."""
    beta0, *_ = glm_irls(fam, _fe_design(xb, alpha is not None), off.ravel())
    state = {"alpha": None if alpha is None else np.asarray(alpha, float)}

    def per_study(params, alpha_vec=None):
        b, theta = params
        eta0 = b * xb + off
        if alpha_vec is not None:
            eta0 = eta0 + alpha_vec[:, None]
        return agq_deviance(fam, eta0, z, theta, nodes)[0]

    def profile(params):
        if not np.all(np.isfinite(params)):
            return np.inf
        if state["alpha"] is None:
            return float(np.sum(per_study(params)))
        a, f = _profile_alpha(lambda av: per_study(params, av), state["alpha"])
        state["alpha"] = a
        return float(np.sum(f))

    x, _ = minimise(lambda v: profile(np.array([v[1], v[0]])), [0.5, beta0[0]], even_first=True)
    theta, b = x
    if not np.isfinite(b) or abs(b) > 25:
        raise AnalysisError(f"GLMM ({label}) did not converge")
    steps = [1e-3 * max(1.0, abs(b)), 1e-3 * max(0.1, theta)]
    H = hessian(lambda v: profile(np.array([v[1], v[0]])), np.array([theta, b]), steps[::-1])
    var_beta = _var_first_fixed(H, theta)
    eta0 = b * xb + off
    if state["alpha"] is not None:
        eta0 = eta0 + state["alpha"][:, None]
    _, u = agq_deviance(fam, eta0, z, theta, nodes)
    devres = float(np.sum(fam.devres(eta0 + theta * z * u[:, None])))
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


def fit_um_rs(fam: Family, xb, label: str) -> tuple[MLFit, float, float]:
    """UM.RS: eta_ij = mu + beta*xb_ij + sigma u1_i + tau (±1/2) u2_i, Laplace. Returns the fit,
    ll.FE (random intercept only, tau = 0) and ll.QE (study-specific treatment effects)."""
    k = xb.shape[0]
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

    _, dfe = minimise(dev_fe, [max(s1, 0.1), b, mu], even_first=True)
    del k
    return fit, sat - 0.5 * dfe, np.nan
