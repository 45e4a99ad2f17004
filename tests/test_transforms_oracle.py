"""Natural-scale results against metafor 5.0-1 and R's meta conventions.

Golden values: ``tests/oracle/transforms.R`` (transf.* on a grid; predict(rma(...), transf=...)
for PLO, PAS, PFT and PR on dat.pritz1997 and 30 seeded random sets of proportions with zero
and full counts, RR and OR on dat.bcg, ZCOR on dat.molloy2014; study intervals as
binom.test (Clopper-Pearson) and prop.test(correct = FALSE) (Wilson), which R's meta uses).
Tolerance 1e-6 relative (closed forms; the exact intervals are root-found to 1e-14).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.analyses.natural_scale import transformed_fields
from ivigmeta.analyses.pool import pool
from ivigmeta.effects import transforms
from ivigmeta.effects.study_intervals import proportion_ci
from ivigmeta.stats.models.rma import rma

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests/oracle/golden/transforms.json").read_text())
RTOL = 1e-6


def _close(got, expected):
    if expected is None:
        return got is None or not math.isfinite(got)
    return got == pytest.approx(expected, rel=RTOL, abs=1e-12)


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("exp", transforms.back_transform("RR")),
        ("ilogit", transforms.back_transform("PLO")),
        ("iarcsin", transforms.back_transform("PAS")),
        ("ipft_hm", transforms.back_transform("PFT")),
        ("ztor", transforms.back_transform("ZCOR")),
    ],
)
def test_transformations_match_metafor_on_a_grid(name, function):
    got = function(np.array(GOLDEN["grid"]), np.array(GOLDEN["ni_grid"], dtype=float))
    assert got == pytest.approx(GOLDEN["functions"][name], rel=RTOL, abs=1e-12)


def _csv(tmp_path, xi, ni) -> Path:
    path = tmp_path / "props.csv"
    rows = "".join(f"s{i},{x},{n}\n" for i, (x, n) in enumerate(zip(xi, ni, strict=True)))
    path.write_text("study,xi,ni\n" + rows)
    return path


@pytest.mark.parametrize(
    "case", GOLDEN["pooled"], ids=[f"{c['data']}-{c['measure']}" for c in GOLDEN["pooled"]]
)
def test_pooled_proportions_on_the_natural_scale(case, tmp_path):
    result = pool(csv=_csv(tmp_path, case["xi"], case["ni"]), measure=case["measure"])
    assert result.estimate == pytest.approx(case["estimate"], rel=RTOL, abs=1e-12)
    shown = result.transformed
    if case["measure"] == "PR":  # read on its own scale, as metafor's predict() without transf
        assert shown is None
        shown = {"estimate": result.estimate, "ci_low": result.ci_low, "ci_high": result.ci_high,
                 "pi_low": result.pi_low, "pi_high": result.pi_high}  # fmt: skip
    for ours, theirs in (("estimate", "pred"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub"),
                         ("pi_low", "pi_lb"), ("pi_high", "pi_ub")):  # fmt: skip
        assert _close(shown[ours], case[theirs]), (ours, shown[ours], case[theirs])


@pytest.mark.parametrize("case", GOLDEN["study_ci"], ids=[c["data"] for c in GOLDEN["study_ci"]])
def test_study_intervals_as_r_meta(case):
    x, n = np.array(case["xi"], dtype=float), np.array(case["ni"], dtype=float)
    for method, level, prefix in (("exact", 95, "exact"), ("wilson", 95, "wilson"),
                                  ("exact", 90, "exact90")):  # fmt: skip
        low, high = proportion_ci(x, n, level, method)
        assert low == pytest.approx(case[f"{prefix}_lb"], rel=RTOL, abs=1e-13)
        assert high == pytest.approx(case[f"{prefix}_ub"], rel=RTOL, abs=1e-13)


def test_pool_gives_study_effects_with_exact_intervals(tmp_path):
    case = GOLDEN["study_ci"][0]  # dat.pritz1997
    for measure in ("PR", "PLO", "PAS", "PFT"):
        result = pool(csv=_csv(tmp_path, case["xi"], case["ni"]), measure=measure)
        assert result.study_ci == "exact"
        columns = (case["xi"], case["ni"], case["exact_lb"], case["exact_ub"])
        for study, x, n, low, high in zip(result.studies, *columns, strict=True):
            assert study.effect == x / n
            assert study.effect_ci_low == pytest.approx(low, rel=RTOL)
            assert study.effect_ci_high == pytest.approx(high, rel=RTOL, abs=1e-13)
            assert 0 <= study.effect_ci_low <= study.effect <= study.effect_ci_high <= 1


def test_wald_study_intervals_of_proportions_stay_in_the_unit_interval(tmp_path):
    result = pool(csv=_csv(tmp_path, [9, 10, 1], [10, 10, 12]), measure="PR", study_ci="wald")
    for study in result.studies:
        assert 0 <= study.effect_ci_low <= study.effect_ci_high <= 1
    low, high = result.studies[0].effect_ci_low, result.studies[0].effect_ci_high
    half = 1.959963984540054 * math.sqrt(0.9 * 0.1 / 10)
    assert (low, high) == pytest.approx((0.9 - half, 1.0))  # clipped at 1


@pytest.mark.parametrize("measure", ["RR", "OR"])
def test_ratio_measures_back_transform_with_exp(measure):
    expected = GOLDEN["ratio"][measure]
    result = pool(csv=ROOT / "examples/bcg.csv", measure=measure)
    t = result.transformed
    assert t["function"] == "exp"
    for ours, theirs in (("estimate", "pred"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub"),
                         ("pi_low", "pi_lb"), ("pi_high", "pi_ub")):  # fmt: skip
        assert _close(t[ours], expected[theirs])
    for study in result.studies:
        assert study.effect == pytest.approx(math.exp(study.yi), rel=1e-12)


def test_zcor_registers_tanh():
    z = GOLDEN["zcor"]
    fit = rma(z["yi"], z["vi"])
    t = transformed_fields("ZCOR", fit.summary())
    assert t["function"] == "transf.ztor"
    for ours, theirs in (("estimate", "pred"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub"),
                         ("pi_low", "pi_lb"), ("pi_high", "pi_ub")):  # fmt: skip
        assert _close(t[ours], z[theirs])


def test_measures_without_a_transformation_have_none():
    assert transformed_fields("MD", {"estimate": 1.0}) is None
    assert transformed_fields("RD", {"estimate": 0.1}) is None


def test_pool_zcor_from_csv_prints_correlations(tmp_path):
    """dat.molloy2014 (ri = tanh(yi), ni = 1/vi + 3 from the golden escalc values)."""
    z = GOLDEN["zcor"]
    path = tmp_path / "molloy.csv"
    rows = "".join(
        f"s{i},{math.tanh(y)!r},{round(1 / v + 3)}\n"
        for i, (y, v) in enumerate(zip(z["yi"], z["vi"], strict=True))
    )
    path.write_text("study,ri,ni\n" + rows)
    result = pool(csv=path, measure="ZCOR")
    t = result.transformed
    for ours, theirs in (("estimate", "pred"), ("ci_low", "ci_lb"), ("pi_high", "pi_ub")):
        assert _close(t[ours], z[theirs])
    for study, y in zip(result.studies, z["yi"], strict=True):
        assert study.effect == pytest.approx(math.tanh(y), rel=1e-9)
