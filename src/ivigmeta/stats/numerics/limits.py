"""Admissible ranges of the numbers ivigmeta accepts, checked once for records, CSV tables,
command-line options and Python callers alike (docs/records.md, "Admissible ranges").

- Counts (patients n, n1, n2, events, items): whole numbers up to ``MAX_COUNT`` = 10^9. No
  study has more patients; bounding them keeps every sum over counts exact in a double and
  every search over counts finite.
- Real numbers (means, SDs, statistics, confidence limits, effect sizes and their variances):
  finite, with magnitude at most ``MAX_MAGNITUDE`` = 10^15. Above 2^53 (about 9.007e15) a
  double no longer holds every integer, so the rounding interval of a printed value
  (± 0.5 in its last digit) would be lost; below it squares and products with a count stay
  far from overflow (10^15² · 10^9 = 10^39).
- Positive divisors (SDs, sampling variances, standard errors) that must be > 0 are at least
  ``MIN_POSITIVE`` = 10^-15, so that an inverse-variance weight 1/v stays below 10^15 and a sum
  of squared weights over 10^9 studies stays finite.
- Confidence levels: percent, 1 <= level < 100 (as metafor's ``level`` in percent).
"""

from __future__ import annotations

import math
import numbers

from ivigmeta.errors import InputError

MAX_COUNT = 10**9
MAX_MAGNITUDE = 1e15
MIN_POSITIVE = 1e-15


def level_problem(level) -> str | None:
    """Why ``level`` is not a confidence level in percent (None if it is one)."""
    try:
        value = float(level)
    except (TypeError, ValueError):
        return f"expected a confidence level in percent, e.g. 95, got {level!r}"
    if not (math.isfinite(value) and 1 <= value < 100):
        return f"expected a confidence level in percent, e.g. 95, got {level}"
    return None


def check_level(level, field: str = "level") -> float:
    """``level`` as a float, or :class:`InputError` unless finite and 1 <= level < 100."""
    problem = level_problem(level)
    if problem:
        raise InputError(problem, field=field)
    return float(level)


def typed_number_problem(text: str) -> str | None:
    """Why typed ``text`` is not a finite number (None if ``float(text)`` is one): ``nan`` and
    ``inf`` are not finite, ``1e309`` overflows to infinity."""
    shown = text if len(text) <= 40 else text[:20] + "..." + text[-10:]
    try:
        number = float(text)
    except ValueError:
        return f"expected a number, got {shown!r}"
    if math.isnan(number) or (math.isinf(number) and "inf" in text.lower()):
        return f"expected a finite number, got {shown}"
    if math.isinf(number):
        return f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}, got {shown}"
    return None


def number_problem(value, *, positive: bool = False) -> str | None:
    """Why ``value`` is not an admissible real number (None if it is)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):
            return f"expected a number, got {value!r}"
    try:
        x = float(value)
    except OverflowError:
        return f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}, got {value}"
    shown = getattr(value, "text", value)
    if not math.isfinite(x):
        return f"expected a finite number, got {shown}"
    if abs(x) > MAX_MAGNITUDE:
        return f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}, got {shown}"
    if positive and x < MIN_POSITIVE:
        return f"expected a positive number of at least {MIN_POSITIVE:.0e}, got {shown}"
    return None


def check_number(value, field: str, *, positive: bool = False):
    """``value`` unchanged if admissible (None passes), else :class:`InputError` naming field."""
    if value is None:
        return None
    problem = number_problem(value, positive=positive)
    if problem:
        raise InputError(problem, field=field)
    return value


def count_problem(value, minimum: int = 0, maximum: int = MAX_COUNT) -> str | None:
    """Why ``value`` is not a whole number in [minimum, maximum] (None if it is)."""
    if isinstance(value, bool):
        return f"expected a whole number, got {value!r}"
    whole_float = (
        isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()
    )
    if not (isinstance(value, numbers.Integral) or whole_float):
        return f"expected a whole number, got {value!r}"
    whole = int(value)
    if whole < minimum:
        return f"expected a whole number >= {minimum}, got {whole}"
    if whole > maximum:
        return f"expected a whole number <= {maximum:,}, got {_short(whole)}"
    return None


def check_count(value, field: str, minimum: int = 0, maximum: int = MAX_COUNT) -> int | None:
    """``value`` as an int if a whole number in [minimum, maximum] (None passes)."""
    if value is None:
        return None
    problem = count_problem(value, minimum, maximum)
    if problem:
        raise InputError(problem, field=field)
    return int(value)


def _short(whole: int) -> str:
    """A huge integer without printing (or converting) thousands of digits."""
    if whole.bit_length() < 64:
        return str(whole)
    return f"a number of about {int(whole.bit_length() * 0.30103) + 1} digits"
