"""The pre-post correlation and the SD of change scores when a paper does not print them.

Pre-post effect sizes need the SD of the change scores, sd_d = sqrt(sd1² + sd2² - 2 r sd1 sd2),
or equivalently the correlation r between baseline and follow-up. Papers often print only the
baseline and follow-up SDs. These functions recover what can be recovered:

- all three SDs printed -> r = (sd1² + sd2² - sd_d²) / (2 sd1 sd2)
  (Cochrane Handbook for Systematic Reviews of Interventions, version 6.5, section 6.5.2.8);
- a paired t, or an exact paired p-value, printed -> t = |qt(p/2, n - 1)| and
  sd_d = |mean change| sqrt(n) / t (same section). A p printed as a bound (``<0.0001``)
  gives no t, so no SD;
- otherwise r must be assumed: :func:`change_sd_from_correlation`.
"""

from __future__ import annotations

import math

from ivigmeta.stats.numerics.distributions import t_ppf


def correlation_from_sds(sd_baseline: float, sd_followup: float, sd_change: float) -> float:
    """r = (sd1² + sd2² - sd_d²) / (2 sd1 sd2); may fall outside [-1, 1] if the SDs disagree."""
    return (sd_baseline**2 + sd_followup**2 - sd_change**2) / (2 * sd_baseline * sd_followup)


def change_sd_from_correlation(sd_baseline: float, sd_followup: float, r: float) -> float:
    """sd_d = sqrt(sd1² + sd2² - 2 r sd1 sd2)."""
    return math.sqrt(sd_baseline**2 + sd_followup**2 - 2 * r * sd_baseline * sd_followup)


def t_from_paired_p(p: float, n: int) -> float:
    """|t| of a two-sided paired t test with n - 1 df and p-value p: |qt(p/2, n - 1)|."""
    return abs(float(t_ppf(p / 2, n - 1)))


def change_sd_from_t(mean_change: float, n: int, t: float) -> float:
    """sd_d = |mean change| sqrt(n) / |t| (the paired t statistic is mean_d / (sd_d / sqrt(n)))."""
    return abs(mean_change) * math.sqrt(n) / abs(t)


def change_sd_from_paired_p(mean_change: float, n: int, p: float) -> float:
    """sd_d from an exact two-sided paired p-value: |mean change| sqrt(n) / |qt(p/2, n - 1)|."""
    return change_sd_from_t(mean_change, n, t_from_paired_p(p, n))
