"""The (restricted) likelihood of the nested random-effects model and its maximisation.

Model (metafor ``rma.mv(yi, V, mods, random = ~ 1 | l1/l2/.../lL)``)::

    y = X b + Z_1 u_1 + ... + Z_L u_L + e,   u_l ~ N(0, sigma2_l I),   e ~ N(0, V)
    M = V + sum_l sigma2_l D_l,   D_l = Z_l Z_l'   (1 where two rows share a level-l group)

With W = M^-1, b = (X'WX)^-1 X'W y, r = y - X b and P = W - W X (X'WX)^-1 X'W:

    ML:   ll = -k/2 log(2 pi) - 1/2 log|M| - 1/2 r'W r
    REML: ll = -(k-p)/2 log(2 pi) + 1/2 log|X'X| - 1/2 log|M| - 1/2 log|X'WX| - 1/2 r'W r

(metafor's full REML likelihood, ``REMLf = TRUE``). Score and expected information
(Harville 1977, JASA 72:320-338), with Q = P for REML and Q = W for ML (P y = W r):

    d ll / d sigma2_l = -1/2 tr(Q D_l) + 1/2 (W r)' D_l (W r)
    I_lm             =  1/2 tr(Q D_l Q D_m)

The variance components are maximised over sigma2_l >= 0: a bounded quasi-Newton search
(L-BFGS-B) from metafor's starting values, then projected Fisher scoring to the optimum
(metafor's ``nlminb`` on log(sigma2) finds the same interior optimum; at the boundary it
creeps towards 0 where we return 0 exactly). Starting values as metafor:
sigma2_l = max(0.001 L, var(y - X b_FE) - 1/mean(1/v_i)) / L.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError

REMEDIES = (
    "metafor's remedies: rescale the outcome, simplify the random effects (fewer levels), "
    "or try other starting values or another optimizer (rma.mv control = list(sigma2.init, "
    "optimizer, iter.max))"
)


@dataclass(frozen=True, eq=False)
class LikelihoodPoint:
    """The model evaluated at one vector of variance components ``sigma2``."""

    sigma2: np.ndarray
    ll_ml: float
    ll_reml: float
    beta: np.ndarray
    vb: np.ndarray
    M: np.ndarray
    W: np.ndarray
    residuals: np.ndarray
    score: np.ndarray
    information: np.ndarray


def indicator_matrices(groups: list[np.ndarray]) -> list[np.ndarray]:
    """Z_l (k x G_l, 0/1) for each level's integer group codes 0..G_l-1."""
    matrices = []
    for codes in groups:
        Z = np.zeros((codes.size, int(codes.max()) + 1))
        Z[np.arange(codes.size), codes] = 1.0
        matrices.append(Z)
    return matrices


def evaluate(sigma2, y, X, V, Z: list[np.ndarray], reml: bool) -> LikelihoodPoint | None:
    """Both log-likelihoods, b, Var(b) and the score/information of the chosen likelihood
    at ``sigma2`` (None when M is not positive definite)."""
    k, p = X.shape
    M = V.copy()
    for s, Zl in zip(sigma2, Z, strict=True):
        M += s * (Zl @ Zl.T)
    try:
        L = np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        return None
    Linv = np.linalg.solve(L, np.eye(k))
    W = Linv.T @ Linv
    XtW = X.T @ W
    XtWX = XtW @ X
    try:
        Lx = np.linalg.cholesky(XtWX)
    except np.linalg.LinAlgError:
        return None
    Lxinv = np.linalg.solve(Lx, np.eye(p))
    vb = Lxinv.T @ Lxinv
    beta = vb @ (XtW @ y)
    r = y - X @ beta
    Wr = W @ r
    rss = float(r @ Wr)
    logdet_m = 2.0 * float(np.sum(np.log(np.diag(L))))
    logdet_xwx = 2.0 * float(np.sum(np.log(np.diag(Lx))))
    logdet_xx = float(np.linalg.slogdet(X.T @ X)[1])
    ll_ml = -0.5 * k * np.log(2 * np.pi) - 0.5 * logdet_m - 0.5 * rss
    ll_reml = (
        -0.5 * (k - p) * np.log(2 * np.pi)
        + 0.5 * logdet_xx
        - 0.5 * logdet_m
        - 0.5 * logdet_xwx
        - 0.5 * rss
    )
    Q = W - XtW.T @ vb @ XtW if reml else W
    QZ = [Q @ Zl for Zl in Z]
    score = np.array(
        [-0.5 * np.sum(qz * Zl) + 0.5 * float(np.sum((Zl.T @ Wr) ** 2)) for qz, Zl in zip(QZ, Z)]
    )
    n = len(Z)
    information = np.empty((n, n))
    for a in range(n):
        for b in range(a, n):
            value = 0.5 * float(np.sum((Z[a].T @ QZ[b]) ** 2))
            information[a, b] = information[b, a] = value
    return LikelihoodPoint(
        sigma2=np.asarray(sigma2, dtype=float),
        ll_ml=float(ll_ml),
        ll_reml=float(ll_reml),
        beta=beta,
        vb=vb,
        M=M,
        W=W,
        residuals=r,
        score=score,
        information=information,
    )


def starting_values(y, X, V, levels: int) -> np.ndarray:
    """metafor's sigma2.init: the variance of the equal-effects residuals minus the typical
    sampling variance 1/mean(1/v_i), at least 0.001 L, shared equally by the L levels."""
    Vinv = np.linalg.inv(V)
    beta_fe = np.linalg.solve(X.T @ Vinv @ X, X.T @ Vinv @ y)
    total = max(
        0.001 * levels, float(np.var(y - X @ beta_fe, ddof=1)) - 1.0 / np.mean(1.0 / np.diag(V))
    )
    return np.full(levels, total / levels)


def maximise(y, X, V, Z: list[np.ndarray], reml: bool) -> LikelihoodPoint:
    """The (RE)ML estimate of the variance components; AnalysisError if the search fails."""
    from scipy.optimize import minimize

    start = starting_values(y, X, V, len(Z))
    scale = float(start[0])

    def ll_of(point: LikelihoodPoint) -> float:
        return point.ll_reml if reml else point.ll_ml

    def objective(theta):
        point = evaluate(np.maximum(theta, 0.0) * scale, y, X, V, Z, reml)
        if point is None:
            return np.inf, np.zeros_like(theta)
        return -ll_of(point), -point.score * scale

    search = minimize(
        objective,
        start / scale,
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * len(Z),
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-12},
    )
    current = evaluate(np.maximum(search.x, 0.0) * scale, y, X, V, Z, reml)
    if current is None or not np.isfinite(ll_of(current)):
        raise AnalysisError(f"the likelihood search failed ({search.message}); {REMEDIES}")
    for _ in range(200):
        step = _scoring_step(current)
        if step is None:
            break
        moved = False
        for halving in range(40):
            candidate = evaluate(np.maximum(current.sigma2 + step * 0.5**halving, 0.0),
                                 y, X, V, Z, reml)  # fmt: skip
            if candidate is not None and ll_of(candidate) >= ll_of(current):
                moved = np.max(np.abs(candidate.sigma2 - current.sigma2)) > 1e-13 * scale
                current = candidate
                break
        if not moved:
            break
    if not _converged(current, scale):
        raise AnalysisError(
            f"the variance components did not converge (score {current.score.tolist()}); "
            f"{REMEDIES}"
        )
    return current


def _scoring_step(point: LikelihoodPoint) -> np.ndarray | None:
    """The Fisher-scoring step on the components that are positive or want to grow."""
    free = (point.sigma2 > 0) | (point.score > 0)
    if not free.any():
        return None
    step = np.zeros_like(point.sigma2)
    try:
        step[free] = np.linalg.solve(point.information[np.ix_(free, free)], point.score[free])
    except np.linalg.LinAlgError:
        return None
    return step


def _converged(point: LikelihoodPoint, scale: float) -> bool:
    """Karush-Kuhn-Tucker conditions, in log-likelihood units: a relative change of a positive
    sigma2_l or a step of the starting scale out of 0 gains at most 1e-6."""
    inside = point.sigma2 > 0
    gain_inside = np.abs(point.score[inside]) * point.sigma2[inside]
    gain_boundary = point.score[~inside] * scale
    return bool(np.all(gain_inside <= 1e-6) and np.all(gain_boundary <= 1e-6))
