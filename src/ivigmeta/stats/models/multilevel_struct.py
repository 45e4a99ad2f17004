"""Correlated random effects over time (or outcomes) within a cluster: metafor's
``rma.mv(yi, V, mods, random = ~ time | cluster, struct = "CS" | "HCS" | "AR" | "HAR" | "UN")``.

Each effect size i has the level t_i of the inner factor (its position among the sorted
distinct times: metafor's factor levels); two effects of one cluster have random-effects
covariance G[t_i, t_j], G = S R S with S = diag(sqrt(tau2_t)):

    CS:  tau2_t = tau2, R_st = rho (s != t)          HCS: tau2_t free, R_st = rho
    AR:  tau2_t = tau2, R_st = rho^|s - t|           HAR: tau2_t free, R_st = rho^|s - t|
    UN:  tau2_t free, R_st = rho_st free (rho in R's lower.tri order: (2,1), (3,1), ..., (3,2))

M = V + Z G Z' by cluster blocks. The (restricted) log-likelihood is that of
:mod:`.multilevel_fit`; its gradient, with A_a = dM/d theta_a and Q = P (REML) or W (ML):
d ll / d theta_a = -1/2 tr(Q A_a) + 1/2 (W r)' A_a (W r), tr(P A) = tr(W A) - tr(B F'A F),
F = W X, B = (X'WX)^-1, for all clusters at once (blocks stacked and padded). Maximised as
metafor: over theta = (log tau2, atanh rho) for CS/HCS/AR/HAR, and for UN over the Cholesky
factor G = L L' (metafor's default ``cholesky = TRUE``; here the log of L's diagonal, which
metafor leaves free: the same G), by BFGS with the analytic gradient from metafor's start
tau2_t = max(0.001 * 2, var(y - X b_FE) - 1/mean(1/v)) / 2 and rho = 0.5, and also from
rho = 0 and -0.5, keeping the converged search (gradient at most 1e-5 in theta) with the highest
likelihood: one start can stop at a local maximum on the rho = 1 boundary that another avoids
(the fit would then depend on the units of y). A tau2 below 10 eps is 0 (metafor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.multilevel_fit import REMEDIES, LikelihoodPoint

STRUCTS = ("CS", "HCS", "AR", "HAR", "UN")
HETEROGENEOUS = ("HCS", "HAR", "UN")
TINY = 10 * np.finfo(float).eps


def lower_pairs(n: int) -> list[tuple[int, int]]:
    """(row, column) of an n x n lower triangle in R's column-major ``lower.tri`` order."""
    return [(i, j) for j in range(n) for i in range(j + 1, n)]


@dataclass(frozen=True, eq=False)
class StructProblem:
    """The cluster blocks stacked and padded to the largest cluster (``mask`` marks real
    rows; padding has V = I and X = y = 0, so it adds nothing to any sum): V, X, y and each
    row's inner-factor level (``levels``) per cluster, so that one evaluation is a few
    batched array operations whatever the number of clusters."""

    y: np.ndarray
    X: np.ndarray
    struct: str
    reml: bool
    blocks: tuple[np.ndarray, ...]
    V: np.ndarray
    Xb: np.ndarray
    yb: np.ndarray
    levels: np.ndarray
    mask: np.ndarray
    n_times: int
    logdet_xx: float

    @classmethod
    def build(cls, y, X, V, cluster: np.ndarray, time_levels: np.ndarray, struct: str,
              reml: bool) -> StructProblem:  # fmt: skip
        blocks = tuple(np.flatnonzero(cluster == c) for c in range(int(cluster.max()) + 1))
        J, n, p = len(blocks), max(rows.size for rows in blocks), X.shape[1]
        Vb = np.tile(np.eye(n), (J, 1, 1))
        Xb, yb = np.zeros((J, n, p)), np.zeros((J, n))
        levels, mask = np.zeros((J, n), dtype=int), np.zeros((J, n), dtype=bool)
        for b, rows in enumerate(blocks):
            m = rows.size
            Vb[b, :m, :m] = V[np.ix_(rows, rows)]
            Xb[b, :m], yb[b, :m] = X[rows], y[rows]
            levels[b, :m], mask[b, :m] = time_levels[rows], True
        return cls(y=y, X=X, struct=struct, reml=reml, blocks=blocks, V=Vb, Xb=Xb, yb=yb,
                   levels=levels, mask=mask, n_times=int(time_levels.max()) + 1,
                   logdet_xx=float(np.linalg.slogdet(X.T @ X)[1]))  # fmt: skip

    def spread(self, matrices: np.ndarray) -> np.ndarray:
        """(..., T, T) level matrices as (..., J, n, n) cluster blocks (0 on padding)."""
        index = matrices[..., self.levels[:, :, None], self.levels[:, None, :]]
        return index * (self.mask[:, :, None] & self.mask[:, None, :])

    @property
    def n_tau2(self) -> int:
        return self.n_times if self.struct in HETEROGENEOUS else 1

    @property
    def n_rho(self) -> int:
        return len(lower_pairs(self.n_times)) if self.struct == "UN" else 1

    def natural(self, tau2, rho) -> tuple[np.ndarray, list[np.ndarray]]:
        """G and dG/d(log tau2_c, atanh rho_c) at (tau2, rho) (vectors of n_tau2, n_rho)."""
        n = self.n_times
        tau2 = np.where(np.asarray(tau2, dtype=float) <= TINY, 0.0, tau2)
        rho = np.asarray(rho, dtype=float)
        s = np.sqrt(np.broadcast_to(tau2, (n,)) if tau2.size == 1 else tau2)
        lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        if self.struct == "UN":
            R, dR = np.eye(n), []
            for c, (i, j) in enumerate(lower_pairs(n)):
                R[i, j] = R[j, i] = rho[c]
                D = np.zeros((n, n))
                D[i, j] = D[j, i] = 1.0 - rho[c] ** 2
                dR.append(D)
        elif self.struct in ("CS", "HCS"):
            R = np.where(lag == 0, 1.0, rho[0])
            dR = [np.where(lag == 0, 0.0, 1.0 - rho[0] ** 2)]
        else:
            R = rho[0] ** lag
            slope = np.where(lag == 0, 0.0, lag * rho[0] ** np.maximum(lag - 1, 0))
            dR = [slope * (1 - rho[0] ** 2)]
        S = np.outer(s, s)
        G = S * R
        derivatives = []
        for c in range(tau2.size):
            m = np.ones(n) if tau2.size == 1 else (np.arange(n) == c).astype(float)
            derivatives.append(0.5 * G * np.add.outer(m, m))
        derivatives += [S * D for D in dR]
        return G, derivatives

    def cholesky(self, theta, fixed: tuple[int, float] | None = None):
        """UN: C = L L' with diag(L) = exp(theta[:n]), lower(L) = theta[n:] (lower_pairs
        order), and dC/dtheta. With ``fixed`` = (index into (tau2, rho), value), as metafor's
        profile: that variance or correlation of C replaced by ``value``, the others kept."""
        n = self.n_times
        L = np.diag(np.exp(theta[:n]))
        for c, (i, j) in enumerate(lower_pairs(n)):
            L[i, j] = theta[n + c]
        derivatives = []
        for i, j in [(t, t) for t in range(n)] + lower_pairs(n):
            E = np.zeros((n, n))
            E[i, j] = L[i, j] if i == j else 1.0
            derivatives.append(E @ L.T + L @ E.T)
        C = L @ L.T
        if fixed is None:
            return C, derivatives
        index, value = fixed
        G, replaced = C.copy(), []
        if index < n:  # G = F C F, F = diag(1, .., sqrt(value / C_cc), .., 1)
            f = np.ones(n)
            f[index] = np.sqrt(value / C[index, index])
            G = C * np.outer(f, f)
            for dC in derivatives:
                df = np.zeros(n)
                df[index] = -0.5 * f[index] * dC[index, index] / C[index, index]
                replaced.append(dC * np.outer(f, f) + C * (np.outer(df, f) + np.outer(f, df)))
        else:  # G_ij = value sqrt(C_ii C_jj)
            i, j = lower_pairs(n)[index - n]
            g = np.sqrt(C[i, i] * C[j, j])
            G[i, j] = G[j, i] = value * g
            for dC in derivatives:
                dG = dC.copy()
                dG[i, j] = dG[j, i] = value * 0.5 * (dC[i, i] * C[j, j] + C[i, i] * dC[j, j]) / g
                replaced.append(dG)
        return G, replaced


def un_components(G: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """UN: (tau2, rho) from G, metafor's ``diag(G)`` and ``cov2cor(G)[lower.tri(G)]``."""
    tau2 = np.diag(G).copy()
    sd = np.sqrt(tau2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = [G[i, j] / (sd[i] * sd[j]) for i, j in lower_pairs(G.shape[0])]
    return tuple(float(t) for t in tau2), tuple(float(r) for r in rho)


def evaluate_struct(G: np.ndarray, derivatives: list[np.ndarray], problem: StructProblem,
                    point: bool = False):  # fmt: skip
    """(log-likelihood of the chosen method, its gradient along ``derivatives`` of G, and
    with ``point`` the LikelihoodPoint), or None where M is not positive definite."""
    k, p = problem.X.shape
    M = problem.V + problem.spread(G)
    try:
        L = np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        return None
    Linv = np.linalg.inv(L)
    W = np.swapaxes(Linv, 1, 2) @ Linv
    logdet_m = 2.0 * float(np.sum(np.log(np.diagonal(L, axis1=1, axis2=2))))
    F = W @ problem.Xb
    XtWX = np.einsum("jxp,jxq->pq", problem.Xb, F)
    try:
        Lx = np.linalg.cholesky(XtWX)
    except np.linalg.LinAlgError:
        return None
    Lxinv = np.linalg.inv(Lx)
    vb = Lxinv.T @ Lxinv
    beta = vb @ np.einsum("jxp,jx->p", F, problem.yb)
    r = problem.yb - problem.Xb @ beta
    Wr = np.einsum("jxy,jy->jx", W, r)
    rss = float(np.sum(r * Wr))
    A = problem.spread(np.asarray(derivatives))
    trace = np.einsum("jxy,ajxy->a", W, A)
    if problem.reml:
        trace -= np.einsum("pq,jxp,ajxy,jyq->a", vb, F, A, F, optimize=True)
    gradient = -0.5 * trace + 0.5 * np.einsum("jx,ajxy,jy->a", Wr, A, Wr, optimize=True)
    ll_ml = -0.5 * k * np.log(2 * np.pi) - 0.5 * logdet_m - 0.5 * rss
    ll_reml = (-0.5 * (k - p) * np.log(2 * np.pi) + 0.5 * problem.logdet_xx - 0.5 * logdet_m
               - float(np.sum(np.log(np.diag(Lx)))) - 0.5 * rss)  # fmt: skip
    ll = ll_reml if problem.reml else ll_ml
    if not point:
        return ll, gradient, None
    sizes = problem.mask.sum(axis=1)
    residuals = np.empty(k)
    for b, rows in enumerate(problem.blocks):
        residuals[rows] = r[b, : sizes[b]]
    return (
        ll,
        gradient,
        LikelihoodPoint(
            sigma2=np.zeros(0),
            ll_ml=float(ll_ml),
            ll_reml=float(ll_reml),
            logdet_m=logdet_m,
            rss=rss,
            trace_p=float("nan"),
            beta=beta,
            vb=vb,
            blocks=problem.blocks,
            M_blocks=tuple(M[b, :m, :m] for b, m in enumerate(sizes)),
            residuals=residuals,
            score=np.zeros(0),
            information=np.zeros((0, 0)),
            observed=np.zeros((0, 0)),
        ),
    )


@dataclass(frozen=True)
class StructFit:
    """The optimum: tau2 (n_tau2), rho (n_rho), the likelihood there and the point."""

    tau2: tuple[float, ...]
    rho: tuple[float, ...]
    ll: float
    point: LikelihoodPoint


def _search(objective, start: np.ndarray):
    from scipy.optimize import minimize

    return minimize(objective, start, jac=True, method="BFGS",
                    options={"maxiter": 5000, "gtol": 1e-9})  # fmt: skip


def natural_search(problem: StructProblem, tau2, rho, fixed: tuple[int, float] | None = None):
    """Maximise over (log tau2, atanh rho) from (tau2, rho); ``fixed`` = (index into the
    concatenated (tau2, rho), value) holds that component (profile likelihoods). Returns
    (StructFit or None where the search fails, the largest KKT gain)."""
    n_tau2 = problem.n_tau2
    rho0 = np.clip(rho, -1 + 1e-12, 1 - 1e-12)
    theta0 = np.concatenate([np.log(np.maximum(tau2, 1e-300)), np.arctanh(rho0)])
    free = np.ones(theta0.size, dtype=bool)
    if fixed is not None:
        free[fixed[0]] = False
        with np.errstate(divide="ignore"):  # log 0 = -inf, atanh(+-1) = +-inf: exact ends
            theta0[fixed[0]] = (np.log(fixed[1]) if fixed[0] < n_tau2 else
                                np.arctanh(fixed[1]))  # fmt: skip

    def unpack(x):
        theta = theta0.copy()
        theta[free] = x
        return np.exp(theta[:n_tau2]), np.tanh(theta[n_tau2:])

    def objective(x):
        t2, r = unpack(x)
        result = evaluate_struct(*problem.natural(t2, r), problem)
        if result is None or not np.isfinite(result[0]):
            return np.inf, np.zeros_like(x)
        return -result[0], -result[1][free]

    search = _search(objective, theta0[free])
    t2, r = unpack(search.x)
    result = evaluate_struct(*problem.natural(t2, r), problem, point=True)
    if result is None or not np.isfinite(result[0]):
        return None, np.inf
    t2 = np.where(t2 <= TINY, 0.0, t2)
    gain = float(np.max(np.abs(result[1][free]), initial=0.0))
    return StructFit(tuple(map(float, t2)), tuple(map(float, r)), result[0], result[2]), gain


def cholesky_search(problem: StructProblem, tau2, rho, fixed: tuple[int, float] | None = None):
    """UN: maximise over the Cholesky factor of G from (tau2, rho) (``fixed``: as
    :meth:`StructProblem.cholesky`). Returns (StructFit or None, the largest gradient)."""
    G0, _ = problem.natural(tau2, rho)
    L = np.linalg.cholesky(G0)
    n = problem.n_times
    theta0 = np.concatenate([np.log(np.diag(L)), [L[i, j] for i, j in lower_pairs(n)]])

    def objective(theta):
        result = evaluate_struct(*problem.cholesky(theta, fixed), problem)
        if result is None or not np.isfinite(result[0]):
            return np.inf, np.zeros_like(theta)
        return -result[0], -result[1]

    search = _search(objective, theta0)
    G, derivatives = problem.cholesky(search.x, fixed)
    result = evaluate_struct(G, derivatives, problem, point=True)
    if result is None or not np.isfinite(result[0]):
        return None, np.inf
    t2, r = un_components(G)
    return StructFit(t2, r, result[0], result[2]), float(np.max(np.abs(result[1])))


def maximise_struct(problem: StructProblem, start_tau2: float) -> StructFit:
    """The (RE)ML estimate of tau2 and rho; AnalysisError if every start fails."""
    best, best_gain = None, np.inf
    for rho0 in (0.5, 0.0, -0.5):
        tau2 = np.full(problem.n_tau2, start_tau2)
        rho = np.full(problem.n_rho, rho0)
        try:
            fit, gain = (cholesky_search(problem, tau2, rho) if problem.struct == "UN" else
                         natural_search(problem, tau2, rho))  # fmt: skip
        except np.linalg.LinAlgError:
            continue
        if fit is None:
            continue
        converged, best_converged = gain <= 1e-5, best_gain <= 1e-5
        if (
            best is None
            or (converged and not best_converged)
            or (converged == best_converged and fit.ll > best.ll + 1e-10)
        ):
            best, best_gain = fit, gain
    if best is None:
        raise AnalysisError(f"the likelihood search for tau2 and rho failed; {REMEDIES}")
    if best_gain > 1e-5:
        raise AnalysisError(f"tau2 and rho did not converge (gradient {best_gain:.2g}); {REMEDIES}")
    return best
