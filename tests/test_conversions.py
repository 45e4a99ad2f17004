"""Conversions against metafor 5.0-1's conv.fivenum, conv.wald and conv.2x2
(golden values from tests/oracle/conversions.R; closed forms, 1e-6 relative)."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivigmeta.effects.conversions import convert_2x2, convert_fivenum, convert_wald
from ivigmeta.errors import InputError

GOLDEN = json.loads((Path(__file__).parent / "oracle/golden/conversions.json").read_text())
WALD_NAMES = {
    "out": "estimate",
    "ci.lb": "ci_low",
    "ci.ub": "ci_high",
    "pval": "p",
    "level": "level",
}


def _array(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def assert_matches(actual, expected):
    expected = _array(expected)
    assert np.array_equal(np.isnan(actual), np.isnan(expected))
    ok = ~np.isnan(expected)
    np.testing.assert_allclose(actual[ok], expected[ok], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("case", GOLDEN["fivenum"], ids=[c["name"] for c in GOLDEN["fivenum"]])
def test_fivenum_matches_metafor(case):
    result = convert_fivenum(**case["inputs"], test=case["test"])
    assert_matches(result.mean, case["mean"])
    assert_matches(result.sd, case["sd"])


def test_fivenum_golden_covers_every_case_and_the_skewness_test():
    tested = next(c for c in GOLDEN["fivenum"] if c["name"] == "random test")
    untested = next(c for c in GOLDEN["fivenum"] if c["name"] == "random no test")
    result = convert_fivenum(**tested["inputs"])
    assert {"range", "iqr", "both"} <= set(result.case)
    # studies the skewness test rejects: no estimate with test=True, one with test=False
    assert any(result.skewed)
    assert np.isnan(_array(tested["mean"])).sum() > np.isnan(_array(untested["mean"])).sum()


def test_fivenum_by_hand():
    # n = 50, min 1, median 5, max 12: w = 4/(4 + 50^0.75), xi = 2 qnorm((50 - 0.375)/50.25)
    # = 4.48665752609256 (R)
    result = convert_fivenum(min=1, median=5, max=12, n=50)
    w = 4 / (4 + 50**0.75)
    assert result.mean[0] == pytest.approx(w * 6.5 + (1 - w) * 5, rel=1e-12)
    assert result.sd[0] == pytest.approx(11 / 4.48665752609256, rel=1e-12)


def test_fivenum_order_is_checked():
    with pytest.raises(InputError, match="row 2: expected min <= q1 <= median <= q3 <= max"):
        convert_fivenum(min=[1, 5], median=[2, 3], max=[3, 9], n=[10, 10])


@pytest.mark.parametrize("case", GOLDEN["wald"], ids=[c["name"] for c in GOLDEN["wald"]])
def test_wald_matches_metafor(case):
    args = {WALD_NAMES[k]: v for k, v in case["args"].items()}
    result = convert_wald(**args, transf=case["transf"])
    assert_matches(result.yi, case["yi"])
    assert_matches(result.vi, case["vi"])


def test_wald_by_hand():
    # OR 0.5 (0.25 to 1.0): se = (log 1 - log 0.25) / (2 * 1.959964)
    result = convert_wald(0.5, 0.25, 1.0, transf="log")
    assert result.sei[0] == pytest.approx(np.log(4) / (2 * 1.959963985), rel=1e-9)
    assert result.asymmetric == (False,)


@pytest.mark.parametrize("case", GOLDEN["tables"], ids=[c["name"] for c in GOLDEN["tables"]])
def test_2x2_matches_metafor(case):
    args = dict(case["args"])
    result = convert_2x2(args.pop("ni"), args.pop("n1i"), args.pop("n2i"), **args)
    for cell in ("ai", "bi", "ci", "di"):
        assert_matches(getattr(result, cell), case[cell])


def test_2x2_reproduces_the_odds_ratio_of_a_table():
    # the table 30/20/10/40 (n = 100, n1 = 50 with X = 1, n2 = 40 with Y = 1) has OR = 6
    result = convert_2x2(100, 50, 40, ori=30 * 40 / (20 * 10))
    assert [result.ai[0], result.bi[0], result.ci[0], result.di[0]] == [30, 20, 10, 40]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: convert_2x2(100, 120, 40, ori=2), "n1i: row 1: expected a margin no larger"),
        (lambda: convert_2x2(100, 50, 40, ri=1.5), "ri: row 1: expected a phi coefficient"),
        (lambda: convert_wald(1, 2, 1), "ci_low: row 1: expected ci_low <= ci_high"),
        (lambda: convert_wald(-1, 0.5, 2, transf="log"), "estimate: row 1: expected a value > 0"),
        (lambda: convert_wald(1, p=1.5), "p: row 1: expected a p-value between 0 and 1"),
    ],
)
def test_bad_input_is_an_input_error(call, message):
    with pytest.raises(InputError, match=message):
        call()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=5, max_size=5),
    st.integers(5, 10_000),
    st.floats(-100, 100),
)
def test_fivenum_is_location_equivariant(values, n, shift):
    lo, q1, med, q3, hi = sorted(values)
    base = convert_fivenum(lo, q1, med, q3, hi, n, test=False)
    moved = convert_fivenum(
        lo + shift, q1 + shift, med + shift, q3 + shift, hi + shift, n, test=False
    )
    assert moved.mean[0] == pytest.approx(base.mean[0] + shift, rel=1e-9, abs=1e-6)
    assert moved.sd[0] == pytest.approx(base.sd[0], rel=1e-6, abs=1e-6)
