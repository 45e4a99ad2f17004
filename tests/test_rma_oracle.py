"""rma() and tau2_confint() against metafor 5.0-1 (golden values from tests/oracle/rma.R).

Every fit in tests/oracle/golden/rma.json is refitted and every field compared at 1e-6
relative (1e-10 absolute for values that are 0 in metafor). Fits metafor refuses must raise
AnalysisError here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.confint import tau2_confint
from ivigmeta.stats.models.prediction import prediction_interval
from ivigmeta.stats.models.rma import rma

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "rma.json").read_text())
REL = 1e-6
ABS = 1e-10


def _vector(value) -> np.ndarray:
    if value is None:
        return np.array([math.nan])
    # metafor's NA is null; its infinities are stored as the strings "Inf" / "-Inf"
    return np.array([math.nan if v is None else float(v) for v in np.atleast_1d(value)])


def _fit_label(expected: dict) -> str:
    fixed = "" if expected["tau2_fixed"] is None else f" tau2={expected['tau2_fixed']}"
    return f"{expected['method']}/{expected['test']} level={expected['level']}{fixed}"


def fit_from(dataset: dict, expected: dict, **options):
    mods = None if dataset["mods"] is None else np.array(dataset["mods"], dtype=float)
    return rma(
        _vector(dataset["yi"]),
        _vector(dataset["vi"]),
        mods=mods,
        intercept=expected["intercept"],
        method=expected["method"],
        test=expected["test"],
        level=expected["level"],
        tau2=expected["tau2_fixed"],
        **options,
    )


def compared_values(dataset: dict, expected: dict, fit) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(field, ours, metafor's) for every field metafor reported for this fit."""
    pairs = [
        ("beta", fit.beta, expected["beta"]),
        ("se", fit.se, expected["se"]),
        ("statistic", fit.statistic, expected["statistic"]),
        ("pval", fit.pval, expected["pval"]),
        ("ci_low", fit.ci_low, expected["ci_low"]),
        ("ci_high", fit.ci_high, expected["ci_high"]),
        ("df", fit.df, expected["df"]),
        ("tau2", fit.tau2, expected["tau2"]),
        ("se_tau2", fit.se_tau2, expected["se_tau2"]),
        ("i2", fit.i2, expected["i2"]),
        ("h2", fit.h2, expected["h2"]),
        ("s2", fit.s2, expected["s2"]),
        ("q", fit.q, expected["q"]),
        ("q_p", fit.q_p, expected["q_p"]),
        ("qm", fit.qm, expected["qm"]),
        ("qm_df", list(fit.qm_df), expected["qm_df"]),
        ("qm_p", fit.qm_p, expected["qm_p"]),
        ("r2", fit.r2, expected["r2"]),
        ("weights", fit.weights, expected["weights"]),
    ]
    if "pi_auto" in expected:
        if expected["pi_auto"]:
            pairs.append(("pi_auto", [fit.pi_low, fit.pi_high], expected["pi_auto"]))
        else:  # metafor's predict() gives no PI for EE models
            assert fit.pi_low is None and fit.pi_high is None
        for rule in ("z", "t", "hts"):
            interval = prediction_interval(
                fit.estimate,
                fit.estimate_se,
                fit.tau2,
                k=fit.k,
                p=fit.p,
                test=fit.test,
                level=fit.level,
                pi=rule,
            )
            pairs.append((f"pi_{rule}", [interval.low, interval.high], expected[f"pi_{rule}"]))
    if "confint" in expected:
        ci = tau2_confint(fit)
        for name in ("tau2", "tau", "i2", "h2"):
            ours = [getattr(ci, f"{name}_low"), getattr(ci, f"{name}_high")]
            pairs.append((f"confint_{name}", ours, expected["confint"][name]))
    return [(name, _vector(ours), _vector(theirs)) for name, ours, theirs in pairs]


def relative_deviation(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest |ours - theirs| / |theirs| over entries that are non-zero in metafor."""
    mask = np.isfinite(theirs) & (theirs != 0)
    if not mask.any():
        return 0.0
    return float(np.max(np.abs(ours[mask] - theirs[mask]) / np.abs(theirs[mask])))


@pytest.mark.parametrize("dataset", GOLDEN["datasets"], ids=[d["name"] for d in GOLDEN["datasets"]])
def test_rma_matches_metafor(dataset):
    for expected in dataset["fits"]:
        check_fit(dataset, expected)


def check_fit(dataset: dict, expected: dict) -> None:
    label = _fit_label(expected)
    if "error" in expected:
        with pytest.raises(AnalysisError):
            fit_from(dataset, expected)
        return
    fit = fit_from(dataset, expected)
    assert fit.test == expected["test_used"], label
    for name, ours, theirs in compared_values(dataset, expected, fit):
        assert ours.shape == theirs.shape, f"{label}: {name}"
        np.testing.assert_allclose(
            ours, theirs, rtol=REL, atol=ABS, equal_nan=True, err_msg=f"{label}: field {name}"
        )
    stuck = any("local maximum" in w for w in expected["warnings"])
    assert stuck == any("local maximum" in note for note in fit.notes), label
    if "confint" in expected:
        ci = tau2_confint(fit)
        assert ci.low_sign == expected["confint"]["low_sign"], label
        assert ci.high_sign == expected["confint"]["high_sign"], label
        assert ci.ci_null == expected["confint"]["ci_null"], label
