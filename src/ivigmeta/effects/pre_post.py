"""Effect sizes for one group measured twice (pre-post designs): MC, SMCC, SMCR, SMCRH.

Arguments follow metafor's ``escalc``: means ``m1i``, ``m2i`` and SDs ``sd1i``, ``sd2i`` at the
two occasions, the number of patients ``ni`` and the correlation ``ri`` between the occasions.
Effects are occasion 1 minus occasion 2; for a change from baseline pass the follow-up as
occasion 1 and the baseline as occasion 2 (negative = decrease). The SD of the change scores is
sd_d = sqrt(sd1^2 + sd2^2 - 2 r sd1 sd2). All functions return ``(yi, vi)`` arrays.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks
from ivigmeta.effects.hedges import small_sample_factor


def _columns(m1i, m2i, sd1i, sd2i, ni, ri):
    m1i, m2i = checks.as_column("m1i", m1i), checks.as_column("m2i", m2i)
    sd1i, sd2i = checks.as_column("sd1i", sd1i), checks.as_column("sd2i", sd2i)
    ni, ri = checks.as_column("ni", ni), checks.as_column("ri", ri)
    checks.nonnegative("sd1i", sd1i)
    checks.nonnegative("sd2i", sd2i)
    checks.correlation("ri", ri)
    checks.positive("ni", ni)
    return m1i, m2i, sd1i, sd2i, ni, ri


def change_score_variance(sd1i, sd2i, ri):
    """Variance of the change scores: sd1^2 + sd2^2 - 2 r sd1 sd2."""
    return sd1i**2 + sd2i**2 - 2 * ri * sd1i * sd2i


def mean_change(m1i, m2i, sd1i, sd2i, ni, ri):
    """Raw mean change (measure ``MC``).

    yi = m1 - m2; vi = (sd1^2 + sd2^2 - 2 r sd1 sd2)/n = sd_d^2/n. When only change scores are
    reported, pass m1i = mean change, m2i = 0, sd1i = SD of change, sd2i = 0, ri = 0.

    Reference: Becker BJ (1988). Synthesizing standardized mean-change measures.
    Br J Math Stat Psychol 41:257-278.
    """
    m1i, m2i, sd1i, sd2i, ni, ri = _columns(m1i, m2i, sd1i, sd2i, ni, ri)
    return checks.finish(m1i - m2i, change_score_variance(sd1i, sd2i, ri) / ni)


def standardized_mean_change_change_score(
    m1i, m2i, sd1i, sd2i, ni, ri, *, vtype="LS", correct=True
):
    """Standardized mean change with change-score standardization (measure ``SMCC``).

    d = (m1 - m2)/sd_d; yi = c(n - 1) d (c = 1 with ``correct=False``). Variance (``LS``,
    default) 1/n + yi^2/(2n); ``LS2`` c(n - 1)^2 (1/n + d^2/(2n)).

    References: Gibbons RD, Hedeker DR, Davis JM (1993). J Educ Stat 18:271-279;
    Morris SB, DeShon RP (2002). Psychol Methods 7:105-125.
    """
    checks.vtype_choice(vtype, ("LS", "LS2"), "SMCC")
    m1i, m2i, sd1i, sd2i, ni, ri = _columns(m1i, m2i, sd1i, sd2i, ni, ri)
    cmi = small_sample_factor(ni - 1) if correct else np.ones_like(ni)
    with np.errstate(invalid="ignore", divide="ignore"):
        di = (m1i - m2i) / np.sqrt(change_score_variance(sd1i, sd2i, ri))
    yi = cmi * di
    vi = 1 / ni + yi**2 / (2 * ni)
    if vtype == "LS2":
        vi = cmi**2 * (1 / ni + di**2 / (2 * ni))
    return checks.finish(yi, vi)


def standardized_mean_change_raw_score(m1i, m2i, sd1i, ni, ri, *, vtype="LS", correct=True):
    """Standardized mean change with raw-score standardization (measure ``SMCR``).

    d = (m1 - m2)/sd1, standardized by the SD of one occasion (usually the baseline, passed
    as ``sd1i``); yi = c(n - 1) d (c = 1 with ``correct=False``). Variance (``LS``, default)
    2(1 - r)/n + yi^2/(2n); ``LS2`` c(n - 1)^2 (2(1 - r)/n + d^2/(2n)).

    References: Becker BJ (1988). Br J Math Stat Psychol 41:257-278; Morris SB (2000).
    Psychol Methods 5:505-528; Morris SB (2008). Organ Res Methods 11:364-386.
    """
    checks.vtype_choice(vtype, ("LS", "LS2"), "SMCR")
    m1i, m2i = checks.as_column("m1i", m1i), checks.as_column("m2i", m2i)
    sd1i, ni, ri = (
        checks.as_column("sd1i", sd1i),
        checks.as_column("ni", ni),
        checks.as_column("ri", ri),
    )
    checks.nonnegative("sd1i", sd1i)
    checks.correlation("ri", ri)
    checks.positive("ni", ni)
    cmi = small_sample_factor(ni - 1) if correct else np.ones_like(ni)
    with np.errstate(invalid="ignore", divide="ignore"):
        di = (m1i - m2i) / sd1i
    yi = cmi * di
    if vtype == "LS2":
        vi = cmi**2 * (2 * (1 - ri) / ni + di**2 / (2 * ni))
    else:
        vi = 2 * (1 - ri) / ni + yi**2 / (2 * ni)
    return checks.finish(yi, vi)


def standardized_mean_change_raw_score_heteroscedastic(
    m1i, m2i, sd1i, sd2i, ni, ri, *, vtype="LS", correct=True
):
    """Raw-score standardized mean change without assuming equal variances (``SMCRH``).

    yi = c(n - 1) (m1 - m2)/sd1 (c = 1 with ``correct=False``); variance (``LS``, default;
    Bonett 2008 eq. 13 with the corrected yi) sd_d^2 / (sd1^2 (n - 1)) + yi^2/(2(n - 1));
    ``LS2`` the same with n in place of n - 1. metafor >= 4.6-0 no longer multiplies the
    variance by c(n - 1)^2 (3.8-1 did); as metafor 5.0-1.

    Reference: Bonett DG (2008). Confidence intervals for standardized linear contrasts of
    means. Psychol Methods 13:99-109.
    """
    checks.vtype_choice(vtype, ("LS", "LS2"), "SMCRH")
    m1i, m2i, sd1i, sd2i, ni, ri = _columns(m1i, m2i, sd1i, sd2i, ni, ri)
    cmi = small_sample_factor(ni - 1) if correct else 1.0
    df = ni if vtype == "LS2" else ni - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        yi = cmi * (m1i - m2i) / sd1i
        vi = change_score_variance(sd1i, sd2i, ri) / (sd1i**2 * df) + yi**2 / (2 * df)
    return checks.finish(yi, vi)
