"""``ivigmeta pool``: effect sizes from study records (or a CSV table), pooled with ``rma``.

The studies, timepoints, measure and notes come from
:func:`ivigmeta.analyses.effect_data.effect_data_builder` (the selection every analysis
shares; the rules are described there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from ivigmeta.results import Result

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection

R_SWEEP = tuple(round(0.1 * i, 1) for i in range(10))
TAU2_CI_FIELDS = ("tau2_ci_low", "tau2_ci_high", "tau_ci_low", "tau_ci_high", "i2_ci_low")
TAU2_CI_FIELDS += ("i2_ci_high", "h2_ci_low", "h2_ci_high", "tau2_ci_low_sign", "tau2_ci_high_sign")
# Filled by `pool` (one rma fit) but left null in `ivigmeta batch` rows (the vectorised path).
POOL_ONLY_FIELDS = ("se_tau2", *TAU2_CI_FIELDS)
NO_POOL_ONLY_FIELDS = dict.fromkeys(POOL_ONLY_FIELDS)


@dataclass(frozen=True)
class StudyEffect(Result):
    """One study's effect size ``yi``, sampling variance ``vi`` and weight (percent)."""

    id: str
    yi: float
    vi: float
    weight: float
    timepoint: str | None = None


@dataclass(frozen=True)
class SweepRow(Result):
    """The pooled result with correlation ``r`` assumed where the SD of change is unknown."""

    r: float
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    tau2: float
    i2: float
    pi_low: float | None
    pi_high: float | None


@dataclass(frozen=True)
class PoolResult(Result):
    """A pooled estimate with heterogeneity and prediction interval (metafor ``rma``).

    ``i2`` is in percent; ``df`` is None under z tests; ``se_tau2`` is the standard error of
    tau² as metafor's ``se.tau2`` (None for the equal-effects model and in ``ivigmeta batch``
    rows); ``tau2_ci_low`` ... ``h2_ci_high``
    are the Q-profile CI of tau², tau, I² and H² (metafor ``confint(res)``, at ``level``), None
    where metafor gives none (equal-effects model, k = 1, a sampling variance of 0) and in
    ``ivigmeta batch`` rows; ``tau2_ci_low_sign``/``tau2_ci_high_sign`` are ``"<"``/``">"``
    when that bound (of all four) is only the end of the searched tau² interval, as metafor
    prints it (e.g. ``>100.0000``), else ``""``; ``studies`` lists each study's
    ``{id, yi, vi, weight}`` (weight in percent); ``notes`` says what was chosen or derived;
    ``sweep`` (with ``r_sweep=True``) repeats the pool for r = 0.0, 0.1, ..., 0.9.
    """

    outcome: str | None
    measure: str
    method: str
    test: str
    level: float
    pi: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    df: int | None
    p: float
    tau2: float
    se_tau2: float | None
    tau: float
    i2: float
    h2: float
    tau2_ci_low: float | None
    tau2_ci_high: float | None
    tau_ci_low: float | None
    tau_ci_high: float | None
    i2_ci_low: float | None
    i2_ci_high: float | None
    h2_ci_low: float | None
    h2_ci_high: float | None
    tau2_ci_low_sign: str | None
    tau2_ci_high_sign: str | None
    q: float
    q_df: int
    q_p: float
    pi_low: float | None
    pi_high: float | None
    pi_df: int | None
    studies: tuple[StudyEffect, ...]
    notes: tuple[str, ...]
    sweep: tuple[SweepRow, ...] | None = None


def pool(
    outcome: str | None = None,
    *,
    method: str = "REML",
    test: str = "z",
    pi: str = "auto",
    level: float = 95.0,
    r: float | None = None,
    r_sweep: bool = False,
    **selection: Unpack[Selection],
) -> PoolResult:
    """Pool one outcome of the IVIG study records, or the rows of a CSV table.

    ``selection`` (``studies_path``, ``csv``, ``measure``, ``timepoint``, ``design``) chooses
    the studies as described in :class:`ivigmeta.analyses.effect_data.Selection`: ``csv`` (a
    path) reads metafor-named columns (``measure`` required unless the table has ``yi`` and
    ``vi``/``sei``); otherwise ``outcome`` is required. ``r`` is the pre-post correlation
    assumed where a study prints neither the SD of change nor an exact paired p (default: the
    mean r of the entries that print all three SDs); ``r_sweep`` adds the pool for
    r = 0.0 ... 0.9. ``method``, ``test``, ``pi`` and ``level`` are passed to
    :func:`ivigmeta.stats.models.rma.rma`; the CI of tau² comes from
    :func:`ivigmeta.stats.models.confint.tau2_confint`.
    """
    from ivigmeta.analyses.effect_data import check_correlation, effect_data_builder

    check_correlation(r)
    build = effect_data_builder(outcome, **selection)
    data = build(r)
    fit = _fit(data, method, test, level, pi)
    notes = data.notes
    sweep = None
    if r_sweep:
        if not data.uses_r:
            notes = (*notes, "r sweep: no study depends on an assumed r, so every row is equal")
        sweep = tuple(
            SweepRow.from_mapping(_fit(build(value), method, test, level, pi).summary(), r=value)
            for value in R_SWEEP
        )
    fields = {**fit.summary(), "se_tau2": fit.se_tau2, **tau2_ci_fields(fit)}
    return pool_result(data, fields, fit.weights, pi=pi, notes=(*notes, *fit.notes),
                       sweep=sweep)  # fmt: skip


def tau2_ci_fields(fit) -> dict:
    """The ``tau2_ci_*`` ... ``h2_ci_*`` fields of ``fit``
    (an :class:`~ivigmeta.stats.models.rma.RmaFit`): its Q-profile CI, or None each where
    metafor's ``confint`` stops (EE, k = 1, fixed tau², a sampling variance of 0)."""
    from ivigmeta.errors import AnalysisError
    from ivigmeta.stats.models.confint import tau2_confint

    try:
        ci = tau2_confint(fit)
    except AnalysisError:
        return dict.fromkeys(TAU2_CI_FIELDS)
    return {
        **{f"{name}_ci_{end}": getattr(ci, f"{name}_{end}")
           for name in ("tau2", "tau", "i2", "h2") for end in ("low", "high")},
        "tau2_ci_low_sign": ci.low_sign,
        "tau2_ci_high_sign": ci.high_sign,
    }  # fmt: skip


def pool_result(data, fields: dict, weights, *, pi: str, notes, sweep=None) -> PoolResult:
    """The :class:`PoolResult` of ``data`` (an :class:`~ivigmeta.analyses.effect_data.EffectData`)
    from the pooled ``fields`` (keys as :meth:`ivigmeta.stats.models.rma.RmaFit.summary`, plus
    :func:`tau2_ci_fields` and ``se_tau2``; those missing are None) and the study ``weights``
    in percent."""
    studies = tuple(
        StudyEffect(i, float(y), float(v), float(w), t)
        for i, y, v, w, t in zip(data.ids, data.yi, data.vi, weights, data.timepoints, strict=True)
    )
    return PoolResult.from_mapping({**NO_POOL_ONLY_FIELDS, **fields}, outcome=data.outcome,
                                   measure=data.measure, pi=pi, studies=studies,
                                   notes=tuple(notes), sweep=sweep)  # fmt: skip


def _fit(data, method, test, level, pi):
    from ivigmeta.stats.models.rma import rma

    return rma(data.yi, data.vi, method=method, test=test, level=level, pi=pi)
