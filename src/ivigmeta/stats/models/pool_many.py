"""Many random-effects meta-analyses at once: metafor's ``rma()`` vectorised over analyses.

``pool_many`` fits one intercept-only model per data set, the way ``metafor::rma.uni`` (5.0-1)
does, but with every step done for all analyses together on padded ``(k_max, analyses)`` numpy
arrays (the padding has y = 0 and v = inf, so its weight is 0 in every sum). Each analysis
follows metafor's own rules and stops on its own convergence, so the numbers equal the
one-at-a-time :func:`ivigmeta.stats.models.rma.rma` (agreement to 1e-10 is tested) while 10,000
analyses take milliseconds.

Estimators of tau² (Viechtbauer 2005; Veroniki et al. 2016, Res Synth Methods 7:55-79), with
w_i = 1/v_i, W = sum w_i, Q = sum w_i (y_i - mu_w)², ybar the unweighted mean:

- ``EE``  tau² = 0.
- ``DL``  DerSimonian & Laird (1986): (Q - (k - 1)) / (W - sum w_i²/W), truncated at 0.
- ``HE``  Hedges (1983): (sum (y_i - ybar)² - (k - 1)/k sum v_i) / (k - 1), truncated at 0.
- ``HS``  Hunter & Schmidt (2004): (Q - k) / W, truncated at 0.
- ``SJ``  Sidik & Jonkman (2005): tau0² Q(tau0²) / (k - 1) with tau0² = sum (y_i - ybar)²/k.
- ``ML``, ``REML``, ``EB``  Fisher scoring from max(0, HE); stop when tau² changes by at most
  1e-5; at most 100 iterations; a step that would make tau² negative is halved until it does
  not. ML and REML then compare the log-likelihood with that at tau² = 0 and take 0 when it is
  higher by more than 1.2e-4 (metafor's ``ll0check``).
- ``PM``  Paule & Mandel (1982): the root of Q(tau²) = k - 1 on [0, max(100, 10 mad(y)²)],
  found with R's ``uniroot`` (Brent; tol = eps^0.25, at most 100 iterations), step for step;
  0 when Q(0) < k - 1.

Inference: mu = sum w_i* y_i / sum w_i* with w_i* = 1/(v_i + tau²), Var(mu) = 1/sum w_i*.
``test="knha"`` multiplies Var(mu) by s² = sum w_i* (y_i - mu)² / (k - 1) (Knapp & Hartung 2003;
s² = 0 when the residual sum is below machine epsilon), ``"adhoc"`` floors s² at 1; ``t``,
``knha`` and ``adhoc`` use t(k - 1). I² = 100 tau²/(tau² + s_typ²) and H² = tau²/s_typ² + 1 with
s_typ² = (k - 1) W / (W² - sum w_i²) (Higgins & Thompson 2002); under ``EE`` I² = max(0,
100 (Q - (k - 1))/Q) and H² = Q/(k - 1). k = 1 gives tau² = 0, Q = 0, p(Q) = 1, I² = 0, H² = 1.
Prediction interval (metafor ``predict()``): mu ± crit sqrt(Var(mu) + tau²).

About 550 lines: one vectorised algorithm (padding, every tau² estimator's iteration and
its stopping rules, the summaries) whose parts share the padded arrays; split, each piece
would need the others to be read.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.models.prediction import PI_CHOICES
from ivigmeta.stats.models.rma import METHODS, TESTS
from ivigmeta.stats.numerics import distributions as dist

THRESHOLD = 1e-5
"""metafor's convergence threshold for Fisher scoring (``control=list(threshold=...)``)."""
MAXITER = 100
"""metafor's iteration limit (Fisher scoring and ``uniroot``)."""
R_TOL = sys.float_info.epsilon**0.25
"""R's default tolerance ``.Machine$double.eps^0.25``: uniroot's ``tol`` and ``ll0check``."""
_EPS = sys.float_info.epsilon


@dataclass(frozen=True)
class PoolManyResult(Result):
    """One entry per analysis in every array field, in the order the data sets were given.

    ``df`` is NaN for z tests; ``converged`` is False where Fisher scoring did not converge in
    100 iterations or PM's search interval held no root (metafor stops with an error there);
    every number of such an analysis is NaN. ``iterations`` counts
    Fisher-scoring steps or ``uniroot`` function evaluations (0 for closed forms).
    ``weights`` is ``(analyses, k_max)``: each study's weight in percent, NaN in the padding.
    With ``tau2_ci=True``, ``se_tau2`` and the Q-profile bounds ``tau2_ci_low`` ...
    ``h2_ci_high`` (with metafor's ``"<"``/``">"`` signs) are filled, NaN where metafor has
    none (EE, k = 1); otherwise they are None.
    """

    method: str
    test: str
    level: float
    pi: str
    k: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    statistic: np.ndarray
    df: np.ndarray
    p: np.ndarray
    tau2: np.ndarray
    tau: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    q: np.ndarray
    q_df: np.ndarray
    q_p: np.ndarray
    pi_low: np.ndarray
    pi_high: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    weights: np.ndarray
    se_tau2: np.ndarray | None = None
    tau2_ci_low: np.ndarray | None = None
    tau2_ci_high: np.ndarray | None = None
    tau_ci_low: np.ndarray | None = None
    tau_ci_high: np.ndarray | None = None
    i2_ci_low: np.ndarray | None = None
    i2_ci_high: np.ndarray | None = None
    h2_ci_low: np.ndarray | None = None
    h2_ci_high: np.ndarray | None = None
    tau2_ci_low_sign: np.ndarray | None = None
    tau2_ci_high_sign: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.k.size)


@dataclass(frozen=True)
class Padded:
    """Data sets as the columns of ``(k_max, n)`` arrays (sums over a column are then fast
    vector adds): ``present`` marks data; the padding has y = 0 and v = inf, so
    1/(v + tau²) = 0 there."""

    y: np.ndarray
    v: np.ndarray
    present: np.ndarray
    k: np.ndarray

    def take(self, rows: np.ndarray) -> Padded:
        return Padded(self.y[:, rows], self.v[:, rows], self.present[:, rows], self.k[rows])

    @classmethod
    def from_columns(cls, y: np.ndarray, v: np.ndarray) -> Padded:
        """Equal-sized data sets as the columns of ``(k, n)`` arrays (no padding), checked as
        :func:`pool_many` checks its data sets."""
        y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
        if y.ndim != 2 or y.shape != v.shape or y.shape[0] == 0:
            raise AnalysisError(f"expected yi and vi as (k, n) arrays, got {y.shape}, {v.shape}")
        if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
            raise AnalysisError("expected finite yi and finite vi > 0")
        k = np.full(y.shape[1], y.shape[0], dtype=np.int64)
        return cls(y, v, np.ones(y.shape, dtype=bool), k)


def pool_many(
    datasets: Sequence[tuple[Sequence[float], Sequence[float]]],
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    pi: str = "auto",
    tau2_ci: bool = False,
) -> PoolManyResult:
    """Fit ``rma(yi, vi, method=method, test=test, level=level)`` for every ``(yi, vi)`` pair.

    ``pi``: critical value of the prediction interval (:mod:`ivigmeta.stats.models.prediction`) —
    ``"auto"`` as metafor's ``predict()`` (z for ``test="z"``, else t(k - 1)), ``"z"``,
    ``"t"`` (t(k - 1)) or ``"hts"`` (t(k - 2)); NaN under ``EE`` (metafor gives no PI there).
    As in :func:`~ivigmeta.stats.models.rma.rma`, an analysis of one study uses z whatever ``test``.
    Raises :class:`InputError` for an unknown option and :class:`AnalysisError` for a data set
    that is empty, has mismatched lengths, non-finite values or a sampling variance <= 0.
    ``tau2_ci`` adds the SE of tau² and its Q-profile CI (metafor ``se.tau2``, ``confint``;
    :mod:`ivigmeta.stats.models.tau2_many`).
    """
    method = _choice(method, METHODS, "method")
    test = _choice(test, TESTS, "test")
    pi = _choice(pi, PI_CHOICES, "pi")
    if not 0.0 < level < 100.0:
        raise InputError(
            f"expected a confidence level between 0 and 100, got {level}", field="level"
        )
    return pool_padded(_pad(datasets), method=method, test=test, level=level, pi=pi,
                       tau2_ci=tau2_ci)  # fmt: skip


def pool_padded(
    data: Padded,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    pi: str = "auto",
    tau2_ci: bool = False,
) -> PoolManyResult:
    """:func:`pool_many` on data already padded (``Padded.from_columns``), options checked."""
    tau2, converged, iterations = estimate_tau2_many(data, method)
    result = summarise_many(data, tau2, converged, iterations, method, test, level, pi)
    if tau2_ci:
        result = _with_tau2_ci(data, result)
    return result


def _with_tau2_ci(d: Padded, r: PoolManyResult) -> PoolManyResult:
    from dataclasses import replace

    from ivigmeta.stats.models.tau2_many import tau2_confint_many, tau2_se_many

    k = d.k.astype(float)
    if r.method == "EE":
        nan = np.full(k.size, np.nan)
        blank = np.full(k.size, "", dtype=object)
        bounds = {f"{name}_ci_{end}": nan for name in ("tau2", "tau", "i2", "h2")
                  for end in ("low", "high")}  # fmt: skip
        return replace(r, se_tau2=nan, **bounds, tau2_ci_low_sign=blank, tau2_ci_high_sign=blank)
    ci = tau2_confint_many(d, r.tau2, r.level)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = 1.0 / d.v
        sw = w.sum(axis=0)
        typical = (k - 1.0) / (sw - (w * w).sum(axis=0) / sw)
        bounds = {}
        for end in ("low", "high"):
            t = ci[end]
            bounds[f"tau2_ci_{end}"] = t
            bounds[f"tau_ci_{end}"] = np.where(t >= 0, np.sqrt(np.abs(t)), np.nan)
            bounds[f"i2_ci_{end}"] = 100.0 * t / (typical + t)
            bounds[f"h2_ci_{end}"] = t / typical + 1.0
    return replace(r, se_tau2=tau2_se_many(d, r.tau2, r.method), **bounds,
                   tau2_ci_low_sign=ci["low_sign"], tau2_ci_high_sign=ci["high_sign"])  # fmt: skip


def _choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise InputError(f"expected one of {', '.join(allowed)}, got {value!r}", field=field)
    return value


def _pad(datasets) -> Padded:
    ys = [np.asarray(y, dtype=float) for y, _ in datasets]
    vs = [np.asarray(v, dtype=float) for _, v in datasets]
    k = np.array([y.size for y in ys], dtype=np.int64)
    k_v = np.array([v.size for v in vs], dtype=np.int64)
    flat = np.array([y.ndim == 1 and v.ndim == 1 for y, v in zip(ys, vs, strict=True)], bool)
    wrong = np.flatnonzero((k == 0) | (k != k_v) | ~flat)
    if wrong.size:
        i = int(wrong[0])
        raise AnalysisError(
            f"data set {i}: expected yi and vi as 1-D sequences of the same positive length, "
            f"got shapes {ys[i].shape} and {vs[i].shape}"
        )
    n, k_max = k.size, int(k.max()) if k.size else 0
    flat_y = np.concatenate(ys) if n else np.zeros(0)
    flat_v = np.concatenate(vs) if n else np.zeros(0)
    bad = ~(np.isfinite(flat_y) & np.isfinite(flat_v) & (flat_v > 0))
    if bad.any():
        i = int(np.searchsorted(np.cumsum(k), np.flatnonzero(bad)[0], side="right"))
        raise AnalysisError(f"data set {i}: expected finite yi and finite vi > 0")
    if n and (k == k_max).all():  # equal lengths: a plain transpose
        y = np.ascontiguousarray(flat_y.reshape(n, k_max).T)
        v = np.ascontiguousarray(flat_v.reshape(n, k_max).T)
        return Padded(y, v, np.ones((k_max, n), dtype=bool), k)
    rows = np.arange(flat_y.size) - np.repeat(np.cumsum(k) - k, k)
    at = rows * n + np.repeat(np.arange(n), k)  # flat index of (row, analysis)
    y = np.zeros(k_max * n)
    v = np.full(k_max * n, np.inf)
    present = np.zeros(k_max * n, dtype=bool)
    y[at], v[at], present[at] = flat_y, flat_v, True
    shape = (k_max, n)
    return Padded(y.reshape(shape), v.reshape(shape), present.reshape(shape), k)


# --- weighted sums -------------------------------------------------------------------------


def _weights(d: Padded, tau2: np.ndarray) -> np.ndarray:
    """w_i = 1/(v_i + tau²), zero in the padding."""
    return 1.0 / (d.v + tau2)


def _weighted_residuals(d: Padded, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum of weights, weighted mean mu and residuals y_i - mu (weight 0 in the padding)."""
    sw = w.sum(axis=0)
    mu = column_dot(w, d.y) / sw
    return sw, mu, d.y - mu


def column_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum_i a_ij b_ij for every analysis (column) j."""
    return np.einsum("ij,ij->j", a, b)


def q_statistic(d: Padded, tau2: np.ndarray) -> np.ndarray:
    """Generalised Q(tau²) = sum w_i (y_i - mu_w)² with w_i = 1/(v_i + tau²)."""
    w = _weights(d, tau2)
    _, _, r = _weighted_residuals(d, w)
    return column_dot(w * r, r)


def _unweighted_ss(d: Padded) -> np.ndarray:
    """sum (y_i - ybar)² with the unweighted mean ybar."""
    ybar = d.y.sum(axis=0) / d.k
    r = np.where(d.present, d.y - ybar, 0.0)
    return column_dot(r, r)


# --- tau² estimators -----------------------------------------------------------------------


def estimate_tau2_many(d: Padded, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = d.k.size
    tau2 = np.zeros(n)
    converged = np.ones(n, dtype=bool)
    iterations = np.zeros(n, dtype=np.int64)
    several = np.flatnonzero(d.k > 1)  # k = 1: metafor fits tau² = 0
    if method == "EE" or several.size == 0:
        return tau2, converged, iterations
    sub = d.take(several)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("DL", "HE", "HS", "SJ"):
            tau2[several] = _closed_form(sub, method)
        elif method == "PM":
            t, c, it = _paule_mandel(sub)
            tau2[several], converged[several], iterations[several] = t, c, it
        else:
            t, c, it = _fisher_scoring(sub, method)
            tau2[several], converged[several], iterations[several] = t, c, it
    return tau2, converged, iterations


def _closed_form(d: Padded, method: str) -> np.ndarray:
    k = d.k.astype(float)
    if method == "HE":
        return np.maximum(0.0, _hedges(d))
    if method == "SJ":
        tau2_0 = _unweighted_ss(d) / k
        return tau2_0 * q_statistic(d, tau2_0) / (k - 1.0)
    w = 1.0 / d.v
    sw = w.sum(axis=0)
    q = q_statistic(d, np.zeros(k.size))
    if method == "DL":
        return np.maximum(0.0, (q - (k - 1.0)) / (sw - column_dot(w, w) / sw))
    return np.maximum(0.0, (q - k) / sw)  # HS


def _hedges(d: Padded) -> np.ndarray:
    """Untruncated Hedges estimate (RSS - tr(PV)) / (k - 1), P = I - J/k."""
    k = d.k.astype(float)
    tr_pv = np.where(d.present, d.v, 0.0).sum(axis=0) * (1.0 - 1.0 / k)
    return (_unweighted_ss(d) - tr_pv) / (k - 1.0)


def _fisher_scoring(d: Padded, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """metafor's Fisher scoring for ML / REML / EB, each analysis stopping on its own.

    Analyses that have stopped keep their tau²; the working arrays are compacted to the
    analyses still iterating whenever those fall to half of them.
    """
    tau2 = np.maximum(0.0, _hedges(d))
    converged = np.zeros(d.k.size, dtype=bool)
    iterations = np.zeros(d.k.size, dtype=np.int64)
    rows = np.arange(d.k.size)  # analyses in the working arrays
    work = d
    running = np.ones(rows.size, dtype=bool)  # which of them still iterate
    for iteration in range(1, MAXITER + 2):
        if running.sum() * 2 <= running.size:
            rows, work = rows[running], work.take(np.flatnonzero(running))
            running = np.ones(rows.size, dtype=bool)
        if rows.size == 0:
            break
        old = tau2[rows]
        adj = _scoring_step(work, old, method)
        adj = np.where(np.isnan(adj), 0.0, adj)
        new = np.where(running, old + _halve_until_nonnegative(old, adj), old)
        tau2[rows] = new
        iterations[rows[running]] = iteration
        if iteration > MAXITER:
            break  # metafor: not converged, whatever the last change
        done = running & (np.abs(old - new) <= THRESHOLD)
        converged[rows[done]] = True
        running &= ~done
    if method in ("ML", "REML"):
        tau2 = _ll0check(d, tau2, converged, reml=method == "REML")
    return tau2, converged, iterations


def _halve_until_nonnegative(tau2: np.ndarray, adj: np.ndarray) -> np.ndarray:
    """metafor's ``while (tau2 + adj < 0) adj <- adj/2``, with the number of halvings computed.

    Halving is exact in binary, so adj/2^m is what R reaches after m halvings; m is the least
    such that tau2 + adj/2^m >= 0 (a step from tau2 = 0 halves down to -0, i.e. no step).
    """
    negative = np.flatnonzero(tau2 + adj < 0.0)
    if negative.size == 0:
        return adj
    t, a = tau2[negative], adj[negative]
    a = np.where(t == 0.0, -0.0, a)
    with np.errstate(divide="ignore"):
        guess = np.where(t > 0.0, np.ceil(np.log2(-a / np.where(t > 0.0, t, 1.0))), 0.0)
    halvings = np.clip(guess, 0, 1100).astype(np.int64)
    halvings -= ((halvings > 0) & (t + np.ldexp(a, 1 - halvings) >= 0.0)).astype(np.int64)
    while (short := t + np.ldexp(a, -halvings) < 0.0).any():
        halvings += short.astype(np.int64)
    adj = adj.copy()
    adj[negative] = np.ldexp(a, -halvings)
    return adj


def _scoring_step(d: Padded, tau2: np.ndarray, method: str) -> np.ndarray:
    """One Fisher-scoring step (metafor): with P = W - w w'/sum w, P y = w (y - mu),
    ML: (y'PPy - sum w)/sum w²; REML: (y'PPy - tr P)/tr PP; EB: (k/(k-1) y'Py - k)/sum w."""
    w = _weights(d, tau2)
    sw, _, r = _weighted_residuals(d, w)
    wr = w * r
    if method == "EB":
        k = d.k.astype(float)
        return (column_dot(wr, r) * k / (k - 1.0) - k) / sw
    ypppy = column_dot(wr, wr)
    sw2 = column_dot(w, w)
    if method == "ML":
        return (ypppy - sw) / sw2
    tr_p = sw - sw2 / sw
    tr_pp = sw2 - 2.0 * column_dot(w * w, w) / sw + sw2 * sw2 / (sw * sw)
    return (ypppy - tr_p) / tr_pp


def _log_likelihood(d: Padded, tau2: np.ndarray, *, reml: bool) -> np.ndarray:
    """(Restricted) log-likelihood of the intercept-only random-effects model."""
    w = _weights(d, tau2)
    sw, _, r = _weighted_residuals(d, w)
    k = d.k.astype(float)
    log_v = np.where(d.present, np.log(d.v + tau2), 0.0).sum(axis=0)
    rss = column_dot(w * r, r)
    if reml:
        return -0.5 * (k - 1.0) * np.log(2.0 * np.pi) - 0.5 * log_v - 0.5 * np.log(sw) - 0.5 * rss
    return -0.5 * k * np.log(2.0 * np.pi) - 0.5 * log_v - 0.5 * rss


def _ll0check(d: Padded, tau2: np.ndarray, converged: np.ndarray, *, reml: bool) -> np.ndarray:
    """Set tau² to 0 where tau² = 0 has the higher likelihood by more than R's tol (metafor)."""
    ll0 = _log_likelihood(d, np.zeros(tau2.size), reml=reml)
    ll = _log_likelihood(d, tau2, reml=reml)
    stuck = converged & (ll0 - ll > R_TOL) & (tau2 > THRESHOLD)
    return np.where(stuck, 0.0, tau2)


def _mad(d: Padded) -> np.ndarray:
    """R's ``mad()``: 1.4826 x median |y_i - median(y)|, per analysis."""
    med = _median(d.y, d)
    return 1.4826 * _median(np.abs(d.y - med), d)


def _median(x: np.ndarray, d: Padded) -> np.ndarray:
    s = np.sort(np.where(d.present, x, np.inf), axis=0)
    columns = np.arange(d.k.size)
    return 0.5 * (s[(d.k - 1) // 2, columns] + s[d.k // 2, columns])


def _paule_mandel(d: Padded) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """metafor's PM: 0 if Q(0) < k - 1, no root if Q(tau2_max) > k - 1, else ``uniroot``."""
    n = d.k.size
    target = d.k - 1.0
    upper = np.maximum(100.0, 10.0 * _mad(d) ** 2)
    f_lower = q_statistic(d, np.zeros(n)) - target
    f_upper = q_statistic(d, upper) - target
    tau2 = np.zeros(n)
    converged = np.ones(n, dtype=bool)
    iterations = np.zeros(n, dtype=np.int64)
    no_root = (f_lower >= 0.0) & (f_upper > 0.0)
    converged[no_root] = False
    tau2[no_root] = np.nan
    search = np.flatnonzero((f_lower >= 0.0) & ~no_root)
    if search.size:
        sub = d.take(search)
        tgt = target[search]

        def f(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
            return q_statistic(sub.take(rows), x) - tgt[rows]

        root, c, it = uniroot_many(
            f, np.zeros(search.size), upper[search], f_lower[search], f_upper[search]
        )
        tau2[search], converged[search], iterations[search] = root, c, it
    return tau2, converged, iterations


def uniroot_many(f, lower, upper, f_lower, f_upper, tol=R_TOL, maxiter=MAXITER):
    """R's ``R_zeroin2`` (stats/src/zeroin.c; Brent 1973) for many functions at once.

    ``f(x, rows)`` evaluates functions ``rows`` at ``x``. Every branch of the C code becomes an
    ``np.where`` over the analyses still searching, so each takes exactly R's steps.
    Returns (root, converged, function evaluations).
    """
    a, b, fa, fb = lower.copy(), upper.copy(), f_lower.copy(), f_upper.copy()
    c, fc = a.copy(), fa.copy()
    n = a.size
    root = np.full(n, np.nan)
    converged = np.zeros(n, dtype=bool)
    iterations = np.zeros(n, dtype=np.int64)
    at_a = fa == 0.0
    at_b = ~at_a & (fb == 0.0)
    root[at_a], root[at_b] = a[at_a], b[at_b]
    converged[at_a | at_b] = True
    active = np.flatnonzero(~(at_a | at_b))
    for step in range(maxiter + 1):
        if active.size == 0:
            break
        A, B, C = a[active], b[active], c[active]
        FA, FB, FC = fa[active], fb[active], fc[active]
        prev_step = B - A
        swap = np.abs(FC) < np.abs(FB)
        A, B, C = np.where(swap, B, A), np.where(swap, C, B), np.where(swap, B, C)
        FA, FB, FC = np.where(swap, FB, FA), np.where(swap, FC, FB), np.where(swap, FB, FC)
        tol_act = 2.0 * _EPS * np.abs(B) + tol / 2.0
        new_step = (C - B) / 2.0
        done = (np.abs(new_step) <= tol_act) | (FB == 0.0)
        root[active[done]] = B[done]
        converged[active[done]] = True
        iterations[active[done]] = step
        cb = C - B
        linear = A == C
        q1, t1, t2 = FA / FC, FB / FC, FB / FA
        p = np.where(linear, cb * t2, t2 * (cb * q1 * (q1 - t1) - (B - A) * (t1 - 1.0)))
        q = np.where(linear, 1.0 - t2, (q1 - 1.0) * (t1 - 1.0) * (t2 - 1.0))
        positive = p > 0.0
        q = np.where(positive, -q, q)
        p = np.where(positive, p, -p)
        interpolate = (
            (np.abs(prev_step) >= tol_act)
            & (np.abs(FA) > np.abs(FB))
            & (p < 0.75 * cb * q - np.abs(tol_act * q) / 2.0)
            & (p < np.abs(prev_step * q / 2.0))
        )
        new_step = np.where(interpolate, p / q, new_step)
        tiny = np.abs(new_step) < tol_act
        new_step = np.where(tiny, np.where(new_step > 0.0, tol_act, -tol_act), new_step)
        keep = ~done
        active = active[keep]
        A, FA = B[keep], FB[keep]
        B = B[keep] + new_step[keep]
        FB = f(B, active)
        C, FC = C[keep], FC[keep]
        same_sign = ((FB > 0.0) & (FC > 0.0)) | ((FB < 0.0) & (FC < 0.0))
        C, FC = np.where(same_sign, A, C), np.where(same_sign, FA, FC)
        a[active], b[active], c[active] = A, B, C
        fa[active], fb[active], fc[active] = FA, FB, FC
    root[active] = b[active]  # R: not converged within maxiter; returns the last b
    iterations[active] = maxiter
    return root, converged, iterations


# --- inference -----------------------------------------------------------------------------


def summarise_many(d, tau2, converged, iterations, method, test, level, pi) -> PoolManyResult:
    k = d.k.astype(float)
    n = k.size
    several = d.k > 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # k = 1, Q = 0 rows
        w = _weights(d, np.where(np.isnan(tau2), 0.0, tau2))
        sw, mu, r = _weighted_residuals(d, w)
        vb = 1.0 / sw
        if test in ("knha", "adhoc"):
            rss = column_dot(w * r, r)
            s2w = np.where(rss <= _EPS, 0.0, rss / (k - 1.0))
            if test == "adhoc":
                s2w = np.maximum(s2w, 1.0)
            vb = np.where(several, s2w, 1.0) * vb
        se = np.sqrt(vb)
        statistic = mu / se
        z = np.full(n, dist.z_crit(level))
        if test == "z":
            df = np.full(n, np.nan)
            p = dist.two_sided_z_p(statistic)
            crit = z
        else:  # one study: z (metafor switches the test)
            df = np.where(several, k - 1.0, np.nan)
            p = np.where(several, dist.two_sided_t_p(statistic, df), dist.two_sided_z_p(statistic))
            crit = np.where(several, dist.t_crit(df, level), z)
        if method == "EE":
            pi_crit = np.full(n, np.nan)
        elif pi == "z" or (pi == "auto" and (test == "z")):
            pi_crit = z
        else:
            pi_df = k - (2.0 if pi == "hts" else 1.0)
            pi_crit = dist.t_crit(np.where(pi_df > 0, pi_df, np.nan), level)
            if pi == "auto":
                pi_crit = np.where(several, pi_crit, z)
        pi_half = pi_crit * np.sqrt(vb + tau2)

        w_fe = 1.0 / d.v
        sw_fe, _, r_fe = _weighted_residuals(d, w_fe)
        q = np.where(several, np.maximum(0.0, column_dot(w_fe * r_fe, r_fe)), 0.0)
        q_df = k - 1.0
        q_p = np.where(several, dist.chi2_sf(q, q_df), 1.0)
        if method == "EE":
            i2 = np.maximum(0.0, 100.0 * (q - q_df) / q)
            h2 = q / q_df
        else:
            tr_p = sw_fe - column_dot(w_fe, w_fe) / sw_fe
            typical = q_df / tr_p
            i2 = 100.0 * tau2 / (typical + tau2)
            h2 = tau2 / typical + 1.0
        i2 = np.where(several, i2, 0.0)
        h2 = np.where(several, h2, 1.0)
        weights = np.where(d.present, 100.0 * w / sw, np.nan).T
    numbers = {
        "estimate": mu,
        "se": se,
        "ci_low": mu - crit * se,
        "ci_high": mu + crit * se,
        "statistic": statistic,
        "df": df,
        "p": p,
        "tau2": tau2,
        "tau": np.sqrt(tau2),
        "i2": i2,
        "h2": h2,
        "q": q,
        "q_p": q_p,
        "pi_low": mu - pi_half,
        "pi_high": mu + pi_half,
    }
    failed = ~converged
    if failed.any():
        numbers = {name: np.where(failed, np.nan, x) for name, x in numbers.items()}
        weights[failed] = np.nan
    return PoolManyResult(
        method=method,
        test=test,
        level=float(level),
        pi=pi,
        k=d.k.copy(),
        q_df=q_df.astype(np.int64),
        converged=converged,
        iterations=iterations,
        weights=weights,
        **numbers,
    )
