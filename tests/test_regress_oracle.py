"""Meta-regression and subgroup analyses against metafor 5.0-1.

Golden values: tests/oracle/golden/regress.json, written by tests/oracle/regress.R
(``rma(yi, vi, mods)`` under REML/DL/ML/PM with z and knha tests; subgroups with separate
tau² (per-group fits + EE test of the group estimates) and common tau² (QM of the group terms).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.sensitivity.meta_regression import meta_regression
from ivigmeta.stats.sensitivity.subgroups import subgroup_analysis

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "regress.json").read_text())


def close(expected):
    return pytest.approx(expected, rel=1e-6, abs=1e-9)


def mods_of(case) -> list[str]:
    return [case["mods"]] if isinstance(case["mods"], str) else case["mods"]


def regression_id(case) -> str:
    return f"{case['dataset']}-{'+'.join(mods_of(case))}-{case['method']}-{case['test']}"


def subgroup_id(case) -> str:
    return f"{case['dataset']}-{case['by']}-{case['method']}-{case['test']}"


@pytest.mark.parametrize("case", GOLDEN["regressions"], ids=regression_id)
def test_meta_regression_matches_metafor(case):
    data = case["data"]
    mods = {name: data[name] for name in mods_of(case)}
    result = meta_regression(data["yi"], data["vi"], mods, method=case["method"],
                             test=case["test"])  # fmt: skip
    golden = case["coefficients"]
    assert [c.name for c in result.coefficients] == golden["name"]
    for j, coefficient in enumerate(result.coefficients):
        for field in ("estimate", "se", "ci_low", "ci_high", "statistic", "p"):
            assert getattr(coefficient, field) == close(golden[field][j]), (coefficient.name, field)
    for field in ("tau2", "qm", "qm_p", "qe", "qe_p", "r2", "i2", "h2"):
        assert getattr(result, field) == close(case[field]), field
    assert (result.qm_df, result.qm_df2, result.df, result.qe_df) == (
        case["qm_df"][0],
        case["qm_df"][1],
        case["df"],
        case["qe_df"],
    )


@pytest.mark.parametrize("case", GOLDEN["subgroups"], ids=subgroup_id)
def test_subgroups_match_metafor(case):
    data = case["data"]
    result = subgroup_analysis(data["yi"], data["vi"], data["group"], by=case["by"],
                               method=case["method"], test=case["test"])  # fmt: skip
    assert [g.name for g in result.groups] == [g["name"] for g in case["groups"]]
    for group, golden in zip(result.groups, case["groups"], strict=True):
        assert group.k == golden["k"]
        for field in ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "q_p"):
            assert getattr(group, field) == close(golden[field]), (group.name, field)
    assert result.q_between == close(case["q_between"])
    assert result.q_between_df == case["q_between_df"]
    assert result.q_between_p == close(case["q_between_p"])
    common = case["common"]
    assert result.common_tau2 == close(common["tau2"])
    assert result.common_qm == close(common["statistic"])
    assert result.common_qm_p == close(common["p"])
    assert [result.common_qm_df, result.common_qm_df2] == common["df"]


def test_one_group_is_not_a_subgroup_analysis():
    with pytest.raises(AnalysisError, match="at least 2 groups"):
        subgroup_analysis([0.1, 0.2, 0.3], [0.01, 0.02, 0.03], ["a", "a", "a"], by="design")


@pytest.mark.parametrize("case", GOLDEN["regressions"], ids=regression_id)
def test_influence_of_a_meta_regression_matches_metafor(case):
    import numpy as np

    from ivigmeta.stats.sensitivity.influence import influence

    data = case["data"]
    X = np.column_stack([data[name] for name in mods_of(case)])
    result = influence(data["yi"], data["vi"], data["id"], mods=X, method=case["method"],
                       test=case["test"])  # fmt: skip
    golden = case["influence"]
    for j, study in enumerate(result.studies):
        for field in ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat",
                      "weight"):  # fmt: skip
            assert getattr(study, field) == close(golden[field][j]), (study.id, field)
        expected = [column[j] for column in golden["dfbetas"]]
        assert list(study.dfbetas) == [close(v) for v in expected], study.id
        assert study.influential == golden["influential"][j], study.id
