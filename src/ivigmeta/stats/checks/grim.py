"""GRIM and GRIMMER: can a printed mean (and SD) come from n integer-valued scores?

GRIM (Brown & Heathers 2017, Soc Psychol Personal Sci 8:363-9): the mean of n scores that are
integers (or sums of ``items`` integer items, scored as their average) is S/(n·items) for an
integer S. A mean printed with d decimals stands for [m - 0.5·10^-d, m + 0.5·10^-d], so it is
possible only if that interval contains some S/(n·items), i.e. if
ceil(lo·n·items) <= floor(hi·n·items). When n·items >= 10^d the interval is at least 1/(n·items)
wide and always contains one: GRIM cannot fail (``informative`` is False).

GRIMMER (Anaya 2016, PeerJ Preprints 4:e2400v1) extends this to the SD. Work with the person
totals y_i = items·x_i (integers) whose sum is S. Their sum of squares
Q = Σ y_i² = (n - 1)·sd_y² + S²/n must be (1) an integer, (2) of the same parity as S
(y² ≡ y mod 2), and (3) at least the sum of squares of the most even split of S,
(n - r)·q² + r·(q + 1)² with q = S div n, r = S mod n. An SD printed with d decimals stands for
its rounding interval, so Q ranges over an interval for each candidate S; the SD is consistent
if some candidate S admits an integer Q satisfying (1)-(3). GRIMMER is ``not-checkable``, never
``inconsistent``, when it cannot inform: when GRIM already fails (no total to test the SD on)
or when the SD's rounding interval admits sums of squares of both parities for every total.

Limits: n and items are whole numbers up to 10^9 (:mod:`ivigmeta.stats.numerics.limits`);
GRIM is O(1) for any of them. GRIMMER checks the candidate totals one by one and stops at the
first consistent one; when the mean allows more than ``GRIMMER_MAX_TOTALS`` = 10^6 totals
(n·items at least 10^6 times 10^decimals) it stops with an AnalysisError instead of running
for hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    INCONSISTENT,
    NOT_CHECKABLE,
    printed_value,
    value_interval,
)
from ivigmeta.stats.numerics.limits import check_count

_SLACK = 1e-9
GRIMMER_MAX_TOTALS = 10**6


@dataclass(frozen=True)
class GrimResult(Result):
    """GRIM verdict for a mean (and GRIMMER for its SD when one is given).

    ``sums`` are the first and last integer totals S consistent with the mean (empty when
    none); ``grimmer`` is None without an SD. ``informative`` says whether GRIM could have
    failed at this n and precision, ``grimmer_informative`` the same for GRIMMER (False when
    the SD's rounding interval allows sums of squares of both parities for every total).
    """

    mean: str
    sd: str | None
    n: int
    items: int
    grim: str
    grimmer: str | None
    informative: bool
    grimmer_informative: bool | None
    sums: tuple[int, ...]
    note: str


def grim_sums(mean: float, n: int, items: int = 1) -> range:
    """Integer totals S with S / (n·items) in the rounding interval of the printed mean."""
    low, high = value_interval(printed_value(mean, "mean"))
    scale = n * items
    return range(math.ceil(low * scale - _SLACK), math.floor(high * scale + _SLACK) + 1)


def _sum_of_squares_range(total: int, n: int, sd_low: float, sd_high: float):
    """(Q_low, Q_high, Q_floor): sums of squares the SD allows, and the smallest possible."""
    quotient, remainder = divmod(total, n)
    floor = (n - remainder) * quotient**2 + remainder * (quotient + 1) ** 2
    return (n - 1) * sd_low**2 + total**2 / n, (n - 1) * sd_high**2 + total**2 / n, floor


def _sum_of_squares_ok(total: int, n: int, sd_low: float, sd_high: float) -> bool:
    q_low, q_high, floor = _sum_of_squares_range(total, n, sd_low, sd_high)
    first = max(math.ceil(q_low - _SLACK * max(1.0, q_low)), floor)
    last = math.floor(q_high + _SLACK * max(1.0, q_high))
    if first > last:
        return False
    return first % 2 == total % 2 or first + 1 <= last


def grim(mean: float | str, n: int, sd: float | str | None = None, items: int = 1) -> GrimResult:
    """GRIM test of a printed mean of n integer scores (and GRIMMER of its SD, if given)."""
    for name, value in (("n", n), ("items", items)):
        if value is None:
            raise InputError("expected a positive integer, got None", field=name)
        check_count(value, name, minimum=1)
    n, items = int(n), int(items)
    mean = printed_value(mean, "mean")
    scale = n * items
    sums = grim_sums(mean, n, items)
    informative = scale < 10**mean.decimals
    if sums:
        grim_verdict = CONSISTENT
        note = (
            f"mean {mean} = {sums[0]}/{scale}"
            + (f" … {sums[-1]}/{scale}" if len(sums) > 1 else "")
            + " rounds to the printed value"
        )
        if not informative:
            note = f"n·items = {scale} >= 10^{mean.decimals}: GRIM cannot fail"
    else:
        grim_verdict = INCONSISTENT
        below = math.floor(float(mean) * scale)
        note = (
            f"no total of {scale} integer scores gives mean {mean}: "
            f"{below}/{scale} = {below / scale:.{mean.decimals + 2}f}, "
            f"{below + 1}/{scale} = {(below + 1) / scale:.{mean.decimals + 2}f}"
        )
    grimmer_verdict = grimmer_informative = None
    if sd is not None:
        sd = printed_value(sd, "sd")
        if n < 2:
            raise InputError("an SD needs n >= 2", field="n")
        if len(sums) > GRIMMER_MAX_TOTALS:
            raise AnalysisError(
                f"GRIMMER: the mean allows {len(sums):,} integer totals of n·items = {scale:,} "
                f"scores; at most {GRIMMER_MAX_TOTALS:,} are checked (GRIM alone: leave out --sd)"
            )
        sd_low, sd_high = (max(0.0, v) * items for v in value_interval(sd))
        grimmer_informative = any(
            q_high - q_low < 2 or q_low < floor
            for q_low, q_high, floor in (
                _sum_of_squares_range(total, n, sd_low, sd_high) for total in sums
            )
        )
        if not sums or not grimmer_informative:
            grimmer_verdict = NOT_CHECKABLE  # GRIM already failed, or GRIMMER cannot fail
        elif any(_sum_of_squares_ok(total, n, sd_low, sd_high) for total in sums):
            grimmer_verdict = CONSISTENT
        else:
            grimmer_verdict = INCONSISTENT
            note += (
                f"; SD {sd}: no integer sum of squares of the right parity fits "
                f"any total consistent with the mean"
            )
    sums_tuple = (sums[0], sums[-1]) if sums else ()
    return GrimResult(
        str(mean), None if sd is None else str(sd), int(n), int(items), grim_verdict,
        grimmer_verdict, informative, grimmer_informative, sums_tuple, note,
    )  # fmt: skip
