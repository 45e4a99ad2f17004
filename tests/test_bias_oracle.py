"""Egger's regression test, Begg's rank test, trim-and-fill and fail-safe N against metafor.

Golden values: tests/oracle/golden/bias.json, written by tests/oracle/bias.R (metafor
``regtest()`` with models rma and lm, ``ranktest()``, ``trimfill()`` with L0/R0 and the side
chosen automatically or forced, ``fsn()``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.bias.egger import egger_test
from ivigmeta.stats.bias.failsafe import rosenthal_failsafe_n
from ivigmeta.stats.bias.rank_correlation import kendall_exact_cdf, rank_correlation_test
from ivigmeta.stats.bias.trim_and_fill import trim_and_fill

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "bias.json").read_text())
CASES = GOLDEN["cases"]
EGGER_FIELDS = ("statistic", "p", "limit_estimate", "limit_ci_low", "limit_ci_high")


def case_id(case) -> str:
    return f"{case['dataset']}-{case['method']}-{case['test']}"


def close(expected):
    return pytest.approx(expected, rel=1e-6, abs=1e-9)


def as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("model", ["rma", "lm"])
def test_egger_matches_metafor_regtest(case, model):
    data = case["data"]
    golden = case["egger" if model == "rma" else "egger_lm"]
    result = egger_test(data["yi"], data["vi"], model=model, method=case["method"],
                        test=case["test"])  # fmt: skip
    assert result.df == golden["df"]
    for field in EGGER_FIELDS:
        assert getattr(result, field) == close(golden[field]), field


@pytest.mark.parametrize("case", CASES[::4], ids=case_id)
def test_rank_test_and_failsafe_n_match_metafor(case):
    data = case["data"]
    rank = rank_correlation_test(data["yi"], data["vi"])
    assert rank.tau == close(case["rank"]["tau"])
    assert rank.p == close(case["rank"]["p"])
    assert rank.exact == (case["dataset"] != "random_k15_ties")
    failsafe = rosenthal_failsafe_n(data["yi"], data["vi"])
    assert failsafe.failsafe_n == case["failsafe_n"]
    assert failsafe.p == close(case["failsafe_p"])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_trim_and_fill_matches_metafor(case):
    data = case["data"]
    for golden in case["trimfill"]:
        side = None if golden["side_requested"] == "auto" else golden["side_requested"]
        result = trim_and_fill(data["yi"], data["vi"], estimator=golden["estimator"], side=side,
                               method=case["method"], test=case["test"])  # fmt: skip
        where = (golden["estimator"], golden["side_requested"])
        assert (result.k0, result.side, result.test) == (golden["k0"], golden["side"],
                                                         golden["test"]), where  # fmt: skip
        assert result.k == golden["k"]
        for field in ("estimate", "se", "ci_low", "ci_high", "statistic", "p", "tau2"):
            assert getattr(result, field) == close(golden[field]), (where, field)
        assert sorted(result.filled_yi) == [close(y) for y in sorted(as_list(golden["filled_yi"]))]


def test_golden_trim_and_fill_cases_fill_on_both_sides():
    filled = {(t["side"], t["k0"] > 0) for c in CASES for t in c["trimfill"]}
    assert ("left", True) in filled and ("right", True) in filled


def test_exact_kendall_distribution_for_three_items():
    # inversions of the 6 permutations of 3 items: 0, 1, 1, 2, 2, 3
    assert [kendall_exact_cdf(q, 3) for q in range(-1, 4)] == pytest.approx(
        [0, 1 / 6, 3 / 6, 5 / 6, 1]
    )


def test_rank_test_beyond_170_studies_uses_the_normal_approximation():
    # R's cor.test(exact = TRUE) gives NaN for k > 170 (k! overflows). Without ties, the
    # normal approximation is z = S / sqrt(k(k - 1)(2k + 5) / 18) with S = tau k(k - 1) / 2.
    rng = np.random.default_rng(7)
    k = 200
    vi = rng.uniform(0.01, 0.2, k)
    yi = rng.normal(0, np.sqrt(vi))
    result = rank_correlation_test(yi, vi)
    assert not result.exact
    s = result.tau * k * (k - 1) / 2
    z = s / math.sqrt(k * (k - 1) * (2 * k + 5) / 18)
    assert result.p == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)


def test_failsafe_n_by_hand():
    # z_i = 2, 2, 2 -> Stouffer z = 6 / sqrt(3); N = 3 (z / 1.6449)^2 - 3 = 36/2.7055 - 3
    result = rosenthal_failsafe_n([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
    z_alpha = 1.6448536269514722
    assert result.failsafe_n == math.ceil(36 / z_alpha**2 - 3) == 11
    assert result.p == pytest.approx(0.5 * math.erfc(6 / math.sqrt(3) / math.sqrt(2)))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: egger_test([0.1, 0.2], [0.01, 0.02]), "at least 3 studies; got k = 2"),
        (lambda: rank_correlation_test([0.1, 0.2], [0.01, 0.02]), "at least 3 studies"),
        (lambda: trim_and_fill([0.1, 0.2], [0.01, 0.02]), "at least 3 studies"),
        (lambda: egger_test([0.1, 0.2, 0.4], [0.02] * 3), "different precision"),
        (lambda: trim_and_fill([0.1, 0.2, 0.4], [0.02] * 3), "give the side"),
    ],
)
def test_too_few_studies_is_an_analysis_error(call, message):
    with pytest.raises(AnalysisError, match=message):
        call()
