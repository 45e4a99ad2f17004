"""Effect sizes comparing the means of two independent groups: MD, SMD, SMDH, ROM.

Arguments follow metafor's ``escalc``: means ``m1i``, ``m2i``, standard deviations ``sd1i``,
``sd2i`` and group sizes ``n1i``, ``n2i`` (group 1 is the treatment group; effects are
group 1 minus group 2). All functions are vectorised and return ``(yi, vi)`` arrays.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks
from ivigmeta.effects.hedges import small_sample_factor


def _columns(m1i, m2i, sd1i, sd2i, n1i, n2i):
    m1i, m2i = checks.as_column("m1i", m1i), checks.as_column("m2i", m2i)
    sd1i, sd2i = checks.as_column("sd1i", sd1i), checks.as_column("sd2i", sd2i)
    n1i, n2i = checks.as_column("n1i", n1i), checks.as_column("n2i", n2i)
    checks.nonnegative("sd1i", sd1i)
    checks.nonnegative("sd2i", sd2i)
    checks.positive("n1i", n1i)
    checks.positive("n2i", n2i)
    return m1i, m2i, sd1i, sd2i, n1i, n2i


def _pooled_sd(sd1i, sd2i, n1i, n2i):
    """s_p = sqrt(((n1 - 1) sd1^2 + (n2 - 1) sd2^2) / (n1 + n2 - 2))."""
    return np.sqrt(((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / (n1i + n2i - 2))


def mean_difference(m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS"):
    """Raw mean difference (measure ``MD``).

    yi = m1 - m2. Variance: ``LS``/``UB`` (default) sd1^2/n1 + sd2^2/n2, which does not
    assume equal variances; ``HO`` s_p^2 (1/n1 + 1/n2) with the pooled SD s_p.

    Reference: Borenstein M, et al. (2009). Introduction to Meta-Analysis, ch. 4.
    """
    checks.vtype_choice(vtype, ("LS", "UB", "HO"), "MD")
    m1i, m2i, sd1i, sd2i, n1i, n2i = _columns(m1i, m2i, sd1i, sd2i, n1i, n2i)
    yi = m1i - m2i
    if vtype == "HO":
        vi = _pooled_sd(sd1i, sd2i, n1i, n2i) ** 2 * (1 / n1i + 1 / n2i)
    else:
        vi = sd1i**2 / n1i + sd2i**2 / n2i
    return checks.finish(yi, vi)


def standardized_mean_difference(m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS", correct=True):
    """Bias-corrected standardized mean difference, Hedges' g (measure ``SMD``).

    d = (m1 - m2)/s_p with the pooled SD s_p; yi = c(m) d with m = n1 + n2 - 2 and the exact
    factor c(m) of :func:`~ivigmeta.effects.hedges.small_sample_factor` (1 with
    ``correct=False``). Variance:
    ``LS`` (default) 1/n1 + 1/n2 + yi^2 / (2 (n1 + n2)); ``UB`` (unbiased)
    1/n1 + 1/n2 + (1 - (m - 2)/(m c(m)^2)) yi^2; ``LS2`` c(m)^2 (1/n1 + 1/n2 + d^2/(2 (n1 + n2)));
    ``AV`` uses the n-weighted mean of yi in place of yi in ``LS``.

    References: Hedges LV (1981). J Educ Stat 6:107-128; Hedges LV, Olkin I (1985).
    Statistical Methods for Meta-Analysis, ch. 5.
    """
    checks.vtype_choice(vtype, ("LS", "UB", "LS2", "AV"), "SMD")
    m1i, m2i, sd1i, sd2i, n1i, n2i = _columns(m1i, m2i, sd1i, sd2i, n1i, n2i)
    ni = n1i + n2i
    mi = ni - 2
    di = (m1i - m2i) / _pooled_sd(sd1i, sd2i, n1i, n2i)
    cmi = small_sample_factor(mi) if correct else np.ones_like(mi)
    yi = cmi * di
    if vtype == "UB":
        vi = 1 / n1i + 1 / n2i + (1 - (mi - 2) / (mi * cmi**2)) * yi**2
    elif vtype == "LS2":
        vi = cmi**2 * (1 / n1i + 1 / n2i + di**2 / (2 * ni))
    elif vtype == "AV":
        ok = ~(np.isnan(yi) | np.isnan(ni))
        mean_yi = np.sum(yi[ok] * ni[ok]) / np.sum(ni[ok])
        vi = 1 / n1i + 1 / n2i + mean_yi**2 / (2 * ni)
    else:
        vi = 1 / n1i + 1 / n2i + yi**2 / (2 * ni)
    return checks.finish(yi, vi)


def standardized_mean_difference_heteroscedastic(
    m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS", correct=True
):
    """Standardized mean difference without assuming equal variances (measure ``SMDH``).

    yi = c(m) (m1 - m2)/s with s^2 = (sd1^2 + sd2^2)/2 and m = n1 + n2 - 2 (c(m) = 1 with
    ``correct=False``). Variance (``LS``, default; Bonett 2008 eq. 8 with the corrected yi):
    yi^2 (sd1^4/(n1-1) + sd2^4/(n2-1)) / (8 s^4) + (sd1^2/(n1-1) + sd2^2/(n2-1)) / s^2;
    ``LS2`` the same with n1, n2 in place of n1 - 1, n2 - 1.

    metafor >= 4.6-0 no longer multiplies the ``LS`` variance by c(m)^2 (3.8-1 did), and its
    ``LS2`` uses sd^4/n in the yi^2 term; both as metafor 5.0-1.

    Reference: Bonett DG (2008). Confidence intervals for standardized linear contrasts of
    means. Psychol Methods 13:99-109; Bonett DG (2009). Psychol Methods 14:225-238.
    """
    checks.vtype_choice(vtype, ("LS", "LS2"), "SMDH")
    m1i, m2i, sd1i, sd2i, n1i, n2i = _columns(m1i, m2i, sd1i, sd2i, n1i, n2i)
    cmi = small_sample_factor(n1i + n2i - 2) if correct else 1.0
    s2 = (sd1i**2 + sd2i**2) / 2
    yi = cmi * (m1i - m2i) / np.sqrt(s2)
    if vtype == "LS2":
        vi = (sd1i**2 / n1i + sd2i**2 / n2i) / s2 + yi**2 * (sd1i**4 / n1i + sd2i**4 / n2i) / (
            8 * s2**2
        )
    else:
        vi = (sd1i**2 / (n1i - 1) + sd2i**2 / (n2i - 1)) / s2 + yi**2 * (
            sd1i**4 / (n1i - 1) + sd2i**4 / (n2i - 1)
        ) / (8 * s2**2)
    return checks.finish(yi, vi)


def ratio_of_means(m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS", correct=True):
    """Log ratio of means, the log response ratio (measure ``ROM``).

    yi = log(m1/m2) + (sd1^2/(n1 m1^2) - sd2^2/(n2 m2^2))/2, the second-order bias correction
    of Lajeunesse (2015, eq. 8) that metafor 5.0-1 applies by default (3.8-1 did not;
    ``correct=False`` gives the plain log(m1/m2)). Variance (``LS``, default, delta method):
    sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2); ``HO`` uses the pooled SD for both groups; ``AV`` the
    n-weighted mean coefficient of variation per group; ``AVHO`` one n-weighted mean CV;
    ``LS2`` adds sd1^4/(2 n1^2 m1^4) + sd2^4/(2 n2^2 m2^4) (Lajeunesse 2015, eq. 9).

    References: Hedges LV, Gurevitch J, Curtis PS (1999). The meta-analysis of response ratios
    in experimental ecology. Ecology 80:1150-1156; Lajeunesse MJ (2015). Bias and correction
    for the log response ratio in ecological meta-analysis. Ecology 96:2056-2063.
    """
    checks.vtype_choice(vtype, ("LS", "HO", "AV", "AVHO", "LS2"), "ROM")
    m1i, m2i, sd1i, sd2i, n1i, n2i = _columns(m1i, m2i, sd1i, sd2i, n1i, n2i)
    with np.errstate(invalid="ignore", divide="ignore"):
        yi = np.log(m1i / m2i)
        if correct:
            yi = yi + (sd1i**2 / (n1i * m1i**2) - sd2i**2 / (n2i * m2i**2)) / 2
        cv1, cv2 = sd1i / m1i, sd2i / m2i
    if vtype == "HO":
        sdpi = _pooled_sd(sd1i, sd2i, n1i, n2i)
        vi = sdpi**2 / (n1i * m1i**2) + sdpi**2 / (n2i * m2i**2)
    elif vtype == "AV":
        ok1, ok2 = ~(np.isnan(cv1) | np.isnan(n1i)), ~(np.isnan(cv2) | np.isnan(n2i))
        mean_cv1 = np.sum(cv1[ok1] * n1i[ok1]) / np.sum(n1i[ok1])
        mean_cv2 = np.sum(cv2[ok2] * n2i[ok2]) / np.sum(n2i[ok2])
        vi = mean_cv1**2 / n1i + mean_cv2**2 / n2i
    elif vtype == "AVHO":
        ok = ~(np.isnan(n1i) | np.isnan(n2i) | np.isnan(cv1) | np.isnan(cv2))
        mean_cv = (np.sum(n1i[ok] * cv1[ok]) + np.sum(n2i[ok] * cv2[ok])) / np.sum((n1i + n2i)[ok])
        vi = mean_cv**2 * (1 / n1i + 1 / n2i)
    else:
        vi = sd1i**2 / (n1i * m1i**2) + sd2i**2 / (n2i * m2i**2)
        if vtype == "LS2":
            vi = vi + sd1i**4 / (2 * n1i**2 * m1i**4) + sd2i**4 / (2 * n2i**2 * m2i**4)
    return checks.finish(yi, vi)
