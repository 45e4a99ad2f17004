"""Rounding intervals of printed numbers and p-values, and the verdict rules (hand-derived)."""

import pytest

from ivigmeta.printed import PrintedNumber, ReportedP
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    DECISION_ERROR,
    INCONSISTENT,
    abs_interval,
    compare_p,
    counts_for_percent,
    difference,
    parse_reported_p,
    reported_p_interval,
    value_interval,
)


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("0.005", (0.0045, 0.0055)),  # 3 decimals: ± 0.0005
        ("<0.0001", (0.0, 0.0001)),
        ("p=0.06", (0.055, 0.065)),
        ("P < .05", (0.0, 0.05)),
        (">0.05", (0.05, 1.0)),
        ("0.0011", (0.00105, 0.00115)),
        ("0.0040", (0.00395, 0.00405)),  # the trailing zero counts: 4 decimals
    ],
)
def test_reported_p_interval(text, interval):
    low, high = reported_p_interval(parse_reported_p(text))
    assert low == pytest.approx(interval[0], abs=1e-15)
    assert high == pytest.approx(interval[1], abs=1e-15)


def test_not_a_p_value_is_an_input_error():
    from ivigmeta.errors import InputError

    with pytest.raises(InputError, match="p-value"):
        parse_reported_p("significant")


def test_printed_numbers_stand_for_their_rounding_interval():
    assert value_interval(PrintedNumber("-8")) == (-8.5, -7.5)
    assert value_interval(PrintedNumber("7.90")) == pytest.approx((7.895, 7.905))
    assert value_interval(7.9) == (7.9, 7.9)  # a plain float is exact


def test_difference_adds_the_half_widths():
    # 15.3 - 29.6: [15.25, 15.35] - [29.55, 29.65] = [-14.4, -14.2]
    d = difference(PrintedNumber("15.3"), PrintedNumber("29.6"))
    assert float(d) == pytest.approx(-14.3)
    assert value_interval(d) == pytest.approx((-14.4, -14.2))


def test_abs_interval():
    assert abs_interval(-3.0, -1.0) == (1.0, 3.0)
    assert abs_interval(-1.0, 2.0) == (0.0, 2.0)


def test_counts_for_percent_hand_derived():
    # 74% of 46: 34/46 = 73.91% rounds to 74; 33/46 = 71.7%, 35/46 = 76.1% do not
    assert list(counts_for_percent(PrintedNumber("74"), 46)) == [34]
    # 45% of 46: 20/46 = 43.48%, 21/46 = 45.65%: no count prints as 45%
    assert list(counts_for_percent(PrintedNumber("45"), 46)) == []
    # 50% of 200 to 0 decimals: 99/200 = 49.5% and 101/200 = 50.5% sit on the boundary
    assert list(counts_for_percent(PrintedNumber("50"), 200)) == [99, 100, 101]


def test_compare_p_verdicts():
    p = ReportedP.parse
    assert compare_p(0.00101, 0.00136, p("0.0011")) == CONSISTENT
    assert compare_p(0.37, 0.48, p("0.3257")) == INCONSISTENT
    # reported significant, recomputed wholly above 0.05: decision error
    assert compare_p(0.25, 0.26, p("0.02")) == DECISION_ERROR
    assert compare_p(0.06, 0.07, p("<0.05")) == DECISION_ERROR
    # reported non-significant, recomputed wholly below 0.05
    assert compare_p(0.01, 0.02, p("0.30")) == DECISION_ERROR
    assert compare_p(0.01, 0.02, p(">0.05")) == DECISION_ERROR
    # "0.05" stands for [0.045, 0.055]: straddles alpha, so never a decision error
    assert compare_p(0.2, 0.3, p("0.05")) == INCONSISTENT
    # a recomputed range straddling alpha is only inconsistent
    assert compare_p(0.03, 0.07, p("0.2")) == INCONSISTENT
    assert compare_p(0.0, 0.00012, p("<0.0001")) == CONSISTENT
