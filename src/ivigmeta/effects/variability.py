"""Ratios of variability between two groups: VR and CVR (metafor ``escalc``).

Arguments follow metafor: means ``m1i``, ``m2i`` (CVR only), SDs ``sd1i``, ``sd2i`` and group
sizes ``n1i``, ``n2i``; group 1 over group 2. Both measures apply metafor's bias corrections
by default (``correct=False`` drops them). All functions return ``(yi, vi)`` arrays.

Reference: Nakagawa S, et al. (2015). Meta-analysis of variation. Methods Ecol Evol
6:143-152; Senior AM, Viechtbauer W, Nakagawa S (2020). Revisiting and expanding the
meta-analysis of variation: the log coefficient of variation ratio. Res Synth Methods
11:553-567.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks


def _sds(sd1i, sd2i, n1i, n2i):
    sd1i, sd2i = checks.as_column("sd1i", sd1i), checks.as_column("sd2i", sd2i)
    n1i, n2i = checks.as_column("n1i", n1i), checks.as_column("n2i", n2i)
    checks.nonnegative("sd1i", sd1i)
    checks.nonnegative("sd2i", sd2i)
    checks.positive("n1i", n1i)
    checks.positive("n2i", n2i)
    return sd1i, sd2i, n1i, n2i


def variability_ratio(sd1i, sd2i, n1i, n2i, *, vtype="LS", correct=True):
    """Log variability ratio (measure ``VR``).

    yi = log(sd1/sd2) + 1/(2(n1 - 1)) - 1/(2(n2 - 1)) (Nakagawa et al. 2015 eq. 9);
    vi (``LS``, default) 1/(2(n1 - 1)) + 1/(2(n2 - 1)); ``LS2`` (n1/(n1 - 1)^2 +
    n2/(n2 - 1)^2)/2 (Senior et al. 2020 eq. 15).
    """
    checks.vtype_choice(vtype, ("LS", "LS2"), "VR")
    sd1i, sd2i, n1i, n2i = _sds(sd1i, sd2i, n1i, n2i)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(sd1i / sd2i)
        if correct:
            yi = yi + 1 / (2 * (n1i - 1)) - 1 / (2 * (n2i - 1))
        if vtype == "LS2":
            vi = (n1i / (n1i - 1) ** 2 + n2i / (n2i - 1) ** 2) / 2
        else:
            vi = 1 / (2 * (n1i - 1)) + 1 / (2 * (n2i - 1))
    return checks.finish(yi, vi)


def coefficient_of_variation_ratio(m1i, m2i, sd1i, sd2i, n1i, n2i, *, vtype="LS", correct=True):
    """Log coefficient of variation ratio (measure ``CVR``).

    yi = log(cv1/cv2) + 1/(2(n1 - 1)) - 1/(2(n2 - 1)) + (sd2^2/(n2 m2^2) - sd1^2/(n1 m1^2))/2
    with cv = sd/m (Senior et al. 2020 eq. 6; the last two terms are the correction metafor
    5.0-1 applies by default); vi (``LS``, default) 1/(2(n1 - 1)) + sd1^2/(n1 m1^2) +
    1/(2(n2 - 1)) + sd2^2/(n2 m2^2); ``LS2`` sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2) +
    sd1^4/(2 n1^2 m1^4) + sd2^4/(2 n2^2 m2^4) + (n1/(n1 - 1)^2 + n2/(n2 - 1)^2)/2 (eq. 16).
    """
    checks.vtype_choice(vtype, ("LS", "LS2"), "CVR")
    m1i, m2i = checks.as_column("m1i", m1i), checks.as_column("m2i", m2i)
    sd1i, sd2i, n1i, n2i = _sds(sd1i, sd2i, n1i, n2i)
    with np.errstate(divide="ignore", invalid="ignore"):
        a1, a2 = sd1i**2 / (n1i * m1i**2), sd2i**2 / (n2i * m2i**2)
        yi = np.log(sd1i / m1i) - np.log(sd2i / m2i)
        if correct:
            yi = yi + 1 / (2 * (n1i - 1)) - 1 / (2 * (n2i - 1)) + (a2 - a1) / 2
        if vtype == "LS2":
            vi = a1 + a2 + a1**2 / 2 + a2**2 / 2 + (n1i / (n1i - 1) ** 2 + n2i / (n2i - 1) ** 2) / 2
        else:
            vi = 1 / (2 * (n1i - 1)) + a1 + 1 / (2 * (n2i - 1)) + a2
    return checks.finish(yi, vi)
