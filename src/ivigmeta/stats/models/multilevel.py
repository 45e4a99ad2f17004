"""Multilevel meta-analysis of dependent effect sizes, equal to metafor's ``rma.mv``.

``multilevel_model(yi, vi, levels=[study, es])`` fits
``rma.mv(yi, V, mods, random = ~ 1 | study/es, method = "REML" | "ML")``: one random effect
per nesting level (outermost first; level l groups the rows sharing the labels of levels
1..l, metafor's ``study/es`` interaction), sampling covariance V known: diagonal ``vi``, or,
with ``rho``, V_ij = rho sqrt(v_i v_j) for two effects sharing a cluster (the innermost
level above the rows; metafor's ``vcalc(vi, cluster, obs, rho)`` constant-correlation case),
or a full matrix ``V``. Likelihood and optimisation: :mod:`.multilevel_fit`.

Reported as metafor: b with Wald z tests and normal CIs; QM (moderators, chi² on m df);
QE = (y - X b_FE)' V^-1 (y - X b_FE) on k - p df; the log-likelihood of the chosen method,
deviance, AIC, BIC and AICc with parms = p + L (REML: BIC uses log(k - p), deviance
-2 ll; ML: BIC log k, deviance -2 (ll - ll_sat), ll_sat = -k/2 log 2 pi - 1/2 log|V|).
Multilevel I² (Cheung 2014, Psychol Methods 19:211-229; metafor FAQ "I² for multilevel and
multivariate models"): with P = W - W X (X'WX)^-1 X'W, W = V^-1, the typical sampling
variance is (k - p)/tr(P) and I²_l = 100 sigma2_l / (sum sigma2 + (k - p)/tr(P)), I² their
sum. ``robust`` adds cluster-robust tests (:mod:`.robust_cr2`) clustered by the outermost level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.numerics.distributions import chi2_sf, two_sided_z_p, z_crit

METHODS = ("REML", "ML")


@dataclass(frozen=True)
class RobustTest(Result):
    """A cluster-robust test of one coefficient: t on ``df`` df (CR2: Satterthwaite)."""

    type: str
    clusters: int
    se: float
    statistic: float
    df: float
    p: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class MultilevelCoefficient(Result):
    """One coefficient: model-based z test and CI, and the robust test if asked for."""

    name: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    robust: RobustTest | None


@dataclass(frozen=True)
class MultilevelFit(Result):
    """A fitted multilevel model. ``estimate`` ... ``p`` and ``robust`` describe the first
    coefficient (the pooled effect without moderators, the intercept with them);
    ``sigma2``, ``n_levels`` and ``i2_levels`` run over the levels outermost first.
    ``sampling_rho`` is the assumed correlation of sampling errors (None: V diagonal or
    given). With ``struct`` (CS/AR) ``sigma2`` is empty and ``tau2``/``rho`` are the
    variance and correlation of the random effects over time; ``i2_levels`` then holds
    100 tau2 / (tau2 + typical sampling variance). ``sigma2_ci``: profile-likelihood
    (lower, upper) per sigma2 when asked for (upper None: beyond the searched range)."""

    method: str
    level: float
    k: int
    p_coef: int
    levels: tuple[str, ...]
    n_levels: tuple[int, ...]
    sigma2: tuple[float, ...]
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    robust: RobustTest | None
    coefficients: tuple[MultilevelCoefficient, ...]
    qm: float | None
    qm_df: int | None
    qm_p: float | None
    q_e: float
    q_e_df: int
    q_e_p: float
    loglik: float
    deviance: float
    aic: float
    bic: float
    aicc: float
    i2: float
    i2_levels: tuple[float, ...]
    sigma2_ci: tuple[tuple[float | None, float | None], ...] | None
    sampling_rho: float | None
    struct: str | None
    tau2: float | None
    rho: float | None


def nested_groups(levels: Sequence[Sequence]) -> list[np.ndarray]:
    """Integer codes (0..G_l-1, in order of first appearance) of the interaction of the first
    l label columns, for l = 1..L: metafor's ``~ 1 | a/b/c`` terms a, a:b, a:b:c."""
    k = len(levels[0])
    groups, keys = [], [()] * k
    for labels in levels:
        keys = [(*key, labels[i]) for i, key in enumerate(keys)]
        index: dict = {}
        groups.append(np.array([index.setdefault(key, len(index)) for key in keys]))
    return groups


def constant_correlation_v(vi, cluster_codes, rho: float) -> np.ndarray:
    """V with V_ii = v_i and V_ij = rho sqrt(v_i v_j) for i != j in the same cluster
    (metafor ``vcalc(vi, cluster, obs, rho)`` with distinct obs within a cluster)."""
    sd = np.sqrt(np.asarray(vi, dtype=float))
    same = np.equal.outer(cluster_codes, cluster_codes)
    V = np.where(same, rho * np.outer(sd, sd), 0.0)
    np.fill_diagonal(V, sd**2)
    return V


def multilevel_model(
    yi,
    vi=None,
    *,
    levels: Sequence[Sequence],
    level_names: Sequence[str] | None = None,
    V=None,
    rho: float | None = None,
    mods: Mapping[str, Sequence[float]] | None = None,
    method: str = "REML",
    robust: str | None = None,
    level: float = 95.0,
    struct: str | None = None,
    time: Sequence | None = None,
    profile_ci: bool = False,
) -> MultilevelFit:
    """Fit the nested model; ``levels`` holds one label sequence per level, outermost first.
    With ``struct`` ("CS" or "AR") and ``time`` (one value per effect size), fit instead
    ``random = ~ time | cluster`` with ``levels`` = [cluster] (:mod:`.multilevel_struct`).
    ``profile_ci`` adds profile-likelihood CIs of the sigma2 (:mod:`.multilevel_confint`)."""
    from ivigmeta.stats.models.multilevel_fit import Problem, evaluate, maximise
    from ivigmeta.stats.models.multilevel_struct import STRUCTS

    method = method.upper()
    if method not in METHODS:
        raise InputError(f"expected one of {', '.join(METHODS)}, got {method!r}", field="method")
    y = np.asarray(yi, dtype=float)
    k = y.size
    if y.ndim != 1 or k < 3 or not np.all(np.isfinite(y)):
        raise AnalysisError(f"a multilevel model needs 3 or more finite effect sizes (k = {k})")
    names = tuple(level_names or (f"level{i + 1}" for i in range(len(levels))))
    if not levels or any(len(labels) != k for labels in levels) or len(names) != len(levels):
        raise AnalysisError(f"every level needs one label per effect size (k = {k})")
    if struct is not None:
        struct = struct.upper()
        if struct not in STRUCTS:
            raise InputError(f"expected one of {', '.join(STRUCTS)}, got {struct!r}",
                             field="struct")  # fmt: skip
        if len(levels) != 1 or time is None or len(time) != k:
            raise AnalysisError(f"--struct {struct} needs one cluster column and a time per "
                                "effect size (--time)")  # fmt: skip
    groups = nested_groups(levels)
    counts = tuple(int(codes.max()) + 1 for codes in groups)
    if struct is None:
        _check_identified(names, counts, k)
    elif counts[0] < 2:
        raise AnalysisError(f"{names[0]}: the model needs at least 2 clusters, got {counts[0]}")
    V = _sampling_covariance(vi, V, rho, groups, names, k)
    X, coef_names = _design(mods, k)
    p = X.shape[1]
    n_components = len(groups) if struct is None else 2
    if k <= p + n_components:
        raise AnalysisError(
            f"k = {k} effect sizes cannot estimate {p} coefficients and {n_components} "
            "variance components"
        )
    problem = Problem.build(y, X, V, groups, reml=method == "REML")
    equal_effects = evaluate(np.zeros(len(groups)), problem)
    tau2 = struct_rho = None
    sigma2_ci = None
    if struct is None:
        final = maximise(problem, equal_effects)
        components = final.sigma2
        if profile_ci:
            from ivigmeta.stats.models.multilevel_confint import profile_intervals

            sigma2_ci = profile_intervals(problem, equal_effects, final, level)
    elif profile_ci:
        raise AnalysisError("profile-likelihood CIs are implemented for sigma2, not --struct")
    else:
        from ivigmeta.stats.models.multilevel_fit import starting_values
        from ivigmeta.stats.models.multilevel_struct import StructProblem, maximise_struct

        times = _time_levels(time)
        start = float(starting_values(problem, equal_effects)[0] * len(groups) / 2)
        struct_problem = StructProblem.build(y, X, V, groups[0], times, struct,
                                             reml=method == "REML")  # fmt: skip
        tau2, struct_rho, final = maximise_struct(struct_problem, start)
        components = np.array([tau2])
    se = np.sqrt(np.diag(final.vb))
    crit = z_crit(level)
    robust_tests = [None] * p
    if robust is not None:
        from ivigmeta.stats.models.robust_cr2 import robust_tests as cluster_robust

        robust_tests = cluster_robust(X, final, groups[0], robust, level)
    coefficients = tuple(
        MultilevelCoefficient(
            name=coef_names[j],
            estimate=float(final.beta[j]),
            se=float(se[j]),
            ci_low=float(final.beta[j] - crit * se[j]),
            ci_high=float(final.beta[j] + crit * se[j]),
            statistic=float(final.beta[j] / se[j]),
            p=float(two_sided_z_p(final.beta[j] / se[j])),
            robust=robust_tests[j],
        )
        for j in range(p)
    )
    qm = qm_p = None
    if p > 1:
        b = final.beta[1:]
        qm = float(b @ np.linalg.solve(final.vb[1:, 1:], b))
        qm_p = float(chi2_sf(qm, p - 1))
    stats = _fit_statistics(equal_effects, final, method, n_components)
    typical = (k - p) / equal_effects.trace_p
    total = float(np.sum(components)) + typical
    i2_levels = tuple(float(100.0 * s / total) for s in components)
    first = coefficients[0]
    return MultilevelFit(
        method=method,
        level=level,
        k=k,
        p_coef=p,
        levels=names,
        n_levels=counts,
        sigma2=tuple(float(s) for s in final.sigma2),
        estimate=first.estimate,
        se=first.se,
        ci_low=first.ci_low,
        ci_high=first.ci_high,
        statistic=first.statistic,
        p=first.p,
        robust=first.robust,
        coefficients=coefficients,
        qm=qm,
        qm_df=p - 1 if p > 1 else None,
        qm_p=qm_p,
        i2=float(sum(i2_levels)),
        i2_levels=i2_levels,
        sigma2_ci=sigma2_ci,
        sampling_rho=rho,
        struct=struct,
        tau2=tau2,
        rho=struct_rho,
        **stats,
    )


def _time_levels(time) -> np.ndarray:
    """Each time's position among the sorted distinct times (numeric order when every time
    is a number, else text order: R's factor levels)."""
    try:
        values = [float(t) for t in time]
    except (TypeError, ValueError):
        values = [str(t) for t in time]
    distinct = sorted(set(values))
    position = {value: i for i, value in enumerate(distinct)}
    return np.array([position[v] for v in values])


def _check_identified(names, counts, k) -> None:
    if counts[0] < 2:
        raise AnalysisError(f"{names[0]}: the model needs at least 2 clusters, got {counts[0]}")
    for outer, inner, n_outer, n_inner in zip(names, names[1:], counts, counts[1:], strict=False):
        if n_inner == n_outer:
            what = inner.rsplit("/", 1)[-1]
            raise AnalysisError(
                f"{inner}: the model is not identified: every {outer} has one {what} "
                f"({n_outer} of each), so their variance components cannot be told apart; "
                f"drop the {what} level (or use `pool` for one effect per {outer})"
            )


def _sampling_covariance(vi, V, rho, groups, names, k) -> np.ndarray:
    if V is None:
        if vi is None:
            raise AnalysisError("give the sampling variances vi or their covariance matrix V")
        v = np.asarray(vi, dtype=float)
        if v.size != k or not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise AnalysisError("the sampling variances must be k positive numbers")
        if rho is None:
            V = np.diag(v)
        else:
            if not -1 < rho < 1:
                raise InputError(f"expected a correlation in (-1, 1), got {rho}", field="rho")
            cluster = groups[-2] if len(groups) > 1 else groups[0]
            V = constant_correlation_v(v, cluster, rho)
    V = np.asarray(V, dtype=float)
    if V.shape != (k, k) or not np.allclose(V, V.T) or not np.all(np.isfinite(V)):
        raise AnalysisError(f"V must be a symmetric {k} x {k} matrix")
    try:
        np.linalg.cholesky(V)
    except np.linalg.LinAlgError:
        shared = names[-2] if len(names) > 1 else names[0]
        where = f" (rho = {rho:g} for effects sharing a {shared})" if rho is not None else ""
        raise AnalysisError(
            f"the sampling covariance matrix V is not positive definite{where}"
        ) from None
    return V


def _design(mods, k) -> tuple[np.ndarray, list[str]]:
    columns, names = [np.ones(k)], ["intrcpt"]
    for name, values in (mods or {}).items():
        column = np.asarray(values, dtype=float)
        if column.size != k or not np.all(np.isfinite(column)):
            raise AnalysisError(f"moderator {name!r} needs {k} finite values")
        columns.append(column)
        names.append(name)
    X = np.column_stack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise AnalysisError(f"the moderators {', '.join(names[1:])} are collinear")
    return X, names


def _fit_statistics(equal_effects, final, method, n_sigma2) -> dict:
    """QE (the residual sum of squares of the equal-effects fit) and metafor's fitstats."""
    k, p = equal_effects.residuals.size, equal_effects.beta.size
    q_e = equal_effects.rss
    parms = p + n_sigma2
    if method == "REML":
        ll, n, deviance = final.ll_reml, k - p, -2.0 * final.ll_reml
    else:
        ll_sat = -0.5 * k * np.log(2 * np.pi) - 0.5 * equal_effects.logdet_m
        ll, n, deviance = final.ll_ml, k, -2.0 * (final.ll_ml - ll_sat)
    n_c = max(n, parms + 2)
    return {
        "q_e": q_e,
        "q_e_df": k - p,
        "q_e_p": float(chi2_sf(q_e, k - p)),
        "loglik": ll,
        "deviance": float(deviance),
        "aic": -2.0 * ll + 2 * parms,
        "bic": -2.0 * ll + parms * np.log(n),
        "aicc": -2.0 * ll + 2 * parms * n_c / (n_c - parms - 1),
    }
