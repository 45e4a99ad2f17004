"""Where metafor 5.0-1 changed a golden value from 3.8-1, ivigmeta follows 5.0-1.

tests/oracle/golden/metafor_versions.json (tests/oracle/metafor_versions.py) holds each
changed value under both releases with the NEWS entry that explains it. Each test asserts that
ivigmeta gives the 5.0-1 value, that the 3.8-1 value really differs, and that the 3.8-1 value
is what the old definition (written out here) gives, so the change is the one NEWS describes.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.effects import pre_post, two_group
from ivigmeta.effects.escalc import escalc
from ivigmeta.effects.hedges import small_sample_factor
from ivigmeta.stats.models.rma import rma

CHANGES = json.loads((Path(__file__).parent / "oracle/golden/metafor_versions.json").read_text())
ESCALC = [c for c in CHANGES if c["kind"] == "escalc"]
R2 = [c for c in CHANGES if c["kind"] == "rma"]


def _array(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _old_definition(case):
    """The 3.8-1 value, from the 3.8-1 formula."""
    x = {k: np.asarray(v, dtype=float) for k, v in case["inputs"].items()}
    vtype = case["args"].get("vtype", "LS") if case["args"] else "LS"
    if case["measure"] == "ROM":  # 3.8-1: plain log(m1/m2), no second-order correction
        return two_group.ratio_of_means(
            x["m1i"], x["m2i"], x["sd1i"], x["sd2i"], x["n1i"], x["n2i"], correct=False
        )[0]
    if case["measure"] == "SMCRH":  # 3.8-1: vi multiplied by c(n - 1)^2
        vi = pre_post.standardized_mean_change_raw_score_heteroscedastic(
            x["m1i"], x["m2i"], x["sd1i"], x["sd2i"], x["ni"], x["ri"]
        )[1]
        return small_sample_factor(x["ni"] - 1) ** 2 * vi
    n1, n2, sd1, sd2 = x["n1i"], x["n2i"], x["sd1i"], x["sd2i"]
    yi, vi = two_group.standardized_mean_difference_heteroscedastic(
        x["m1i"], x["m2i"], sd1, sd2, n1, n2, vtype=vtype
    )
    var_sum = sd1**2 + sd2**2
    if vtype == "LS2":  # 3.8-1: sd^2 (not sd^4) / n in the yi^2 term
        return (
            yi**2 * (sd1**2 / n1 + sd2**2 / n2) / (2 * var_sum**2)
            + 2 * (sd1**2 / n1 + sd2**2 / n2) / var_sum
        )
    return small_sample_factor(n1 + n2 - 2) ** 2 * vi  # 3.8-1: LS vi times c(m)^2


@pytest.mark.parametrize("case", ESCALC, ids=[f"{c['case']} {c['field']}" for c in ESCALC])
def test_escalc_follows_metafor_5(case):
    result = escalc(case["measure"], **(case["args"] or {}), **case["inputs"])
    ours = getattr(result, case["field"])
    new, old = _array(case["metafor_5.0-1"]), _array(case["metafor_3.8-1"])
    np.testing.assert_allclose(ours, new, rtol=1e-6, atol=1e-12)
    assert np.max(np.abs(old - new) / np.abs(new)) > 1e-3
    np.testing.assert_allclose(_old_definition(case), old, rtol=1e-6, atol=1e-12)
    assert case["news_version"] in ("4.6-0", "5.0-1")


@pytest.mark.parametrize("case", R2, ids=[f"{c['method']}/{c['test']}" for c in R2])
def test_r2_without_intercept_follows_metafor_5(case):
    fit = rma(
        case["yi"],
        case["vi"],
        mods=np.array(case["mods"], dtype=float),
        intercept=False,
        method=case["method"],
        test=case["test"],
    )
    assert case["metafor_3.8-1"] is None
    assert fit.r2 == pytest.approx(case["metafor_5.0-1"], rel=1e-6, abs=1e-8)
