"""Back-calculation: which unreported number would make a printed p-value come out?

- :func:`implied_paired_spread` — a paired t test's p fixes |t| = |mean change|·sqrt(n)/sd_change,
  so it fixes the change SD, and with baseline and follow-up SDs the correlation
  r = (sd1² + sd2² - sd_change²) / (2·sd1·sd2).
- :func:`consistent_n2` — the control-arm sizes n2 for which a two-sample t test reproduces the
  printed p (papers comparing with historical controls often omit that n).

Both carry the rounding of every printed input and of the printed p (see
:mod:`ivigmeta.stats.rounding`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.records.numbers import ReportedP
from ivigmeta.results import Result
from ivigmeta.stats.distributions import t_ppf
from ivigmeta.stats.rounding import abs_interval, overlaps, reported_p_interval, value_interval
from ivigmeta.stats.t_tests import two_sample_t_test


@dataclass(frozen=True)
class ImpliedPairedSpread(Result):
    """Change SD (and correlation, when baseline and follow-up SDs are given) implied by a p.

    ``r_low``/``r_high`` are the raw implied bounds; a correlation outside [-1, 1] means no
    paired t test on these summaries can give the printed p (``feasible`` is then False).
    """

    reported_p: str
    n: int
    sd_change_low: float
    sd_change_high: float
    r_low: float | None
    r_high: float | None
    feasible: bool


@dataclass(frozen=True)
class ConsistentN2(Result):
    """Control-arm sizes n2 in [2, n2_max] whose p-interval overlaps the printed p.

    ``ranges`` lists runs [first, last] of consistent n2; ``p_min``/``p_max`` is the range of p
    over every n2 searched (and the rounding of the printed inputs).
    """

    test: str
    reported_p: str
    n2_max: int
    ranges: tuple[tuple[int, int], ...]
    p_min: float
    p_max: float


def _as_reported(p: ReportedP | str | float) -> ReportedP:
    if isinstance(p, ReportedP):
        return p
    try:
        return ReportedP.parse(p)
    except ValueError as error:
        raise InputError(str(error), field="p") from None


def _t_for_p(p: float, df: float) -> float:
    """|t| with two-sided p on df degrees of freedom (inf for p = 0)."""
    return math.inf if p <= 0.0 else float(t_ppf(1.0 - p / 2.0, df))


def implied_paired_spread(
    mean_change: float,
    n: int,
    p: ReportedP | str | float,
    sd_before: float | None = None,
    sd_after: float | None = None,
) -> ImpliedPairedSpread:
    """Change SD (and r) for which a paired t test on ``mean_change`` and ``n`` gives ``p``.

    sd_change = |mean_change|·sqrt(n) / t_{1-p/2, n-1} over the rounding intervals of
    mean_change and of p (exact: monotone). r is evaluated on a 9 × 9 grid of the SD box
    (including its corners) at each end of the sd_change interval; r is monotone in each SD
    unless sd_change² is close to |sd1² - sd2²|.
    """
    reported = _as_reported(p)
    if n is None or n < 2:
        raise InputError(f"expected an integer >= 2, got {n!r}", field="n")
    p_low, p_high = reported_p_interval(reported)
    t_low, t_high = _t_for_p(p_high, n - 1), _t_for_p(p_low, n - 1)
    diff_low, diff_high = abs_interval(*value_interval(mean_change))
    sd_low = diff_low * math.sqrt(n) / t_high
    sd_high = math.inf if t_low == 0 else diff_high * math.sqrt(n) / t_low
    if sd_before is None or sd_after is None:
        return ImpliedPairedSpread(reported.text, n, sd_low, sd_high, None, None, True)

    def grid(value: float) -> list[float]:
        low, high = value_interval(value)
        return [low + (high - low) * i / 8 for i in range(9)]

    boxes = list(itertools.product(grid(sd_before), grid(sd_after)))
    r_high = max((a * a + b * b - sd_low**2) / (2 * a * b) for a, b in boxes)
    r_low = min((a * a + b * b - sd_high**2) / (2 * a * b) for a, b in boxes)
    feasible = r_low <= 1.0 and r_high >= -1.0
    return ImpliedPairedSpread(reported.text, n, sd_low, sd_high, r_low, r_high, feasible)


def consistent_n2(
    mean1: float,
    sd1: float,
    n1: int,
    mean2: float,
    sd2: float,
    p: ReportedP | str | float,
    welch: bool = False,
    n2_max: int = 1000,
) -> ConsistentN2:
    """The control sizes n2 = 2..n2_max for which the t test's p-interval overlaps ``p``.

    Each n2 is tested with :func:`~ivigmeta.stats.t_tests.two_sample_t_test` (rounding-aware),
    so the answer is exact for Student and conservative (possibly wider) for Welch.
    """
    reported = _as_reported(p)
    if n2_max < 2:
        raise InputError(f"expected an integer >= 2, got {n2_max!r}", field="n2_max")
    p_low, p_high = reported_p_interval(reported)
    ranges: list[list[int]] = []
    p_min, p_max = math.inf, -math.inf
    test = "welch-t" if welch else "two-sample-t"
    for n2 in range(2, n2_max + 1):
        result = two_sample_t_test(mean1, sd1, n1, mean2, sd2, n2, welch=welch)
        p_min, p_max = min(p_min, result.p_min), max(p_max, result.p_max)
        if overlaps(result.p_min, result.p_max, p_low, p_high):
            if ranges and ranges[-1][1] == n2 - 1:
                ranges[-1][1] = n2
            else:
                ranges.append([n2, n2])
    return ConsistentN2(test, reported.text, n2_max, tuple((a, b) for a, b in ranges), p_min, p_max)
