"""bayes_fit() against R's bayesmeta 3.4 (golden values from tests/oracle/bayes.R).

bayesmeta ran at delta = 1e-4, epsilon = 1e-7 (the settings bayes_fit uses). Tolerances:
tau's summaries, the marginal likelihood and the Bayes factors 1e-6 relative; mu, theta_new,
the shrinkage estimates and P(mu < 0) 1e-5 relative. A value near 0 is compared relative to the
posterior sd of its quantity instead (an interval bound of 0.0001 with sd 0.3 has no meaningful
relative error). ``tests/oracle/bayes_max_deviation.py`` prints the largest deviations.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.stats.models.bayes import bayes_fit
from ivigmeta.stats.models.bayes_priors import parse_tau_prior

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "bayes.json").read_text())
CASES = GOLDEN["cases"]
TAU_REL = 1e-6
MIX_REL = 1e-5
SUMMARY = ("mode", "median", "mean", "sd", "ci_low", "ci_high")


def fit_case(case: dict):
    se = np.atleast_1d(np.array(case["sei"], dtype=float))
    mu = case["mu_prior"]
    return bayes_fit(
        np.atleast_1d(np.array(case["yi"], dtype=float)),
        se,
        parse_tau_prior(case["tau_prior"], se),
        mu_prior=None if mu is None else (float(mu[0]), float(mu[1])),
        level=case["level"],
        delta=GOLDEN["delta"],
        epsilon=GOLDEN["epsilon"],
    )


def deviation(got, want, scale) -> float:
    """|got - want| / max(|want|, scale); 0 when both are missing (null / None / inf)."""
    missing_got = got is None or not math.isfinite(got)
    if want is None:
        return 0.0 if missing_got else math.inf
    if missing_got:
        return math.inf
    return abs(got - want) / max(abs(want), scale)


def deviations(case: dict, fit) -> dict[str, float]:
    """Relative deviation of every compared field, keyed ``quantity.field``."""
    out = {}
    for name in ("tau", "mu", "theta_new"):
        want = case[name]
        got = getattr(fit, name)
        scale = want["sd"] if want["sd"] is not None else 1.0
        for field in SUMMARY:
            out[f"{name}.{field}"] = deviation(getattr(got, field), want[field], scale)
    mu_sd = case["mu"]["sd"]
    for end, got, want in zip(("low", "high"), fit.mu_central, case["mu_central"], strict=True):
        out[f"mu_central.{end}"] = deviation(got, want, mu_sd)
    out["p_mu_below_0"] = deviation(fit.p_mu_below_0, case["p_mu_below_0"], 1e-2)
    for field in ("marginal_likelihood", "bayes_factor_tau0", "bayes_factor_mu0", "i2_median"):
        out[field] = deviation(getattr(fit, field), case[field], 1e-12)
    for i, (got, want) in enumerate(zip(fit.shrinkage, case["shrinkage"], strict=True)):
        for field in ("mean", "median", "sd", "ci_low", "ci_high"):
            out[f"shrinkage[{i}].{field}"] = deviation(getattr(got, field), want[field], want["sd"])
    return out


def tolerance(key: str) -> float:
    tau_like = key.startswith(("tau.", "marginal", "bayes_factor", "i2_median"))
    return TAU_REL if tau_like else MIX_REL


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bayes_matches_bayesmeta(case):
    fit = fit_case(case)
    assert fit.grid_size == case["grid_size"]
    assert fit.tau_prior_proper == case["tau_prior_proper"]
    bad = {k: v for k, v in deviations(case, fit).items() if v > tolerance(k)}
    assert not bad, bad


def test_golden_covers_the_issue():
    names = " ".join(c["name"] for c in CASES)
    assert "crins" in names
    assert {len(np.atleast_1d(c["yi"])) for c in CASES} >= set(range(1, 21))
    assert any(c["mu_prior"] is None for c in CASES) and any(c["mu_prior"] for c in CASES)
    priors = {c["tau_prior"].split(":")[0] for c in (*CASES, *GOLDEN["rhodes_check"])}
    assert priors >= {"half-normal", "half-cauchy", "half-t", "half-logistic", "exponential",
                      "lomax", "uniform", "log-normal", "jeffreys", "dumouchel", "shrinkage",
                      "i2", "turner", "rhodes"}  # fmt: skip


RHODES = GOLDEN.get("rhodes_check", [])


@pytest.mark.parametrize("case", RHODES, ids=[c["name"] for c in RHODES])
def test_rhodes_priors_against_independent_integration(case):
    """bayesmeta 3.4 cannot integrate the log-t priors (unbounded density at tau = 0), so the
    golden values are R integrate() over log(tau): tau's median, mean and sd at 1e-6 and mu's
    posterior mean E[M(tau)] at 1e-5 (the DIRECT mixture approximates it)."""
    se = np.array(case["sei"], dtype=float)
    fit = bayes_fit(np.array(case["yi"], dtype=float), se, parse_tau_prior(case["tau_prior"], se))
    assert fit.tau.median == pytest.approx(case["tau_median"], rel=TAU_REL)
    assert fit.tau.mean == pytest.approx(case["tau_mean"], rel=TAU_REL)
    assert fit.tau.sd == pytest.approx(case["tau_sd"], rel=TAU_REL)
    assert fit.mu.mean == pytest.approx(case["mu_mean"], rel=MIX_REL)


def test_rhodes_cases_present():
    assert len(RHODES) == 3
