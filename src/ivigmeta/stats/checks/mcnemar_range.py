"""McNemar p-values for before/after proportions when the discordant pairs are not reported.

A paper that prints "74% before vs 20% after, n = 46, p < 0.0001" gives the margins of the
paired 2×2 table but not its cells. With k1 patients positive before and k2 after, the table
is fixed by a = patients positive at both times, which can be anything in
[max(0, k1 + k2 - n), min(k1, k2)]; the discordant pairs are b = k1 - a (before only) and
c = k2 - a (after only). This module enumerates every such table (and every count that rounds
to the printed percentages) and reports the range of p:

- ``mcnemar-exact``: two-sided binomial test of b against Bin(b + c, 1/2),
  p = min(1, 2·P(X <= min(b, c))) (R ``binom.test``/``exact2x2``; McNemar 1947);
- ``mcnemar``: (b - c)² / (b + c) against chi-square(1) (R ``mcnemar.test(correct = FALSE)``);
- ``mcnemar-corrected``: (|b - c| - 1)² / (b + c) when b ≠ c (R ``mcnemar.test`` default).

``p`` and ``statistic`` are given at independence: a = round(k1·k2/n), the table expected if
before and after status were unrelated (a reference point, not an estimate).

Cost. With the margins fixed, b - c = k1 - k2 is fixed and b + c = k1 + k2 - 2a falls as a
grows; every variant's p rises with b + c at a fixed |b - c| (the statistic (|b - c| - corr)²
/ (b + c) falls; the exact tail 2·P(X <= (s - d)/2), X ~ Bin(s, 1/2), rises with s), so p
falls with a and each pair of margins has its largest p at the smallest a and its smallest p
at the largest a. :func:`paired_proportions_range` therefore evaluates two tables per pair of
margins (plus a bisection for the first table of the smallest p, so the tables reported are
the ones a full enumeration finds first) and refuses more than ``MAX_MARGIN_PAIRS`` = 10^5
pairs; :func:`paired_p_bounds` gives the range itself in O(1) for any n: the smallest p has
one discordant cell empty and the other |k1 - k2| as large as the margins allow, the largest
p is 1 when the before and after counts can be equal and otherwise at the closest margins
(k1 as large and k2 as small as allowed, or the reverse) with the smallest a. Both are checked
against a full enumeration in tests/test_numeric_safety.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import counts_for_percent
from ivigmeta.stats.numerics.limits import check_count, check_number

METHODS = ("mcnemar-exact", "mcnemar", "mcnemar-corrected")
MAX_MARGIN_PAIRS = 10**5


@dataclass(frozen=True)
class McNemarRange(Result):
    """Range of a McNemar p over every paired table with the given margins.

    ``table_p_min``/``table_p_max``/``table_independence`` are the cells (a, b, c, d): both
    positive, before only, after only, neither. ``estimate`` is the after - before proportion.
    """

    test: str
    statistic: float | None
    df: int | None
    p: float
    estimate: float
    ci_low: None
    ci_high: None
    p_min: float
    p_max: float
    n: int
    tables: int
    table_p_min: tuple[int, int, int, int]
    table_p_max: tuple[int, int, int, int]
    table_independence: tuple[int, int, int, int]


def mcnemar_p(b: int, c: int, method: str = "mcnemar-exact") -> tuple[float | None, float]:
    """(statistic, two-sided p) of McNemar's test on discordant counts b and c."""
    if method not in METHODS:
        raise InputError(f"expected one of {', '.join(METHODS)}, got {method!r}", field="method")
    if b + c == 0:
        return None, 1.0
    if method == "mcnemar-exact":
        if abs(b - c) <= 1:  # P(X <= (s - 1)/2) = 1/2 exactly for X ~ Bin(s odd, 1/2)
            return None, 1.0
        from scipy.special import bdtr

        return None, min(1.0, 2.0 * float(bdtr(min(b, c), b + c, 0.5)))
    deviation = abs(b - c)
    if method == "mcnemar-corrected" and deviation > 0:
        deviation -= 1
    statistic = deviation**2 / (b + c)
    # chi²(1) upper tail in closed form: P(chi²_1 > x) = erfc(sqrt(x / 2))
    return statistic, math.erfc(math.sqrt(statistic / 2))


def paired_p_bounds(
    n: int, counts_before: range, counts_after: range, method: str = "mcnemar-exact"
) -> tuple[float, float]:
    """(p_min, p_max) over every paired table with k1 in ``counts_before`` and k2 in
    ``counts_after`` (non-empty ranges of counts of n), in O(1) (module docstring, "Cost")."""
    low1, high1, low2, high2 = (
        counts_before[0],
        counts_before[-1],
        counts_after[0],
        counts_after[-1],
    )
    p_min = mcnemar_p(max(abs(high1 - low2), abs(high2 - low1)), 0, method)[1]
    if high1 < low2:
        k1, k2 = high1, low2
    elif high2 < low1:
        k1, k2 = low1, high2
    else:
        return p_min, 1.0
    a = max(0, k1 + k2 - n)
    return p_min, mcnemar_p(k1 - a, k2 - a, method)[1]


def _first_table_of_min(k1: int, k2: int, first: int, last: int, method: str):
    """The smallest a in [first, last] whose p equals p at a = last (p falls with a)."""
    target = mcnemar_p(k1 - last, k2 - last, method)[1]
    while first < last:
        middle = (first + last) // 2
        if mcnemar_p(k1 - middle, k2 - middle, method)[1] == target:
            last = middle
        else:
            first = middle + 1
    return target, first


def _margin(count: int | None, percent: float | None, n: int, name: str) -> range:
    if count is not None:
        check_count(count, name)
        if not 0 <= count <= n:
            raise InputError(f"expected a count between 0 and {n}, got {count}", field=name)
        return range(count, count + 1)
    if percent is None:
        raise InputError("expected a count or a percent", field=name)
    check_number(percent, f"percent_{name}")
    counts = counts_for_percent(percent, n)
    if not counts:
        raise InputError(f"no count of {n} patients rounds to {percent}%", field=name)
    return counts


def paired_proportions_range(
    n: int,
    before: int | None = None,
    after: int | None = None,
    percent_before: float | None = None,
    percent_after: float | None = None,
    method: str = "mcnemar-exact",
) -> McNemarRange:
    """Range of McNemar p over all paired 2×2 tables with these margins (see module doc)."""
    if n is None:
        raise InputError("expected a positive integer, got None", field="n")
    n = check_count(n, "n", minimum=1)
    counts_before = _margin(before, percent_before, n, "before")
    counts_after = _margin(after, percent_after, n, "after")
    pairs = len(counts_before) * len(counts_after)
    if pairs > MAX_MARGIN_PAIRS:
        raise AnalysisError(
            f"the printed percentages of n = {n:,} allow {pairs:,} pairs of before/after counts; "
            f"at most {MAX_MARGIN_PAIRS:,} are searched (give the counts --before/--after)"
        )
    best = worst = None
    tables = 0
    for k1 in counts_before:
        for k2 in counts_after:
            first, last = max(0, k1 + k2 - n), min(k1, k2)
            tables += last - first + 1
            p = mcnemar_p(k1 - first, k2 - first, method)[1]
            if worst is None or p > worst[0]:
                worst = (p, (first, k1 - first, k2 - first, n - k1 - k2 + first))
            p, a = _first_table_of_min(k1, k2, first, last, method)
            if best is None or p < best[0]:
                best = (p, (a, k1 - a, k2 - a, n - k1 - k2 + a))

    def nearest(counts: range, percent: float | None) -> int:
        if percent is None:
            return counts[0]
        return min(counts, key=lambda k: abs(100 * k / n - float(percent)))

    k1, k2 = nearest(counts_before, percent_before), nearest(counts_after, percent_after)
    a = min(max(round(k1 * k2 / n), k1 + k2 - n, 0), k1, k2)
    statistic, p = mcnemar_p(k1 - a, k2 - a, method)
    return McNemarRange(
        test=method,
        statistic=statistic,
        df=None if method == "mcnemar-exact" else 1,
        p=p,
        estimate=(k2 - k1) / n,
        ci_low=None,
        ci_high=None,
        p_min=best[0],
        p_max=worst[0],
        n=n,
        tables=tables,
        table_p_min=best[1],
        table_p_max=worst[1],
        table_independence=(a, k1 - a, k2 - a, n - k1 - k2 + a),
    )


def paired_proportions_ranges(**kwargs) -> list[McNemarRange]:
    """:func:`paired_proportions_range` for every McNemar variant."""
    return [paired_proportions_range(method=method, **kwargs) for method in METHODS]
