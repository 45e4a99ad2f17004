"""Multilevel models against metafor 5.0-1 ``rma.mv`` and clubSandwich 0.5.8.

Golden values: tests/oracle/golden/multilevel.json, written by tests/oracle/multilevel.R
(``rma.mv(yi, V, mods, random = ~ 1 | a/b[/c], method)`` on dat.konstantopoulos2011,
dat.assink2016 and 10 seeded random data sets; V diagonal or ``vcalc(..., rho)``; CR2 from
``coef_test(vcov = "CR2", test = "Satterthwaite")`` / ``conf_int``; CR1 from metafor
``robust(adjust = TRUE)``).

Tolerances (absolute): coefficients, SEs, z, CIs, robust SEs and CIs 1e-6; variance
components 1e-6 (the issue asks 1e-4); Satterthwaite df 1e-5; log-likelihood and fit
statistics 1e-6; I² (percent) 1e-4. Largest deviations measured: sigma2 1.7e-7, b 2.0e-8,
se 6.9e-8, robust se 1.2e-8, robust df 1.0e-6, I² 2.8e-5 (all from metafor's nlminb
stopping a little short of the optimum: our log-likelihood is never lower). Print them
with ``python tests/oracle/multilevel_max_deviation.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.stats.models.multilevel import multilevel_model

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "multilevel.json").read_text())
CASES = GOLDEN["cases"]
STRUCT_CASES = GOLDEN["struct_cases"]


def as_list(value) -> list:
    if value is None or value == {}:
        return []
    return value if isinstance(value, list) else [value]


def fit_case(case, robust: str | None = "CR2", profile_ci: bool = False):
    data = case["data"]
    levels = as_list(case["levels"])
    moderators = data.get("moderators") or {}
    mods = {name: moderators[name] for name in as_list(case["mods"])}
    return multilevel_model(
        data["yi"],
        data["vi"],
        levels=[data["labels"][name] for name in levels],
        level_names=levels,
        mods=mods or None,
        method=case["method"],
        rho=case["rho"],
        robust=robust,
        profile_ci=profile_ci,
    )


def near(expected, tolerance: float = 1e-6):
    return pytest.approx(as_list(expected), abs=tolerance, rel=0)


@pytest.fixture(scope="module", params=CASES, ids=[c["name"] + "-" + c["method"] for c in CASES])
def fitted(request):
    case = request.param
    return case, fit_case(case), fit_case(case, robust="CR1")


def test_variance_components_and_coefficients(fitted):
    case, fit, _ = fitted
    assert list(fit.sigma2) == near(case["sigma2"])
    assert list(fit.n_levels) == as_list(case["n_levels"])
    coefficients = fit.coefficients
    assert [c.estimate for c in coefficients] == near(case["beta"])
    assert [c.se for c in coefficients] == near(case["se"])
    assert [c.statistic for c in coefficients] == near(case["zval"], 1e-5)
    assert [c.p for c in coefficients] == near(case["pval"])
    assert [c.ci_low for c in coefficients] == near(case["ci_low"])
    assert [c.ci_high for c in coefficients] == near(case["ci_high"])
    assert (fit.estimate, fit.se) == (coefficients[0].estimate, coefficients[0].se)


def test_heterogeneity_fit_statistics_and_i2(fitted):
    case, fit, _ = fitted
    assert fit.q_e == pytest.approx(case["qe"], rel=1e-9)
    assert fit.q_e_df == case["qe_df"]
    assert fit.q_e_p == pytest.approx(case["qe_p"], rel=1e-6, abs=1e-12)
    if case["qm"] is None:
        assert fit.qm is None
    else:
        assert fit.qm == pytest.approx(case["qm"], rel=1e-5, abs=1e-6)
        assert fit.qm_p == pytest.approx(case["qm_p"], abs=1e-6)
    for name in ("loglik", "deviance", "aic", "bic", "aicc"):
        assert getattr(fit, name) == pytest.approx(case[name], abs=1e-6), name
    assert list(fit.i2_levels) == near(case["i2"], 1e-4)
    assert fit.i2 == pytest.approx(sum(as_list(case["i2"])), abs=1e-4)


def test_cr2_matches_clubsandwich(fitted):
    case, fit, _ = fitted
    expected = case["robust"]["CR2"]
    tests = [c.robust for c in fit.coefficients]
    assert {t.type for t in tests} == {"CR2"}
    assert [t.se for t in tests] == near(expected["se"])
    assert [t.df for t in tests] == near(expected["df"], 1e-5)
    assert [t.p for t in tests] == near(expected["p"])
    assert [t.statistic for t in tests] == near(expected["statistic"], 1e-5)
    assert [t.ci_low for t in tests] == near(expected["ci_low"])
    assert [t.ci_high for t in tests] == near(expected["ci_high"])


def test_cr1_matches_metafor_robust(fitted):
    case, _, fit = fitted
    expected = case["robust"]["CR1"]
    tests = [c.robust for c in fit.coefficients]
    assert [t.se for t in tests] == near(expected["se"])
    df = as_list(expected["df"])
    assert [t.df for t in tests] == df * len(tests) if len(df) == 1 else df
    assert [t.p for t in tests] == near(expected["p"])
    assert [t.ci_low for t in tests] == near(expected["ci_low"])
    assert [t.ci_high for t in tests] == near(expected["ci_high"])


def test_our_optimum_is_never_below_metafors(fitted):
    """A search that stopped short would show as a lower log-likelihood than metafor's."""
    case, fit, _ = fitted
    assert fit.loglik >= case["loglik"] - 1e-10


def test_konstantopoulos_published_values():
    """Konstantopoulos (2011, Res Synth Methods 2:61-76) three-level REML fit as printed by
    metafor's help(dat.konstantopoulos2011): sigma² = 0.0651, 0.0327; b = 0.1847, se 0.0846."""
    case = next(c for c in CASES if c["name"] == "konstantopoulos2011" and c["method"] == "REML")
    fit = fit_case(case, robust=None)
    assert np.round(fit.sigma2, 4).tolist() == [0.0651, 0.0327]
    assert (round(fit.estimate, 4), round(fit.se, 4)) == (0.1847, 0.0846)
    assert fit.robust is None


def fit_struct_case(case):
    data = case["data"]
    moderators = data.get("moderators") or {}
    mods = {name: moderators[name] for name in as_list(case["mods"])}
    return multilevel_model(
        data["yi"],
        data["vi"],
        levels=[data["labels"][case["cluster"]]],
        level_names=[case["cluster"]],
        mods=mods or None,
        method=case["method"],
        rho=case["rho_v"],
        robust="CR2",
        struct=case["struct"],
        time=data["time"],
    )


@pytest.mark.parametrize(
    "case", STRUCT_CASES, ids=[f"{c['name']}-{c['struct']}-{c['method']}" for c in STRUCT_CASES]
)
def test_struct_cs_and_ar_match_metafor(case):
    """random = ~ time | cluster, struct = "CS" | "AR": tau2 and rho at 1e-4 (the largest
    deviation measured, 2.9e-5, is tau2 = 25.2 of dat.ishak2007 CS/ML: 1e-6 relative),
    coefficients, SEs and CR2 at 1e-6 relative (dat.ishak2007 effects are ~ -27: its CS/ML
    case deviates by 2e-6 absolute, with our log-likelihood 3e-11 above metafor's), fit
    statistics at 1e-6, CR2 df at 1e-4."""

    def near(expected, tolerance=1e-6):
        return pytest.approx(as_list(expected), rel=tolerance, abs=tolerance)

    fit = fit_struct_case(case)
    assert fit.sigma2 == ()
    assert list(fit.tau2) == pytest.approx(as_list(case["tau2"]), abs=1e-4)
    assert list(fit.rho) == pytest.approx(as_list(case["rho"]), abs=1e-4)
    assert [c.estimate for c in fit.coefficients] == near(case["beta"])
    assert [c.se for c in fit.coefficients] == near(case["se"])
    assert [c.ci_low for c in fit.coefficients] == near(case["ci_low"])
    assert fit.q_e == pytest.approx(case["qe"], rel=1e-9)
    for name in ("loglik", "deviance", "aic", "bic", "aicc"):
        assert getattr(fit, name) == pytest.approx(case[name], abs=1e-6), name
    assert fit.loglik >= case["loglik"] - 1e-9
    expected = case["robust"]["CR2"]
    assert [c.robust.se for c in fit.coefficients] == near(expected["se"])
    assert [c.robust.df for c in fit.coefficients] == near(expected["df"], 1e-4)
    assert [c.robust.p for c in fit.coefficients] == near(expected["p"])


FAST_CI = ("konstantopoulos2011", "random01", "random10_four_level")


def check_profile_ci(case):
    """metafor's confint.rma.mv bounds, at 1e-4: its uniroot stops at tol = eps^0.25
    (1.2e-4); largest deviation over all cases 2.8e-5 (assink2016, REML; every case is
    compared by tests/oracle/multilevel_max_deviation.py, three run here for speed)."""
    data = case["data"]
    moderators = data.get("moderators") or {}
    fit = multilevel_model(
        data["yi"],
        data["vi"],
        levels=[data["labels"][name] for name in as_list(case["levels"])],
        mods={name: moderators[name] for name in as_list(case["mods"])} or None,
        method=case["method"],
        rho=case["rho"],
        profile_ci=True,
    )
    for ours, theirs in zip(fit.sigma2_ci, case["sigma2_ci"], strict=True):
        assert list(ours) == pytest.approx(theirs, abs=1e-4)
        assert ours[0] <= ours[1]


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["name"] in FAST_CI and c["method"] == "REML"],
    ids=lambda c: c["name"],
)
def test_profile_ci_matches_metafor(case):
    check_profile_ci(case)
