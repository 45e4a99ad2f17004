"""Pre-post correlation and SD of change when a paper does not print them."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivigmeta.effects.correlation import (
    change_sd_from_correlation,
    change_sd_from_paired_p,
    change_sd_from_t,
    correlation_from_sds,
    t_from_paired_p,
)
from ivigmeta.effects.escalc import escalc
from ivigmeta.stats.numerics.distributions import two_sided_t_p


def test_correlation_from_three_sds_by_hand():
    # poelman2015, 6 months: baseline SD 7.2, follow-up SD 9.6, change SD 7.9
    # r = (7.2^2 + 9.6^2 - 7.9^2) / (2 * 7.2 * 9.6) = (51.84 + 92.16 - 62.41) / 138.24
    assert correlation_from_sds(7.2, 9.6, 7.9) == pytest.approx(81.59 / 138.24, rel=1e-12)


def test_change_sd_from_correlation_inverts_the_derivation():
    r = correlation_from_sds(7.2, 10.0, 8.3)
    assert change_sd_from_correlation(7.2, 10.0, r) == pytest.approx(8.3, rel=1e-12)


def test_t_from_paired_p_matches_r_qt():
    # Rscript -e 'abs(qt(0.0011 / 2, 28)); 5.3 * sqrt(29) / abs(qt(0.0011 / 2, 28))' (15 digits)
    assert t_from_paired_p(0.0011, 29) == pytest.approx(3.63767027053423, rel=1e-12)
    assert change_sd_from_paired_p(-5.3, 29, 0.0011) == pytest.approx(7.8460584261864, rel=1e-12)


def test_change_sd_from_t_by_hand():
    # t = mean_d / (sd_d / sqrt(n))  =>  sd_d = |mean_d| sqrt(n) / |t|
    assert change_sd_from_t(-11.5, 15, -3.0) == pytest.approx(11.5 * math.sqrt(15) / 3.0)


@settings(max_examples=40, deadline=None)
@given(
    p=st.floats(min_value=1e-8, max_value=0.9),
    n=st.integers(min_value=3, max_value=500),
)
def test_back_calculated_t_reproduces_p(p, n):
    t = t_from_paired_p(p, n)
    assert float(two_sided_t_p(t, n - 1)) == pytest.approx(p, rel=1e-8)


@settings(max_examples=40, deadline=None)
@given(
    m1=st.floats(-50, 50),
    m2=st.floats(-50, 50),
    sd1=st.floats(0.1, 20),
    sd2=st.floats(0.1, 20),
    n1=st.integers(2, 400),
    n2=st.integers(2, 400),
)
def test_swapping_groups_negates_smd_and_keeps_variance(m1, m2, sd1, sd2, n1, n2):
    for measure in ("MD", "SMD", "SMDH"):
        a = escalc(measure, m1i=m1, sd1i=sd1, n1i=n1, m2i=m2, sd2i=sd2, n2i=n2)
        b = escalc(measure, m1i=m2, sd1i=sd2, n1i=n2, m2i=m1, sd2i=sd1, n2i=n1)
        np.testing.assert_allclose(a.yi, -b.yi, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(a.vi, b.vi, rtol=1e-12)
