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


def standardized_mean_difference(m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS"):
    """Bias-corrected standardized mean difference, Hedges' g (measure ``SMD``).

    d = (m1 - m2)/s_p with the pooled SD s_p; yi = c(m) d with m = n1 + n2 - 2 and the exact
    factor c(m) of :func:`~ivigmeta.effects.hedges.small_sample_factor`. Variance:
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
    cmi = small_sample_factor(mi)
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


def standardized_mean_difference_heteroscedastic(m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS"):
    """Standardized mean difference without assuming equal variances (measure ``SMDH``).

    yi = c(m) (m1 - m2)/s with s = sqrt((sd1^2 + sd2^2)/2) and m = n1 + n2 - 2. Variance
    (``LS``, default): c(m)^2 [yi^2 (sd1^4/(n1-1) + sd2^4/(n2-1)) / (2 (sd1^2 + sd2^2)^2)
    + (sd1^2/(n1-1) + sd2^2/(n2-1)) / ((sd1^2 + sd2^2)/2)]; ``LS2`` the large-sample form
    with n in place of n - 1 and no c(m)^2.

    Reference: Bonett DG (2008). Confidence intervals for standardized linear contrasts of
    means. Psychol Methods 13:99-109; Bonett DG (2009). Psychol Methods 14:225-238.
    """
    checks.vtype_choice(vtype, ("LS", "LS2"), "SMDH")
    m1i, m2i, sd1i, sd2i, n1i, n2i = _columns(m1i, m2i, sd1i, sd2i, n1i, n2i)
    cmi = small_sample_factor(n1i + n2i - 2)
    var_sum = sd1i**2 + sd2i**2
    yi = cmi * (m1i - m2i) / np.sqrt(var_sum / 2)
    if vtype == "LS2":
        vi = (
            yi**2 * sd1i**2 / (2 * n1i * var_sum**2)
            + yi**2 * sd2i**2 / (2 * n2i * var_sum**2)
            + 2 * sd1i**2 / (n1i * var_sum)
            + 2 * sd2i**2 / (n2i * var_sum)
        )
    else:
        vi = yi**2 * (sd1i**4 / (n1i - 1) + sd2i**4 / (n2i - 1)) / (2 * var_sum**2) + (
            sd1i**2 / (n1i - 1) + sd2i**2 / (n2i - 1)
        ) / (var_sum / 2)
        vi = cmi**2 * vi
    return checks.finish(yi, vi)


def ratio_of_means(m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS"):
    """Log ratio of means, the log response ratio (measure ``ROM``).

    yi = log(m1/m2) (means must be positive). Variance (``LS``, default, delta method):
    sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2); ``HO`` uses the pooled SD for both groups; ``AV`` the
    n-weighted mean coefficient of variation per group; ``AVHO`` one n-weighted mean CV.

    Reference: Hedges LV, Gurevitch J, Curtis PS (1999). The meta-analysis of response ratios
    in experimental ecology. Ecology 80:1150-1156.
    """
    checks.vtype_choice(vtype, ("LS", "HO", "AV", "AVHO"), "ROM")
    m1i, m2i, sd1i, sd2i, n1i, n2i = _columns(m1i, m2i, sd1i, sd2i, n1i, n2i)
    with np.errstate(invalid="ignore", divide="ignore"):
        yi = np.log(m1i / m2i)
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
    return checks.finish(yi, vi)
