"""Performance measures of a simulation study from the sums of its chunks.

For R successful replications (Morris, White & Crowther 2019, Stat Med 38:2074-2102):
coverage c = (1/R) sum 1[L_r <= mu <= U_r] with Monte Carlo SE sqrt(c (1 - c) / R); the
prediction-interval coverage likewise, of a new study's true effect theta_new; the rejection
rate (p < alpha: the type I error when mu = 0, the power otherwise) with its MCSE; mean CI
width; bias (1/R) sum (mu_hat - mu) and RMSE sqrt((1/R) sum (mu_hat - mu)²), and the same for
tau². Chunks are added in chunk order, so the result does not depend on where they ran.
"""

from __future__ import annotations

import math

import numpy as np

from ivigmeta.stats.simulation.chunks import SUM_FIELDS

METRIC_FIELDS = (
    "replications",
    "failed",
    "ci_coverage",
    "ci_coverage_mcse",
    "pi_coverage",
    "pi_coverage_mcse",
    "rejection_rate",
    "rejection_rate_mcse",
    "mean_ci_width",
    "bias",
    "rmse",
    "tau2_bias",
    "tau2_rmse",
)


def combine(chunks: list[np.ndarray]) -> np.ndarray:
    """Element-wise sum of the chunks' sums, added in the order given."""
    total = np.zeros_like(chunks[0])
    for chunk in chunks:
        total = total + chunk
    return total


def _rate(count: float, n: float) -> tuple[float | None, float | None]:
    if n <= 0:
        return None, None
    p = count / n
    return p, math.sqrt(p * (1.0 - p) / n)


def metrics(sums: np.ndarray) -> dict[str, float | int | None]:
    """The measures of one (method, test, pi) row from its summed fields."""
    s = dict(zip(SUM_FIELDS, (float(x) for x in sums), strict=True))
    n = s["fitted"]
    coverage, coverage_se = _rate(s["covered"], n)
    pi_coverage, pi_se = _rate(s["pi_covered"], s["pi_fitted"])
    rejection, rejection_se = _rate(s["rejected"], n)

    def mean(name: str) -> float | None:
        return s[name] / n if n > 0 else None

    def root_mean(name: str) -> float | None:
        return math.sqrt(s[name] / n) if n > 0 else None

    return {
        "replications": int(n + s["failed"]),
        "failed": int(s["failed"]),
        "ci_coverage": coverage,
        "ci_coverage_mcse": coverage_se,
        "pi_coverage": pi_coverage,
        "pi_coverage_mcse": pi_se,
        "rejection_rate": rejection,
        "rejection_rate_mcse": rejection_se,
        "mean_ci_width": mean("width"),
        "bias": mean("error"),
        "rmse": root_mean("error_sq"),
        "tau2_bias": mean("tau2_error"),
        "tau2_rmse": root_mean("tau2_error_sq"),
    }
