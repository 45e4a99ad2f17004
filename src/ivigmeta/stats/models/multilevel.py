"""Multilevel meta-analysis of dependent effect sizes, equal to metafor's ``rma.mv``.

``multilevel_model(yi, vi, levels=[study, es])`` fits
``rma.mv(yi, V, mods, random = ~ 1 | study/es, method = "REML" | "ML")``: one random effect
per nesting level (outermost first; level l groups the rows sharing the labels of levels
1..l, metafor's ``study/es`` interaction), sampling covariance V known: diagonal ``vi``, or,
with ``rho``, V_ij = rho sqrt(v_i v_j) for two effects sharing a cluster (the innermost
level above the rows; metafor's ``vcalc(vi, cluster, obs, rho)`` constant-correlation case),
from covariance columns (metafor ``vcalc(vi = 1, cluster, rvars)``), or a full matrix ``V``
(:mod:`.multilevel_covariance`). Likelihood and optimisation: :mod:`.multilevel_fit`;
``random = ~ time | cluster`` with struct CS/HCS/AR/HAR/UN: :mod:`.multilevel_struct`.

Reported as metafor: b with Wald z tests and normal CIs (or t tests with metafor's
"residual" or "contain" df, QM then an F test: :mod:`.multilevel_inference`); QM
(moderators, chi² on m df);
QE = (y - X b_FE)' V^-1 (y - X b_FE) on k - p df; the log-likelihood of the chosen method,
deviance, AIC, BIC and AICc with parms = p + the number of variance components (REML: BIC
uses log(k - p), deviance -2 ll; ML: BIC log k, deviance -2 (ll - ll_sat),
ll_sat = -k/2 log 2 pi - 1/2 log|V|).
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
from ivigmeta.stats.numerics.distributions import chi2_sf

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
    df: int | None
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
    df: int | None
    test: str
    robust: RobustTest | None
    coefficients: tuple[MultilevelCoefficient, ...]
    qm: float | None
    qm_df: int | None
    qm_df2: int | None
    qm_p: float | None
    q_e: float
    q_e_df: int
    q_e_p: float
    loglik: float
    deviance: float
    aic: float
    bic: float
    aicc: float
    i2: float | None
    i2_levels: tuple[float, ...]
    sigma2_ci: tuple[tuple[float | None, float | None], ...] | None
    sampling_rho: float | None
    struct: str | None
    time_levels: tuple[str, ...] | None
    tau2: tuple[float, ...] | None
    rho: tuple[float, ...] | None
    tau2_ci: tuple[tuple[float | None, float | None], ...] | None
    rho_ci: tuple[tuple[float | None, float | None], ...] | None


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


def multilevel_model(
    yi,
    vi=None,
    *,
    levels: Sequence[Sequence],
    level_names: Sequence[str] | None = None,
    V=None,
    rho: float | None = None,
    vcov_columns: Sequence[Sequence[float]] | None = None,
    mods: Mapping[str, Sequence[float]] | None = None,
    method: str = "REML",
    robust: str | None = None,
    level: float = 95.0,
    struct: str | None = None,
    time: Sequence | None = None,
    profile_ci: bool = False,
    test: str = "z",
    dfs: str = "residual",
) -> MultilevelFit:
    """Fit the nested model; ``levels`` holds one label sequence per level, outermost first.
    With ``struct`` (CS, HCS, AR, HAR or UN) and ``time`` (one value per effect size), fit
    instead ``random = ~ time | cluster`` with ``levels`` = [cluster]
    (:mod:`.multilevel_struct`). ``profile_ci`` adds profile-likelihood CIs of the variance
    components (:mod:`.multilevel_confint`); ``test`` "z" or "t" with ``dfs`` "residual" or
    "contain" as metafor (:mod:`.multilevel_inference`). The sampling covariance: ``V``,
    or from ``vi`` with ``rho`` or ``vcov_columns`` (columns of covariances, metafor
    ``vcalc`` rvars) within the innermost cluster above the rows, else diagonal
    (:mod:`.multilevel_covariance`)."""
    from ivigmeta.stats.models.multilevel_covariance import sampling_covariance
    from ivigmeta.stats.models.multilevel_fit import Problem, evaluate, maximise
    from ivigmeta.stats.models.multilevel_inference import (
        DFS,
        TESTS,
        coefficient_tests,
        denominator_df,
    )
    from ivigmeta.stats.models.multilevel_struct import STRUCTS

    method, test, dfs = method.upper(), test.upper(), dfs.upper()
    for value, allowed, field in ((method, METHODS, "method"), (test, TESTS, "test"),
                                  (dfs, DFS, "dfs")):  # fmt: skip
        if value not in allowed:
            raise InputError(f"expected one of {', '.join(allowed)}, got {value!r}", field=field)
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
    V = sampling_covariance(vi, V, rho, vcov_columns, groups, names, k)
    X, coef_names = _design(mods, k)
    p = X.shape[1]
    problem = Problem.build(y, X, V, groups, reml=method == "REML")
    equal_effects = evaluate(np.zeros(len(groups)), problem)
    sigma2_ci = tau2_ci = rho_ci = None
    tau2 = struct_rho = time_levels = None
    if struct is None:
        n_components = len(groups)
        _check_enough(k, p, n_components)
        final = maximise(problem, equal_effects)
        components = final.sigma2
        if profile_ci:
            from ivigmeta.stats.models.multilevel_confint import profile_intervals

            sigma2_ci = profile_intervals(problem, equal_effects, final, level)
        factors = groups
    else:
        from ivigmeta.stats.models.multilevel_fit import starting_values
        from ivigmeta.stats.models.multilevel_struct import StructProblem, maximise_struct

        times, time_levels = _time_levels(time)
        _check_struct(struct, groups[0], times, time_levels, names[0])
        start = float(starting_values(problem, equal_effects)[0] * len(groups) / 2)
        struct_problem = StructProblem.build(y, X, V, groups[0], times, struct,
                                             reml=method == "REML")  # fmt: skip
        n_components = struct_problem.n_tau2 + struct_problem.n_rho
        _check_enough(k, p, n_components)
        fitted = maximise_struct(struct_problem, start)
        final, tau2, struct_rho = fitted.point, fitted.tau2, fitted.rho
        components = np.array(tau2)
        if profile_ci:
            from ivigmeta.stats.models.multilevel_confint import struct_intervals

            tau2_ci, rho_ci = struct_intervals(struct_problem, fitted, level)
        inner = nested_groups([levels[0], [str(t) for t in times]])[1]
        factors = [inner, groups[0]]
    robust_tests = [None] * p
    if robust is not None:
        from ivigmeta.stats.models.robust_cr2 import robust_tests as cluster_robust

        robust_tests = cluster_robust(X, final, groups[0], robust, level)
    ddf = denominator_df(X, factors, dfs) if test == "T" else None
    coefficients, (qm, qm_df, qm_df2, qm_p) = coefficient_tests(final, coef_names, test, ddf,
                                                                level, robust_tests)  # fmt: skip
    stats = _fit_statistics(equal_effects, final, method, n_components)
    typical = (k - p) / equal_effects.trace_p
    if struct is None:
        total = float(np.sum(components)) + typical
        i2_levels = tuple(float(100.0 * s / total) for s in components)
    else:
        i2_levels = tuple(float(100.0 * t / (t + typical)) for t in components)
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
        df=first.df,
        test=test,
        robust=first.robust,
        coefficients=coefficients,
        qm=qm,
        qm_df=qm_df,
        qm_df2=qm_df2,
        qm_p=qm_p,
        i2=float(sum(i2_levels)) if len(i2_levels) == 1 or struct is None else None,
        i2_levels=i2_levels,
        sigma2_ci=sigma2_ci,
        sampling_rho=rho,
        struct=struct,
        time_levels=time_levels,
        tau2=tau2,
        rho=struct_rho,
        tau2_ci=tau2_ci,
        rho_ci=rho_ci,
        **stats,
    )


def _check_enough(k: int, p: int, n_components: int) -> None:
    if k <= p + n_components:
        raise AnalysisError(
            f"k = {k} effect sizes cannot estimate {p} coefficients and {n_components} "
            "variance components"
        )


def _check_struct(struct, cluster, times, time_levels, name) -> None:
    """Two or more times and a cluster with several effects; HCS/HAR/UN: every time in 2 or
    more clusters; UN: every pair of times in a cluster (metafor would fix the tau2 or rho
    that the data cannot inform, with a warning)."""
    from ivigmeta.stats.models.multilevel_struct import HETEROGENEOUS, lower_pairs

    if len(time_levels) == 1 or np.unique(cluster).size == cluster.size:
        why = f"every effect size has the same time ({time_levels[0]})" if len(
            time_levels) == 1 else f"every {name} has one effect size"  # fmt: skip
        raise AnalysisError(f"--struct {struct}: {why}, so rho is not identified (metafor "
                            "fixes it to 0); use pool or nested levels")  # fmt: skip
    if struct not in HETEROGENEOUS:
        return
    present = np.zeros((int(cluster.max()) + 1, len(time_levels)), dtype=bool)
    present[cluster, times] = True
    for t, n in enumerate(present.sum(axis=0)):
        if n < 2:
            raise AnalysisError(
                f"--struct {struct}: time {time_levels[t]} occurs in {n} {name} only, so its "
                "tau2 is not identified (metafor fixes it to 0); use CS or AR, or drop it"
            )
    if struct == "UN":
        for i, j in lower_pairs(len(time_levels)):
            if not np.any(present[:, i] & present[:, j]):
                raise AnalysisError(
                    f"--struct UN: times {time_levels[j]} and {time_levels[i]} never occur in "
                    f"one {name}, so their correlation is not identified (metafor fixes it "
                    "to 0); use HCS or HAR"
                )


def _time_levels(time) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each time's position among the sorted distinct times (numeric order when every time
    is a number, else text order: R's factor levels), and those times as labels."""
    try:
        values = [float(t) for t in time]
    except (TypeError, ValueError):
        values = [str(t) for t in time]
    distinct = sorted(set(values))
    position = {value: i for i, value in enumerate(distinct)}
    labels = tuple(f"{v:g}" if isinstance(v, float) else v for v in distinct)
    return np.array([position[v] for v in values]), labels


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
