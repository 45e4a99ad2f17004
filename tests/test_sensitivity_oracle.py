"""Leave-one-out, cumulative and influence diagnostics against metafor 5.0-1.

Golden values: tests/oracle/golden/sensitivity.json, written by tests/oracle/sensitivity.R
(metafor ``leave1out()``, ``cumul(order = year)``, ``influence()``) for dat.bcg,
dat.hackshaw1998 and seeded random data sets under REML/DL/PM/EE with z and knha tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from ivigmeta.stats.sensitivity.cumulative import cumulative
from ivigmeta.stats.sensitivity.influence import influence
from ivigmeta.stats.sensitivity.leave_one_out import leave_one_out

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "sensitivity.json").read_text())
CASES = GOLDEN["cases"]
POOLED_FIELDS = ("estimate", "se", "statistic", "p", "ci_low", "ci_high", "q", "q_p", "tau2",
                 "i2", "h2")  # fmt: skip
INFLUENCE_FIELDS = ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat",
                    "weight")  # fmt: skip


def case_id(case) -> str:
    return f"{case['dataset']}-{case['method']}-{case['test']}"


def assert_close(actual, expected, where):
    if expected is None:
        assert actual is None or math.isnan(actual), where
    else:
        assert actual == pytest.approx(expected, rel=1e-6, abs=1e-9), where


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_leave_one_out_matches_metafor(case):
    data = case["data"]
    golden = case["leave_one_out"]
    result = leave_one_out(data["yi"], data["vi"], data["id"], method=case["method"],
                           test=case["test"])  # fmt: skip
    assert [row.id for row in result.rows] == golden["id"]
    for j, row in enumerate(result.rows):
        for field in POOLED_FIELDS:
            assert_close(getattr(row, field), golden[field][j], (row.id, field))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_cumulative_by_year_matches_metafor(case):
    data = case["data"]
    golden = case["cumulative_by_year"]
    result = cumulative(data["yi"], data["vi"], data["id"], order=data["year"],
                        method=case["method"], test=case["test"])  # fmt: skip
    assert [row.id for row in result.rows] == golden["id"]  # stable sort: ties keep input order
    for j, row in enumerate(result.rows):
        for field in POOLED_FIELDS:
            assert_close(getattr(row, field), golden[field][j], (row.id, field))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_influence_matches_metafor(case):
    data = case["data"]
    golden = case["influence"]
    result = influence(data["yi"], data["vi"], data["id"], method=case["method"],
                       test=case["test"])  # fmt: skip
    assert [s.id for s in result.studies] == golden["id"]
    for j, study in enumerate(result.studies):
        for field in INFLUENCE_FIELDS:
            assert_close(getattr(study, field), golden[field][j], (study.id, field))
        assert_close(study.dfbetas[0], golden["dfbetas"][j], (study.id, "dfbetas"))
        assert study.influential == golden["influential"][j], study.id


def test_the_golden_cases_flag_some_studies_as_influential():
    flags = [flag for case in CASES for flag in case["influence"]["influential"]]
    assert any(flags) and not all(flags)


def test_cumulative_in_the_given_order_ends_with_the_full_model():
    case = CASES[0]
    data = case["data"]
    result = cumulative(data["yi"], data["vi"], data["id"], method="REML")
    assert [row.id for row in result.rows] == data["id"]
    assert [row.k for row in result.rows] == list(range(1, len(data["id"]) + 1))
    full = leave_one_out(data["yi"][:2], data["vi"][:2], method="REML").rows
    # with two studies, leaving one out "pools" the other study alone: its own y and sqrt(v)
    assert full[0].estimate == pytest.approx(data["yi"][1], rel=1e-12)
    assert full[0].se == pytest.approx(math.sqrt(data["vi"][1]), rel=1e-12)
