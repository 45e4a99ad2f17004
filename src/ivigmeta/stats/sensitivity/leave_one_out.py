"""Leave-one-out meta-analysis (metafor ``leave1out``).

For each study i, the intercept-only model is refitted to the other k - 1 studies with the
same estimator, test and level; row i reports that refit.

Reference: Viechtbauer W, Cheung MW-L. Outlier and influence diagnostics for meta-analysis.
Res Synth Methods 2010;1:112-125.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.pooled_summary import PooledSummary, pooled_summary


@dataclass(frozen=True)
class LeaveOneOutResult(Result):
    """One :class:`PooledSummary` per omitted study, in the input order."""

    method: str
    test: str
    level: float
    rows: tuple[PooledSummary, ...]


def leave_one_out(
    yi,
    vi,
    ids: Sequence[str] | None = None,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> LeaveOneOutResult:
    """Refit without each study in turn; needs k >= 2 (metafor: stops for k = 1)."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = yi.size
    if k < 2:
        raise AnalysisError(f"leave-one-out needs at least 2 studies; got k = {k}")
    labels = [str(i) for i in (ids if ids is not None else range(1, k + 1))]
    rows = []
    for i in range(k):
        keep = np.arange(k) != i
        rows.append(
            pooled_summary(labels[i], yi[keep], vi[keep], method=method, test=test, level=level)
        )
    return LeaveOneOutResult(method=method, test=test, level=level, rows=tuple(rows))
