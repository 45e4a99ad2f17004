"""RmaFit.vb, the covariance matrix of the coefficients (numbers derived by hand below)."""

from __future__ import annotations

import numpy as np
import pytest

from ivigmeta.stats.models.rma import rma

YI = [0.1, 0.5, -0.2, 0.8]
VI = [0.04, 0.09, 0.05, 0.1]


def test_equal_effects_vb_is_inverse_total_weight():
    # EE, intercept only: Var(beta) = 1 / sum(1/v_i) = 1 / (25 + 11.111... + 20 + 10)
    fit = rma(YI, VI, method="EE")
    assert fit.vb.shape == (1, 1)
    assert fit.vb[0, 0] == pytest.approx(1 / (25 + 100 / 9 + 20 + 10), rel=1e-12)


def test_knapp_hartung_vb_is_scaled_inverse_information():
    # EE with one moderator under knha: Var(beta) = s2w (X'WX)^-1, w_i = 1/v_i,
    # s2w = sum w_i (y_i - x_i'beta)^2 / (k - p)
    x = np.array([1.0, 2.0, 3.0, 4.0])
    fit = rma(YI, VI, mods=x, method="EE", test="knha")
    X = np.column_stack([np.ones(4), x])
    w = 1 / np.array(VI)
    information = X.T @ (X * w[:, None])
    beta = np.linalg.solve(information, X.T @ (w * np.array(YI)))
    s2w = np.sum(w * (np.array(YI) - X @ beta) ** 2) / (4 - 2)
    assert fit.vb == pytest.approx(s2w * np.linalg.inv(information), rel=1e-10)
    assert np.sqrt(np.diag(fit.vb)) == pytest.approx(fit.se, rel=1e-12)
