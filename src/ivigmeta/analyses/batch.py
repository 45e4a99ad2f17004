"""``ivigmeta batch``: run every analysis of a plan (:mod:`ivigmeta.analyses.plan`).

Each analysis is what :func:`ivigmeta.pool` would compute for the same options, and its row
holds the same fields. The effect sizes of each distinct data selection (outcome, table,
measure, timepoint, design, addon, r) are computed once, by
:func:`ivigmeta.analyses.effect_data.load_effect_data`; the analyses are then grouped by
(method, test, level, pi) and pooled together with
:func:`ivigmeta.stats.models.pool_many.pool_many`.
Analyses pool_many does not cover go through :func:`ivigmeta.stats.models.rma.rma` one by one: one
study (metafor switches to z), Knapp-Hartung under EE (metafor adds a note), a sampling
variance of 0, and fits that do not converge (to report rma's message). An analysis that fails
becomes a row with ``error`` set; the others still run.

Every row carries the SE of tau² and its Q-profile CI (``tau2_ci_low`` ... ``h2_ci_high`` and
the two ``_sign`` fields of :class:`~ivigmeta.analyses.pool.PoolResult`), as ``ivigmeta pool``
does: vectorised by ``pool_many(tau2_ci=True)`` (:mod:`ivigmeta.stats.models.tau2_many`), one
by one through ``tau2_confint`` for the rest; None where metafor has none (EE, k = 1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ivigmeta.analyses.effect_data import EffectData
from ivigmeta.analyses.plan import PlannedAnalysis, read_plan
from ivigmeta.analyses.pool import PoolResult, pool_result
from ivigmeta.errors import AnalysisError, InputError, IvigmetaError
from ivigmeta.results import Result, plain

DATA_KEYS = ("outcome", "csv", "studies", "measure", "timepoint", "design", "addon", "r")
MANY_FIELDS = ("estimate", "se", "ci_low", "ci_high", "statistic", "p", "tau2", "tau", "i2")
MANY_FIELDS += ("h2", "q", "q_p", "pi_low", "pi_high")
FIT_DEFAULTS = {"method": "REML", "test": "z", "level": 95.0, "pi": "auto"}


@dataclass(frozen=True)
class BatchRow(Result):
    """One analysis: its number, plan line and options, and its result or error message."""

    analysis: int
    line: int
    plan: dict[str, Any]
    error: str | None
    result: PoolResult | None

    def record(self) -> dict[str, Any]:
        """The output row: ``analysis line plan error`` followed by the ``pool`` fields."""
        row = {"analysis": self.analysis, "line": self.line, "plan": plain(self.plan)}
        row["error"] = self.error
        if self.result is not None:
            row.update(self.result.to_dict())
        return row


@dataclass(frozen=True)
class BatchResult(Result):
    """All rows, in plan order; ``failed`` counts the rows with an error."""

    plan: str
    rows: tuple[BatchRow, ...]

    @property
    def failed(self) -> int:
        return sum(row.error is not None for row in self.rows)


def batch(
    plan: str | Path,
    *,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> BatchResult:
    """Run the analyses of the plan file ``plan``.

    ``jobs`` > 1 computes the effect sizes of distinct data selections in that many processes.
    ``progress(stage, done, total)`` reports the two stages: ``"effect sizes"`` (data
    selections done) and ``"pooling"`` (analyses done).
    """
    if jobs < 1:
        raise InputError(f"expected at least 1 job, got {jobs}", field="jobs")
    planned = read_plan(plan)
    report = progress or (lambda stage, done, total: None)
    selections: dict[tuple, list[PlannedAnalysis]] = defaultdict(list)
    for analysis in planned:
        selections[_data_key(analysis.options)].append(analysis)
    prepared = []
    report("effect sizes", 0, len(selections))
    for data in _prepare_all(list(selections), jobs):
        prepared.append(data)
        report("effect sizes", len(prepared), len(selections))

    rows: dict[int, BatchRow] = {}
    groups: dict[tuple, list[tuple[PlannedAnalysis, EffectData]]] = defaultdict(list)
    for key, data in zip(selections, prepared, strict=True):
        for analysis in selections[key]:
            if isinstance(data, str):
                rows[analysis.number] = _error_row(analysis, data)
            else:
                groups[_fit_key(analysis.options)].append((analysis, data))
    report("pooling", len(rows), len(planned))
    for fit_key, members in groups.items():
        for analysis, result in _pool_group(fit_key, members):
            rows[analysis.number] = (
                _error_row(analysis, result)
                if isinstance(result, str)
                else BatchRow(analysis.number, analysis.line, analysis.options, None, result)
            )
        report("pooling", len(rows), len(planned))
    return BatchResult(str(plan), tuple(rows[a.number] for a in planned))


def _data_key(options: dict[str, Any]) -> tuple:
    return tuple(options.get(key) for key in DATA_KEYS)


def _fit_key(options: dict[str, Any]) -> tuple:
    return tuple(options.get(key, default) for key, default in FIT_DEFAULTS.items())


def _error_row(analysis: PlannedAnalysis, message: str) -> BatchRow:
    return BatchRow(analysis.number, analysis.line, analysis.options, message, None)


# --------------------------------------------------------------------------- effect sizes


def _prepare_all(keys: list[tuple], jobs: int) -> Iterator[EffectData | str]:
    """Effect sizes of every selection, in order, yielded as they are ready."""
    if jobs == 1 or len(keys) < 2:
        yield from map(_prepare, keys)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(keys))) as pool:
        yield from pool.map(_prepare, keys)


def _prepare(key: tuple) -> EffectData | str:
    """The effect sizes of one data selection, or the message saying why there are none."""
    from ivigmeta.analyses.effect_data import load_effect_data

    outcome, csv, studies, measure, timepoint, design, addon, r = key
    try:
        return load_effect_data(outcome, studies_path=studies, csv=csv, measure=measure,
                                timepoint=timepoint, design=design, addon=addon, r=r)  # fmt: skip
    except IvigmetaError as error:
        return str(error)
    except Exception as error:  # a bug; the other analyses still run
        return f"unexpected error: {type(error).__name__}: {error}"


# --------------------------------------------------------------------------- pooling


def _pool_group(fit_key: tuple, members: list[tuple[PlannedAnalysis, EffectData]]):
    """(analysis, PoolResult or error message) for analyses sharing method/test/level/pi."""
    from ivigmeta.stats.models.pool_many import pool_many

    method, test, level, pi = fit_key
    vectorised = [
        index
        for index, (_, data) in enumerate(members)
        if data.yi.size > 1
        and np.all(data.vi > 0)
        and np.all(np.isfinite(data.yi) & np.isfinite(data.vi))
        and not (method == "EE" and test in ("knha", "adhoc"))
    ]
    results: dict[int, PoolResult | str] = {}
    if vectorised:
        many = pool_many(
            [(members[i][1].yi, members[i][1].vi) for i in vectorised],
            method=method,
            test=test,
            level=level,
            pi=pi,
            tau2_ci=True,
        )
        for position, index in enumerate(vectorised):
            if many.converged[position]:
                results[index] = _from_many(members[index][1], many, position)
    for index, (_, data) in enumerate(members):
        if index not in results:
            results[index] = _one_by_one(data, fit_key)
    return [(members[i][0], results[i]) for i in range(len(members))]


def _one_by_one(data: EffectData, fit_key: tuple) -> PoolResult | str:
    from ivigmeta.analyses.pool import tau2_ci_fields
    from ivigmeta.stats.models.rma import rma

    method, test, level, pi = fit_key
    try:
        fit = rma(data.yi, data.vi, method=method, test=test, level=level, pi=pi)
    except (AnalysisError, InputError) as error:
        return str(error)
    fields = {**fit.summary(), "se_tau2": fit.se_tau2, **tau2_ci_fields(fit)}
    return pool_result(data, fields, fit.weights, pi=pi, notes=(*data.notes, *fit.notes))


def _from_many(data: EffectData, many, i: int) -> PoolResult:
    k = int(many.k[i])
    equal_effects = many.method == "EE"
    if equal_effects or many.pi == "z" or (many.pi == "auto" and many.test == "z"):
        pi_df = None
    else:
        pi_df = k - 2 if many.pi == "hts" else k - 1
    values = {name: float(getattr(many, name)[i]) for name in MANY_FIELDS}
    values.update(
        method=many.method,
        test=many.test,
        level=many.level,
        k=k,
        df=None if many.test == "z" else k - 1,
        q_df=int(many.q_df[i]),
        pi_df=pi_df,
    )
    if equal_effects:
        values.update(pi_low=None, pi_high=None)
    values.update(_tau2_ci_values(many, i))
    return pool_result(data, values, many.weights[i, :k], pi=many.pi, notes=data.notes)


def _tau2_ci_values(many, i: int) -> dict:
    """se_tau2 and the Q-profile fields of analysis ``i``; None where metafor has none."""
    from ivigmeta.analyses.pool import POOL_ONLY_FIELDS

    values = {}
    for name in POOL_ONLY_FIELDS:
        value = getattr(many, name)[i]
        if name.endswith("_sign"):
            values[name] = None if np.isnan(many.tau2_ci_low[i]) else str(value)
        else:
            values[name] = None if np.isnan(value) else float(value)
    return values
