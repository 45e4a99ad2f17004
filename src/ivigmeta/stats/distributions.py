"""Tail probabilities and quantiles of the normal, t, chi-square and F distributions.

Thin wrappers over ``scipy.special`` (``ndtr``, ``stdtr``, ``chdtrc``, ``fdtrc`` and their
inverses). ``scipy.stats`` costs about 0.6 s to import; these cost about 0.15 s, which keeps
``ivigmeta pool`` fast. All functions accept scalars or numpy arrays.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def norm_cdf(x):
    """Standard normal CDF, Phi(x)."""
    return special.ndtr(x)


def norm_sf(x):
    """Standard normal upper tail, 1 - Phi(x), computed as Phi(-x) for accuracy."""
    return special.ndtr(-np.asarray(x, dtype=float))


def norm_ppf(q):
    """Standard normal quantile, Phi^-1(q)."""
    return special.ndtri(q)


def t_cdf(x, df):
    """Student t CDF with ``df`` degrees of freedom."""
    return special.stdtr(df, x)


def t_sf(x, df):
    """Student t upper tail, P(T > x)."""
    return special.stdtr(df, -np.asarray(x, dtype=float))


def t_ppf(q, df):
    """Student t quantile."""
    return special.stdtrit(df, q)


def chi2_sf(x, df):
    """Chi-square upper tail, P(X > x)."""
    return special.chdtrc(df, x)


def chi2_ppf(q, df):
    """Chi-square quantile (lower tail probability ``q``)."""
    return special.chdtri(df, 1.0 - np.asarray(q, dtype=float))


def f_sf(x, df1, df2):
    """F upper tail, P(F > x)."""
    return special.fdtrc(df1, df2, x)


def two_sided_z_p(z):
    """Two-sided p-value of a z statistic: 2 * (1 - Phi(|z|))."""
    return 2.0 * special.ndtr(-np.abs(z))


def two_sided_t_p(t, df):
    """Two-sided p-value of a t statistic: 2 * P(T_df > |t|)."""
    return 2.0 * special.stdtr(df, -np.abs(t))


def z_crit(level: float = 95.0) -> float:
    """Two-sided normal critical value for a confidence level in percent."""
    return float(special.ndtri(1.0 - (1.0 - level / 100.0) / 2.0))


def t_crit(df, level: float = 95.0):
    """Two-sided t critical value for a confidence level in percent."""
    return special.stdtrit(df, 1.0 - (1.0 - level / 100.0) / 2.0)
