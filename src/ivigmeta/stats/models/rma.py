"""Fixed/random/mixed-effects meta-analysis and meta-regression, equal to metafor's ``rma.uni``.

Model: y_i = x_i' beta + u_i + e_i, u_i ~ N(0, tau²), e_i ~ N(0, v_i). tau² comes from one of
the estimators in :mod:`ivigmeta.stats.models.tau2` (0 for ``EE``); then
beta = (X' W X)^-1 X' W y with w_i = 1/(v_i + tau²) and Var(beta) = (X' W X)^-1.
Tests (metafor's ``test``):

- ``z``: Wald z tests and normal CIs; omnibus QM ~ chi²(m).
- ``t``: the same statistics against t(k - p); QM/m ~ F(m, k - p).
- ``knha``: Knapp & Hartung (2003, Stat Med 22:2693-2710): Var(beta) multiplied by
  s² = sum w_i (y_i - x_i' beta)² / (k - p) (no floor; 0 if the RSS is <= machine epsilon),
  t(k - p) and F(m, k - p).
- ``adhoc``: as ``knha`` with s² floored at 1 (Knapp & Hartung's ad hoc correction).

Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw 2010;36(3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.models.heterogeneity import heterogeneity
from ivigmeta.stats.models.prediction import PI_CHOICES, prediction_interval
from ivigmeta.stats.models.tau2 import Control, estimate_tau2
from ivigmeta.stats.numerics.distributions import (
    chi2_sf,
    f_sf,
    t_crit,
    two_sided_t_p,
    two_sided_z_p,
    z_crit,
)
from ivigmeta.stats.numerics.limits import check_level

METHODS = ("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
TESTS = ("z", "t", "knha", "adhoc")
_METHOD_ALIASES = {"FE": "EE"}


@dataclass(frozen=True, eq=False)
class RmaFit(Result):
    """A fitted model. Coefficient fields are arrays of length ``p`` named by ``coef_names``.

    ``vb`` is the p×p covariance matrix of ``beta`` (metafor ``vb``; under knha/adhoc it
    includes the Knapp-Hartung scale). ``statistic`` is z or t; ``df`` the t/F denominator df
    (None under ``test="z"``);
    ``qm``/``qm_df``/``qm_p`` the omnibus test of the moderators (of the intercept in an
    intercept-only model): chi² under z, F (QM/m) under t/knha/adhoc, ``qm_df`` = (m, df).
    ``q``/``q_df``/``q_p`` Cochran's test of (residual) heterogeneity; ``s2`` the typical
    within-study variance; ``i2`` in percent; ``r2`` the pseudo R² in percent (models with
    moderators whose columns span the intercept, as metafor 5.0-1; None otherwise).
    ``weights`` are in percent. The prediction interval fields are set for intercept-only
    random-effects models only (metafor's ``predict()`` gives no PI for equal-effects models;
    it would equal the CI). ``notes`` lists adjustments made, like metafor's warnings.
    """

    method: str
    test: str
    level: float
    k: int
    p: int
    coef_names: tuple[str, ...]
    beta: np.ndarray
    se: np.ndarray
    vb: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    statistic: np.ndarray
    df: int | None
    pval: np.ndarray
    tau2: float
    se_tau2: float
    tau2_fixed: bool
    tau: float
    s2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    qm: float
    qm_df: tuple[int, int | None]
    qm_p: float
    r2: float | None
    weights: np.ndarray
    yi: np.ndarray
    vi: np.ndarray
    X: np.ndarray
    pi_low: float | None
    pi_high: float | None
    pi_dist: str | None
    pi_df: int | None
    iterations: int
    notes: tuple[str, ...]

    @property
    def intercept_only(self) -> bool:
        return self.p == 1 and self.coef_names == ("intrcpt",)

    def _only(self, values: np.ndarray) -> float:
        if self.p != 1:
            raise AttributeError("this model has several coefficients; index the arrays")
        return float(values[0])

    @property
    def estimate(self) -> float:
        """The pooled estimate (single-coefficient models)."""
        return self._only(self.beta)

    @property
    def estimate_se(self) -> float:
        return self._only(self.se)

    @property
    def estimate_ci(self) -> tuple[float, float]:
        return self._only(self.ci_low), self._only(self.ci_high)

    @property
    def estimate_statistic(self) -> float:
        return self._only(self.statistic)

    @property
    def estimate_p(self) -> float:
        return self._only(self.pval)

    def summary(self) -> dict:
        """The pooled result under DESIGN.md's JSON keys (single-coefficient models)."""
        return {
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "k": self.k,
            "estimate": self.estimate,
            "se": self.estimate_se,
            "ci_low": self.estimate_ci[0],
            "ci_high": self.estimate_ci[1],
            "statistic": self.estimate_statistic,
            "df": self.df,
            "p": self.estimate_p,
            "tau2": self.tau2,
            "tau": self.tau,
            "i2": self.i2,
            "h2": self.h2,
            "q": self.q,
            "q_df": self.q_df,
            "q_p": self.q_p,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "pi_df": self.pi_df,
        }


def _frozen(values) -> np.ndarray:
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


def _as_vector(values, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"expected numbers ({exc})", field=name) from None
    if array.ndim != 1:
        raise InputError(
            f"expected a one-dimensional sequence, got shape {array.shape}", field=name
        )
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise InputError(
            f"study {bad[0] + 1} has a missing or non-finite value ({array[bad[0]]})", field=name
        )
    return array


def _model_matrix(mods, k: int, intercept: bool) -> tuple[np.ndarray, tuple[str, ...]]:
    if mods is None:
        if not intercept:
            raise InputError("a model needs an intercept or moderators", field="mods")
        return np.ones((k, 1)), ("intrcpt",)
    M = np.asarray(mods, dtype=float)
    if M.ndim == 1:
        M = M[:, None]
    if M.ndim != 2 or M.shape[0] != k:
        raise InputError(f"expected {k} rows of moderators, got shape {M.shape}", field="mods")
    if not np.all(np.isfinite(M)):
        raise InputError("moderators contain missing or non-finite values", field="mods")
    names = tuple(f"mod{j + 1}" for j in range(M.shape[1]))
    if intercept:
        return np.column_stack([np.ones(k), M]), ("intrcpt", *names)
    return M, names


def _median(x: np.ndarray) -> float:
    """Median as ``np.median`` computes it, without the ~15 ms import of ``numpy.ma`` it
    triggers (NaN checks); the middle value, or the mean of the two middle values."""
    s = np.sort(x)
    m = s.size // 2
    return float(s[m]) if s.size % 2 else float((s[m - 1] + s[m]) / 2.0)


def _mad(y: np.ndarray) -> float:
    """R's ``mad()``: 1.4826 * median(|y - median(y)|)."""
    return 1.4826 * _median(np.abs(y - _median(y)))


def _nested_in_intercept(X) -> bool:
    """True when the intercept lies in the column space of X: rank([X, 1]) == rank(X).

    metafor >= 5.0-1 reports R² for every such model (so also ``mods = ~ 0 + group``), not
    only for models with an explicit intercept (metafor's ``.is.nested``).
    """
    ones = np.ones((X.shape[0], 1))
    return int(np.linalg.matrix_rank(np.hstack([X, ones]))) == int(np.linalg.matrix_rank(X))


def _equal_effects_r2(yi, vi, X) -> float:
    """metafor's R² for EE meta-regression: weighted lm adjusted R² in percent, floored at 0.

    As R's ``lm(yi ~ X, weights = 1/vi)``: an intercept is added and aliased columns
    dropped, so p is the rank of X (X spans the intercept, see :func:`_nested_in_intercept`).
    """
    k = X.shape[0]
    p = int(np.linalg.matrix_rank(X))
    if np.var(yi) == 0:
        return 0.0
    w = 1.0 / vi
    wx = X * w[:, None]
    fitted = X @ np.linalg.solve(X.T @ wx, wx.T @ yi)
    mean = np.sum(w * fitted) / w.sum()
    mss = float(np.sum(w * (fitted - mean) ** 2))
    rss = float(np.sum(w * (yi - fitted) ** 2))
    r2 = mss / (mss + rss)
    adj = 1 - (1 - r2) * (k - 1) / (k - p)
    return max(0.0, 100 * adj)


def rma(
    yi,
    vi,
    *,
    mods=None,
    intercept: bool = True,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    pi: str = "auto",
    tau2: float | None = None,
    control: dict | None = None,
) -> RmaFit:
    """Fit metafor's ``rma.uni(yi, vi, mods, intercept, method, test, level, tau2, control)``.

    ``mods`` is a (k, m) array of moderators (an intercept column is added when ``intercept``);
    ``tau2`` holds tau² fixed; ``pi`` selects the prediction-interval rule
    (:mod:`ivigmeta.stats.models.prediction`). Negative sampling variances and non-finite inputs
    raise :class:`InputError`; models the data cannot support raise :class:`AnalysisError` where
    metafor stops with an error.
    """
    yi = _as_vector(yi, "yi")
    vi = _as_vector(vi, "vi")
    k = yi.size
    if vi.size != k:
        raise InputError(f"expected {k} sampling variances (one per yi), got {vi.size}", field="vi")
    if k == 0:
        raise AnalysisError("no studies to pool (k = 0)")
    if np.any(vi < 0):
        raise InputError(
            f"study {int(np.argmax(vi < 0)) + 1} has a negative sampling variance", field="vi"
        )
    method = _METHOD_ALIASES.get(str(method).upper(), str(method).upper())
    if method not in METHODS:
        raise InputError(f"expected one of {', '.join(METHODS)}, got {method!r}", field="method")
    if test not in TESTS:
        raise InputError(f"expected one of {', '.join(TESTS)}, got {test!r}", field="test")
    level = check_level(level)
    if pi not in PI_CHOICES:
        raise InputError(f"expected one of {', '.join(PI_CHOICES)}, got {pi!r}", field="pi")
    if tau2 is not None and (not math.isfinite(tau2) or tau2 < 0):
        raise InputError(f"expected a fixed tau^2 >= 0, got {tau2}", field="tau2")
    con = Control.from_mapping(control)
    notes: list[str] = []

    X, names = _model_matrix(mods, k, intercept)
    p = X.shape[1]
    int_only = names == ("intrcpt",)
    tau2_fixed = tau2 is not None and method != "EE"
    if not (int_only and k == 1):
        needed = p if (method == "EE" or tau2_fixed) else p + 1
        if needed > k:
            raise AnalysisError(
                f"{needed} parameters to estimate from k = {k} studies "
                "(metafor: number of parameters to be estimated is larger than the number "
                "of observations)"
            )
    if np.min(np.linalg.eigvalsh(X.T @ X)) <= 1e-7:
        raise AnalysisError("the moderators are collinear (model matrix not of full rank)")
    if np.all(vi > 0) and vi.max() / vi.min() >= 1e7:
        notes.append(
            "the largest sampling variance is over 1e7 times the smallest; results may be "
            "unstable (metafor warns too)"
        )
    if k == 1 and test != "z":
        notes.append(f'test set to "z" since k = 1 (was "{test}")')
        test = "z"

    yc = yi - yi.mean()
    tau2_max = con.tau2_max if con.tau2_max is not None else max(100.0, 10 * _mad(yi) ** 2)
    if method == "EE":
        tau2_value, se_tau2, iterations = 0.0, math.nan, 0
    elif k == 1:
        tau2_value, se_tau2, iterations = (tau2 if tau2_fixed else 0.0), math.nan, 0
    else:
        est = estimate_tau2(
            method, yc, vi, X, fixed=tau2 if tau2_fixed else None, control=con, tau2_max=tau2_max
        )
        tau2_value, se_tau2, iterations = est.tau2, est.se, est.iterations
        notes.extend(est.notes)

    total = vi + tau2_value
    if np.any(total <= 0):
        raise AnalysisError(
            "a study has sampling variance 0 and tau^2 = 0, so its inverse-variance weight is "
            "infinite (metafor: division by zero when computing the inverse variance weights)"
        )
    w = 1.0 / total
    wx = X * w[:, None]
    vb = np.linalg.inv(X.T @ wx)
    beta = vb @ (wx.T @ yi)
    if test in ("knha", "adhoc"):
        if method == "EE":
            notes.append("Knapp-Hartung adjustment is not meant for equal-effects models")
        rss = float(np.sum(w * (yi - X @ beta) ** 2))
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
        if test == "adhoc":
            s2w = max(s2w, 1.0)
        vb = s2w * vb
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se

    btt = np.arange(1, p) if (intercept and p > 1) else np.arange(p)
    m = btt.size
    try:
        sub = vb[np.ix_(btt, btt)]
        np.linalg.cholesky(sub)
        qm = float(beta[btt] @ np.linalg.solve(sub, beta[btt]))
    except np.linalg.LinAlgError:
        qm = math.nan
    if test == "z":
        df = None
        pval = two_sided_z_p(stat)
        crit = z_crit(level)
        qm_df: tuple[int, int | None] = (m, None)
        qm_p = float(chi2_sf(qm, m))
    else:
        df = k - p
        qm = qm / m
        qm_df = (m, df)
        qm_p = float(f_sf(qm, m, df)) if df > 0 else math.nan
        pval = two_sided_t_p(stat, df) if df > 0 else np.full(p, math.nan)
        crit = float(t_crit(df, level)) if df > 0 else math.nan

    het = heterogeneity(yc, vi, X, tau2_value, equal_effects=method == "EE")
    if het.q != het.q:
        notes.append("Q, I^2 and H^2 are undefined when a study has sampling variance 0")

    r2 = None
    if not int_only and _nested_in_intercept(X):
        if method == "EE":
            r2 = _equal_effects_r2(yi, vi, X)
        else:
            try:
                tau2_re = rma(yi, vi, method=method, test=test, control=control).tau2
            except AnalysisError:
                r2 = math.nan
            else:
                r2 = 0.0 if tau2_re == 0 else max(0.0, 100 * (tau2_re - tau2_value) / tau2_re)

    pi_low = pi_high = None
    pi_dist = None
    pi_df = None
    if int_only and method != "EE":
        interval = prediction_interval(
            float(beta[0]), float(se[0]), tau2_value, k=k, p=p, test=test, level=level, pi=pi
        )
        pi_low, pi_high, pi_dist, pi_df = interval.low, interval.high, interval.dist, interval.df

    return RmaFit(
        method=method,
        test=test,
        level=float(level),
        k=k,
        p=p,
        coef_names=names,
        beta=_frozen(beta),
        se=_frozen(se),
        vb=_frozen(vb),
        ci_low=_frozen(beta - crit * se),
        ci_high=_frozen(beta + crit * se),
        statistic=_frozen(stat),
        df=df,
        pval=_frozen(pval),
        tau2=float(tau2_value),
        se_tau2=float(se_tau2),
        tau2_fixed=tau2_fixed,
        tau=math.sqrt(tau2_value),
        s2=het.s2,
        i2=het.i2,
        h2=het.h2,
        q=het.q,
        q_df=het.q_df,
        q_p=het.q_p,
        qm=qm,
        qm_df=qm_df,
        qm_p=qm_p,
        r2=r2,
        weights=_frozen(100 * w / w.sum()),
        yi=_frozen(yi),
        vi=_frozen(vi),
        X=_frozen(X),
        pi_low=pi_low,
        pi_high=pi_high,
        pi_dist=pi_dist,
        pi_df=pi_df,
        iterations=iterations,
        notes=tuple(notes),
    )
