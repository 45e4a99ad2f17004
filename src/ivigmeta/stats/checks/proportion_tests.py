"""Two independent proportions x1/n1 vs x2/n2: z, chi-square (with and without Yates), Fisher.

- z: (p1 - p2) / sqrt(p̄(1 - p̄)(1/n1 + 1/n2)) with the pooled p̄ = (x1 + x2)/(n1 + n2);
  two-sided normal p. Its square is Pearson's chi-square on the 2×2 table (df 1), so the two
  share a p-value (R: ``prop.test(correct = FALSE)``).
- chi-square-yates: Pearson's chi-square with Yates's continuity correction,
  Σ (|O - E| - min(0.5, |O - E|))² / E, as R's ``chisq.test`` / ``prop.test`` default.
- fisher-exact: conditional exact test, two-sided by summing tables no more probable than the
  observed one (``scipy.stats.fisher_exact``, R ``fisher.test``).

The estimate is p1 - p2 with the Wald interval (p1 - p2) ± z·sqrt(p1q1/n1 + p2q2/n2).
Printed percentages of known n stand for every count that rounds to them
(:func:`ivigmeta.stats.checks.rounding.counts_for_percent`); ``p_min``/``p_max`` are then the
range of p over all such count pairs (exhaustive enumeration, refused beyond
``MAX_COUNT_PAIRS`` = 10^4 pairs: give the counts instead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import counts_for_percent
from ivigmeta.stats.numerics.distributions import chi2_sf, two_sided_z_p, z_crit
from ivigmeta.stats.numerics.limits import check_count, check_level, check_number

METHODS = ("z", "chi-square", "chi-square-yates", "fisher-exact")
MAX_COUNT_PAIRS = 10**4


@dataclass(frozen=True)
class ProportionTestResult(Result):
    """One test of two independent proportions (``estimate`` = p1 - p2)."""

    test: str
    statistic: float | None
    df: int | None
    p: float
    estimate: float
    ci_low: float
    ci_high: float
    level: float
    x1: int
    n1: int
    x2: int
    n2: int
    p_min: float
    p_max: float

    def confidence_interval(self) -> tuple[float, float]:
        """Wald interval for p1 - p2."""
        return self.ci_low, self.ci_high


def _pearson_chi2(x1: int, n1: int, x2: int, n2: int, yates: bool) -> float:
    observed = (x1, n1 - x1, x2, n2 - x2)
    total = n1 + n2
    successes = x1 + x2
    expected = (
        n1 * successes / total,
        n1 * (total - successes) / total,
        n2 * successes / total,
        n2 * (total - successes) / total,
    )
    if min(expected) == 0:
        return 0.0
    statistic = 0.0
    for o, e in zip(observed, expected, strict=True):
        deviation = abs(o - e)
        if yates:
            deviation -= min(0.5, deviation)
        statistic += deviation**2 / e
    return statistic


def _statistic_and_p(method: str, x1: int, n1: int, x2: int, n2: int):
    if method == "fisher-exact":
        from scipy.stats import fisher_exact

        return None, None, float(fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    chi2 = _pearson_chi2(x1, n1, x2, n2, yates=method == "chi-square-yates")
    if method == "z":
        z = math.copysign(math.sqrt(chi2), x1 / n1 - x2 / n2)
        return z, None, float(two_sided_z_p(z))
    return chi2, 1, float(chi2_sf(chi2, 1))


def _check(x: int | None, n: int, name: str) -> None:
    if n is None:
        raise InputError("expected a positive integer, got None", field=f"n{name}")
    check_count(n, f"n{name}", minimum=1)
    check_count(x, f"x{name}")
    if x is not None and not 0 <= x <= n:
        raise InputError(f"expected a count between 0 and {n}, got {x!r}", field=f"x{name}")


def two_proportions_test(
    n1: int,
    n2: int,
    x1: int | None = None,
    x2: int | None = None,
    percent1: float | None = None,
    percent2: float | None = None,
    method: str = "z",
    level: float = 95.0,
) -> ProportionTestResult:
    """Test x1/n1 against x2/n2 (counts, or printed percentages of n1 and n2).

    ``method`` is one of ``z``, ``chi-square``, ``chi-square-yates``, ``fisher-exact``.
    With percentages the reported table uses the counts nearest the printed percentages and
    ``p_min``/``p_max`` range over every count pair that rounds to them.
    """
    if method not in METHODS:
        raise InputError(f"expected one of {', '.join(METHODS)}, got {method!r}", field="method")
    _check(x1, n1, "1")
    _check(x2, n2, "2")
    level = check_level(level)
    counts1 = _counts(x1, percent1, n1, "1")
    counts2 = _counts(x2, percent2, n2, "2")
    if len(counts1) * len(counts2) > MAX_COUNT_PAIRS:
        raise AnalysisError(
            f"the printed percentages allow {len(counts1) * len(counts2):,} pairs of counts of "
            f"n1 = {n1:,} and n2 = {n2:,}; at most {MAX_COUNT_PAIRS:,} are searched "
            "(give the counts --x1/--x2)"
        )
    x1 = min(counts1, key=lambda k: abs(100 * k / n1 - float(percent1))) if x1 is None else x1
    x2 = min(counts2, key=lambda k: abs(100 * k / n2 - float(percent2))) if x2 is None else x2
    ps = [_statistic_and_p(method, a, n1, b, n2)[2] for a in counts1 for b in counts2]
    statistic, df, p = _statistic_and_p(method, x1, n1, x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    half = z_crit(level) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    estimate = p1 - p2
    return ProportionTestResult(
        method, statistic, df, p, estimate, estimate - half, estimate + half, level,
        x1, n1, x2, n2, min(ps), max(ps),
    )  # fmt: skip


def _counts(x: int | None, percent: float | None, n: int, name: str) -> range:
    if x is not None:
        return range(x, x + 1)
    if percent is None:
        raise InputError("expected a count or a percent", field=f"x{name}")
    check_number(percent, f"percent{name}")
    counts = counts_for_percent(percent, n)
    if not counts:
        raise InputError(f"no count of {n} rounds to {percent}%", field=f"percent{name}")
    return counts


def two_proportions_tests(**kwargs) -> list[ProportionTestResult]:
    """All four methods of :func:`two_proportions_test` on the same data."""
    return [two_proportions_test(method=method, **kwargs) for method in METHODS]
