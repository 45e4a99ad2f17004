"""Rosenthal's fail-safe N (metafor ``fsn(yi, vi)``, type "Rosenthal", Stouffer's method).

With z_i = y_i / sqrt(v_i) and k studies, the combined (Stouffer) statistic is
z = |sum z_i| / sqrt(k), with one-sided p = 1 - Phi(z). The fail-safe N is the number of
additional null studies (z = 0) that would bring the combined statistic down to the one-sided
critical value z_alpha:  N = max(0, k * (z / z_alpha)^2 - k), rounded up to a whole study
(metafor rounds instead when N is within sqrt(machine epsilon) of an integer).

Reference: Rosenthal R. The file drawer problem and tolerance for null results.
Psychological Bulletin 1979;86:638-641.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.numerics.distributions import norm_ppf, norm_sf

_NEAR_INTEGER = math.sqrt(np.finfo(float).eps)


@dataclass(frozen=True)
class FailSafeResult(Result):
    """Rosenthal's fail-safe N, the combined one-sided p-value and the alpha used."""

    k: int
    failsafe_n: int
    p: float
    alpha: float


def rosenthal_failsafe_n(yi, vi, *, alpha: float = 0.05) -> FailSafeResult:
    """Rosenthal's fail-safe N for one-sided level ``alpha`` (metafor default 0.05)."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = len(yi)
    if k < 1:
        raise AnalysisError("the fail-safe N needs at least 1 study; got k = 0")
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"alpha must lie strictly between 0 and 1; got {alpha}")
    z = abs(float((yi / np.sqrt(vi)).sum()) / math.sqrt(k))
    number = max(0.0, k * (z / float(norm_ppf(1.0 - alpha))) ** 2 - k)
    near_integer = abs(number - round(number)) < _NEAR_INTEGER
    whole = round(number) if near_integer else math.ceil(number)
    return FailSafeResult(k=k, failsafe_n=int(whole), p=float(norm_sf(z)), alpha=alpha)
