"""Duval and Tweedie's trim-and-fill method (metafor ``trimfill``, estimators L0 and R0).

On the side where studies look missing, the k effects are sorted and the most extreme ones
trimmed until the number missing, k0, is stable: with beta the pooled estimate of the k - k0
least extreme studies and r_i the rank of |y_i - beta| (ties: first come, first ranked),
signed by y_i - beta,

- L0 = (4 S_r - k(k + 1)) / (2k - 1), S_r the sum of the positive signed ranks;
- R0 = k - r* - 1, r* the largest rank among negative deviations (the rightmost run length);

k0 = max(0, round(estimate)) (R's round: half to even). The k0 trimmed studies are then
mirrored about beta (y -> 2 beta - y, same variance) and the model refitted to all k + k0.

The side is chosen as metafor does when not given: the sign of the slope of the regression of
y_i on sqrt(v_i) (``rma(yi, vi, mods = sqrt(vi), method)``): a negative slope puts the missing
studies on the right, otherwise on the left. As in metafor, the model for the filled data uses
the estimator of the original fit with a z test (the original fit, with its test, is kept when
k0 = 0).

Reference: Duval S, Tweedie R. Trim and fill: a simple funnel-plot-based method of testing and
adjusting for publication bias in meta-analysis. Biometrics 2000;56:455-463.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.rma import rma

ESTIMATORS = ("L0", "R0")
SIDES = ("left", "right")
MIN_STUDIES = 3


@dataclass(frozen=True)
class TrimAndFillResult(Result):
    """Number of filled studies ``k0`` on ``side`` and the pooled estimate with them added.

    ``filled_yi``/``filled_vi`` are the imputed studies (original scale).
    """

    estimator: str
    side: str
    k0: int
    k: int
    method: str
    test: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    tau2: float
    filled_yi: tuple[float, ...]
    filled_vi: tuple[float, ...]


def _ranks_first(values: np.ndarray) -> np.ndarray:
    """Ranks 1..k, ties broken by position (R's ``rank(ties.method = "first")``)."""
    ranks = np.empty(values.size, dtype=float)
    ranks[np.argsort(values, kind="stable")] = np.arange(1, values.size + 1)
    return ranks


def _missing_count(deviations: np.ndarray, estimator: str) -> float:
    k = deviations.size
    signed = np.sign(deviations) * _ranks_first(np.abs(deviations))
    if estimator == "R0":
        negative = -signed[signed < 0]
        if negative.size == 0:
            raise AnalysisError("trim-and-fill R0 is undefined: no study lies below the estimate")
        return k - float(negative.max()) - 1
    positive_sum = float(signed[signed > 0].sum())
    return (4 * positive_sum - k * (k + 1)) / (2 * k - 1)


def missing_side(yi, vi, *, method: str = "REML") -> str:
    """metafor's default side: "right" if the slope of y on sqrt(v) is negative, else "left"."""
    if np.ptp(np.asarray(vi, dtype=float)) == 0:
        raise AnalysisError(
            "trim-and-fill cannot choose a side when all sampling variances are equal; give the "
            "side (left or right)"
        )
    fit = rma(yi, vi, mods=np.sqrt(np.asarray(vi, dtype=float)), method=method)
    return "right" if fit.beta[1] < 0 else "left"


def trim_and_fill(
    yi,
    vi,
    *,
    estimator: str = "L0",
    side: str | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    maxiter: int = 100,
) -> TrimAndFillResult:
    """Trim and fill an intercept-only model ``rma(yi, vi, method, test)``; needs k >= 3."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = yi.size
    if estimator not in ESTIMATORS:
        raise AnalysisError(f"trim-and-fill estimator must be L0 or R0; got {estimator!r}")
    if side is not None and side not in SIDES:
        raise AnalysisError(f"trim-and-fill side must be left or right; got {side!r}")
    if k < MIN_STUDIES:
        raise AnalysisError(f"trim-and-fill needs at least {MIN_STUDIES} studies; got k = {k}")
    if side is None:
        side = missing_side(yi, vi, method=method)
    flip = -1.0 if side == "right" else 1.0
    order = np.argsort(flip * yi, kind="stable")
    work_yi = flip * yi[order]
    work_vi = vi[order]

    k0, previous, iteration = 0, -1, 0
    beta = float("nan")
    while k0 != previous:
        previous = k0
        iteration += 1
        if iteration > maxiter:
            raise AnalysisError(f"trim-and-fill did not converge in {maxiter} iterations")
        beta = rma(work_yi[: k - k0], work_vi[: k - k0], method=method).estimate
        k0 = max(0, round(_missing_count(work_yi - beta, estimator)))

    if k0 > 0:
        filled_yi = flip * (2 * beta - work_yi[k - k0 :])
        filled_vi = work_vi[k - k0 :]
        fit = rma(np.concatenate([yi, filled_yi]), np.concatenate([vi, filled_vi]),
                  method=method, level=level)  # fmt: skip
    else:
        filled_yi = filled_vi = np.empty(0)
        fit = rma(yi, vi, method=method, test=test, level=level)
    return TrimAndFillResult.from_mapping(
        fit.summary(),
        estimator=estimator,
        side=side,
        k0=int(k0),
        filled_yi=tuple(float(y) for y in filled_yi),
        filled_vi=tuple(float(v) for v in filled_vi),
    )
