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
    I_lm             =  1/2 tr(Q D_l Q D_m)                      (expected information)
    J_lm             =  (W r)' D_l P D_m (W r) - 1/2 tr(Q D_l Q D_m)  (observed information)

The variance components are maximised over sigma2_l >= 0 from metafor's starting values by
projected Fisher scoring, then Newton steps near the optimum (L-BFGS-B as a fallback)
(metafor's ``nlminb`` on log(sigma2) finds the same interior optimum; at the boundary it
creeps towards 0 where we return 0 exactly). Starting values as metafor:
sigma2_l = max(0.001 L, var(y - X b_FE) - 1/mean(1/v_i)) / L.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ivigmeta.errors import AnalysisError

REMEDIES = (
    "metafor's remedies: rescale the outcome, simplify the random effects (fewer levels), "
    "or try other starting values or another optimizer (rma.mv control = list(sigma2.init, "
    "optimizer, iter.max))"
)


@dataclass(frozen=True, eq=False)
class LikelihoodPoint:
    """The model evaluated at one vector of variance components ``sigma2``: M and W = M^-1
    by diagonal blocks (rows ``blocks``), ``trace_p`` = tr(P), ``rss`` = r'W r."""

    sigma2: np.ndarray
    ll_ml: float
    ll_reml: float
    logdet_m: float
    rss: float
    trace_p: float
    beta: np.ndarray
    vb: np.ndarray
    blocks: tuple[np.ndarray, ...]
    M_blocks: tuple[np.ndarray, ...]
    residuals: np.ndarray
    score: np.ndarray
    information: np.ndarray
    observed: np.ndarray

    def covariance(self, rows: np.ndarray) -> np.ndarray:
        """M restricted to ``rows`` (rows within one block)."""
        for block, M in zip(self.blocks, self.M_blocks, strict=True):
            where = np.searchsorted(block, rows)
            if where.max() < block.size and np.array_equal(block[where], rows):
                return M[np.ix_(where, where)]
        raise ValueError("rows span several blocks of M")


def indicator_matrices(groups: list[np.ndarray]) -> list[np.ndarray]:
    """Z_l (k x G_l, 0/1) for each level's integer group codes 0..G_l-1."""
    matrices = []
    for codes in groups:
        Z = np.zeros((codes.size, int(codes.max()) + 1))
        Z[np.arange(codes.size), codes] = 1.0
        matrices.append(Z)
    return matrices


@dataclass(frozen=True, eq=False)
class Problem:
    """Data and structure of one fit. M is block diagonal on ``blocks`` (the outermost
    clusters when V does not link them; else one block of all rows); for each block its
    rows' V, X, y, the indicator columns of its groups ([Z_1 ... Z_L] restricted to the
    block: ``Z[b]`` over columns ``columns[b]``) and each level's D_l block."""

    y: np.ndarray
    X: np.ndarray
    reml: bool
    blocks: tuple[np.ndarray, ...]
    V: tuple[np.ndarray, ...]
    Z: tuple[np.ndarray, ...]
    columns: tuple[np.ndarray, ...]
    D: tuple[tuple[np.ndarray, ...], ...]
    sizes: tuple[int, ...]
    logdet_xx: float

    @classmethod
    def build(cls, y, X, V, groups: list[np.ndarray], reml: bool) -> Problem:
        outer = groups[0]
        if np.any(V[~np.equal.outer(outer, outer)] != 0):
            blocks = (np.arange(y.size),)
        else:
            blocks = tuple(np.flatnonzero(outer == c) for c in range(int(outer.max()) + 1))
        Z = np.hstack(indicator_matrices(groups))
        sizes = tuple(int(codes.max()) + 1 for codes in groups)
        level_of_column = np.repeat(np.arange(len(sizes)), sizes)
        columns, Zb, D = [], [], []
        for rows in blocks:
            used = np.flatnonzero(Z[rows].any(axis=0))
            columns.append(used)
            Zb.append(Z[np.ix_(rows, used)])
            D.append(
                tuple(
                    Zb[-1][:, level_of_column[used] == level]
                    @ Zb[-1][:, level_of_column[used] == level].T
                    for level in range(len(sizes))
                )
            )
        return cls(
            y=y,
            X=X,
            reml=reml,
            blocks=blocks,
            V=tuple(V[np.ix_(rows, rows)] for rows in blocks),
            Z=tuple(Zb),
            columns=tuple(columns),
            D=tuple(D),
            sizes=sizes,
            logdet_xx=float(np.linalg.slogdet(X.T @ X)[1]),
        )


def block_inverse(M: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(M^-1, log det M) of one cluster's marginal covariance by Cholesky, or None where M is
    not positive definite."""
    try:
        L = np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        return None
    Linv = np.linalg.inv(L)
    return Linv.T @ Linv, 2.0 * float(np.sum(np.log(np.diag(L))))


def evaluate(sigma2, problem: Problem) -> LikelihoodPoint | None:
    """Both log-likelihoods, b, Var(b), the score and the expected and observed information
    of the chosen likelihood at ``sigma2`` (None when M is not positive definite). Block by
    block: small matrices only, so no multi-threaded BLAS call on a k x k matrix."""
    y, X = problem.y, problem.X
    k, p = X.shape
    n_columns = sum(problem.sizes)
    M_blocks, W_blocks = [], []
    logdet_m, trace_w = 0.0, 0.0
    XtWX, XtWy, XtWWX = np.zeros((p, p)), np.zeros(p), np.zeros((p, p))
    for b, rows in enumerate(problem.blocks):
        M = problem.V[b].copy()
        for s, Dl in zip(sigma2, problem.D[b], strict=True):
            M += s * Dl
        inverse = block_inverse(M)
        if inverse is None:
            return None
        W, logdet = inverse
        WX = W @ X[rows]
        XtWX += X[rows].T @ WX
        XtWy += WX.T @ y[rows]
        XtWWX += WX.T @ WX
        trace_w += float(np.trace(W))
        logdet_m += logdet
        M_blocks.append(M)
        W_blocks.append(W)
    try:
        Lx = np.linalg.cholesky(XtWX)
    except np.linalg.LinAlgError:
        return None
    Lxinv = np.linalg.inv(Lx)
    vb = Lxinv.T @ Lxinv
    beta = vb @ XtWy
    r = y - X @ beta
    rss = 0.0
    ZWZ = np.zeros((n_columns, n_columns))
    A = np.zeros((n_columns, p))
    u = np.zeros(n_columns)
    for b, rows in enumerate(problem.blocks):
        W, Zb, used = W_blocks[b], problem.Z[b], problem.columns[b]
        Wr = W @ r[rows]
        rss += float(r[rows] @ Wr)
        WZ = W @ Zb
        ZWZ[np.ix_(used, used)] = Zb.T @ WZ
        A[used] = WZ.T @ X[rows]
        u[used] = Zb.T @ Wr
    ZPZ = ZWZ - A @ vb @ A.T
    ZQZ = ZPZ if problem.reml else ZWZ  # Q = P (REML) or W (ML)
    logdet_xwx = 2.0 * float(np.sum(np.log(np.diag(Lx))))
    ll_ml = -0.5 * k * np.log(2 * np.pi) - 0.5 * logdet_m - 0.5 * rss
    ll_reml = (
        -0.5 * (k - p) * np.log(2 * np.pi)
        + 0.5 * problem.logdet_xx
        - 0.5 * logdet_m
        - 0.5 * logdet_xwx
        - 0.5 * rss
    )
    edges = np.cumsum((0, *problem.sizes))
    parts = [slice(a, b) for a, b in pairwise(edges)]
    score = np.array(
        [-0.5 * np.trace(ZQZ[part, part]) + 0.5 * float(u[part] @ u[part]) for part in parts]
    )
    n = len(parts)
    expected, observed = np.empty((n, n)), np.empty((n, n))
    for a in range(n):
        for b in range(a, n):
            value = 0.5 * float(np.sum(ZQZ[parts[a], parts[b]] ** 2))
            expected[a, b] = expected[b, a] = value
            quad = float(u[parts[a]] @ ZPZ[parts[a], parts[b]] @ u[parts[b]])
            observed[a, b] = observed[b, a] = quad - value
    return LikelihoodPoint(
        sigma2=np.asarray(sigma2, dtype=float),
        ll_ml=float(ll_ml),
        ll_reml=float(ll_reml),
        logdet_m=logdet_m,
        rss=rss,
        trace_p=trace_w - float(np.sum(vb * XtWWX)),
        beta=beta,
        vb=vb,
        blocks=problem.blocks,
        M_blocks=tuple(M_blocks),
        residuals=r,
        score=score,
        information=expected,
        observed=observed,
    )


def starting_values(problem: Problem, equal_effects: LikelihoodPoint) -> np.ndarray:
    """metafor's sigma2.init: the variance of the equal-effects residuals minus the typical
    sampling variance 1/mean(1/v_i), at least 0.001 L, shared equally by the L levels."""
    levels = len(problem.sizes)
    vi = np.concatenate([np.diag(V) for V in problem.V])
    total = max(
        0.001 * levels, float(np.var(equal_effects.residuals, ddof=1)) - 1.0 / np.mean(1.0 / vi)
    )
    return np.full(levels, total / levels)


def maximise(
    problem: Problem, equal_effects: LikelihoodPoint, fixed: tuple[int, float] | None = None
) -> LikelihoodPoint:
    """The (RE)ML estimate of the variance components; AnalysisError if the search fails.
    ``equal_effects`` is the model at sigma2 = 0 (for the starting values); ``fixed`` =
    (l, value) holds sigma2_l at value (for profile likelihoods)."""
    start = starting_values(problem, equal_effects)
    scale = float(start[0])
    held = np.zeros(start.size, dtype=bool)
    if fixed is not None:
        held[fixed[0]] = True
        start[fixed[0]] = fixed[1]
    current = evaluate(start, problem)
    if current is not None:
        current = _climb(current, problem, scale, held)
    if current is None or not _converged(current, scale, held):
        current = _bounded_search(problem, start, scale, held)
        current = _climb(current, problem, scale, held)
    if not _converged(current, scale, held):
        raise AnalysisError(
            f"the variance components did not converge (score {current.score.tolist()}); {REMEDIES}"
        )
    return current


def _ll(point: LikelihoodPoint, problem: Problem) -> float:
    return point.ll_reml if problem.reml else point.ll_ml


def _climb(
    current: LikelihoodPoint, problem: Problem, scale: float, held: np.ndarray
) -> LikelihoodPoint:
    """Projected Fisher scoring, switching to Newton steps once the steps are small; each
    step halved until the likelihood does not decrease."""
    newton = False
    for _ in range(200):
        step = _step(current, newton, held)
        if step is None:
            break
        for halving in range(30):
            candidate = evaluate(np.maximum(current.sigma2 + step * 0.5**halving, 0.0), problem)
            if candidate is not None and _ll(candidate, problem) >= _ll(current, problem):
                break
        else:
            break
        change = np.max(np.abs(candidate.sigma2 - current.sigma2))
        current = candidate
        size = max(scale, float(np.max(current.sigma2)))
        newton = newton or change <= 0.1 * size
        if change <= 1e-12 * size:
            break
    return current


def _bounded_search(
    problem: Problem, start: np.ndarray, scale: float, held: np.ndarray
) -> LikelihoodPoint:
    """Fallback: L-BFGS-B on sigma2 / scale >= 0 with the analytic score."""
    from scipy.optimize import minimize

    def objective(theta):
        point = evaluate(np.maximum(theta, 0.0) * scale, problem)
        if point is None:
            return np.inf, np.zeros_like(theta)
        return -_ll(point, problem), -point.score * scale

    search = minimize(
        objective,
        start / scale,
        jac=True,
        method="L-BFGS-B",
        bounds=[(x, x) if h else (0.0, None) for x, h in zip(start / scale, held, strict=True)],
        options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9},
    )
    point = evaluate(np.maximum(search.x, 0.0) * scale, problem)
    if point is None or not np.isfinite(_ll(point, problem)):
        raise AnalysisError(f"the likelihood search failed ({search.message}); {REMEDIES}")
    return point


def _step(point: LikelihoodPoint, newton: bool, held: np.ndarray) -> np.ndarray | None:
    """A Fisher-scoring (expected information) or Newton (observed information, if positive
    definite) step on the components that are positive or want to grow out of 0."""
    free = ((point.sigma2 > 0) | (point.score > 0)) & ~held
    if not free.any():
        return None
    step = np.zeros_like(point.sigma2)
    index = np.ix_(free, free)
    candidates = (point.observed[index], point.information[index]) if newton else (
        point.information[index],)  # fmt: skip
    for information in candidates:
        try:
            np.linalg.cholesky(information)
        except np.linalg.LinAlgError:
            continue
        step[free] = np.linalg.solve(information, point.score[free])
        return step
    return None


def _converged(point: LikelihoodPoint, scale: float, held: np.ndarray) -> bool:
    """Karush-Kuhn-Tucker conditions, in log-likelihood units: a relative change of a positive
    sigma2_l or a step of the starting scale out of 0 gains at most 1e-6 (``held``
    components are not free)."""
    inside = (point.sigma2 > 0) & ~held
    boundary = (point.sigma2 <= 0) & ~held
    gain_inside = np.abs(point.score[inside]) * point.sigma2[inside]
    gain_boundary = point.score[boundary] * scale
    return bool(np.all(gain_inside <= 1e-6) and np.all(gain_boundary <= 1e-6))
