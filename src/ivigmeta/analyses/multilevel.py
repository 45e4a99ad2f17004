"""``ivigmeta multilevel``: several effect sizes per study, metafor's three-level ``rma.mv``.

Effect sizes come from a CSV table (``csv`` + ``measure``, as for ``pool --csv``); the
columns named by ``cluster`` (outermost first; several give more levels) and ``within``
(the effect size within its cluster; default: each row) define the nesting, metafor's
``random = ~ 1 | cluster/within``. ``rho`` assumes that correlation between the sampling
errors of effects sharing the innermost cluster (metafor ``vcalc``); ``robust`` adds
cluster-robust tests clustered by the outermost column. See
:mod:`ivigmeta.stats.models.multilevel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ivigmeta.results import Result
from ivigmeta.stats.models.multilevel import MultilevelCoefficient, RobustTest

RECORD_COLUMNS = ("study", "month", "timepoint")
STRUCT_NOTES = {
    "CS": "one variance, one correlation for any two times",
    "HCS": "a variance per time, one correlation for any two times",
    "AR": "one variance, AR(1) correlation over the sorted distinct times",
    "HAR": "a variance per time, AR(1) correlation over the sorted distinct times",
    "UN": "a variance per time and a correlation per pair of times (unstructured)",
}


@dataclass(frozen=True)
class MultilevelResult(Result):
    """A fitted multilevel model with the data it came from. ``estimate`` ... ``p`` and
    ``robust`` are the first coefficient's (the pooled effect without moderators);
    ``sigma2``, ``n_levels`` and ``i2_levels`` follow ``levels``, outermost first."""

    outcome: str | None
    measure: str
    source: str | None
    levels: tuple[str, ...]
    mods: tuple[str, ...]
    method: str
    level: float
    k: int
    sampling_rho: float | None
    vcov: tuple[str, ...] | None
    struct: str | None
    time: str | None
    time_levels: tuple[str, ...] | None
    tau2: tuple[float, ...] | None
    rho: tuple[float, ...] | None
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    df: int | None
    test: str
    robust: RobustTest | None
    sigma2: tuple[float, ...]
    n_levels: tuple[int, ...]
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
    tau2_ci: tuple[tuple[float | None, float | None], ...] | None
    rho_ci: tuple[tuple[float | None, float | None], ...] | None
    notes: tuple[str, ...]


def multilevel(
    cluster: str | Sequence[str],
    within: str | None = None,
    *,
    csv: str | Path | None = None,
    measure: str | None = None,
    mods: str | Sequence[str] | None = None,
    method: str = "REML",
    rho: float | None = None,
    robust: str | None = None,
    level: float = 95.0,
    r: float | None = None,
    struct: str | None = None,
    time: str | None = None,
    outcome: str | None = None,
    all_timepoints: bool = False,
    studies_path: str | Path | None = None,
    design: str | None = None,
    profile_ci: bool = False,
    delimiter: str | None = None,
    decimal: str | None = None,
    vcov: str | Sequence[str] | None = None,
    test: str = "z",
    dfs: str = "residual",
    agent: str | None = None,
) -> MultilevelResult:
    """Fit ``rma.mv(yi, V, mods, random = ~ 1 | cluster/within)`` to the rows of ``csv``.

    ``cluster``: a column name or several (outermost first); ``within``: the column naming
    the effect size within its cluster (default: every row its own); ``mods``: numeric
    moderator columns ("a,b" or a list); ``method``: REML or ML; ``rho``: sampling-error
    correlation of effects sharing a cluster; ``robust``: "CR2" or "CR1"; ``r``: pre-post
    correlation for pre-post measures, as for ``pool``; ``struct`` (CS, HCS, AR, HAR or UN)
    with ``time`` (a column) fits ``random = ~ time | cluster, struct = ...`` instead of the
    nested levels (one ``cluster``, no ``within``). From the study records (``outcome`` with
    ``all_timepoints``: every usable timepoint of every study) the columns are ``study``
    (the record id), ``month`` (the timepoint in months) and ``timepoint`` (its label), or
    any record field; ``agent`` selects the intervention as for ``pool``. ``profile_ci`` adds
    profile-likelihood CIs of the variance components (metafor ``confint``). ``vcov``: columns
    of sampling covariances ("v1i,v2i", metafor ``vcalc(vi = 1, cluster, rvars = c(v1i,
    v2i))``) instead of ``rho``. ``test`` "z" or "t" with ``dfs`` "residual" or "contain"
    (metafor ``rma.mv(test, dfs)``). ``delimiter`` and ``decimal`` say how ``csv`` is written
    (as for ``pool``); its rows missing a needed value or a moderator are left out (metafor
    ``na.omit``).
    """
    from ivigmeta.analyses.csv_effects import omit_missing_fields
    from ivigmeta.analyses.effect_data import check_correlation, effect_data_builder
    from ivigmeta.errors import AnalysisError, InputError
    from ivigmeta.stats.models.multilevel import multilevel_model

    if csv is None and not all_timepoints:
        raise InputError(
            "give --csv FILE (one row per effect size) or, for the study records, "
            "--outcome with --all-timepoints",
            field="csv",
        )
    clusters = [cluster] if isinstance(cluster, str) else list(cluster)
    names = _names(mods)
    if not clusters or any(not c for c in clusters):
        raise InputError("expected a column name", field="cluster")
    if robust is not None and robust.upper() not in ("CR2", "CR1"):
        raise InputError(f"expected CR2 or CR1, got {robust!r}", field="robust")
    if (struct is None) != (time is None):
        raise InputError("--struct and --time go together", field="struct" if time else "time")
    if struct is not None and (within is not None or len(clusters) != 1):
        raise InputError("--struct takes one --cluster and no --within", field="struct")
    covariance_columns = _names(vcov, "vcov") if vcov is not None else []
    if covariance_columns and rho is not None:
        raise InputError("give --rho or --vcov, not both", field="vcov")
    check_correlation(r)
    data = effect_data_builder(outcome, csv=csv, measure=measure, studies_path=studies_path,
                               design=design, agent=agent, all_timepoints=all_timepoints,
                               delimiter=delimiter, decimal=decimal)(r)  # fmt: skip
    data = omit_missing_fields(data, [*names, *covariance_columns])
    labels = [_labels(data, name) for name in [*clusters, *([within] if within else [])]]
    nesting = [*clusters, within or "row"]
    if struct is None and within is None:
        labels.append([str(i + 1) for i in range(data.k)])
    if struct is not None:
        nesting = clusters
    level_names = ["/".join(nesting[: i + 1]) for i in range(len(nesting))]
    times = _labels(data, time) if time is not None else None
    moderators = {name: data.numbers(name) for name in names}
    columns = [data.numbers(name) for name in covariance_columns] or None
    try:
        fit = multilevel_model(data.yi, data.vi, levels=labels, level_names=level_names,
                               mods=moderators or None, method=method, rho=rho,
                               vcov_columns=columns, robust=robust, level=level,
                               struct=struct, time=times, profile_ci=profile_ci, test=test,
                               dfs=dfs)  # fmt: skip
    except AnalysisError as error:
        raise AnalysisError(f"{data.source or data.outcome}: {error}") from None
    notes = list(data.notes)
    if struct is not None:
        notes.append(f"random effects of one {clusters[0]} correlated over {time}: "
                     f"{STRUCT_NOTES[fit.struct]} (metafor struct = \"{fit.struct}\")")  # fmt: skip
    if rho is not None:
        notes.append(
            f"sampling errors of effects sharing a {clusters[-1]} "
            f"assumed correlated with rho = {rho:g} (metafor vcalc)"
        )
    if covariance_columns:
        notes.append(f"sampling covariances of effects sharing a {clusters[-1]} from the columns "
                     f"{', '.join(covariance_columns)} (metafor vcalc rvars)")  # fmt: skip
    if fit.test == "T":
        notes.append(f"t tests of the coefficients on {dfs.lower()} df (metafor test = \"t\", "
                     f"dfs = \"{dfs.lower()}\")")  # fmt: skip
    if fit.robust is not None:
        notes.append(
            f"robust tests: {fit.robust.type}, clustered by {clusters[0]} "
            f"(J = {fit.robust.clusters})"
            + (", Satterthwaite df (clubSandwich)" if fit.robust.type == "CR2" else ", df J - p")
        )
    return MultilevelResult.from_mapping(
        vars(fit), outcome=data.outcome, measure=data.measure, source=data.source,
        mods=tuple(names), time=time, vcov=tuple(covariance_columns) or None,
        notes=tuple(notes),
    )  # fmt: skip


def _names(mods, field: str = "mods") -> list[str]:
    from ivigmeta.errors import InputError

    if mods is None:
        return []
    names = [m.strip() for m in mods.split(",")] if isinstance(mods, str) else list(mods)
    if not names or any(not name for name in names):
        raise InputError("expected column names separated by commas, e.g. year,n", field=field)
    return names


def _labels(data, name: str) -> list[str]:
    """The column's cells as labels; an empty cell is an error naming its line. Record rows
    also have the columns ``study``, ``month`` and ``timepoint``."""
    from ivigmeta.errors import InputError

    if data.source is None and name in RECORD_COLUMNS:
        values = {"study": data.ids, "month": data.months, "timepoint": data.timepoints}[name]
    else:
        values = data.values(name)
    for index, value in enumerate(values):
        if value is None:
            raise InputError(
                f"expected a label for every effect size, got an empty cell (study "
                f"{data.ids[index]})",
                field=name,
                **data._where(index),
            )
    return [str(v) for v in values]
