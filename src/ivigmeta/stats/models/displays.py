"""Coordinates of the radial and L'Abbé plots (metafor ``radial()``, ``labbe()``).

- Radial (Galbraith 1988, Stat Med 7:889-94): x_i = 1/sqrt(v_i + tau²), y_i = y_i x_i; the
  pooled estimate is the slope of the line through the origin.
- L'Abbé (L'Abbé, Detsky & O'Rourke 1987, Ann Intern Med 107:224-33): each arm's outcome on
  the measure's scale, x = control arm (ci, di), y = treatment arm (ai, bi): log risk for RR
  (metafor's ``PLN``), logit for OR (``PLO``), risk for RD (``PR``). As metafor (add = 1/2,
  to = "only0"), 1/2 is added to both cells of an arm that has a zero cell.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.errors import AnalysisError

LABBE_MEASURES = ("RR", "OR", "RD")


def radial_coordinates(yi, vi, tau2: float) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the radial plot."""
    x = 1.0 / np.sqrt(np.asarray(vi, float) + tau2)
    return x, np.asarray(yi, float) * x


def arm_outcome(measure: str, events, non_events) -> np.ndarray:
    """One arm's outcome on the L'Abbé scale of ``measure`` (RR: log risk, OR: logit, RD: risk)."""
    if measure not in LABBE_MEASURES:
        raise AnalysisError(f"L'Abbé plots need 2x2 data (RR, OR, RD), got {measure}")
    x = np.asarray(events, float)
    m = np.asarray(non_events, float)
    zero = (x == 0) | (m == 0)
    x, m = np.where(zero, x + 0.5, x), np.where(zero, m + 0.5, m)
    if measure == "RR":
        return np.log(x / (x + m))
    if measure == "OR":
        return np.log(x / m)
    return x / (x + m)


def labbe_coordinates(measure: str, ai, bi, ci, di) -> tuple[np.ndarray, np.ndarray]:
    """(control, treatment) outcomes of each study, on the measure's scale."""
    return arm_outcome(measure, ci, di), arm_outcome(measure, ai, bi)
