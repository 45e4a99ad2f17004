"""Study rows of two-arm comparisons of binary and time-to-event outcomes, ready for ``escalc``.

- :class:`TableRow` — a 2x2 table: patients with the outcome (``a``, ``c``) of ``n1``, ``n2``
  in the arm and the control. A count is the record's ``count``; an arm that prints only a
  percentage of n gets the count whose percentage rounds to the printed one when exactly one
  whole count does (:func:`count_from_percent`); when none or several do, the study is left
  out and the note says why (a count is never imputed).
- :class:`HazardRow` — a log hazard ratio and its variance from the printed hazard ratio and
  CI: yi = ln(HR), SE = (ln(upper) - ln(lower)) / (2 z), z = Phi^-1(1 - (1 - level/100)/2)
  (Cochrane Handbook 6.3.2, where z = 1.96 gives the familiar 3.92; metafor ``conv.wald``
  with ``transf = log``), vi = SE².
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ivigmeta.records.model import Arm, Comparison

#: ln(HR) further than this share of the log CI width from the middle of the CI is noted
#: (metafor ``conv.wald``'s ``cifac``).
ASYMMETRY_LIMIT = 0.1


@dataclass(frozen=True)
class TableRow:
    """Arm versus control: ``a`` of ``n1`` and ``c`` of ``n2`` patients with the outcome."""

    study: str
    timepoint: str
    months: float | None
    a: int
    n1: int
    c: int
    n2: int
    control: str
    derivations: tuple[str, ...]


@dataclass(frozen=True)
class HazardRow:
    """Log hazard ratio (arm versus control) ``yi`` with sampling variance ``vi``."""

    study: str
    timepoint: str
    months: float | None
    yi: float
    vi: float
    control: str
    derivations: tuple[str, ...]


def count_from_percent(percent, n: int) -> list[int]:
    """The whole counts x of ``n`` whose percentage 100 x / n lies within the rounding interval
    of the printed ``percent`` (a :class:`~ivigmeta.printed.PrintedNumber`: value ± half a unit
    of its last printed decimal, both ends included). Exact rational arithmetic, no floats."""
    value = Fraction(percent.text)
    half = Fraction(1, 2 * 10**percent.decimals)
    low = max(0, math.ceil((value - half) * n / 100))
    high = min(n, math.floor((value + half) * n / 100))
    return list(range(low, high + 1))


def _arm_count(arm: Arm, side: str) -> tuple[int | None, str | None, str | None]:
    """(count, derivation note, reason it is unusable) of one arm."""
    if arm.n is None:
        return None, None, f"{side} n not reported"
    if arm.count is not None:
        note = None
        if arm.percent is not None and arm.count not in count_from_percent(arm.percent, arm.n):
            note = (
                f"{side} count {arm.count}/{arm.n} used; the printed {arm.percent.text}% does "
                f"not round from it ({100 * arm.count / arm.n:.4g}%)"
            )
        return arm.count, note, None
    if arm.percent is None:
        return None, None, f"{side} count not reported"
    fits = count_from_percent(arm.percent, arm.n)
    if len(fits) == 1:
        return (
            fits[0],
            f"{side} count {fits[0]} of {arm.n} from the printed {arm.percent.text}% (the only "
            f"whole count whose percentage rounds to it)",
            None,
        )
    if not fits:
        near = sorted({max(0, min(arm.n, round(float(arm.percent) * arm.n / 100) + d))
                       for d in (-1, 0, 1)})  # fmt: skip
        shown = ", ".join(f"{x}/{arm.n} = {100 * x / arm.n:.4g}%" for x in near)
        return (
            None,
            None,
            (
                f"{side} {arm.percent.text}% of n = {arm.n} is no whole count ({shown}); the count "
                "is not imputed"
            ),
        )
    return (
        None,
        None,
        (
            f"{side} {arm.percent.text}% of n = {arm.n} fits the counts {fits[0]} to {fits[-1]}; "
            "the count is not imputed"
        ),
    )


def table_row(candidate) -> tuple[TableRow | None, str | None]:
    """The 2x2 table of a binary comparison, or None with the reason."""
    c: Comparison = candidate.source
    where = f"{candidate.study} ({candidate.label}, {c.arm.label} vs {c.control.label})"
    values, notes = [], []
    for side, arm in (("arm", c.arm), ("control", c.control)):
        count, note, problem = _arm_count(arm, f"{side} {arm.label!r}")
        if problem:
            return None, f"{where}: {problem}"
        if note:
            notes.append(f"{where}: {note}")
        values.append((count, arm.n))
    (a, n1), (c_, n2) = values
    row = TableRow(candidate.study, candidate.label, candidate.months, a, n1, c_, n2,
                   c.control.label, tuple(notes))  # fmt: skip
    return row, None


def hazard_row(candidate) -> tuple[HazardRow, None]:
    """The log hazard ratio row of a time-to-event comparison (every record HR has a CI)."""
    from ivigmeta.stats.numerics.distributions import z_crit

    c: Comparison = candidate.source
    hr = c.hazard_ratio
    level = 95.0 if hr.level is None else float(hr.level)
    z = z_crit(level)
    yi = math.log(float(hr.estimate))
    se = (math.log(float(hr.ci_high)) - math.log(float(hr.ci_low))) / (2 * z)
    where = f"{candidate.study} ({candidate.label}, {c.arm.label} vs {c.control.label})"
    note = (
        f"{where}: log HR {yi:.4f} = ln({hr.estimate.text}), SE {se:.4f} = (ln {hr.ci_high.text} "
        f"- ln {hr.ci_low.text}) / (2 x {z:.4f}) from the {level:g}% CI (Cochrane Handbook 6.3.2)"
    )
    notes = [note]
    low, high = math.log(float(hr.ci_low)), math.log(float(hr.ci_high))
    off = abs((low + high) / 2 - yi) / (high - low)
    if off > ASYMMETRY_LIMIT:
        notes.append(
            f"{where}: ln(HR) is {100 * off:.0f}% of the CI width from the middle of the log CI "
            "(metafor conv.wald warns above 10%): not a Wald CI on the log scale, or a "
            "misprint; check the record"
        )
    row = HazardRow(candidate.study, candidate.label, candidate.months, yi, se * se,
                    c.control.label, tuple(notes))  # fmt: skip
    return row, None
