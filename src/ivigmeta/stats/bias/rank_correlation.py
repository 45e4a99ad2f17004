"""Begg and Mazumdar's rank correlation test for funnel-plot asymmetry (metafor ``ranktest``).

Each effect is standardised against the fixed-effect (inverse-variance) mean,
``y*_i = (y_i - theta) / sqrt(v_i - 1/sum(w))`` with ``w_i = 1/v_i``, and Kendall's tau-b
between ``y*`` and ``v`` is tested against zero, exactly as R's
``cor.test(y*, v, method = "kendall", exact = TRUE)``, which metafor calls:

- without ties, the exact permutation distribution of the number of concordant pairs
  (Mahonian numbers), p = min(1, 2 * one tail), R's ``pkendall``;
- with ties (R then warns "Cannot compute exact p-value with ties"), the normal approximation
  with the tie-corrected variance of Kendall's S, no continuity correction.

If every standardised effect (or every variance) is the same, tau and p are undefined (NaN;
R: NA). For k > 170 studies R's exact p is NaN (k! overflows a double); metafor 5.0-1 then
reruns ``cor.test(exact = FALSE)`` ("ranktest() now also provides a p-value when the number
of estimates is large", NEWS 5.0-1; 3.8-1 reported NA), and so the normal approximation is
used here too (``exact`` False).

Reference: Begg CB, Mazumdar M. Operating characteristics of a rank correlation test for
publication bias. Biometrics 1994;50:1088-1101.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.numerics.distributions import two_sided_z_p

MIN_STUDIES = 3
EXACT_MAX_STUDIES = 170  # R's pkendall divides by k!, which overflows beyond 170


@dataclass(frozen=True)
class RankCorrelationResult(Result):
    """Kendall's tau between standardised effects and variances, and its two-sided p-value.

    ``exact`` tells whether p comes from the exact null distribution (no ties) or from the
    normal approximation (ties present).
    """

    k: int
    tau: float
    p: float
    exact: bool


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b: sum sign(dx)sign(dy) / sqrt(sum sign(dx)^2 * sum sign(dy)^2)."""
    concordance = untied_x = untied_y = 0.0
    for i in range(len(x) - 1):  # one row of pairs at a time: memory O(k), not O(k²)
        sx = np.sign(x[i] - x[i + 1 :])
        sy = np.sign(y[i] - y[i + 1 :])
        concordance += float(sx @ sy)
        untied_x += float(sx @ sx)
        untied_y += float(sy @ sy)
    if untied_x == 0 or untied_y == 0:  # one variable constant: tau undefined (R: NA)
        return math.nan
    return concordance / math.sqrt(untied_x * untied_y)


def kendall_exact_cdf(q: int, n: int) -> float:
    """P(T <= q) for T the number of concordant pairs among n untied pairs (R's pkendall).

    T has the distribution of the number of inversions of a random permutation of n items,
    built one item at a time: adding the j-th item adds 0..j-1 inversions with equal chance.
    """
    top = n * (n - 1) // 2
    if q < 0:
        return 0.0
    if q >= top:
        return 1.0
    probs = np.zeros(top + 1)
    probs[0] = 1.0
    for j in range(2, n + 1):
        cumulative = np.concatenate(([0.0], np.cumsum(probs)))
        upper = np.arange(top + 1) + 1
        lower = np.maximum(upper - j, 0)
        probs = (cumulative[upper] - cumulative[lower]) / j
    return float(min(1.0, probs[: q + 1].sum()))


def _tie_sizes(values: np.ndarray) -> np.ndarray:
    _, counts = np.unique(values, return_counts=True)
    return counts[counts > 1].astype(float)


def _normal_approximation_p(tau: float, x: np.ndarray, y: np.ndarray) -> float:
    """R's cor.test(method = "kendall") with ties: z = S / sqrt(var S), two-sided normal p."""
    n = float(len(x))
    xt, yt = _tie_sizes(x), _tie_sizes(y)
    t0 = n * (n - 1) / 2
    t1 = (xt * (xt - 1)).sum() / 2
    t2 = (yt * (yt - 1)).sum() / 2
    s = tau * np.sqrt((t0 - t1) * (t0 - t2))
    v0 = n * (n - 1) * (2 * n + 5)
    vt = (xt * (xt - 1) * (2 * xt + 5)).sum()
    vu = (yt * (yt - 1) * (2 * yt + 5)).sum()
    v1 = (xt * (xt - 1)).sum() * (yt * (yt - 1)).sum()
    v2 = (xt * (xt - 1) * (xt - 2)).sum() * (yt * (yt - 1) * (yt - 2)).sum()
    var_s = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2))
    return float(two_sided_z_p(s / np.sqrt(var_s)))


def rank_correlation_test(yi, vi) -> RankCorrelationResult:
    """Begg's rank correlation test (metafor ``ranktest(yi, vi)``); needs k >= 3 studies."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = len(yi)
    if k < MIN_STUDIES:
        raise AnalysisError(
            f"the rank correlation test needs at least {MIN_STUDIES} studies; got k = {k}"
        )
    wi = 1.0 / vi
    theta = float((wi * yi).sum() / wi.sum())
    standardised = (yi - theta) / np.sqrt(vi - 1.0 / wi.sum())
    tau = kendall_tau_b(standardised, vi)
    if math.isnan(tau):
        return RankCorrelationResult(k=k, tau=tau, p=math.nan, exact=False)
    ties = min(len(np.unique(standardised)), len(np.unique(vi))) < k
    if ties or k > EXACT_MAX_STUDIES:
        return RankCorrelationResult(
            k=k, tau=tau, p=_normal_approximation_p(tau, standardised, vi), exact=False
        )
    q = round((tau + 1) * k * (k - 1) / 4)
    upper = q > k * (k - 1) / 4
    one_tail = 1.0 - kendall_exact_cdf(q - 1, k) if upper else kendall_exact_cdf(q, k)
    return RankCorrelationResult(k=k, tau=tau, p=min(1.0, 2.0 * one_tail), exact=True)
