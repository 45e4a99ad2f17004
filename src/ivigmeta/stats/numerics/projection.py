"""The residual projection matrix of weighted least squares, used by every tau² estimator."""

from __future__ import annotations

import numpy as np


def residual_projection(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P = W - W X (X' W X)^-1 X' W with W = diag(w).

    ``y' P y`` is the weighted residual sum of squares of the regression of y on X
    (Viechtbauer 2005, eq. 7; metafor's ``P`` matrix).
    """
    wx = X * w[:, None]
    return np.diag(w) - wx @ np.linalg.solve(X.T @ wx, wx.T)


def quadratic_form(P: np.ndarray, y: np.ndarray) -> float:
    """y' P y."""
    return float(y @ P @ y)
