"""t tests from summary statistics (means, SDs, n), with the p-interval their rounding allows.

Every input may be a :class:`~ivigmeta.printed.PrintedNumber`; it then stands for its
rounding interval (``7.9`` → [7.85, 7.95]) and the result carries ``p_min``/``p_max``, the
range of p over that box of inputs. Plain floats and ints are taken as exact.

How the range is found (monotonicity, no optimiser):

- one-sample, paired and Student two-sample: df is fixed by n, and the two-sided p falls as
  |t| rises; |t| = |mean difference| / SE rises with |difference| and falls with every SD, so
  its extremes are at corners of the box and [p_min, p_max] is exact. For a paired test from
  baseline and follow-up SDs with a correlation r, the change SD
  sqrt(sd1² + sd2² - 2·r·sd1·sd2) is a convex quadratic's root, minimised over the box at a
  corner or at an edge point sd1 = r·sd2 (or sd2 = r·sd1), maximised at a corner.
- Welch: df depends on the SDs as well. The two-sided t p-value falls with |t| and with df
  (the t family grows more peaked with df), so p(|t|_min, df_min) and p(|t|_max, df_max) bound
  p over the box. The interval is guaranteed to contain every attainable p and may be slightly
  wider than the exact range.

References: Student (1908); Welch (1947) Biometrika 34:28-35; Satterthwaite (1946).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import InputError
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import abs_interval, value_interval
from ivigmeta.stats.numerics.distributions import t_crit, two_sided_t_p
from ivigmeta.stats.numerics.limits import check_count, check_level, check_number


@dataclass(frozen=True)
class TTestResult(Result):
    """A t test: ``estimate`` is the mean (difference), ``statistic`` = estimate / ``se``.

    ``p_min``/``p_max`` bound p over the rounding intervals of the printed inputs (equal to
    ``p`` when the inputs are exact). ``df`` is fractional for Welch.
    """

    test: str
    statistic: float
    df: float
    p: float
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    p_min: float
    p_max: float

    def confidence_interval(self, level: float | None = None) -> tuple[float, float]:
        """The t confidence interval estimate ± t_{1-α/2, df} · se (default: ``level``)."""
        crit = float(t_crit(self.df, self.level if level is None else level))
        return self.estimate - crit * self.se, self.estimate + crit * self.se


def _two_sided_p(t: float, df: float) -> float:
    return float(two_sided_t_p(t, df))


def _result(
    test: str, estimate: float, se: float, df: float, level: float, p_min: float, p_max: float
) -> TTestResult:
    level = check_level(level)
    statistic = estimate / se if se > 0 else math.copysign(math.inf, estimate)
    crit = float(t_crit(df, level))
    return TTestResult(
        test=test,
        statistic=statistic,
        df=df,
        p=_two_sided_p(statistic, df),
        estimate=estimate,
        se=se,
        ci_low=estimate - crit * se,
        ci_high=estimate + crit * se,
        level=level,
        p_min=p_min,
        p_max=p_max,
    )


def _check_n(n: int, name: str, minimum: int = 2) -> int:
    if n is None:
        raise InputError(f"expected an integer >= {minimum}, got None", field=name)
    return check_count(n, name, minimum)


def _check_sd(sd: float, name: str) -> None:
    if sd is None or not sd > 0:
        raise InputError(f"expected a positive number, got {sd}", field=name)
    check_number(sd, name, positive=True)


def _check_means(**means) -> None:
    """Every mean finite and of magnitude <= 10^15 (:mod:`ivigmeta.stats.numerics.limits`)."""
    for name, value in means.items():
        if value is None:
            raise InputError("expected a number, got None", field=name)
        check_number(value, name)


def _p_range_from_t(t_low: float, t_high: float, df_low: float, df_high: float):
    """(p_min, p_max) given |t| in [t_low, t_high] and df in [df_low, df_high]."""
    return _two_sided_p(t_high, df_high), _two_sided_p(t_low, df_low)


def _ratio_range(num_low, num_high, den_low, den_high) -> tuple[float, float]:
    """Range of num/den for num >= 0 and den > 0 in the given intervals."""
    high = math.inf if den_low == 0 else num_high / den_low
    return num_low / den_high, high


def one_sample_t_test(
    mean: float, sd: float, n: int, mu: float = 0.0, level: float = 95.0
) -> TTestResult:
    """One-sample t test of H0: mean = mu. t = (mean - mu) / (sd / sqrt(n)), df = n - 1."""
    n = _check_n(n, "n")
    _check_sd(sd, "sd")
    _check_means(mean=mean, mu=mu)
    check_level(level)
    se = float(sd) / math.sqrt(n)
    diff_low, diff_high = abs_interval(*(v - float(mu) for v in value_interval(mean)))
    sd_low, sd_high = value_interval(sd)
    t_low, t_high = _ratio_range(diff_low, diff_high, sd_low, sd_high)
    t_low, t_high = t_low * math.sqrt(n), t_high * math.sqrt(n)
    p_min, p_max = _p_range_from_t(t_low, t_high, n - 1, n - 1)
    return _result("one-sample-t", float(mean) - float(mu), se, n - 1, level, p_min, p_max)


def paired_t_test(mean_change: float, sd_change: float, n: int, level: float = 95.0) -> TTestResult:
    """Paired t test from the change scores: t = mean_change / (sd_change / sqrt(n)), df = n - 1."""
    result = one_sample_t_test(mean_change, sd_change, n, level=level)
    return TTestResult(**{**result.__dict__, "test": "paired-t"})


def change_sd(sd_before: float, sd_after: float, r: float) -> float:
    """SD of the change scores: sqrt(sd_before² + sd_after² - 2·r·sd_before·sd_after)."""
    return math.sqrt(max(0.0, sd_before**2 + sd_after**2 - 2.0 * r * sd_before * sd_after))


def change_sd_interval(sd_before, sd_after, r) -> tuple[float, float]:
    """Range of :func:`change_sd` over the rounding box of its three inputs (exact).

    The SD is increasing in sd1 where sd1 > r·sd2 (and likewise in sd2) and decreasing in r,
    so for each r end the minimum is at a corner or at an edge point sd1 = r·sd2 / sd2 = r·sd1,
    and the maximum at a corner.
    """
    s1_low, s1_high = value_interval(sd_before)
    s2_low, s2_high = value_interval(sd_after)
    r_low, r_high = value_interval(r)
    r_low, r_high = max(-1.0, r_low), min(1.0, r_high)
    corners = [(a, b) for a in (s1_low, s1_high) for b in (s2_low, s2_high)]
    high = max(change_sd(a, b, r_low) for a, b in corners)
    candidates = list(corners)
    for s2 in (s2_low, s2_high):
        candidates.append((min(max(r_high * s2, s1_low), s1_high), s2))
    for s1 in (s1_low, s1_high):
        candidates.append((s1, min(max(r_high * s1, s2_low), s2_high)))
    low = min(change_sd(a, b, r_high) for a, b in candidates)
    return low, high


def paired_t_test_from_arms(
    mean_before: float,
    sd_before: float,
    mean_after: float,
    sd_after: float,
    n: int,
    r: float,
    level: float = 95.0,
) -> TTestResult:
    """Paired t test from baseline and follow-up summaries and their correlation ``r``.

    estimate = mean_after - mean_before; sd_change = sqrt(sd1² + sd2² - 2·r·sd1·sd2);
    t = estimate / (sd_change / sqrt(n)), df = n - 1.
    """
    n = _check_n(n, "n")
    _check_sd(sd_before, "sd_before")
    _check_sd(sd_after, "sd_after")
    _check_means(mean_before=mean_before, mean_after=mean_after, r=r)
    check_level(level)
    if not -1.0 <= float(r) <= 1.0:
        raise InputError(f"expected a correlation in [-1, 1], got {r!r}", field="r")
    sd = change_sd(float(sd_before), float(sd_after), float(r))
    before_low, before_high = value_interval(mean_before)
    after_low, after_high = value_interval(mean_after)
    diff_low, diff_high = abs_interval(after_low - before_high, after_high - before_low)
    sd_low, sd_high = change_sd_interval(sd_before, sd_after, r)
    t_low, t_high = _ratio_range(diff_low, diff_high, sd_low, sd_high)
    p_min, p_max = _p_range_from_t(t_low * math.sqrt(n), t_high * math.sqrt(n), n - 1, n - 1)
    estimate = float(mean_after) - float(mean_before)
    return _result("paired-t", estimate, sd / math.sqrt(n), n - 1, level, p_min, p_max)


def _welch_df(v1: float, v2: float, n1: int, n2: int) -> float:
    """Welch-Satterthwaite df: (v1 + v2)² / (v1²/(n1-1) + v2²/(n2-1)), v = sd²/n."""
    return (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))


def _welch_df_range(sd1, n1, sd2, n2):
    """Range of the Welch df over the SD box: unimodal in ρ = v1/v2 with its peak at ν1/ν2.

    ``n1``/``n2`` may be numpy arrays (broadcast).
    """
    s1_low, s1_high = value_interval(sd1)
    s2_low, s2_high = value_interval(sd2)
    rho_low = (s1_low**2 / n1) / (s2_high**2 / n2)
    rho_high = (s1_high**2 / n1) / (s2_low**2 / n2)

    def df(rho):
        return _welch_df(rho, 1.0, n1, n2)

    peak = (n1 - 1) / (n2 - 1)
    end_low, end_high = df(rho_low), df(rho_high)
    inside = (rho_low <= peak) & (peak <= rho_high)
    return np.minimum(end_low, end_high), np.where(inside, df(peak), np.maximum(end_low, end_high))


def two_sample_p_bounds(mean1, sd1, n1, mean2, sd2, n2, welch: bool = False):
    """(p_min, p_max) of the two-sample t test over the rounding box of the printed inputs.

    Vectorised over ``n1`` and ``n2`` (ints or numpy arrays, broadcast), for searches over
    unreported group sizes. Student: exact; Welch: an enclosure (see the module docstring).
    """
    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    low1, high1 = value_interval(mean1)
    low2, high2 = value_interval(mean2)
    diff_low, diff_high = abs_interval(low1 - high2, high1 - low2)
    s1_low, s1_high = value_interval(sd1)
    s2_low, s2_high = value_interval(sd2)
    if welch:

        def se_of(a, b):
            return np.sqrt(a**2 / n1 + b**2 / n2)

        df_low, df_high = _welch_df_range(sd1, n1, sd2, n2)
    else:

        def se_of(a, b):
            pooled = ((n1 - 1) * a**2 + (n2 - 1) * b**2) / (n1 + n2 - 2)
            return np.sqrt(pooled * (1.0 / n1 + 1.0 / n2))

        df_low = df_high = n1 + n2 - 2
    with np.errstate(divide="ignore"):
        t_high = diff_high / se_of(s1_low, s2_low)
    t_low = diff_low / se_of(s1_high, s2_high)
    return two_sided_t_p(t_high, df_high), two_sided_t_p(t_low, df_low)


def two_sample_t_test(
    mean1: float,
    sd1: float,
    n1: int,
    mean2: float,
    sd2: float,
    n2: int,
    welch: bool = False,
    level: float = 95.0,
) -> TTestResult:
    """Two-sample t test of mean1 - mean2 from summary statistics.

    Student: pooled s² = ((n1-1)·sd1² + (n2-1)·sd2²) / (n1+n2-2), se = s·sqrt(1/n1 + 1/n2),
    df = n1 + n2 - 2. Welch: se = sqrt(sd1²/n1 + sd2²/n2), Welch-Satterthwaite df.
    Matches ``scipy.stats.ttest_ind_from_stats(..., equal_var=not welch)``.
    """
    n1, n2 = _check_n(n1, "n1"), _check_n(n2, "n2")
    _check_sd(sd1, "sd1")
    _check_sd(sd2, "sd2")
    _check_means(mean1=mean1, mean2=mean2)
    check_level(level)
    a, b = float(sd1), float(sd2)
    if welch:
        se = math.sqrt(a**2 / n1 + b**2 / n2)
        df = _welch_df(a**2 / n1, b**2 / n2, n1, n2)
    else:
        pooled = ((n1 - 1) * a**2 + (n2 - 1) * b**2) / (n1 + n2 - 2)
        se = math.sqrt(pooled * (1.0 / n1 + 1.0 / n2))
        df = n1 + n2 - 2
    p_min, p_max = two_sample_p_bounds(mean1, sd1, n1, mean2, sd2, n2, welch)
    test = "welch-t" if welch else "two-sample-t"
    estimate = float(mean1) - float(mean2)
    return _result(test, estimate, se, df, level, float(p_min), float(p_max))


def two_sample_test_from_se(
    mean1: float, se1: float, mean2: float, se2: float, df: float = math.inf, level: float = 95.0
) -> TTestResult:
    """Difference of two independent means reported with standard errors (e.g. LS means ± SEM).

    t = (mean1 - mean2) / sqrt(se1² + se2²) on ``df`` degrees of freedom; ``df=inf`` gives the
    large-sample z test, the smallest p any df allows.
    """
    _check_sd(se1, "se1")
    _check_sd(se2, "se2")
    _check_means(mean1=mean1, mean2=mean2)
    check_level(level)
    low1, high1 = value_interval(mean1)
    low2, high2 = value_interval(mean2)
    diff_low, diff_high = abs_interval(low1 - high2, high1 - low2)
    e1_low, e1_high = value_interval(se1)
    e2_low, e2_high = value_interval(se2)
    t_low, t_high = _ratio_range(
        diff_low, diff_high, math.hypot(e1_low, e2_low), math.hypot(e1_high, e2_high)
    )
    p_min, p_max = _p_range_from_t(t_low, t_high, df, df)
    se = math.hypot(float(se1), float(se2))
    test = "z" if math.isinf(df) else "two-sample-t"
    return _result(test, float(mean1) - float(mean2), se, df, level, p_min, p_max)
