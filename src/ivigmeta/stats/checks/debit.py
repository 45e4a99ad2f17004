"""DEBIT: can a printed mean and SD of a binary (0/1) variable come from n patients?

Heathers & Brown (2019), "DEBIT: a simple consistency test for binary data", OSF preprint
osf.io/5vb3u. With k ones among n values the mean is k/n and the sample SD is fixed by it:

    sd = sqrt(n / (n - 1) · p · (1 - p)),   p = k/n      (population SD: sqrt(p · (1 - p)))

so mean and SD are mutually consistent only if some integer k with k/n in the mean's rounding
interval gives an SD in the SD's rounding interval (each printed number stands for its closed
interval, ``0.35`` → [0.345, 0.355], as in :mod:`ivigmeta.stats.checks.rounding`; this
admits rounding up or down from 5, scrutiny's default ``"up_or_down"``). This is the exact test
(scrutiny ≥ 1.0 ``formula = "exact"``): every admissible k is tried. The population SD is not
the default (papers print the sample SD) but the note says when only it would fit.

Cost: the admissible k are at most n·10^-d + 1 for a mean with d decimals; more than
``DEBIT_MAX_COUNTS`` = 10^6 stops with an AnalysisError.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.checks.grim import grim_sums
from ivigmeta.stats.checks.rounding import CONSISTENT, INCONSISTENT, printed_value, value_interval
from ivigmeta.stats.numerics.limits import check_count

DEBIT_MAX_COUNTS = 10**6
_SLACK = 1e-12


@dataclass(frozen=True)
class DebitResult(Result):
    """DEBIT verdict for a binary variable's printed mean, SD and n.

    ``counts`` are the first and last k (ones) whose mean rounds to the printed one (empty when
    none); ``fitting`` the k whose sample SD also rounds to the printed SD; ``sd_low``/
    ``sd_high`` the sample SDs of the first and last admissible k.
    """

    check: str
    mean: str
    sd: str
    n: int
    verdict: str
    counts: tuple[int, ...]
    fitting: tuple[int, ...]
    sd_low: float | None
    sd_high: float | None
    note: str


def binary_sd(k: int, n: int, sample: bool = True) -> float:
    """SD of k ones and n - k zeros: sqrt(k(n - k) / (n(n - 1))) (sample) or sqrt(k(n-k))/n."""
    return math.sqrt(k * (n - k) / (n * (n - 1))) if sample else math.sqrt(k * (n - k)) / n


def _inside(value: float, low: float, high: float) -> bool:
    slack = _SLACK * max(1.0, abs(low), abs(high))
    return low - slack <= value <= high + slack


def debit(mean: float | str, sd: float | str, n: int) -> DebitResult:
    """DEBIT test of a binary variable's printed mean and SD with n patients (module doc)."""
    if n is None:
        raise InputError("expected an integer >= 2, got None", field="n")
    n = check_count(n, "n", minimum=2)
    mean = printed_value(mean, "mean")
    sd = printed_value(sd, "sd")
    if not 0.0 <= float(mean) <= 1.0:
        raise InputError(f"expected a proportion in [0, 1], got {mean}", field="mean")
    if float(sd) < 0.0:
        raise InputError(f"expected a non-negative SD, got {sd}", field="sd")
    sums = grim_sums(mean, n)
    sums = range(max(sums.start, 0), min(sums.stop, n + 1))
    if len(sums) > DEBIT_MAX_COUNTS:
        raise AnalysisError(
            f"DEBIT: the mean allows {len(sums):,} counts of n = {n:,}; at most "
            f"{DEBIT_MAX_COUNTS:,} are checked"
        )
    if not sums:
        below = math.floor(float(mean) * n)
        note = (
            f"no count of {n} gives mean {mean}: {below}/{n} = {below / n:.{mean.decimals + 2}f}, "
            f"{below + 1}/{n} = {(below + 1) / n:.{mean.decimals + 2}f}"
        )
        return DebitResult("debit", str(mean), str(sd), n, INCONSISTENT, (), (), None, None, note)
    low, high = value_interval(sd)
    fitting = [k for k in sums if _inside(binary_sd(k, n), low, high)]
    first, last = binary_sd(sums[0], n), binary_sd(sums[-1], n)
    shown = ", ".join(f"{k}/{n}: SD {binary_sd(k, n):.{sd.decimals + 2}f}" for k in sums[:4])
    if len(sums) > 4:
        shown += ", …"
    if fitting:
        note = (
            f"{len(fitting)} count(s) of ones fit: k = {fitting[0]}"
            + (f"–{fitting[-1]}" if len(fitting) > 1 else "")
            + f" of {n} (sample SD sqrt(n/(n-1)·p(1-p)) rounds to {sd})"
        )
        fits = (fitting[0], fitting[-1])
        return DebitResult("debit", str(mean), str(sd), n, CONSISTENT, (sums[0], sums[-1]), fits,
                           first, last, note)  # fmt: skip
    note = f"no count of ones whose mean rounds to {mean} has sample SD {sd} ({shown})"
    population = [k for k in sums if _inside(binary_sd(k, n, sample=False), low, high)]
    if population:
        note += "; the population SD sqrt(p(1-p)) would fit (an SD computed with n, not n - 1)"
    counts = (sums[0], sums[-1])
    return DebitResult("debit", str(mean), str(sd), n, INCONSISTENT, counts, (), first, last, note)
