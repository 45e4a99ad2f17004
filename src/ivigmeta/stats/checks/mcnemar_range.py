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
"""

from __future__ import annotations

from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import counts_for_percent
from ivigmeta.stats.numerics.distributions import chi2_sf

METHODS = ("mcnemar-exact", "mcnemar", "mcnemar-corrected")


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
        from scipy.special import bdtr

        return None, min(1.0, 2.0 * float(bdtr(min(b, c), b + c, 0.5)))
    deviation = abs(b - c)
    if method == "mcnemar-corrected" and deviation > 0:
        deviation -= 1
    statistic = deviation**2 / (b + c)
    return statistic, float(chi2_sf(statistic, 1))


def _margin(count: int | None, percent: float | None, n: int, name: str) -> range:
    if count is not None:
        if not 0 <= count <= n:
            raise InputError(f"expected a count between 0 and {n}, got {count}", field=name)
        return range(count, count + 1)
    if percent is None:
        raise InputError("expected a count or a percent", field=name)
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
    if n is None or int(n) != n or n < 1:
        raise InputError(f"expected a positive integer, got {n!r}", field="n")
    counts_before = _margin(before, percent_before, n, "before")
    counts_after = _margin(after, percent_after, n, "after")
    best = worst = None
    tables = 0
    for k1 in counts_before:
        for k2 in counts_after:
            for a in range(max(0, k1 + k2 - n), min(k1, k2) + 1):
                p = mcnemar_p(k1 - a, k2 - a, method)[1]
                table = (a, k1 - a, k2 - a, n - k1 - k2 + a)
                tables += 1
                if best is None or p < best[0]:
                    best = (p, table)
                if worst is None or p > worst[0]:
                    worst = (p, table)

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
