"""Back-calculation: which unreported number would make a printed p-value come out?

- :func:`implied_paired_spread` — a paired t test's p fixes |t| = |mean change|·sqrt(n)/sd_change,
  so it fixes the change SD, and with baseline and follow-up SDs the correlation
  r = (sd1² + sd2² - sd_change²) / (2·sd1·sd2).
- :func:`consistent_n2` — the control-arm sizes n2 for which a two-sample t test reproduces the
  printed p (papers comparing with historical controls often omit that n);
  :func:`consistent_sizes` — the same when neither group size is printed.

Both carry the rounding of every printed input and of the printed p (see
:mod:`ivigmeta.stats.checks.rounding`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.printed import ReportedP
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import (
    abs_interval,
    parse_reported_p,
    reported_p_interval,
    value_interval,
)
from ivigmeta.stats.checks.t_tests import _check_n, _check_sd, two_sample_p_bounds
from ivigmeta.stats.numerics.distributions import t_ppf
from ivigmeta.stats.numerics.limits import check_count

MAX_N2 = 10**5
"""Largest n2 :func:`consistent_n2` searches (evaluated in blocks of ``_BLOCK`` sizes)."""
MAX_GRID = 10**7
"""Most (n1, n2) pairs :func:`consistent_sizes` searches."""
_BLOCK = 2 * 10**4


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
    return parse_reported_p(p)


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


def _overlap_mask(p_min, p_max, reported: ReportedP):
    p_low, p_high = reported_p_interval(reported)
    slack = 1e-9
    return (p_min <= p_high * (1 + slack)) & (p_low <= p_max * (1 + slack))


def _runs(values) -> tuple[tuple[int, int], ...]:
    runs: list[list[int]] = []
    for value in (int(v) for v in values):
        if runs and runs[-1][1] == value - 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return tuple((a, b) for a, b in runs)


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

    Each n2 gets the rounding-aware p-interval of
    :func:`~ivigmeta.stats.checks.t_tests.two_sample_p_bounds` (exact for Student, an enclosure for
    Welch).
    """
    reported = _as_reported(p)
    _check_n(n1, "n1")
    _check_sd(sd1, "sd1")
    _check_sd(sd2, "sd2")
    n2_max = check_count(n2_max, "n2_max", minimum=2, maximum=MAX_N2)
    fits, low, high = [], math.inf, -math.inf
    for start in range(2, n2_max + 1, _BLOCK):  # memory O(block), not O(n2_max)
        sizes = np.arange(start, min(start + _BLOCK, n2_max + 1))
        p_min, p_max = two_sample_p_bounds(mean1, sd1, n1, mean2, sd2, sizes, welch)
        fits.extend(sizes[_overlap_mask(p_min, p_max, reported)].tolist())
        low, high = min(low, float(p_min.min())), max(high, float(p_max.max()))
    test = "welch-t" if welch else "two-sample-t"
    return ConsistentN2(test, reported.text, n2_max, _runs(fits), low, high)


@dataclass(frozen=True)
class ConsistentSizes(Result):
    """Pairs (n1, n2) with n1 <= n1_max, n2 <= n2_max (and n1 + n2 <= total_max) that reproduce p.

    ``n1_range``/``n2_range`` are the smallest and largest n1 and n2 among the ``pairs``
    consistent pairs (empty when there are none); ``p_min``/``p_max`` span every pair searched.
    """

    test: str
    reported_p: str
    n1_max: int
    n2_max: int
    total_max: int | None
    pairs: int
    n1_range: tuple[int, ...]
    n2_range: tuple[int, ...]
    p_min: float
    p_max: float


def consistent_sizes(
    mean1: float,
    sd1: float,
    mean2: float,
    sd2: float,
    p: ReportedP | str | float,
    welch: bool = False,
    n1_max: int = 1000,
    n2_max: int = 1000,
    total_max: int | None = None,
) -> ConsistentSizes:
    """Both group sizes unreported: the (n1, n2) grid that reproduces ``p`` (see ConsistentN2)."""
    reported = _as_reported(p)
    _check_sd(sd1, "sd1")
    _check_sd(sd2, "sd2")
    cells = max(0, n1_max - 1) * max(0, n2_max - 1)
    if cells > MAX_GRID:
        raise AnalysisError(
            f"both group sizes unknown: {cells:,} (n1, n2) pairs up to n1 = {n1_max:,}, "
            f"n2 = {n2_max:,}; at most {MAX_GRID:,} are searched"
        )
    n1 = np.arange(2, n1_max + 1)[:, None]
    n2 = np.arange(2, n2_max + 1)[None, :]
    p_min, p_max = two_sample_p_bounds(mean1, sd1, n1, mean2, sd2, n2, welch)
    allowed = np.ones(p_min.shape, dtype=bool)
    if total_max is not None:
        allowed = (n1 + n2) <= total_max
    fits = _overlap_mask(p_min, p_max, reported) & allowed
    rows, columns = np.nonzero(fits)
    n1_range = (int(rows.min()) + 2, int(rows.max()) + 2) if rows.size else ()
    n2_range = (int(columns.min()) + 2, int(columns.max()) + 2) if columns.size else ()
    return ConsistentSizes(
        test="welch-t" if welch else "two-sample-t",
        reported_p=reported.text,
        n1_max=n1_max,
        n2_max=n2_max,
        total_max=total_max,
        pairs=int(fits.sum()),
        n1_range=n1_range,
        n2_range=n2_range,
        p_min=float(p_min[allowed].min()),
        p_max=float(p_max[allowed].max()),
    )
