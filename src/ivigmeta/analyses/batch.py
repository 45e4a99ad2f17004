"""``ivigmeta batch``: run every analysis of a plan (:mod:`ivigmeta.analyses.plan`).

Each analysis is what :func:`ivigmeta.pool` would compute for the same options, and its row
holds the same fields. The plan is taken :data:`CHUNK` analyses at a time and the rows are
yielded as each chunk is done (:func:`iter_batch`), so memory does not grow with the plan.
The effect sizes of each distinct data selection (outcome, table, measure, timepoint, design,
addon, r) are computed once, by :func:`ivigmeta.analyses.effect_data.effect_data_builder`
(one builder, i.e. one reading of the records, per selection without r); the analyses are then
grouped by (method, test, level, pi) and pooled together with
:func:`ivigmeta.stats.models.pool_many.pool_many`.
Analyses pool_many does not cover go through :func:`ivigmeta.stats.models.rma.rma` one by one: one
study (metafor switches to z), Knapp-Hartung under EE (metafor adds a note), a sampling
variance of 0, and fits that do not converge (to report rma's message). An analysis that fails
becomes a row with ``error`` set, numerical failures (overflow, singular matrices) included;
the others still run.

Every row carries the SE of tau² and its Q-profile CI (``tau2_ci_low`` ... ``h2_ci_high`` and
the two ``_sign`` fields of :class:`~ivigmeta.analyses.pool.PoolResult`), as ``ivigmeta pool``
does: vectorised by ``pool_many(tau2_ci=True)`` (:mod:`ivigmeta.stats.models.tau2_many`), one
by one through ``tau2_confint`` for the rest; None where metafor has none (EE, k = 1).
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ivigmeta.analyses.effect_data import EffectData
from ivigmeta.analyses.few_studies import with_small_k
from ivigmeta.analyses.plan import DATA_KEYS, Plan, PlannedAnalysis, read_plan
from ivigmeta.analyses.pool import PoolResult, pool_result
from ivigmeta.errors import AnalysisError, InputError, IvigmetaError
from ivigmeta.results import Result, plain

#: Analyses computed together (their rows are then written and forgotten): large enough that
#: the analyses sharing a fit are pooled in few ``pool_many`` calls (smaller chunks split
#: those groups: chunks of 900 made a 2,592-analysis plan 30% slower), small enough to bound
#: memory (~3 KB per row held).
CHUNK = 16_384
#: Data selections whose effect sizes are kept for later chunks.
CACHED_SELECTIONS = 256
#: Seconds of effect-size work done in this process before ``jobs`` > 1 starts processes.
PARALLEL_AFTER = 0.5
MANY_FIELDS = ("estimate", "se", "ci_low", "ci_high", "statistic", "p", "tau2", "tau", "i2")
MANY_FIELDS += ("h2", "q", "q_p", "pi_low", "pi_high")
#: Errors of floating-point arithmetic that become the analysis's error row.
NUMERICAL_FAILURES = (ArithmeticError, np.linalg.LinAlgError, ValueError)
OVERFLOW = "the effect sizes are too large for double precision"
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
    plan: str | Path | Plan,
    *,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> BatchResult:
    """Run the analyses of the plan file ``plan``; all rows at once (see :func:`iter_batch`).

    ``jobs`` > 1 lets the effect sizes of distinct data selections be computed in that many
    processes, when there is enough work to pay for starting them (see :func:`iter_batch`).
    ``progress(stage, done, total)`` reports the two stages: ``"effect sizes"`` (data
    selections done) and ``"pooling"`` (analyses done).
    """
    planned = plan if isinstance(plan, Plan) else read_plan(plan)
    rows = tuple(iter_batch(planned, jobs=jobs, progress=progress))
    return BatchResult(str(planned.path if isinstance(plan, Plan) else plan), rows)


def iter_batch(
    plan: str | Path | Plan,
    *,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Iterator[BatchRow]:
    """The rows of the plan, in plan order, as they are computed.

    The analyses are taken :data:`CHUNK` at a time, so memory does not grow with the plan:
    within a chunk the effect sizes of each new data selection are computed (kept for the
    next chunks, up to :data:`CACHED_SELECTIONS`), then the analyses are pooled by (method,
    test, level, pi) group. With ``jobs`` > 1 the effect sizes are computed in one process
    until :data:`PARALLEL_AFTER` seconds have passed; only the work left then goes to
    ``jobs`` processes, whose start-up (~0.3 s) a short plan would not repay.
    """
    if jobs < 1:
        raise InputError(f"expected at least 1 job, got {jobs}", field="jobs")
    planned = plan if isinstance(plan, Plan) else read_plan(plan)
    report = progress or (lambda stage, done, total: None)
    total, selections = len(planned), planned.data_selections()
    cache: OrderedDict[tuple, EffectData | str] = OrderedDict()
    prepared = pooled = 0
    report("effect sizes", 0, selections)
    analyses = iter(planned)
    while chunk := list(itertools.islice(analyses, CHUNK)):
        needed = list(dict.fromkeys(_data_key(a.options) for a in chunk))
        for key in needed:
            if key in cache:
                cache.move_to_end(key)
        missing = [key for key in needed if key not in cache]
        for key, data in zip(missing, _prepare_all(missing, jobs), strict=True):
            cache[key] = data
            prepared = min(prepared + 1, selections)
            report("effect sizes", prepared, selections)
        while len(cache) > max(CACHED_SELECTIONS, len(needed)):
            cache.popitem(last=False)
        rows: dict[int, BatchRow] = {}
        groups: dict[tuple, list[tuple[PlannedAnalysis, EffectData]]] = defaultdict(list)
        for analysis in chunk:
            data = cache[_data_key(analysis.options)]
            if isinstance(data, str):
                rows[analysis.number] = _error_row(analysis, data)
            else:
                groups[_fit_key(analysis.options)].append((analysis, data))
        report("pooling", pooled + len(rows), total)
        for fit_key, members in groups.items():
            for analysis, result in _pool_group(fit_key, members):
                rows[analysis.number] = (
                    _error_row(analysis, result)
                    if isinstance(result, str)
                    else BatchRow(analysis.number, analysis.line, analysis.options, None, result)
                )
            report("pooling", pooled + len(rows), total)
        pooled += len(chunk)
        yield from (rows[analysis.number] for analysis in chunk)


def refuse_input_as_output(plan: Plan, out_path: str | os.PathLike[str]) -> None:
    """InputError if ``out_path`` is a file the plan reads (the plan itself, a CSV table or
    a record file): writing the rows there would destroy an input."""
    out = Path(out_path)
    if not out.exists():
        return
    for item in plan.inputs:
        source = Path(item.path)
        if source.is_file() and os.path.samefile(source, out):
            where = f"{plan.path}:{item.line}: {item.field}" if item.field != "plan" else "plan"
            raise InputError(
                f"is an input of the plan ({where}); writing the rows there would destroy "
                "it: choose another file",
                file=os.fspath(out_path),
                field="--out",
            )


def _data_key(options: dict[str, Any]) -> tuple:
    return tuple(options.get(key) for key in DATA_KEYS)


def _fit_key(options: dict[str, Any]) -> tuple:
    return tuple(options.get(key, default) for key, default in FIT_DEFAULTS.items())


def _error_row(analysis: PlannedAnalysis, message: str) -> BatchRow:
    return BatchRow(analysis.number, analysis.line, analysis.options, message, None)


# --------------------------------------------------------------------------- effect sizes


def _prepare_all(keys: list[tuple], jobs: int) -> Iterator[EffectData | str]:
    """Effect sizes of every selection, in order, yielded as they are ready.

    Selections differing only in ``r`` share one study selection (one builder, called once
    per r). The work runs in this process for the first :data:`PARALLEL_AFTER` seconds; what
    is left then goes to ``jobs`` processes."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for key in keys:
        groups[key[:-1]].append(key)
    units = list(groups.values())
    results: dict[tuple, EffectData | str] = {}
    start = time.perf_counter()
    done = 0
    for unit in units:
        if jobs > 1 and time.perf_counter() - start > PARALLEL_AFTER and len(units) - done > 1:
            break
        results.update(zip(unit, _prepare_unit(unit), strict=True))
        done += 1
    rest = units[done:]
    if rest:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(rest))) as pool:
            for unit, prepared in zip(rest, pool.map(_prepare_unit, rest), strict=True):
                results.update(zip(unit, prepared, strict=True))
    return (results[key] for key in keys)


def _prepare_unit(keys: list[tuple]) -> list[EffectData | str]:
    """The effect sizes of selections sharing all but ``r``, or the message saying why there
    are none."""
    from ivigmeta.analyses.effect_data import check_correlation, effect_data_builder

    outcome, csv, studies, measure, timepoint, design, addon, agent, delimiter, decimal, _ = (
        keys[0])  # fmt: skip
    try:
        build = effect_data_builder(outcome, studies_path=studies, csv=csv, measure=measure,
                                    timepoint=timepoint, design=design, addon=addon,
                                    agent=agent, delimiter=delimiter,
                                    decimal=decimal)  # fmt: skip
    except IvigmetaError as error:
        return [str(error)] * len(keys)
    except Exception as error:  # a bug; the other analyses still run
        return [f"unexpected error: {type(error).__name__}: {error}"] * len(keys)
    prepared: list[EffectData | str] = []
    for key in keys:
        try:
            check_correlation(key[-1])
            with np.errstate(all="ignore"):
                prepared.append(build(key[-1]))
        except IvigmetaError as error:
            prepared.append(str(error))
        except Exception as error:  # a bug; the other analyses still run
            prepared.append(f"unexpected error: {type(error).__name__}: {error}")
    return prepared


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
        try:
            with np.errstate(all="ignore"):
                many = pool_many(
                    [(members[i][1].yi, members[i][1].vi) for i in vectorised],
                    method=method,
                    test=test,
                    level=level,
                    pi=pi,
                    tau2_ci=True,
                )
        except NUMERICAL_FAILURES:  # one analysis overflows: each goes through rma alone
            many = None
        for position, index in enumerate(vectorised if many is not None else ()):
            if many.converged[position] and _finite_fit(many, position):
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
        with np.errstate(all="ignore"):
            fit = rma(data.yi, data.vi, method=method, test=test, level=level, pi=pi)
            summary = {**fit.summary(), "se_tau2": fit.se_tau2, **tau2_ci_fields(fit)}
    except (AnalysisError, InputError) as error:
        return str(error)
    except NUMERICAL_FAILURES as error:
        return f"numerical failure ({type(error).__name__}): {OVERFLOW}"
    if not (math.isfinite(summary["estimate"]) and math.isfinite(summary["se"])):
        return f"numerical failure (the estimate or its SE is not finite): {OVERFLOW}"
    result = pool_result(data, summary, fit.weights, pi=pi, notes=(*data.notes, *fit.notes))
    return with_small_k(result, data, method=method, level=level, few=False)


def _finite_fit(many, i: int) -> bool:
    return bool(np.isfinite(many.estimate[i]) and np.isfinite(many.se[i]))


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
    result = pool_result(data, values, many.weights[i, :k], pi=many.pi, notes=data.notes)
    return with_small_k(result, data, method=many.method, level=many.level, few=False)


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
