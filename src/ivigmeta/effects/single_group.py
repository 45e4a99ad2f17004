"""Effect sizes for the mean of a single group: MN, MNLN, CVLN (metafor ``escalc``).

Arguments follow metafor: mean ``mi``, standard deviation ``sdi`` and sample size ``ni``
(SDs >= 0, sizes > 0; MNLN and CVLN also need means >= 0). All functions return ``(yi, vi)``.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks


def _columns(mi, sdi, ni, *, log_scale=False):
    mi, sdi, ni = (
        checks.as_column("mi", mi),
        checks.as_column("sdi", sdi),
        checks.as_column("ni", ni),
    )
    checks.nonnegative("sdi", sdi)
    checks.positive("ni", ni)
    if log_scale:
        checks.nonnegative("mi", mi)
    return np.broadcast_arrays(mi, sdi, ni)


def mean(mi, sdi, ni, *, vtype="LS"):
    """Raw mean (measure ``MN``).

    yi = m; vi (``LS``, default) sd^2/n; ``HO`` s_p^2/n with the pooled variance across
    studies s_p^2 = sum((n - 1) sd^2) / sum(n - 1) (homoscedasticity across studies).
    """
    checks.vtype_choice(vtype, ("LS", "HO"), "MN")
    mi, sdi, ni = _columns(mi, sdi, ni)
    if vtype == "HO":
        ok = ~(np.isnan(sdi) | np.isnan(ni))
        pooled = np.sum(sdi[ok] ** 2 * (ni[ok] - 1)) / np.sum(ni[ok] - 1)
        vi = pooled / ni
    else:
        vi = sdi**2 / ni
    return checks.finish(mi, vi)


def log_mean(mi, sdi, ni):
    """Log-transformed mean (measure ``MNLN``): yi = log(m); vi = sd^2/(n m^2) (delta method)."""
    mi, sdi, ni = _columns(mi, sdi, ni, log_scale=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return checks.finish(np.log(mi), sdi**2 / (ni * mi**2))


def log_coefficient_of_variation(mi, sdi, ni, *, correct=True):
    """Log coefficient of variation (measure ``CVLN``).

    yi = log(sd/m) + 1/(2(n - 1)) (the bias correction; ``correct=False`` drops it);
    vi = 1/(2(n - 1)) + sd^2/(n m^2).

    Reference: Nakagawa S, et al. (2015). Meta-analysis of variation: ecological and
    evolutionary applications and beyond. Methods Ecol Evol 6:143-152.
    """
    mi, sdi, ni = _columns(mi, sdi, ni, log_scale=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(sdi / mi)
        if correct:
            yi = yi + 1 / (2 * (ni - 1))
        vi = 1 / (2 * (ni - 1)) + sdi**2 / (ni * mi**2)
    return checks.finish(yi, vi)
