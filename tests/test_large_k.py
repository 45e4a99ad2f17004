"""Pooling at large k is O(k p²): the residual projection is never formed as a k x k matrix.

Checked three ways: (1) :class:`WeightedProjection` against the dense formula
P = W - W X (X'WX)^-1 X'W written out here, and against exact rational arithmetic when one
weight dominates (where "total minus own term" sums lose digits); (2) one-at-a-time ``rma`` at
k = 2*10^4 against ``pool_many``'s closed forms (an independent implementation, itself checked
against metafor to 1e-10 in test_pool_many.py) under every estimator; (3) the peak memory of a
k = 10^5 fit and Q-profile CI, which a k x k matrix (80 GB) could not meet.
"""

from __future__ import annotations

import tracemalloc
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivigmeta.stats.models.confint import tau2_confint
from ivigmeta.stats.models.pool_many import pool_many
from ivigmeta.stats.models.rma import METHODS, rma
from ivigmeta.stats.numerics.projection import WeightedProjection


def dense_projection(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    wx = X * w[:, None]
    return np.diag(w) - wx @ np.linalg.solve(X.T @ wx, wx.T)


def simulate(k: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vi = rng.uniform(0.01, 0.5, size=k)
    yi = rng.normal(0.3, np.sqrt(0.05 + vi))
    return yi, vi


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 25),
    p=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_projection_equals_the_dense_matrix(k, p, seed):
    p = min(p, k)
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(k), *(rng.normal(size=k) for _ in range(p - 1))])
    w = rng.uniform(0.05, 20.0, size=k)
    y, d, e = rng.normal(size=k), rng.uniform(0, 3, size=k), rng.uniform(0, 3, size=k)
    P = dense_projection(X, w)
    proj = WeightedProjection(X, w)
    scale = max(1.0, float(np.abs(P).max())) ** 2
    assert proj.apply(y) == pytest.approx(P @ y, rel=1e-9, abs=1e-9 * scale)
    assert proj.quadratic(y) == pytest.approx(y @ P @ y, rel=1e-9, abs=1e-9 * scale)
    assert proj.trace() == pytest.approx(np.trace(P), rel=1e-9, abs=1e-9 * scale)
    assert proj.trace(d) == pytest.approx(np.trace(P * d), rel=1e-9, abs=1e-9 * scale)
    tr_pdpe = np.trace(P @ np.diag(d) @ P @ np.diag(e))
    assert proj.trace_product(d, e) == pytest.approx(tr_pdpe, rel=1e-9, abs=1e-9 * scale)
    assert proj.trace_product() == pytest.approx(np.sum(P * P), rel=1e-9, abs=1e-9 * scale)


def test_dominant_weight_keeps_its_digits():
    """w = (10^8, 1, 2, 3): tr(P P) computed exactly with fractions (intercept-only P has
    P_ii = w_i (W - w_i)/W and P_ij = -w_i w_j / W)."""
    w = [Fraction(10**8), Fraction(1), Fraction(2), Fraction(3)]
    total = sum(w)
    exact_pp = sum(
        (wi * (total - wi) / total if i == j else -wi * wj / total) ** 2
        for i, wi in enumerate(w)
        for j, wj in enumerate(w)
    )
    exact_tr = sum(wi * (total - wi) / total for wi in w)
    proj = WeightedProjection(np.ones((4, 1)), np.array([float(x) for x in w]))
    assert proj.trace_product() == pytest.approx(float(exact_pp), rel=1e-8)
    assert proj.trace() == pytest.approx(float(exact_tr), rel=1e-8)


@pytest.mark.parametrize("method", [m for m in METHODS])
@pytest.mark.parametrize("test", ["z", "knha"])
def test_k_20000_matches_the_closed_forms(method, test):
    yi, vi = simulate(20_000)
    fit = rma(yi, vi, method=method, test=test)
    many = pool_many([(yi, vi)], method=method, test=test)
    assert fit.tau2 == pytest.approx(float(many.tau2[0]), rel=1e-8, abs=1e-12)
    assert fit.estimate == pytest.approx(float(many.estimate[0]), rel=1e-10)
    assert fit.se[0] == pytest.approx(float(many.se[0]), rel=1e-8)
    assert fit.q == pytest.approx(float(many.q[0]), rel=1e-10)
    assert fit.i2 == pytest.approx(float(many.i2[0]), rel=1e-8, abs=1e-10)


def test_k_100000_fit_and_q_profile_ci_use_linear_memory():
    yi, vi = simulate(100_000)
    tracemalloc.start()
    fit = rma(yi, vi, method="REML")
    ci = tau2_confint(fit)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # the data are 1.6 MB; a k x k matrix would be 80 GB
    assert peak < 50 * 2**20
    many = pool_many([(yi, vi)], method="REML")
    assert fit.tau2 == pytest.approx(float(many.tau2[0]), rel=1e-8)
    assert ci.tau2_low < fit.tau2 < ci.tau2_high
    # Q-profile bounds solve Q(tau2) = chi2 quantile: check with the closed-form Q
    from scipy.stats import chi2

    def q_at(tau2: float) -> float:
        w = 1 / (vi + tau2)
        mu = np.sum(w * yi) / np.sum(w)
        return float(np.sum(w * (yi - mu) ** 2))

    df = len(yi) - 1
    assert q_at(ci.tau2_low) == pytest.approx(chi2.ppf(0.975, df), rel=1e-4)
    assert q_at(ci.tau2_high) == pytest.approx(chi2.ppf(0.025, df), rel=1e-4)


def test_moderators_are_linear_too():
    """k = 2*10^4 with two moderators against the dense formula's Q_E on a 400-study slice
    scaled up: the same code path, checked for equality where the dense matrix is affordable."""
    rng = np.random.default_rng(11)
    yi, vi = simulate(400)
    mods = rng.normal(size=(400, 2))
    fit = rma(yi, vi, mods=mods, method="DL")
    X = np.column_stack([np.ones(400), mods])
    P = dense_projection(X, 1 / vi)
    yc = yi - yi.mean()
    q = float(yc @ P @ yc)
    assert fit.q == pytest.approx(q, rel=1e-10)
    tau2 = max(0.0, (q - 397) / np.trace(P))
    assert fit.tau2 == pytest.approx(tau2, rel=1e-10)
    big_y, big_v = simulate(20_000)
    big = rma(big_y, big_v, mods=rng.normal(size=(20_000, 2)), method="REML", test="knha")
    assert big.k == 20_000 and np.isfinite(big.tau2) and np.all(np.isfinite(big.se))
