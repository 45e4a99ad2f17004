"""Rounding intervals: what a printed number stands for, and how a recomputed p compares.

A number printed with d decimals stands for every true value that rounds to it, the closed
interval ``x ± 0.5·10^-d`` (``7.90`` → [7.895, 7.905]; ``-8`` → [-8.5, -7.5]). A percentage of
n patients stands for the integer counts k with ``100·k/n`` in the percentage's interval. A
printed p-value stands for an interval too: ``p=0.005`` → [0.0045, 0.0055], ``p<0.0001`` →
[0, 0.0001], ``p>0.05`` → [0.05, 1].

Recomputed p-values are intervals as well (the p-values over the box of inputs the printed
numbers allow), and the verdict compares the two intervals the way statcheck compares a
recomputed p with a printed one (Nuijten et al. 2016, Behav Res Methods 48:1205-26):

- ``consistent``: the intervals overlap;
- ``decision-error``: the printed p lies wholly on one side of alpha and the recomputed
  interval wholly on the other;
- ``inconsistent``: otherwise.

``unexplained`` is for a printed p whose paper names no test, when none of the tests tried
gives it: a test that needs the individual data (ANCOVA, a rank test) may, so it is not called
an error (:mod:`ivigmeta.analyses.reproduce`).
"""

from __future__ import annotations

import math
import re

from ivigmeta.printed import PrintedNumber, ReportedP

CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
DECISION_ERROR = "decision-error"
NOT_CHECKABLE = "not-checkable"
UNEXPLAINED = "unexplained"

# relative slack for comparing interval ends computed in floating point
_SLACK = 1e-9


class IntervalNumber(float):
    """A float standing for an explicit interval, e.g. the difference of two printed means."""

    rounding_interval: tuple[float, float]

    def __new__(cls, value: float, low: float, high: float) -> IntervalNumber:
        number = super().__new__(cls, value)
        number.rounding_interval = (low, high)
        return number


def printed_value(value, field: str, *, positive: bool = False) -> PrintedNumber:
    """A typed number as a :class:`PrintedNumber` (its text keeps the printed precision),
    within the admissible range; None or non-numbers are an InputError naming ``field``."""
    from ivigmeta.errors import InputError
    from ivigmeta.stats.numerics.limits import check_number

    if value is None:
        raise InputError("expected a number, got None", field=field)
    if not isinstance(value, PrintedNumber):
        try:
            value = PrintedNumber(str(value))
        except ValueError:
            raise InputError(f"expected a finite number, got {value!r}", field=field) from None
    return check_number(value, field, positive=positive)


def value_interval(value: float) -> tuple[float, float]:
    """The interval a number stands for: its rounding interval if printed, else the point."""
    if isinstance(value, (PrintedNumber, IntervalNumber)):
        return value.rounding_interval
    return float(value), float(value)


def difference(a: float, b: float) -> IntervalNumber:
    """a - b, standing for every difference of values the two printed numbers allow."""
    a_low, a_high = value_interval(a)
    b_low, b_high = value_interval(b)
    return IntervalNumber(float(a) - float(b), a_low - b_high, a_high - b_low)


def abs_interval(low: float, high: float) -> tuple[float, float]:
    """The range of |x| for x in [low, high] (0 at the bottom when the interval spans 0)."""
    if low <= 0.0 <= high:
        return 0.0, max(-low, high)
    return min(abs(low), abs(high)), max(abs(low), abs(high))


def parse_reported_p(text: ReportedP | str | float) -> ReportedP:
    """A printed p as typed by a reader: ``0.005``, ``"<0.0001"``, ``"p=0.06"``, ``"P < .05"``.

    Raises :class:`~ivigmeta.errors.InputError` (field ``p``) when it is not a p-value.
    """
    from ivigmeta.errors import InputError

    if isinstance(text, ReportedP):
        return text
    cleaned = re.sub(r"^\s*[pP]\s*", "", str(text))
    cleaned = re.sub(r"(^|[<>=≤≥]\s*)\.", r"\g<1>0.", cleaned)  # ".05" → "0.05"
    try:
        return ReportedP.parse(cleaned)
    except ValueError:
        raise InputError(
            f'expected a p-value such as 0.005, "<0.0001" or "p=0.06", got {text!r}', field="p"
        ) from None


def reported_p_interval(reported: ReportedP) -> tuple[float, float]:
    """The p-values a printed p stands for.

    ``=``: the rounding interval of the printed value (clipped to [0, 1]); ``<`` / ``<=``:
    [0, value]; ``>`` / ``>=``: [value, 1].
    """
    if reported.relation in ("<", "<="):
        return 0.0, float(reported.value)
    if reported.relation in (">", ">="):
        return float(reported.value), 1.0
    low, high = reported.value.rounding_interval
    return max(0.0, low), min(1.0, high)


def counts_for_percent(percent: float, n: int) -> range:
    """Integer counts k of n whose percentage ``100·k/n`` rounds to the printed ``percent``.

    Uses the closed rounding interval, so a count exactly on a boundary (x.5) is kept
    whichever rounding rule the authors used.
    """
    low, high = value_interval(percent)
    first = max(0, math.ceil(low * n / 100.0 - _SLACK))
    last = min(n, math.floor(high * n / 100.0 + _SLACK))
    return range(first, last + 1)


def overlaps(low1: float, high1: float, low2: float, high2: float) -> bool:
    """Whether two closed intervals overlap (with a relative slack of 1e-9 for rounding)."""
    slack = _SLACK * max(abs(low1), abs(high1), abs(low2), abs(high2), 1e-300)
    return low1 <= high2 + slack and low2 <= high1 + slack


def compare_p(p_min: float, p_max: float, reported: ReportedP, alpha: float = 0.05) -> str:
    """Verdict for a recomputed p interval [p_min, p_max] against a printed p.

    Returns ``consistent``, ``decision-error`` or ``inconsistent`` (see the module docstring).
    """
    low, high = reported_p_interval(reported)
    if overlaps(p_min, p_max, low, high):
        return CONSISTENT
    if (high <= alpha and p_min >= alpha) or (low >= alpha and p_max < alpha):
        return DECISION_ERROR
    return INCONSISTENT
