"""Recompute a p-value from a printed test statistic and its df, as statcheck does.

statcheck (Nuijten et al. 2016, Behav Res Methods 48:1205-26; R package ``statcheck``) reads
``t(28) = 2.20, p = .04`` and recomputes p from the statistic. A statistic printed with d
decimals stands for [x - 0.5·10^-d, x + 0.5·10^-d], so the recomputed p is an interval, and
the printed p is consistent when the two intervals overlap
(:func:`ivigmeta.stats.checks.rounding.compare_p`).

p-values: t, z and r two-sided (r via t = r·sqrt(df / (1 - r²)) on df); chi-square and F
upper tail.

One documented difference: statcheck flags a decision error when the p computed from the
statistic *as printed* falls on the other side of alpha; here it takes the whole interval to
lie on the other side (:mod:`ivigmeta.stats.checks.rounding`), which can only be stricter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber, ReportedP
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import abs_interval, compare_p, parse_reported_p, value_interval
from ivigmeta.stats.numerics.distributions import chi2_sf, f_sf, two_sided_t_p, two_sided_z_p

TESTS = ("t", "z", "chi2", "F", "r")


@dataclass(frozen=True)
class StatisticCheck(Result):
    """A printed statistic's p (``p`` as printed, ``p_min``-``p_max`` over its rounding)."""

    test: str
    statistic: str
    df1: float | None
    df2: float | None
    reported_p: str
    p: float
    p_min: float
    p_max: float
    verdict: str


def p_from_statistic(test: str, statistic: float, df1=None, df2=None) -> float:
    """p-value of a statistic: t(df1), z, chi2(df1), F(df1, df2), r(df1)."""
    if test == "t":
        return float(two_sided_t_p(statistic, df1))
    if test == "z":
        return float(two_sided_z_p(statistic))
    if test == "chi2":
        return float(chi2_sf(statistic, df1))
    if test == "F":
        return float(f_sf(statistic, df1, df2))
    if test == "r":
        if abs(statistic) >= 1:
            return 0.0
        return float(two_sided_t_p(statistic * math.sqrt(df1 / (1 - statistic**2)), df1))
    raise InputError(f"expected one of {', '.join(TESTS)}, got {test!r}", field="test")


def check_statistic(
    test: str,
    statistic: float | str,
    reported_p: ReportedP | str,
    df1: float | None = None,
    df2: float | None = None,
    alpha: float = 0.05,
) -> StatisticCheck:
    """Recompute p from a printed statistic and compare it with the printed p."""
    statistic = statistic if isinstance(statistic, PrintedNumber) else PrintedNumber(statistic)
    reported = parse_reported_p(reported_p)
    needs = {"t": 1, "z": 0, "chi2": 1, "F": 2, "r": 1}.get(test)
    if needs is None:
        raise InputError(f"expected one of {', '.join(TESTS)}, got {test!r}", field="test")
    if (needs >= 1 and df1 is None) or (needs == 2 and df2 is None):
        raise InputError(f"a {test} statistic needs its degrees of freedom", field="df")
    low, high = value_interval(statistic)
    if test in ("t", "z", "r"):
        low, high = abs_interval(low, high)
    low = max(low, 0.0)
    p_max = p_from_statistic(test, low, df1, df2)
    p_min = p_from_statistic(test, high, df1, df2)
    return StatisticCheck(
        test=test,
        statistic=statistic.text,
        df1=df1,
        df2=df2,
        reported_p=reported.text,
        p=p_from_statistic(test, float(statistic), df1, df2),
        p_min=p_min,
        p_max=p_max,
        verdict=compare_p(p_min, p_max, reported, alpha),
    )
