"""Correlated random effects over time within a cluster: metafor's
``rma.mv(yi, V, mods, random = ~ time | cluster, struct = "CS" | "AR")``.

For two effect sizes i, j of the same cluster, with t_i the position of effect i's time among
the sorted distinct times (metafor's factor levels):

    CS: Cov(u_i, u_j) = tau2 (t_i = t_j), tau2 rho (t_i != t_j)
    AR: Cov(u_i, u_j) = tau2 rho^|t_i - t_j|                      (AR(1) over the levels)

M = V + tau2 C(rho) by cluster blocks. The (restricted) log-likelihood is that of
:mod:`.multilevel_fit`; its gradient, with A_a = dM/d theta_a and Q = P (REML) or W (ML):
d ll / d theta_a = -1/2 tr(Q A_a) + 1/2 (W r)' A_a (W r), tr(P A) = tr(W A) - tr(B F'A F),
F = W X, B = (X'WX)^-1 (all block by block). Maximised like metafor over
(log tau2, atanh rho) with a quasi-Newton method (L-BFGS-B, analytic gradient) from metafor's
start tau2 = max(0.001 * 2, var(y - X b_FE) - 1/mean(1/v)) / 2 and rho = 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.multilevel_fit import REMEDIES, LikelihoodPoint, block_inverse

STRUCTS = ("CS", "AR")


@dataclass(frozen=True, eq=False)
class StructProblem:
    """Per cluster block: rows, V, and the time-level differences |t_i - t_j|."""

    y: np.ndarray
    X: np.ndarray
    struct: str
    reml: bool
    blocks: tuple[np.ndarray, ...]
    V: tuple[np.ndarray, ...]
    lags: tuple[np.ndarray, ...]
    logdet_xx: float

    @classmethod
    def build(cls, y, X, V, cluster: np.ndarray, time_levels: np.ndarray, struct: str,
              reml: bool) -> StructProblem:  # fmt: skip
        blocks = tuple(np.flatnonzero(cluster == c) for c in range(int(cluster.max()) + 1))
        return cls(
            y=y,
            X=X,
            struct=struct,
            reml=reml,
            blocks=blocks,
            V=tuple(V[np.ix_(rows, rows)] for rows in blocks),
            lags=tuple(
                np.abs(np.subtract.outer(time_levels[rows], time_levels[rows])) for rows in blocks
            ),
            logdet_xx=float(np.linalg.slogdet(X.T @ X)[1]),
        )

    def correlation(self, lag: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
        """C(rho) and dC/drho for one block."""
        if self.struct == "CS":
            return np.where(lag == 0, 1.0, rho), np.where(lag == 0, 0.0, 1.0)
        power = np.maximum(lag - 1, 0)
        return rho**lag, np.where(lag == 0, 0.0, lag * rho**power)


def evaluate_struct(tau2: float, rho: float, problem: StructProblem):
    """(log-likelihood of the chosen method, its gradient in (tau2, rho), LikelihoodPoint),
    or None where M is not positive definite."""
    y, X = problem.y, problem.X
    k, p = X.shape
    per_block, logdet_m = [], 0.0
    XtWX, XtWy = np.zeros((p, p)), np.zeros(p)
    for b, rows in enumerate(problem.blocks):
        C, dC = problem.correlation(problem.lags[b], rho)
        M = problem.V[b] + tau2 * C
        inverse = block_inverse(M)
        if inverse is None:
            return None
        W, logdet = inverse
        F = W @ X[rows]
        XtWX += X[rows].T @ F
        XtWy += F.T @ y[rows]
        logdet_m += logdet
        per_block.append((rows, M, W, F, (C, tau2 * dC)))
    try:
        Lx = np.linalg.cholesky(XtWX)
    except np.linalg.LinAlgError:
        return None
    Lxinv = np.linalg.inv(Lx)
    vb = Lxinv.T @ Lxinv
    beta = vb @ XtWy
    r = y - X @ beta
    rss, gradient = 0.0, np.zeros(2)
    for rows, _, W, F, derivatives in per_block:
        Wr = W @ r[rows]
        rss += float(r[rows] @ Wr)
        for a, A in enumerate(derivatives):
            trace = float(np.sum(W * A))
            if problem.reml:
                trace -= float(np.sum(vb * (F.T @ A @ F)))
            gradient[a] += -0.5 * trace + 0.5 * float(Wr @ A @ Wr)
    ll_ml = -0.5 * k * np.log(2 * np.pi) - 0.5 * logdet_m - 0.5 * rss
    ll_reml = (-0.5 * (k - p) * np.log(2 * np.pi) + 0.5 * problem.logdet_xx - 0.5 * logdet_m
               - float(np.sum(np.log(np.diag(Lx)))) - 0.5 * rss)  # fmt: skip
    point = LikelihoodPoint(
        sigma2=np.zeros(0),
        ll_ml=float(ll_ml),
        ll_reml=float(ll_reml),
        logdet_m=logdet_m,
        rss=rss,
        trace_p=float("nan"),
        beta=beta,
        vb=vb,
        blocks=problem.blocks,
        M_blocks=tuple(block[1] for block in per_block),
        residuals=r,
        score=np.zeros(0),
        information=np.zeros((0, 0)),
        observed=np.zeros((0, 0)),
    )
    return (ll_reml if problem.reml else ll_ml), gradient, point


def maximise_struct(problem: StructProblem, start_tau2: float):
    """(tau2, rho, LikelihoodPoint) at the (RE)ML optimum over log tau2 and atanh rho."""
    from scipy.optimize import minimize

    def objective(theta):
        tau2, rho = np.exp(theta[0]), np.tanh(theta[1])
        if tau2 <= 10 * np.finfo(float).eps:
            tau2 = 0.0
        result = evaluate_struct(tau2, rho, problem)
        if result is None:
            return np.inf, np.zeros(2)
        ll, gradient, _ = result
        return -ll, -gradient * np.array([tau2, 1 - rho**2])

    search = minimize(objective, np.array([np.log(start_tau2), np.arctanh(0.5)]), jac=True,
                      method="L-BFGS-B",
                      options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9})  # fmt: skip
    tau2, rho = float(np.exp(search.x[0])), float(np.tanh(search.x[1]))
    result = evaluate_struct(tau2, rho, problem)
    if result is None or not np.isfinite(result[0]):
        raise AnalysisError(f"the likelihood search failed ({search.message}); {REMEDIES}")
    gain = np.abs(result[1]) * np.array([tau2, 1 - rho**2])
    if not search.success and np.max(gain) > 1e-5:
        raise AnalysisError(f"tau2 and rho did not converge ({search.message}); {REMEDIES}")
    if tau2 <= 10 * np.finfo(float).eps:
        tau2 = 0.0
    return tau2, rho, result[2]
