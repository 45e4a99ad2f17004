"""``ivigmeta pool``: effect sizes from study records (or a CSV table), pooled with ``rma``,
or 2x2 tables pooled by Mantel-Haenszel (``MH``) or Peto (``PETO``).

The studies, timepoints, measure and notes come from
:func:`ivigmeta.analyses.effect_data.effect_data_builder` (the selection every analysis
shares; the rules are described there). ``FITTERS`` maps a ``method`` to the function that
fits it (every other method is a tau² estimator of ``rma``); each returns a :class:`Fitted`.
Natural-scale fields (``transformed``, per-study ``effect``) come from
:mod:`ivigmeta.analyses.natural_scale`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

import numpy as np

from ivigmeta.results import Result

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection
    from ivigmeta.analyses.few_studies import FewStudies

R_SWEEP = tuple(round(0.1 * i, 1) for i in range(10))
TAU2_CI_FIELDS = ("tau2_ci_low", "tau2_ci_high", "tau_ci_low", "tau_ci_high", "i2_ci_low")
TAU2_CI_FIELDS += ("i2_ci_high", "h2_ci_low", "h2_ci_high", "tau2_ci_low_sign", "tau2_ci_high_sign")
# Filled by `pool` (one rma fit) but left null in `ivigmeta batch` rows (the vectorised path).
POOL_ONLY_FIELDS = ("se_tau2", *TAU2_CI_FIELDS)
NO_POOL_ONLY_FIELDS = dict.fromkeys(POOL_ONLY_FIELDS)


@dataclass(frozen=True)
class StudyEffect(Result):
    """One study's effect size ``yi``, sampling variance ``vi`` and weight (percent), and its
    effect with CI on the natural scale (``effect``, ``effect_ci_low``, ``effect_ci_high``;
    see :mod:`ivigmeta.analyses.natural_scale`). ``yi``/``vi`` are NaN (JSON null) for a
    study without an effect size (a double zero under ``drop00``)."""

    id: str
    yi: float
    vi: float
    weight: float
    timepoint: str | None = None
    effect: float | None = None
    effect_ci_low: float | None = None
    effect_ci_high: float | None = None


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
    ``cmh``/``cmh_p`` (Cochran-Mantel-Haenszel test, continuity corrected) and
    ``tarone``/``tarone_p``/``tarone_df`` (Tarone's test of homogeneity) are set for
    Mantel-Haenszel odds ratios; ``transformed`` holds the pooled estimate, CI and PI on the
    natural scale (None for measures read on their own scale); ``study_ci`` names the study
    intervals of single proportions (exact, wilson, wald; None for other measures);
    ``cautions`` says what a careful reader should know first (few studies, k = 1);
    ``few_studies`` (2 <= k < 5) holds the Knapp-Hartung and Bayesian readings
    (:mod:`ivigmeta.analyses.few_studies`). At k = 1 nothing is pooled: tau2 ... q_p and the
    prediction interval are None.
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
    cmh: float | None = None
    cmh_p: float | None = None
    tarone: float | None = None
    tarone_p: float | None = None
    tarone_df: int | None = None
    transformed: dict | None = None
    study_ci: str | None = None
    cautions: tuple[str, ...] = ()
    few_studies: FewStudies | None = None


@dataclass(frozen=True)
class Fitted:
    """What a fitting function gives ``pool``: ``fields`` (keys as
    :meth:`ivigmeta.stats.models.rma.RmaFit.summary`, plus ``se_tau2`` and the tau² CI fields
    where there are some, ``cmh`` ... for MH), the study weights in percent and notes."""

    fields: dict
    weights: object
    notes: tuple[str, ...] = ()


def pool(
    outcome: str | int | None = None,
    *,
    method: str | None = None,
    test: str = "z",
    pi: str = "auto",
    level: float | None = None,
    r: float | None = None,
    r_sweep: bool = False,
    add: float | None = None,
    to: str | None = None,
    drop00: bool | None = None,
    study_ci: str = "exact",
    glmm_model: str = "UM.FS",
    rm5: str | None = None,
    comparison: int | None = None,
    **selection: Unpack[Selection],
) -> PoolResult:
    """Pool one outcome of the study records (IVIG by default; ``agent`` in ``selection``), or
    the rows of a CSV table.

    ``selection`` (``studies_path``, ``csv``, ``measure``, ``timepoint``, ``design``) chooses
    the studies as described in :class:`ivigmeta.analyses.effect_data.Selection`: ``csv`` (a
    path) reads metafor-named columns (``measure`` required unless the table has ``yi`` and
    ``vi``/``sei``); otherwise ``outcome`` is required. ``r`` is the pre-post correlation
    assumed where a study prints neither the SD of change nor an exact paired p (default: the
    mean r of the entries that print all three SDs); ``r_sweep`` adds the pool for
    r = 0.0 ... 0.9. ``method``, ``test``, ``pi`` and ``level`` are passed to
    :func:`ivigmeta.stats.models.rma.rma` (the CI of tau² comes from
    :func:`ivigmeta.stats.models.confint.tau2_confint`); ``method="MH"`` (OR, RR, RD) and
    ``"PETO"`` (OR) pool the 2x2 tables of a CSV table or of a binary outcome of the records
    instead (z tests, no tau²). ``add``/``to``/``drop00`` are escalc's zero-cell options for
    the count measures of a CSV table or binary records (default: escalc's 1/2 to tables with
    a zero cell; ``drop00`` True under MH and PETO, as rma.mh/rma.peto, else False); MH and
    Peto pool the uncorrected tables.
    ``study_ci`` chooses the study intervals of single proportions (exact, wilson, wald).
    ``method="GLMM"`` (with ``csv`` and ``measure`` PLO, IRLN or OR, or a binary ``outcome`` of
    the records, OR; ``glmm_model`` for OR) fits metafor's ``rma.glmm`` instead and returns a
    :class:`ivigmeta.analyses.glmm_pool.GlmmPoolResult`. ``rm5`` (a RevMan ``.rm5`` file or
    RevMan's CSV export) pools outcome number ``outcome`` of comparison ``comparison`` with
    RevMan's measure, method and level unless ``method``/``measure``/``level`` are given
    (:func:`ivigmeta.analyses.revman_pool.pool_rm5`). ``method`` defaults to REML, ``level``
    to 95.
    """
    if rm5 is not None:
        from ivigmeta.analyses.revman_pool import pool_rm5

        return pool_rm5(rm5, comparison, outcome, method=method, level=level, test=test, pi=pi,
                        measure=selection.get("measure"))  # fmt: skip
    method = method or "REML"
    level = 95.0 if level is None else level
    if method.upper() == "GLMM":
        from ivigmeta.analyses.glmm_pool import pool_glmm, pool_glmm_records

        if selection.get("csv") is None and outcome is not None:
            return pool_glmm_records(outcome, model=glmm_model, level=level, r=r, **selection)
        return pool_glmm(selection.get("csv"), selection.get("measure"), model=glmm_model,
                         level=level, delimiter=selection.get("delimiter"),
                         decimal=selection.get("decimal") or ".")  # fmt: skip
    from ivigmeta.analyses.csv_effects import ZeroCells
    from ivigmeta.analyses.effect_data import check_correlation, effect_data_builder
    from ivigmeta.analyses.few_studies import with_small_k
    from ivigmeta.analyses.natural_scale import check_study_ci
    from ivigmeta.errors import InputError

    check_correlation(r)
    check_study_ci(study_ci)
    method = method.upper()
    tables = method in TABLE_METHODS
    zero_cells = ZeroCells(add=add, to=to or "only0", drop00=tables if drop00 is None else drop00,
                           keep_undefined=tables)  # fmt: skip
    if tables and selection.get("csv") is not None:
        _check_tables(method, (selection.get("measure") or "").upper(), True)
    build = effect_data_builder(outcome, zero_cells=zero_cells, **selection)
    if method == "PETO" and selection.get("measure") is None and selection.get("csv") is None:
        data = build(r)
        if "ai" in data.counts:  # a binary outcome of the records: Peto's is an odds ratio
            build = effect_data_builder(outcome, zero_cells=zero_cells,
                                        **{**selection, "measure": "OR"})  # fmt: skip
    if method == "PETO":
        build = _with_peto_effects(build, zero_cells)
    data = build(r)
    if (
        "ai" not in data.counts
        and "xi" not in data.counts
        and (add is not None or to is not None or drop00)
    ):
        raise InputError("--add/--to/--drop00 correct the counts of 2x2 tables or proportions "
                         "(a CSV table, or a binary outcome of the records)",
                         field="add")  # fmt: skip
    fitter = FITTERS.get(method, fit_rma)
    fitted = fitter(data, method=method, test=test, level=level, pi=pi)
    notes = (*data.notes, *fitted.notes)
    sweep = None
    if r_sweep:
        if not data.uses_r:
            notes = (*notes, "r sweep: no study depends on an assumed r, so every row is equal")
        sweep = tuple(
            SweepRow.from_mapping(
                fitter(build(value), method=method, test=test, level=level, pi=pi).fields,
                r=value,
            )
            for value in R_SWEEP
        )
    result = pool_result(data, fitted.fields, fitted.weights, pi=pi, notes=notes, sweep=sweep,
                         study_ci=study_ci)  # fmt: skip
    return with_small_k(result, data, method=method, level=level)


def fit_rma(data, *, method: str, test: str, level: float, pi: str) -> Fitted:
    """``rma`` with a tau² estimator (or EE) on the studies with an effect size (studies
    without one, double zeros under ``drop00``, are left out, as metafor omits NA yi)."""
    from ivigmeta.stats.models.rma import rma

    keep = np.isfinite(data.yi)
    notes = ()
    if not keep.all():
        names = ", ".join(i for i, k in zip(data.ids, keep, strict=True) if not k)
        notes = (f"left out of the pool (no effect size): {names}",)
    fit = rma(data.yi[keep], data.vi[keep], method=method, test=test, level=level, pi=pi)
    fields = {**fit.summary(), "se_tau2": fit.se_tau2, **tau2_ci_fields(fit)}
    weights = np.zeros(data.k)
    weights[keep] = fit.weights
    return Fitted(fields, np.where(keep, weights, np.nan), (*notes, *fit.notes))


def fit_tables(data, *, method: str, test: str, level: float, pi: str) -> Fitted:
    """Mantel-Haenszel (OR, RR, RD) or Peto (OR) on the uncorrected 2x2 tables of ``data``;
    the studies' own effect sizes give Cochran's Q (metafor ``rma.mh``/``rma.peto``)."""
    from ivigmeta.errors import AnalysisError, InputError
    from ivigmeta.stats.models.mantel_haenszel import mantel_haenszel
    from ivigmeta.stats.models.peto import peto

    _check_tables(method, data.measure, "ai" in data.counts)
    name = "Mantel-Haenszel" if method == "MH" else "Peto's method"
    if test != "z":
        raise InputError(f"{name} uses z tests; got --test {test}", field="test")
    if method == "MH":
        fit = mantel_haenszel(**data.counts, yi=data.yi, vi=data.vi, measure=data.measure,
                              level=level)  # fmt: skip
    else:
        fit = peto(**data.counts, yi=data.yi, vi=data.vi, level=level)
    if not math.isfinite(fit.estimate):
        why = {
            "OR": "every table has no events in group 1 or no non-events in group 2 "
            "(a d = 0), or the reverse (b c = 0)",
            "RR": "no table has an event in group 1, or none in group 2",
        }.get(fit.measure, "the tables carry no information")
        raise AnalysisError(
            f"the Mantel-Haenszel {fit.measure} is not estimable (metafor: NA): {why}; "
            "try --measure RD"
        )
    what = "Mantel-Haenszel" if method == "MH" else "Peto"
    notes = (
        f"{what} pooling of the {fit.k} tables as given (no continuity correction); the "
        f"studies' own effect sizes enter Cochran's Q only (k = {fit.k_yi})",
    )
    return Fitted(fit.summary(), fit.weights, notes)


def _with_peto_effects(build, zero_cells):
    """The builder with each study's Peto log odds ratio (O - E)/V and variance 1/V as its
    effect size (escalc ``PETO``, as rma.peto shows them), on the tables corrected as
    ``zero_cells`` says."""
    from dataclasses import replace

    from ivigmeta.effects.escalc import escalc

    def peto_build(r):
        data = build(r)
        if data.measure == "PETO" or "ai" not in data.counts:
            return data
        effects = escalc("PETO", **data.counts, add=zero_cells.add, to=zero_cells.to,
                         drop00=zero_cells.drop00)  # fmt: skip
        return replace(data, yi=effects.yi, vi=effects.vi)

    return peto_build


def _check_tables(method: str, measure: str, tables: bool) -> None:
    """InputError unless the data are 2x2 ``tables`` and ``measure`` is one ``method`` pools."""
    from ivigmeta.errors import InputError
    from ivigmeta.stats.models.mantel_haenszel import MH_MEASURES

    allowed = MH_MEASURES if method == "MH" else ("OR", "PETO")
    if measure not in allowed or not tables:
        name = "Mantel-Haenszel" if method == "MH" else "Peto's method"
        raise InputError(
            f"{name} pools 2x2 tables (a CSV table with ai bi ci di or ai n1i ci n2i, or a "
            f"binary outcome of the records) with --measure {' or '.join(allowed)}; got "
            f"{measure or 'no --measure'}",
            field="method",
        )


TABLE_METHODS = ("MH", "PETO")
#: method -> fitting function; methods not listed are tau² estimators of ``rma`` (fit_rma).
FITTERS: dict[str, Callable[..., Fitted]] = {"MH": fit_tables, "PETO": fit_tables}


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


def pool_result(
    data, fields: dict, weights, *, pi: str, notes, sweep=None, study_ci: str = "exact"
) -> PoolResult:
    """The :class:`PoolResult` of ``data`` (an :class:`~ivigmeta.analyses.effect_data.EffectData`)
    from the pooled ``fields`` (keys as :meth:`ivigmeta.stats.models.rma.RmaFit.summary`, plus
    :func:`tau2_ci_fields` and ``se_tau2``; those missing are None) and the study ``weights``
    in percent, with the natural-scale fields added."""
    from ivigmeta.analyses.natural_scale import study_effects, transformed_fields
    from ivigmeta.effects.transforms import PROPORTION_MEASURES

    effects = study_effects(data.measure, data.yi, data.vi, fields["level"], data.counts,
                            study_ci)  # fmt: skip
    studies = tuple(
        StudyEffect(i, float(y), float(v), float(w), t, float(e), float(lo), float(hi))
        for i, y, v, w, t, e, lo, hi in zip(
            data.ids, data.yi, data.vi, weights, data.timepoints, *effects, strict=True
        )
    )
    ni = data.counts.get("ni")
    transformed = transformed_fields(data.measure, fields, ni)
    proportion = data.measure in PROPORTION_MEASURES and bool(data.counts)
    if proportion:
        names = {"exact": "Clopper-Pearson (exact)", "wilson": "Wilson score", "wald": "Wald"}
        notes = (*notes, f"study intervals: {names[study_ci]}, from the counts (--study-ci)")
    from ivigmeta.analyses.cautions import study_count_cautions

    return PoolResult.from_mapping({**NO_POOL_ONLY_FIELDS, **fields}, outcome=data.outcome,
                                   measure=data.measure, pi=pi, studies=studies,
                                   notes=tuple(notes), sweep=sweep, transformed=transformed,
                                   study_ci=study_ci if proportion else None,
                                   cautions=tuple(study_count_cautions(data.k)))  # fmt: skip
