"""ivigmeta.stats.numerics.distributions (numpy + standard library) against scipy.special and
by hand.

Grids: t with df from 0.5 to 1e6 and |t| up to 1e300; chi-square with df 1..500 (and
non-integer df), x up to 1e4; F with df 1..500; tail probabilities down to 1e-300 and quantile
probabilities from 1e-12 to 1 - 1e-12. Requirement: relative error <= 1e-12.
"""

import math

import numpy as np
import pytest
from scipy import special

from ivigmeta.stats.numerics import distributions as dist

REL = 1e-12
T_DF = np.array(
    [
        *(0.5, 1, 1.5, 2, 3, 4.5, 7, 10, 14.9, 15, 15.5, 20, 29.9, 30, 50, 100, 300),
        *(1e3, 1e4, 1e5, 3e5, 1e6),
    ]
)
T_X = np.concatenate([-np.logspace(-4, 300, 200), [0.0], np.logspace(-4, 300, 200)])
CHI2_DF = np.concatenate([np.arange(1, 501), [0.5, 1.3, 2.7, 7.5, 33.3, 101.1, 499.5]])
PROBABILITIES = np.concatenate(
    [np.logspace(-12, -1, 45), np.linspace(0.1, 0.9, 41), 1 - np.logspace(-12, -1, 45)]
)


def assert_close(got, expected, rel=REL, floor=1e-300):
    """Relative error <= rel where the reference is at least floor in size (and nonzero, finite);
    exactly equal where it is 0 or infinite; never NaN where the reference is not."""
    got, expected = np.broadcast_arrays(np.asarray(got, float), np.asarray(expected, float))
    compared = (np.abs(expected) >= floor) & ~np.isnan(expected)
    relative = compared & np.isfinite(expected) & (expected != 0)
    error = np.abs(got[relative] - expected[relative]) / np.abs(expected[relative])
    assert error.max(initial=0.0) <= rel, error.max()
    exact = compared & ~relative
    assert np.array_equal(got[exact], expected[exact]), (got[exact], expected[exact])
    assert not np.isnan(got[compared]).any()


# --- normal ---------------------------------------------------------------------------------


def test_normal_cdf_and_sf_match_ndtr_down_to_1e_300():
    x = np.linspace(-37.0, 37.0, 2001)
    assert_close(dist.norm_cdf(x), special.ndtr(x))
    assert_close(dist.norm_sf(x), special.ndtr(-x))


def test_normal_quantile_matches_ndtri():
    q = np.concatenate([np.logspace(-300, -1, 300), PROBABILITIES])
    assert_close(dist.norm_ppf(q), special.ndtri(q), floor=0.0)


def test_normal_by_hand():
    assert dist.norm_cdf(0.0) == 0.5
    # Phi(-x) = erfc(x / sqrt 2) / 2 (definition), at x = 3
    assert dist.norm_cdf(-3.0) == pytest.approx(math.erfc(3 / math.sqrt(2)) / 2, rel=1e-15)
    assert dist.z_crit(95.0) == pytest.approx(1.959963984540054, rel=1e-15)
    assert dist.two_sided_z_p(-1.959963984540054) == pytest.approx(0.05, rel=1e-14)


# --- Student t ------------------------------------------------------------------------------


def test_t_cdf_and_sf_match_stdtr_over_df_half_to_a_million():
    df, x = T_DF[:, None], T_X[None, :]
    assert_close(dist.t_cdf(x, df), special.stdtr(df, x))
    assert_close(dist.t_sf(x, df), special.stdtr(df, -x))
    assert_close(dist.two_sided_t_p(x, df), 2 * special.stdtr(df, -np.abs(x)))


def test_t_with_one_df_is_cauchy():
    # P(T > t) = 1/2 - arctan(t)/pi = arctan(1/t)/pi for t > 0
    assert dist.t_sf(1.0, 1.0) == pytest.approx(0.25, rel=1e-15)
    t = np.array([1e-3, 0.5, 3.0, 1e10, 1e200])
    assert_close(dist.t_sf(t, 1.0), np.arctan(1 / t) / np.pi, rel=1e-13)
    # quantile: t = tan(pi (q - 1/2)) = -1/tan(pi q) (the latter accurate for small q)
    q = np.array([1e-12, 0.1, 0.3, 0.7, 0.9])
    assert_close(dist.t_ppf(q, 1.0), -1 / np.tan(np.pi * q), rel=1e-12)


def test_t_with_two_df_by_hand():
    # P(T > t) = (1 - t / sqrt(2 + t^2)) / 2 = 1 / ((sqrt(2 + t^2) + t) sqrt(2 + t^2))
    t = np.array([0.1, 1.0, 4.0, 1e5, 1e100])
    root = np.sqrt(2 + t * t)
    assert_close(dist.t_sf(t, 2.0), 1 / ((root + t) * root), rel=1e-13)
    # quantile: t = (2q - 1) / sqrt(2 q (1 - q))
    q = np.array([1e-12, 0.025, 0.6, 0.975])
    assert_close(dist.t_ppf(q, 2.0), (2 * q - 1) / np.sqrt(2 * q * (1 - q)), rel=1e-12)


def test_t_quantile_matches_stdtrit():
    df, q = T_DF[:, None], PROBABILITIES[None, :]
    assert_close(dist.t_ppf(q, df), special.stdtrit(df, q), floor=0.0)
    assert_close(dist.t_crit(T_DF, 95.0), special.stdtrit(T_DF, 0.975))


def test_t_with_infinite_df_is_normal():
    assert dist.t_cdf(1.5, np.inf) == dist.norm_cdf(1.5)
    assert dist.t_ppf(0.975, np.inf) == dist.norm_ppf(0.975)


def test_t_edges():
    nan, inf = np.nan, np.inf
    assert_close(dist.t_cdf([-inf, inf], 3.0), [0.0, 1.0], floor=0.0)
    assert_close(dist.t_sf([-inf, inf], 3.0), [1.0, 0.0], floor=0.0)
    assert np.isnan(dist.t_cdf([nan, 1.0, 1.0], [3.0, nan, 0.0])).all()
    assert_close(dist.t_ppf([0.0, 0.5, 1.0], 3.0), [-inf, 0.0, inf], floor=0.0)
    assert np.isnan(dist.t_ppf([nan, 1.5, 0.9], [3.0, 3.0, nan])).all()


# --- chi-square -----------------------------------------------------------------------------


def test_chi2_sf_matches_chdtrc_for_df_1_to_500():
    df = CHI2_DF[:, None]
    x = np.concatenate([[0.0], np.logspace(-6, 4, 200)])[None, :]
    assert_close(dist.chi2_sf(x, df), special.chdtrc(df, x))


def test_chi2_by_hand():
    # 2 df: P(X > x) = exp(-x/2); 1 df: P(X > x) = P(|Z| > sqrt x) = erfc(sqrt(x/2))
    x = np.array([1e-8, 0.3, 2.0, 50.0, 1300.0])
    assert_close(dist.chi2_sf(x, 2.0), np.exp(-x / 2), rel=1e-14)
    erfc = np.array([math.erfc(math.sqrt(v / 2)) for v in x])
    assert_close(dist.chi2_sf(x, 1.0), erfc, rel=1e-13)
    # 2 df quantile: x = -2 log(1 - q)
    q = np.array([1e-12, 0.025, 0.5, 0.975, 1 - 1e-12])
    assert_close(dist.chi2_ppf(q, 2.0), -2 * np.log1p(-q), rel=1e-13)


def test_chi2_quantile_matches_scipy():
    # lower tail q < 1/2 against gammaincinv (chdtri(df, 1 - q) would lose the digits of q
    # in 1 - q), upper half against chdtri (1 - q is exact there)
    df = np.concatenate([np.arange(1, 501, 7), [0.5, 1.3, 2.7, 7.5, 33.3, 101.1, 499.5]])
    df, q = df[:, None], PROBABILITIES[None, :]
    expected = np.where(q < 0.5, 2 * special.gammaincinv(df / 2, q), special.chdtri(df, 1 - q))
    assert_close(dist.chi2_ppf(q, df), expected, floor=0.0)


def test_chi2_edges():
    nan, inf = np.nan, np.inf
    assert_close(dist.chi2_sf([0.0, inf, -1.0], 3.0), [1.0, 0.0, 1.0], floor=0.0)
    assert dist.chi2_sf(1.0, inf) == 1.0
    assert np.isnan(dist.chi2_sf([nan, 1.0], [3.0, nan])).all()
    assert_close(dist.chi2_ppf([0.0, 1.0], 3.0), [0.0, inf], floor=0.0)


# --- F --------------------------------------------------------------------------------------


def test_f_sf_matches_fdtrc():
    dfs = np.array([1, 2, 3, 5, 10, 30, 100, 500], dtype=float)
    d1, d2 = dfs[:, None, None], dfs[None, :, None]
    x = np.concatenate([[0.0], np.logspace(-6, 6, 100)])[None, None, :]
    # below 1e-250 fdtrc itself loses digits (e.g. F(30, 500) at x = 305: fdtrc 1.17e-299,
    # true value 9.30e-300 by 50-digit arithmetic)
    assert_close(dist.f_sf(x, d1, d2), special.fdtrc(d1, d2, x), floor=1e-250)


def test_f_by_hand():
    # F(2, 2): P(F > x) = 1/(1 + x); F(1, d) = T(d)^2: P(F > t^2) = 2 P(T > t)
    x = np.array([1e-6, 0.5, 3.0, 1e8])
    assert_close(dist.f_sf(x, 2.0, 2.0), 1 / (1 + x), rel=1e-14)
    assert_close(dist.f_sf(x * x, 1.0, 7.0), 2 * dist.t_sf(x, 7.0), rel=1e-13)
    assert dist.f_sf(0.0, 3.0, 4.0) == 1.0
    assert np.isnan(dist.f_sf(np.nan, 3.0, 4.0))


# --- log gamma and shapes -------------------------------------------------------------------


def test_log_gamma_matches_gammaln():
    x = np.concatenate([np.linspace(0.01, 30, 500), np.logspace(1.5, 6, 100), [-0.5, -2.5]])
    # absolute near the zeros of log Gamma at 1 and 2, relative elsewhere
    expected = special.gammaln(x)
    assert (
        np.abs(dist.log_gamma(x) - expected).max()
        <= 1e-14 * np.maximum(1.0, np.abs(expected)).max()
    )
    assert_close(dist.log_gamma(x[np.abs(expected) > 1]), expected[np.abs(expected) > 1], rel=1e-14)
    assert dist.log_gamma(0.5) == pytest.approx(0.5 * math.log(math.pi), rel=1e-15)
    assert dist.log_gamma(0.0) == np.inf
    assert dist.log_gamma(-3.0) == np.inf
    assert np.isnan(dist.log_gamma(np.nan))


def test_scalars_in_scalars_out_and_arrays_broadcast():
    assert np.ndim(dist.t_sf(2.0, 5.0)) == 0
    assert np.ndim(dist.chi2_ppf(0.5, 3.0)) == 0
    assert isinstance(dist.z_crit(), float)
    assert dist.t_ppf(np.full((2, 3), 0.9), np.array([1.0, 2.0, 3.0])).shape == (2, 3)
    assert dist.chi2_sf(np.ones(4), 2.0).shape == (4,)
    assert dist.f_sf(np.ones((2, 1)), np.ones(3), 2.0).shape == (2, 3)
