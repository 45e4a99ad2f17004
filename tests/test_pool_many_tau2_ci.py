"""pool_many(tau2_ci=True): SE of tau² and Q-profile CIs, vectorised.

Against metafor's own ``se.tau2`` and ``confint()`` for every intercept-only fit of
tests/oracle/golden/rma.json (1e-6 relative, the oracle tolerance), and against the scalar
``rma`` + ``tau2_confint`` on random data sets (1e-8 relative, the issue's bound; measured
largest deviation 2.2e-13).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.confint import tau2_confint
from ivigmeta.stats.models.pool_many import pool_many
from ivigmeta.stats.models.rma import METHODS, rma

NAMES = ("tau2", "tau", "i2", "h2")
GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "rma.json").read_text())
DATASETS = [
    d for d in GOLDEN["datasets"] if d["mods"] is None and np.all(np.atleast_1d(d["vi"]) > 0)
]
PAIRS = [
    (np.atleast_1d(d["yi"]).astype(float), np.atleast_1d(d["vi"]).astype(float)) for d in DATASETS
]


def _close(ours: float, theirs: float, rel: float) -> bool:
    if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
        return math.isnan(ours)
    return ours == pytest.approx(theirs, rel=rel, abs=1e-10)


@pytest.mark.parametrize("method", [m for m in METHODS if m != "EE"])
def test_matches_metafor_confint_and_se_tau2(method):
    groups: dict[tuple, list] = {}  # one vectorised call per (test, level)
    for dataset, pair in zip(DATASETS, PAIRS, strict=True):
        for fit in dataset["fits"]:
            if fit["method"] == method and fit["tau2_fixed"] is None and "error" not in fit:
                groups.setdefault((fit["test"], fit["level"]), []).append((dataset, pair, fit))
    checked = 0
    for (test, level), cases in groups.items():
        many = pool_many([pair for _, pair, _ in cases], method=method, test=test, level=level,
                         tau2_ci=True)  # fmt: skip
        for i, (dataset, _, fit) in enumerate(cases):
            assert _close(float(many.se_tau2[i]), fit["se_tau2"], 1e-6), (dataset["name"],)
            if "confint" not in fit:
                continue
            ci = fit["confint"]
            for name in NAMES:
                for end, value in zip(("low", "high"), ci[name], strict=True):
                    ours = float(getattr(many, f"{name}_ci_{end}")[i])
                    assert _close(ours, value, 1e-6), (dataset["name"], method, name, end)
            assert many.tau2_ci_low_sign[i] == ci["low_sign"]
            assert many.tau2_ci_high_sign[i] == ci["high_sign"]
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("method", METHODS)
def test_equals_rma_and_tau2_confint_on_random_data(method):
    rng = np.random.default_rng(20261201)
    data = []
    for _ in range(40):
        k = int(rng.integers(1, 16))
        v = rng.uniform(0.01, 0.5, k)
        y = rng.normal(0.2, np.sqrt(v + rng.choice([0.0, 0.05, 0.3])))
        data.append((y, v))
    many = pool_many(data, method=method, level=90.0, tau2_ci=True)
    for i, (y, v) in enumerate(data):
        try:
            fit = rma(y, v, method=method, level=90.0)
        except AnalysisError:  # Fisher scoring did not converge: NaN in pool_many
            assert not many.converged[i]
            continue
        assert _close(float(many.se_tau2[i]), fit.se_tau2, 1e-8)
        try:
            ci = tau2_confint(fit)
        except AnalysisError:  # EE, k = 1: metafor has no CI
            assert all(math.isnan(getattr(many, f"{n}_ci_low")[i]) for n in NAMES)
            continue
        for name in NAMES:
            for end in ("low", "high"):
                ours = float(getattr(many, f"{name}_ci_{end}")[i])
                assert _close(ours, getattr(ci, f"{name}_{end}"), 1e-8), (i, name, end)
        assert (many.tau2_ci_low_sign[i], many.tau2_ci_high_sign[i]) == (
            ci.low_sign,
            ci.high_sign,
        )


def test_off_by_default():
    many = pool_many([([0.1, 0.3], [0.1, 0.2])])
    assert many.se_tau2 is None and many.tau2_ci_low is None
