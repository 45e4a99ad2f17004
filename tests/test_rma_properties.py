"""Invariance and equivariance properties of rma() (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.confint import tau2_confint
from ivigmeta.stats.models.rma import METHODS, rma


# Tight iteration settings make the iterative estimators (ML, REML, EB, PM) converge to the
# exact solution, so that equalities hold beyond metafor's default stopping rules. The
# stopping rules are absolute changes in tau², so they scale with the variances, as does the
# Paule-Mandel search limit (metafor's default, max(100, 10 mad(yi)^2), does not always).
def exact(scale: float = 1.0) -> dict:
    return {
        "threshold": 1e-11 * scale,
        "tol": 1e-11 * scale,
        "maxiter": 1000,
        "tau2_max": 1e4 * scale,
    }


EXACT = exact()


def fit(yi, vi, method, control):
    """rma(), skipping the rare data sets where Fisher scoring cycles (metafor fails too)."""
    try:
        return rma(yi, vi, method=method, control=control)
    except AnalysisError as error:
        assert "did not converge" in str(error)
        reject()


effects = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
variances = st.floats(0.01, 2, allow_nan=False, allow_infinity=False)


@st.composite
def studies(draw, min_k=2, max_k=12):
    k = draw(st.integers(min_k, max_k))
    yi = np.array(draw(st.lists(effects, min_size=k, max_size=k)))
    vi = np.array(draw(st.lists(variances, min_size=k, max_size=k)))
    return yi, vi


def close(a, b, scale=1.0):
    return np.allclose(a, b, rtol=1e-6, atol=1e-9 * scale)


@settings(max_examples=30, deadline=None)
@given(studies(), st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_study_order_does_not_matter(data, method, random):
    yi, vi = data
    order = list(range(yi.size))
    random.shuffle(order)
    a = fit(yi, vi, method, EXACT)
    b = fit(yi[order], vi[order], method, EXACT)
    assert close(a.estimate, b.estimate)
    assert close(a.estimate_se, b.estimate_se)
    assert close(a.tau2, b.tau2)
    assert close(a.q, b.q)
    assert close(a.weights[order], b.weights)


@settings(max_examples=30, deadline=None)
@given(studies(), st.sampled_from(METHODS), st.floats(-50, 50))
def test_shifting_effects_shifts_estimate_only(data, method, shift):
    yi, vi = data
    a = fit(yi, vi, method, EXACT)
    b = fit(yi + shift, vi, method, EXACT)
    assert close(b.estimate, a.estimate + shift, scale=1 + abs(shift))
    assert close(b.tau2, a.tau2)
    assert close(b.estimate_se, a.estimate_se)
    assert close(b.i2, a.i2)


@settings(max_examples=30, deadline=None)
@given(studies(), st.sampled_from(METHODS), st.floats(0.01, 100))
def test_scaling_effects_and_standard_errors(data, method, c):
    yi, vi = data
    a = fit(yi, vi, method, EXACT)
    b = fit(c * yi, c**2 * vi, method, exact(c**2))
    assert close(b.estimate, c * a.estimate, scale=c)
    assert close(b.estimate_se, c * a.estimate_se, scale=c)
    assert close(b.tau2, c**2 * a.tau2, scale=c**2)
    assert close(b.i2, a.i2)
    assert close(b.pval, a.pval)


@settings(max_examples=30, deadline=None)
@given(studies(min_k=1))
def test_equal_effects_estimate_is_inverse_variance_mean(data):
    yi, vi = data
    w = [1 / v for v in vi]
    mean = sum(wi * y for wi, y in zip(w, yi, strict=True)) / sum(w)
    ee = rma(yi, vi, method="EE")
    assert close(ee.estimate, mean)
    assert close(ee.estimate_se, (1 / sum(w)) ** 0.5)
    assert close(ee.weights, [100 * wi / sum(w) for wi in w])


@settings(max_examples=20, deadline=None)
@given(studies(min_k=3))
def test_paule_mandel_estimate_lies_in_q_profile_interval(data):
    # PM solves Q(tau2) = k - 1, and chi2_{0.025}(k-1) < k - 1 < chi2_{0.975}(k-1)
    yi, vi = data
    pm = rma(yi, vi, method="PM", control=EXACT)
    ci = tau2_confint(pm)
    assert ci.tau2_low - 1e-3 <= pm.tau2 <= ci.tau2_high + 1e-3
