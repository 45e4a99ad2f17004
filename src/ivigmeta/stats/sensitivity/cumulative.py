"""Cumulative meta-analysis (metafor ``cumul``).

Studies are sorted by ``order`` (ascending, stable: ties keep the input order, like R's
``order()``), then the intercept-only model is refitted to the first 1, 2, ..., k studies;
row j is labelled by the j-th study, the one added last. A single study is "pooled" as itself
(tau² = 0, z test), as metafor does.

Reference: Lau J, Antman EM, Jimenez-Silva J, et al. Cumulative meta-analysis of therapeutic
trials for myocardial infarction. N Engl J Med 1992;327:248-254.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.pooled_summary import PooledSummary, pooled_summary


@dataclass(frozen=True)
class CumulativeResult(Result):
    """One :class:`PooledSummary` per step, in the order studies were added."""

    method: str
    test: str
    level: float
    rows: tuple[PooledSummary, ...]


def cumulative(
    yi,
    vi,
    ids: Sequence[str] | None = None,
    *,
    order: Sequence | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> CumulativeResult:
    """Add studies one at a time, sorted by ``order`` (e.g. years); None keeps the input order."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = yi.size
    if k < 1:
        raise AnalysisError("cumulative meta-analysis needs at least 1 study; got k = 0")
    labels = [str(i) for i in (ids if ids is not None else range(1, k + 1))]
    if order is None:
        sequence = list(range(k))
    else:
        if len(order) != k:
            raise AnalysisError(f"the order has {len(order)} values for k = {k} studies")
        if any(value is None for value in order):
            raise AnalysisError("the order has missing values")
        sequence = sorted(range(k), key=lambda i: order[i])
    rows = []
    for step in range(1, k + 1):
        chosen = np.array(sequence[:step])
        rows.append(
            pooled_summary(
                labels[chosen[-1]], yi[chosen], vi[chosen], method=method, test=test, level=level
            )
        )
    return CumulativeResult(method=method, test=test, level=level, rows=tuple(rows))
