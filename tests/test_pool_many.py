"""pool_many() equals rma() analysis by analysis (1e-10), and metafor's golden values.

Data: every intercept-only data set of tests/oracle/golden/rma.json (metafor 5.0-1 fits from
tests/oracle/rma.R) and hypothesis-generated ones, for every estimator, test and PI rule.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.stats.models.pool_many import pool_many
from ivigmeta.stats.models.prediction import PI_CHOICES
from ivigmeta.stats.models.rma import METHODS, TESTS, rma

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "rma.json").read_text())
# pool_many needs v_i > 0 (it raises AnalysisError otherwise, tested below)
DATASETS = [
    d for d in GOLDEN["datasets"] if d["mods"] is None and np.all(np.atleast_1d(d["vi"]) > 0)
]
PAIRS = [
    (np.atleast_1d(d["yi"]).astype(float), np.atleast_1d(d["vi"]).astype(float)) for d in DATASETS
]
# tau is not compared on its own: it is sqrt(tau2), and near tau2 = 0 the square root turns a
# rounding-level difference in tau2 (1e-15) into a visible relative one; it is checked as
# sqrt(tau2) below instead.
FIELDS = ("estimate", "se", "ci_low", "ci_high", "statistic", "p", "tau2", "i2", "h2")
FIELDS += ("q", "q_p", "pi_low", "pi_high")


def single(fit) -> dict:
    """rma()'s values under pool_many's field names (NaN where rma has None)."""
    values = {
        "estimate": fit.estimate,
        "se": fit.estimate_se,
        "ci_low": fit.ci_low[0],
        "ci_high": fit.ci_high[0],
        "statistic": fit.statistic[0],
        "p": fit.pval[0],
        "df": fit.df,
        "tau2": fit.tau2,
        "tau": fit.tau,
        "i2": fit.i2,
        "h2": fit.h2,
        "q": fit.q,
        "q_df": fit.q_df,
        "q_p": fit.q_p,
        "pi_low": fit.pi_low,
        "pi_high": fit.pi_high,
    }
    return {name: math.nan if v is None else float(v) for name, v in values.items()}


def assert_same_as_rma(pairs, method, test, pi, level=95.0, rel=1e-10):
    """Every analysis of pool_many equals rma() (or both fail); returns the max deviation."""
    many = pool_many(pairs, method=method, test=test, pi=pi, level=level)
    worst = 0.0
    for i, (yi, vi) in enumerate(pairs):
        try:
            fit = rma(yi, vi, method=method, test=test, pi=pi, level=level)
        except AnalysisError:
            assert not many.converged[i], f"analysis {i}: rma failed, pool_many converged"
            assert math.isnan(many.estimate[i])
            continue
        assert many.converged[i], f"analysis {i}: rma converged, pool_many did not"
        assert many.iterations[i] == fit.iterations, i
        expected = single(fit)
        assert many.k[i] == fit.k
        assert many.q_df[i] == expected["q_df"]
        assert (math.isnan(many.df[i]) and math.isnan(expected["df"])) or many.df[i] == expected[
            "df"
        ]
        for name in FIELDS:
            ours, theirs = float(getattr(many, name)[i]), expected[name]
            if math.isnan(theirs):
                assert math.isnan(ours), (i, name, ours)
                continue
            if math.isinf(theirs):  # e.g. z = mu/0 when the Knapp-Hartung s² is 0
                assert ours == theirs, (i, name, ours)
                continue
            deviation = abs(ours - theirs) / max(abs(theirs), 1e-12 / rel)
            worst = max(worst, deviation)
            assert deviation <= rel, (i, name, ours, theirs)
        assert many.tau[i] == pytest.approx(math.sqrt(many.tau2[i]), rel=1e-15, abs=0)
        np.testing.assert_allclose(
            many.weights[i, : fit.k], fit.weights, rtol=rel, atol=1e-12, err_msg=str(i)
        )
        assert np.isnan(many.weights[i, fit.k :]).all()
    return worst


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("test", TESTS)
def test_golden_datasets_equal_rma(method, test):
    assert_same_as_rma(PAIRS, method, test, "auto")


@pytest.mark.parametrize("pi", PI_CHOICES)
@pytest.mark.parametrize("test", ["z", "knha"])
def test_prediction_rules_and_level_equal_rma(pi, test):
    assert_same_as_rma(PAIRS, "REML", test, pi, level=90.0)


def _golden_fits():
    for dataset, pair in zip(DATASETS, PAIRS, strict=True):
        for fit in dataset["fits"]:
            if fit["tau2_fixed"] is None and "error" not in fit:
                yield dataset["name"], pair, fit


@pytest.mark.parametrize("method", METHODS)
def test_matches_metafor_golden_values(method):
    """Independent of rma(): pool_many against metafor's own numbers at 1e-6."""
    fits = [(name, pair, fit) for name, pair, fit in _golden_fits() if fit["method"] == method]
    assert fits
    for name, pair, fit in fits:
        many = pool_many([pair], method=method, test=fit["test"], level=fit["level"])
        for ours, key in [
            ("estimate", "beta"),
            ("se", "se"),
            ("ci_low", "ci_low"),
            ("ci_high", "ci_high"),
            ("p", "pval"),
            ("tau2", "tau2"),
            ("i2", "i2"),
            ("h2", "h2"),
            ("q", "q"),
            ("q_p", "q_p"),
        ]:
            theirs = float(np.atleast_1d(fit[key])[0])
            assert float(getattr(many, ours)[0]) == pytest.approx(theirs, rel=1e-6, abs=1e-10), (
                name,
                fit["method"],
                fit["test"],
                ours,
            )
        if fit.get("pi_auto"):
            assert [many.pi_low[0], many.pi_high[0]] == pytest.approx(fit["pi_auto"], rel=1e-6)


def datasets_strategy():
    study = st.tuples(st.floats(-3, 3, allow_nan=False), st.floats(0.005, 4, allow_nan=False))
    return st.lists(st.lists(study, min_size=1, max_size=15), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=datasets_strategy(),
    method=st.sampled_from(METHODS),
    test=st.sampled_from(TESTS),
    pi=st.sampled_from(PI_CHOICES),
)
# ML ends at tau2 = 5e-8 here: tau2 agrees to 2e-15, tau = sqrt(tau2) only to 4e-10 relative.
@example(data=[[(2.0625, 2.875), (-1.4375, 0.5)]], method="ML", test="z", pi="auto")
def test_generated_datasets_equal_rma(data, method, test, pi):
    # 1e-9 here, 1e-10 on the golden data sets: where Fisher scoring stops just above tau² = 0,
    # the two summation orders give I² values 1.15e-10 apart (seen for ML)
    pairs = [(np.array([y for y, _ in d]), np.array([v for _, v in d])) for d in data]
    assert_same_as_rma(pairs, method, test, pi, rel=1e-9)


def test_each_analysis_stops_on_its_own():
    """A slow REML analysis does not change the iteration count of a fast one next to it."""
    fast, slow = PAIRS[0], PAIRS[5]
    alone = [pool_many([p]).iterations[0] for p in (fast, slow)]
    together = pool_many([fast, slow, fast]).iterations
    assert list(together) == [alone[0], alone[1], alone[0]]
    assert alone[0] != alone[1]


def test_bad_input_is_reported():
    with pytest.raises(AnalysisError, match="data set 1"):
        pool_many([([0.1, 0.2], [0.1, 0.1]), ([0.1], [0.0])])
    with pytest.raises(AnalysisError, match="data set 0: expected yi and vi as 1-D"):
        pool_many([([0.1, 0.2], [0.1])])
    with pytest.raises(InputError, match="method"):
        pool_many([([0.1], [0.1])], method="XX")


def test_no_data_sets_give_an_empty_result():
    result = pool_many([])
    assert len(result) == 0 and result.estimate.shape == (0,) and result.weights.shape == (0, 0)
