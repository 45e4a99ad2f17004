"""``ivigmeta simulate``: a simulation study of meta-analysis methods, from a plan file.

Every scenario's replications come in chunks of :func:`chunk_size` (the last one shorter). Chunk c
of scenario s draws from ``SeedSequence(seed, spawn_key=(s, c))``, which is the generator
``SeedSequence(seed).spawn(scenarios)[s].spawn(chunks)[c]`` would give, so any chunk can be
computed anywhere and alone. Rows are the chunks' sums added in chunk order
(:mod:`ivigmeta.stats.simulation.metrics`): the output is the same, value for value, run whole,
split into shards (``shard=(i, n)`` keeps the scenarios s with s mod n = i - 1), in ``jobs``
processes, or on a Dask cluster. A chunk is the unit of work sent to a process or Dask task.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ivigmeta.analyses.simulation_plan import SimulationPlan, read_simulation_plan
from ivigmeta.errors import InputError
from ivigmeta.results import Result
from ivigmeta.stats.simulation.chunks import simulate_chunk
from ivigmeta.stats.simulation.metrics import METRIC_FIELDS, combine, metrics

CHUNK_VALUES = 200_000
"""Study values per chunk (k x replications) for large k; at most :data:`MAX_CHUNK` replications."""
MAX_CHUNK = 20_000


def chunk_size(k: int) -> int:
    """Replications per chunk for scenarios of k studies: set by the plan alone, so the seeds
    (and the results) do not depend on how a run is split; large enough that numpy's
    per-call overhead stays small, small enough that a chunk's arrays stay a few MB."""
    return max(100, min(MAX_CHUNK, CHUNK_VALUES // k))


SCENARIO_FIELDS = ("k", "tau2", "mu", "vi")
ROW_FIELDS = (*SCENARIO_FIELDS, "method", "test", "pi", *METRIC_FIELDS)
DASK_TIMEOUT = 10


@dataclass(frozen=True)
class SimulationResult(Result):
    """One row per scenario x method x test x PI rule (``ROW_FIELDS``), in plan order."""

    plan: str
    seed: int
    level: float
    shard: str | None
    rows: tuple[dict[str, Any], ...]


def chunk_seed(seed: int, scenario: int, chunk: int) -> np.random.SeedSequence:
    """The seed of one chunk: spawn key (scenario, chunk) under the plan seed."""
    return np.random.SeedSequence(seed, spawn_key=(scenario, chunk))


def _run_chunk(task: tuple) -> np.ndarray:
    plan, scenario_index, chunk_index, size = task
    seed = chunk_seed(plan.seed, scenario_index, chunk_index)
    return simulate_chunk(plan.scenarios[scenario_index], plan.fits, size, seed, plan.level)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"I/N"`` -> (I, N) with 1 <= I <= N; None for None."""
    if text is None:
        return None
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise InputError(f"expected I/N such as 1/4, got {text!r}", field="shard") from None
    if not 1 <= i <= n:
        raise InputError(f"expected I/N with 1 <= I <= N, got {text!r}", field="shard")
    return i, n


def simulate(
    plan_path: str | Path,
    *,
    shard: str | None = None,
    jobs: int = 1,
    dask: str | None = None,
    seed: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SimulationResult:
    """Run the plan (or one shard of it) and return its rows.

    ``jobs`` > 1 computes chunks in that many processes; ``dask`` is ``"local"`` (a
    ``LocalCluster``) or a scheduler address (``tcp://HOST:PORT``). ``seed`` overrides the plan's.
    """
    plan = read_simulation_plan(plan_path)
    if seed is not None:
        if seed < 0:
            raise InputError(f"expected a seed >= 0, got {seed}", field="seed")
        plan = SimulationPlan(plan.file, seed, plan.replications, plan.scenarios, plan.fits,
                              plan.level)  # fmt: skip
    if jobs < 1:
        raise InputError(f"expected at least 1 job, got {jobs}", field="jobs")
    part = parse_shard(shard)
    chosen = [s for s in range(len(plan.scenarios)) if part is None or s % part[1] == part[0] - 1]
    tasks, spans = [], []
    for s in chosen:
        size = chunk_size(plan.scenarios[s].k)
        chunks = math.ceil(plan.replications / size)
        spans.append((len(tasks), len(tasks) + chunks))
        tasks.extend((plan, s, c, min(size, plan.replications - c * size)) for c in range(chunks))
    report = progress or (lambda stage, done, total: None)
    sums = _execute(tasks, jobs, dask, lambda done: report("replications", done, len(tasks)))
    rows = []
    for (first, last), s in zip(spans, chosen, strict=True):
        scenario = plan.scenarios[s]
        total = combine(sums[first:last])
        for row, (method, test, pi) in enumerate(plan.fits):
            rows.append({
                "k": scenario.k, "tau2": scenario.tau2, "mu": scenario.mu,
                "vi": scenario.vi.describe(), "method": method, "test": test, "pi": pi,
                **metrics(total[row]),
            })  # fmt: skip
    label = None if part is None else f"{part[0]}/{part[1]}"
    return SimulationResult(plan.file, plan.seed, plan.level, label, tuple(rows))


def _execute(tasks: list, jobs: int, dask: str | None, done: Callable[[int], None]) -> list:
    """Every task's result, in task order, from the engine asked for."""
    if dask is not None:
        from ivigmeta.analyses.simulate_dask import run_on_dask

        return run_on_dask(_run_chunk, tasks, dask, done, timeout=DASK_TIMEOUT)
    results = []
    if jobs == 1 or len(tasks) == 1:
        for task in tasks:
            results.append(_run_chunk(task))
            done(len(results))
        return results
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(_run_chunk, tasks):
            results.append(result)
            done(len(results))
    return results
