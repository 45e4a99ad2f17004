"""Effect sizes from correlation coefficients: COR, UCOR, ZCOR (metafor ``escalc``).

Arguments follow metafor: ``ri`` the (Pearson) correlation and ``ni`` the sample size. A
correlation of magnitude 1 or more is refused (metafor accepts |r| = 1, which gives an
infinite ZCOR and a zero COR variance). Sampling variances of studies with ni <= 3 are NaN,
as in metafor. All functions return ``(yi, vi)`` arrays.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks


def _finish(yi, vi, ni):
    """:func:`checks.finish`, then vi NaN for ni <= 3 with yi kept (metafor sets only vi NA)."""
    small = ni <= 3
    yi, vi = checks.finish(yi, np.where(small, 0.0, vi))
    vi[small] = np.nan
    return yi, vi


def _columns(ri, ni):
    ri, ni = checks.as_column("ri", ri), checks.as_column("ni", ni)
    with np.errstate(invalid="ignore"):
        checks.require(np.abs(ri) >= 1, "ri", "a correlation strictly between -1 and 1")
    checks.positive("ni", ni)
    return np.broadcast_arrays(ri, ni)


def hypergeometric_2f1(a: float, b: float, c, x):
    """Gauss's hypergeometric function 2F1(a, b; c; x), NaN unless c > a + b (metafor ``.Fcalc``).

    metafor evaluates it with gsl's ``hyperg_2F1``; here mpmath's ``hyp2f1`` (imported only for
    UCOR). scipy's ``hyp2f1`` is not used: it returns NaN for large c with x near 1 (e.g.
    c = 162, x = 0.9975, a correlation of 0.05 from 326 patients).
    """
    import mpmath

    c, x = np.broadcast_arrays(np.asarray(c, dtype=float), np.asarray(x, dtype=float))
    out = np.full(c.shape, np.nan)
    for i in np.flatnonzero(~(np.isnan(c) | np.isnan(x)) & (c > a + b)):
        out.flat[i] = float(mpmath.hyp2f1(a, b, float(c.flat[i]), float(x.flat[i])))
    return out


def _correlation_variance(yi, ni, vtype):
    if vtype == "AV":
        ok = ~(np.isnan(yi) | np.isnan(ni))
        mean_yi = np.sum(yi[ok] * ni[ok]) / np.sum(ni[ok])
        return (1 - mean_yi**2) ** 2 / (ni - 1)
    if vtype == "H0":
        return (1 - yi**2) / (ni - 2)
    return (1 - yi**2) ** 2 / (ni - 1)


def raw_correlation(ri, ni, *, vtype="LS"):
    """Raw correlation coefficient (measure ``COR``).

    yi = r; vi (``LS``, default) (1 - r^2)^2/(n - 1); ``AV`` uses the n-weighted mean r;
    ``H0`` (1 - r^2)/(n - 2), the variance under rho = 0.

    Reference: Olkin I, Pratt JW (1958). Unbiased estimation of certain correlation
    coefficients. Ann Math Stat 29:201-211.
    """
    checks.vtype_choice(vtype, ("LS", "AV", "H0"), "COR")
    ri, ni = _columns(ri, ni)
    yi = ri.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        vi = _correlation_variance(yi, ni, vtype)
    return _finish(yi, vi, ni)


def unbiased_correlation(ri, ni, *, vtype="LS"):
    """Bias-corrected correlation coefficient (measure ``UCOR``).

    yi = r 2F1(1/2, 1/2; (n - 2)/2; 1 - r^2) (Olkin & Pratt 1958; NaN for n <= 4); vi
    (``LS``, default) (1 - yi^2)^2/(n - 1); ``AV`` with the n-weighted mean yi; ``UB`` the
    unbiased estimate yi^2 - (1 - (n - 3)/(n - 2) (1 - r^2) 2F1(1, 1; n/2; 1 - r^2)).

    Reference: Olkin I, Pratt JW (1958). Ann Math Stat 29:201-211.
    """
    checks.vtype_choice(vtype, ("LS", "UB", "AV"), "UCOR")
    ri, ni = _columns(ri, ni)
    x = 1 - ri**2
    yi = ri * hypergeometric_2f1(0.5, 0.5, (ni - 2) / 2, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        if vtype == "UB":
            vi = yi**2 - (1 - (ni - 3) / (ni - 2) * x * hypergeometric_2f1(1.0, 1.0, ni / 2, x))
        else:
            vi = _correlation_variance(yi, ni, vtype)
    return _finish(yi, vi, ni)


def fisher_z_correlation(ri, ni):
    """Fisher's r-to-z transformed correlation (measure ``ZCOR``).

    yi = atanh(r) = log((1 + r)/(1 - r))/2; vi = 1/(n - 3) (NaN for n <= 3).

    Reference: Fisher RA (1921). On the probable error of a coefficient of correlation
    deduced from a small sample. Metron 1:3-32.
    """
    ri, ni = _columns(ri, ni)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.arctanh(ri)
        vi = 1 / (ni - 3)
    return _finish(yi, vi, ni)
