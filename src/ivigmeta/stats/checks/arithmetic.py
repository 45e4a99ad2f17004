"""Arithmetic a paper's printed numbers must obey: SE = SD/√n, percent = 100·count/n, and the
flow of patients (no follow-up n above the baseline n, arms adding up to the total).

Every printed number stands for its closed rounding interval
(:mod:`ivigmeta.stats.checks.rounding`); counts and n are exact integers.

* SE vs SD and n: SE = SD/√n, so with all three printed the intervals of SE and SD/√n must
  overlap. Otherwise the n they imply is reported: n = (SD/SE)² over the rounding box, i.e.
  [(sd_low/se_high)², (sd_high/se_low)²]. An "SD" that equals SE·√n only for a much smaller n
  is the classic slip of an SE printed as an SD (Altman & Bland 2005, BMJ 331:903).
* Percent vs count vs n: 100·count/n must round to the printed percent (closed interval: a
  count on an x.5 boundary is kept whichever rounding rule was used). Without n, the note gives
  the n from 1 to a bound for which the count and percent fit.
* n-flow: each later n at most the earlier one (patients are lost, not gained, unless the
  paper says new ones entered), and the arms' n adding up to at most the enrolled total (equal
  when the total is the randomised number).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    INCONSISTENT,
    counts_for_percent,
    overlaps,
    printed_value,
    value_interval,
)
from ivigmeta.stats.numerics.limits import check_count

MAX_N_SEARCH = 10**5


@dataclass(frozen=True)
class ArithmeticCheck(Result):
    """One arithmetic check: ``check`` names it, ``verdict`` and ``note`` say what was found;
    ``n_low``/``n_high`` bound the n the other numbers imply (None where not applicable)."""

    check: str
    verdict: str
    n_low: float | None
    n_high: float | None
    note: str


def _count(value, field: str, minimum: int = 0) -> int:
    if value is None:
        raise InputError(f"expected a whole number >= {minimum}, got None", field=field)
    return check_count(value, field, minimum)


def se_sd_check(sd, se, n: int) -> ArithmeticCheck:
    """Is the printed SE the printed SD over √n? (module doc)"""
    sd, se = printed_value(sd, "sd", positive=True), printed_value(se, "se", positive=True)
    n = _count(n, "n", minimum=1)
    sd_low, sd_high = value_interval(sd)
    se_low, se_high = value_interval(se)
    root = math.sqrt(n)
    implied_low = (max(sd_low, 0.0) / se_high) ** 2
    implied_high = math.inf if se_low <= 0 else (sd_high / se_low) ** 2
    span = f"n = (SD/SE)² in {implied_low:.1f}–{implied_high:.1f}"
    if overlaps(sd_low / root, sd_high / root, se_low, se_high):
        note = f"SD/√n = {float(sd) / root:.4g} rounds to SE {se}; {span}"
        return ArithmeticCheck("se-sd", CONSISTENT, implied_low, implied_high, note)
    note = f"SD/√n = {float(sd) / root:.4g} (n = {n}) is not SE {se}: {span}"
    if implied_high < n:
        note += "; the SD may be an SE or the n may be of a subgroup"
    return ArithmeticCheck("se-sd", INCONSISTENT, implied_low, implied_high, note)


def percent_check(count: int | None, percent, n: int | None, n_max: int | None = None):
    """Does 100·count/n round to the printed percent? (module doc)

    Without ``n``: the n in 1..``n_max`` (at most 10^5) for which it does, as a note.
    """
    percent = printed_value(percent, "percent")
    low, high = value_interval(percent)
    if low > 100 or high < 0:
        raise InputError(f"expected a percent in [0, 100], got {percent}", field="percent")
    if count is None and n is None:
        raise InputError("expected a count or an n with the percent", field="count")
    if n is not None:
        n = check_count(n, "n", minimum=1)
        counts = counts_for_percent(percent, n)
        if count is None:
            if counts:
                note = f"{percent}% of {n} is a count of {_span(counts)}"
                return ArithmeticCheck("percent", CONSISTENT, n, n, note)
            note = f"no count of {n} rounds to {percent}% (nearest: {_nearest(percent, n)})"
            return ArithmeticCheck("percent", INCONSISTENT, n, n, note)
        count = check_count(count, "count")
        if count > n:
            note = f"count {count} is above n = {n}"
            return ArithmeticCheck("percent", INCONSISTENT, n, n, note)
        actual = 100 * count / n
        if count in counts:
            note = f"100·{count}/{n} = {actual:.{percent.decimals + 2}f}% rounds to {percent}%"
            return ArithmeticCheck("percent", CONSISTENT, n, n, note)
        note = (
            f"100·{count}/{n} = {actual:.{percent.decimals + 2}f}% does not round to "
            f"{percent}%" + (f"; {percent}% of {n} is {_span(counts)}" if counts else "")
        )
        return ArithmeticCheck("percent", INCONSISTENT, n, n, note)
    count = check_count(count, "count")
    bound = min(n_max or MAX_N_SEARCH, MAX_N_SEARCH)
    fits = [m for m in range(max(count, 1), bound + 1) if count in counts_for_percent(percent, m)]
    if not fits:
        note = f"no n from {max(count, 1)} to {bound} makes {count} round to {percent}%"
        return ArithmeticCheck("percent", INCONSISTENT, None, None, note)
    shown = ", ".join(map(str, fits[:8])) + (", …" if len(fits) > 8 else "")
    note = f"n not printed: {count} is {percent}% of n = {shown} (n ≤ {bound} tried)"
    return ArithmeticCheck("percent", CONSISTENT, fits[0], fits[-1], note)


def _span(counts: range) -> str:
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"


def _nearest(percent: PrintedNumber, n: int) -> str:
    below = math.floor(float(percent) * n / 100)
    digits = percent.decimals + 2
    return ", ".join(f"{k}/{n} = {100 * k / n:.{digits}f}%" for k in (below, below + 1) if k <= n)


def n_flow_check(
    sequence: list[tuple[str, int]] | None = None,
    arms: list[tuple[str, int]] | None = None,
    total: int | None = None,
    total_is_randomised: bool = False,
) -> ArithmeticCheck:
    """Patient numbers over time (``sequence``: (label, n) in time order, each at most the one
    before) and across arms (their sum at most ``total``, equal when ``total_is_randomised``)."""
    problems, fine = [], []
    sequence, arms = list(sequence or []), list(arms or [])
    if not sequence and not (arms and total is not None):
        raise InputError("expected n at two times or arms with a total", field="n")
    sequence = [(label, _count(value, f"n ({label})")) for label, value in sequence]
    arms = [(label, _count(value, f"n ({label})")) for label, value in arms]
    for (label1, n1), (label2, n2) in itertools.pairwise(sequence):
        if n2 > n1:
            problems.append(f"{label2} n = {n2} is above {label1} n = {n1}")
    if len(sequence) > 1:
        fine.append(" → ".join(f"{label} {n}" for label, n in sequence))
    if arms and total is not None:
        total = _count(total, "total", minimum=1)
        added = sum(n for _, n in arms)
        shown = " + ".join(f"{n} ({label})" for label, n in arms) + f" = {added}"
        if added > total or (total_is_randomised and added != total):
            relation = "above" if added > total else "not"
            problems.append(f"arms {shown}, {relation} the {total} enrolled")
        else:
            fine.append(f"arms {shown} of {total} enrolled")
    if problems:
        return ArithmeticCheck("n-flow", INCONSISTENT, None, None, "; ".join(problems))
    return ArithmeticCheck("n-flow", CONSISTENT, None, None, "; ".join(fine))
