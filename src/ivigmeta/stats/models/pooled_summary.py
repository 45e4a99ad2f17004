"""One row of a sensitivity table: an intercept-only model refitted on a subset of studies.

Leave-one-out and cumulative meta-analysis both refit :func:`ivigmeta.stats.models.rma.rma` on
subsets and report the same fields per refit, as metafor's ``leave1out()`` and ``cumul()`` do.
A subset the model cannot be fitted to gives a row of missing values (metafor: ``NA``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.rma import rma


@dataclass(frozen=True)
class PooledSummary(Result):
    """Pooled estimate of one refit, labelled by ``id`` (the study left out, or added last)."""

    id: str
    k: int
    estimate: float
    se: float
    statistic: float
    df: int | None
    p: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_p: float


def pooled_summary(label: str, yi, vi, *, method: str, test: str, level: float) -> PooledSummary:
    """Fit ``rma(yi, vi, method, test, level)`` and keep the pooled summary under ``label``."""
    yi = np.asarray(yi, dtype=float)
    try:
        fit = rma(yi, vi, method=method, test=test, level=level)
    except AnalysisError:
        nan = math.nan
        return PooledSummary(label, yi.size, nan, nan, nan, None, nan, nan, nan, nan, nan, nan,
                             nan, nan)  # fmt: skip
    return PooledSummary.from_mapping(fit.summary(), id=label)
