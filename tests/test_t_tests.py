"""t tests from summary statistics: hand derivations and scipy.stats as independent checks."""

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ivigmeta.printed import PrintedNumber as P
from ivigmeta.stats.checks.rounding import value_interval
from ivigmeta.stats.checks.t_tests import (
    change_sd,
    change_sd_interval,
    one_sample_t_test,
    paired_t_test,
    paired_t_test_from_arms,
    two_sample_t_test,
    two_sample_test_from_se,
)

REL = {"rel": 1e-9, "abs": 1e-12}


def test_poelman_6_month_paired_t_by_hand():
    # Poelman 2015, mRSS change at 6 months: -5.3 ± 7.9, n = 29, paired Student t, p = 0.0011.
    # se = 7.9 / sqrt(29) = 7.9 / 5.385164807 = 1.466993172; t = -5.3 / 1.466993172 = -3.612832
    result = paired_t_test(P("-5.3"), P("7.9"), 29)
    assert result.se == pytest.approx(1.466993172, rel=1e-9)
    assert result.statistic == pytest.approx(-3.612832086, rel=1e-9)
    assert result.df == 28
    assert result.p == pytest.approx(2 * stats.t.sf(3.612832086, 28), rel=1e-8)
    # over rounding: |t| from 5.25 * sqrt(29) / 7.95 to 5.35 * sqrt(29) / 7.85
    t_low = 5.25 * math.sqrt(29) / 7.95
    t_high = 5.35 * math.sqrt(29) / 7.85
    assert result.p_min == pytest.approx(2 * stats.t.sf(t_high, 28), **REL)
    assert result.p_max == pytest.approx(2 * stats.t.sf(t_low, 28), **REL)
    assert result.p_min < 0.00115 and result.p_max > 0.00105  # printed 0.0011 is inside
    # CI: -5.3 ± t_{0.975, 28} · se
    crit = stats.t.ppf(0.975, 28)
    assert result.ci_low == pytest.approx(-5.3 - crit * 1.466993172, rel=1e-8)
    assert result.confidence_interval(90)[1] == pytest.approx(
        -5.3 + stats.t.ppf(0.95, 28) * 1.466993172, rel=1e-8
    )


def test_one_sample_matches_scipy_on_the_implied_t():
    result = one_sample_t_test(10.0, 4.0, 16, mu=8.0)
    # t = (10 - 8) / (4 / 4) = 2, df = 15
    assert result.statistic == 2.0
    assert result.p == pytest.approx(2 * stats.t.sf(2.0, 15), **REL)
    assert result.p_min == result.p_max == pytest.approx(result.p, **REL)  # exact inputs


def test_paired_from_arms_change_sd_formula():
    # sd_change = sqrt(7.2² + 9.6² - 2·0.5·7.2·9.6) = sqrt(51.84 + 92.16 - 69.12) = sqrt(74.88)
    assert change_sd(7.2, 9.6, 0.5) == pytest.approx(math.sqrt(74.88), rel=1e-12)
    result = paired_t_test_from_arms(29.6, 7.2, 24.1, 9.6, 29, 0.5)
    assert result.estimate == pytest.approx(-5.5)
    assert result.statistic == pytest.approx(-5.5 / (math.sqrt(74.88) / math.sqrt(29)), rel=1e-12)


def test_change_sd_interval_brackets_a_grid():
    sd1, sd2, r = P("7.2"), P("9.6"), P("0.6")
    low, high = change_sd_interval(sd1, sd2, r)
    grid = [change_sd(a, b, c) for a in _grid(sd1) for b in _grid(sd2) for c in _grid(r)]
    assert low <= min(grid) + 1e-12 and max(grid) <= high + 1e-12
    assert low == pytest.approx(min(grid), rel=1e-3) and high == pytest.approx(max(grid), rel=1e-3)


def _grid(value, steps=10):
    low, high = value_interval(value)
    return [low + (high - low) * i / steps for i in range(steps + 1)]


def test_takehara_week_12_student_and_welch_match_scipy():
    # Takehara 2013: -3.3 ± 4.2 (n=31) vs -4.2 ± 4.6 (n=31), printed p = 0.3257
    for welch in (False, True):
        result = two_sample_t_test(P("-3.3"), P("4.2"), 31, P("-4.2"), P("4.6"), 31, welch=welch)
        expected = stats.ttest_ind_from_stats(-3.3, 4.2, 31, -4.2, 4.6, 31, equal_var=not welch)
        assert result.statistic == pytest.approx(expected.statistic, **REL)
        assert result.p == pytest.approx(expected.pvalue, **REL)
        assert result.p_min > 0.33  # 0.3257 is out of reach of either t test


@settings(max_examples=60, deadline=None)
@given(
    m1=st.floats(-50, 50),
    m2=st.floats(-50, 50),
    s1=st.floats(0.1, 30),
    s2=st.floats(0.1, 30),
    n1=st.integers(2, 300),
    n2=st.integers(2, 300),
    welch=st.booleans(),
)
def test_two_sample_matches_scipy(m1, m2, s1, s2, n1, n2, welch):
    result = two_sample_t_test(m1, s1, n1, m2, s2, n2, welch=welch)
    expected = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=not welch)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-9, abs=1e-9)
    assert result.p == pytest.approx(expected.pvalue, rel=1e-7, abs=1e-12)
    assert result.p_min == pytest.approx(result.p, rel=1e-7, abs=1e-12)


@pytest.mark.parametrize("welch", [False, True])
def test_rounding_interval_contains_every_corner_and_student_is_exact(welch):
    args = (P("-8"), P("8.3"), 25, P("-3.4"), P("7.12"), 60)
    result = two_sample_t_test(*args, welch=welch)
    corners = [
        stats.ttest_ind_from_stats(a, b, 25, c, d, 60, equal_var=not welch).pvalue
        for a, b, c, d in itertools.product(
            value_interval(args[0]), value_interval(args[1]),
            value_interval(args[3]), value_interval(args[4]),
        )
    ]  # fmt: skip
    assert result.p_min <= min(corners) * (1 + 1e-9)
    assert max(corners) <= result.p_max * (1 + 1e-9)
    if not welch:  # Student: the extremes are corners (monotone in |diff| and in each SD)
        assert result.p_min == pytest.approx(min(corners), rel=1e-9)
        assert result.p_max == pytest.approx(max(corners), rel=1e-9)


def test_difference_of_means_with_standard_errors():
    # Takehara week 60: LS means -8.3 ± 1.0 vs -4.1 ± 1.1 (SEM): z = -4.2 / sqrt(1 + 1.21)
    z = -4.2 / math.sqrt(2.21)
    result = two_sample_test_from_se(-8.3, 1.0, -4.1, 1.1)
    assert result.statistic == pytest.approx(z, rel=1e-12)
    assert result.p == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-10)
    result_t = two_sample_test_from_se(-8.3, 1.0, -4.1, 1.1, df=40)
    assert result_t.p == pytest.approx(2 * stats.t.sf(abs(z), 40), rel=1e-10)
    assert result_t.p > result.p


def test_bad_inputs_are_input_errors():
    from ivigmeta.errors import InputError

    with pytest.raises(InputError, match="n"):
        paired_t_test(1.0, 2.0, 1)
    with pytest.raises(InputError, match="sd"):
        two_sample_t_test(1.0, 0.0, 10, 2.0, 1.0, 10)
    with pytest.raises(InputError, match="correlation"):
        paired_t_test_from_arms(1.0, 1.0, 2.0, 1.0, 10, 1.5)


def _printed(value: float, decimals: int) -> P:
    return P(f"{value:.{decimals}f}")


@settings(max_examples=40, deadline=None)
@given(
    m1=st.floats(-20, 20),
    m2=st.floats(-20, 20),
    s1=st.floats(0.5, 15),
    s2=st.floats(0.5, 15),
    n1=st.integers(3, 80),
    n2=st.integers(3, 80),
    decimals=st.integers(0, 2),
    u=st.lists(st.floats(0, 1), min_size=4, max_size=4),
    welch=st.booleans(),
)
def test_p_interval_contains_p_anywhere_in_the_box(m1, m2, s1, s2, n1, n2, decimals, u, welch):
    # any true values that print as the given text give a p inside [p_min, p_max] (scipy)
    printed = [_printed(v, decimals) for v in (m1, s1, m2, s2)]
    if min(value_interval(printed[1])[0], value_interval(printed[3])[0]) <= 0:
        return
    point = [
        lo + (hi - lo) * w for (lo, hi), w in zip(map(value_interval, printed), u, strict=True)
    ]
    result = two_sample_t_test(printed[0], printed[1], n1, printed[2], printed[3], n2, welch=welch)
    p = stats.ttest_ind_from_stats(point[0], point[1], n1, point[2], point[3], n2,
                                   equal_var=not welch).pvalue  # fmt: skip
    assert result.p_min * (1 - 1e-9) - 1e-15 <= p <= result.p_max * (1 + 1e-9) + 1e-15
    paired = paired_t_test(printed[0], printed[1], n1)
    p_paired = 2 * stats.t.sf(abs(point[0]) / (point[1] / math.sqrt(n1)), n1 - 1)
    assert paired.p_min * (1 - 1e-9) - 1e-15 <= p_paired <= paired.p_max * (1 + 1e-9) + 1e-15
