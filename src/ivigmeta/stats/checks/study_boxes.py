"""The (yi, sei) a printed study row allows: a convex polygon from the rounding intervals.

A study printed as ``0.49 [0.34, 0.70]`` (an odds ratio, to two decimals) was computed from
some yi and sei with estimate exp(yi) and limits exp(yi ∓ z sei), z the normal quantile of the
level (as metafor's ``escalc``/``forest`` and RevMan print study intervals). Each printed
number stands for its rounding interval (:mod:`ivigmeta.stats.checks.rounding`), so on the
model scale (log for ratios) the admissible (y, s) = (yi, sei) are those with

    y ∈ [e1, e2],   y - z s ∈ [l1, l2],   y + z s ∈ [u1, u2],   s > 0,

three strips whose intersection is a convex polygon (at most 8 vertices). If the printed
estimate is not the centre of its printed interval within rounding (the polygon is empty: the
interval was not computed as yi ± z sei, or the estimate comes from another model), the
estimate's strip is dropped and yi is the interval's centre, (l + u)/2; the row says so.
A linear function of (y, s) takes its extremes over the polygon at vertices, which is what
:mod:`ivigmeta.stats.checks.pool_search` uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.numerics.limits import MIN_POSITIVE


@dataclass(frozen=True, eq=False)
class StudyBox:
    """The admissible (yi, sei) of one printed row: ``vertices`` (n, 2), the half-planes
    ``a @ (y, s) <= b`` that bound them, their centroid ``centre`` and whether the printed
    estimate was used (False: the estimate is not the centre of its interval)."""

    vertices: np.ndarray
    a: np.ndarray
    b: np.ndarray
    centre: np.ndarray
    uses_estimate: bool

    @property
    def half_extent(self) -> np.ndarray:
        """Half the polygon's width in y and in s."""
        return (self.vertices.max(axis=0) - self.vertices.min(axis=0)) / 2.0


def log_interval(low: float, high: float) -> tuple[float, float]:
    """[log low, log high] of a positive interval (-inf where low <= 0)."""
    return (math.log(low) if low > 0 else -math.inf), math.log(high)


def study_box(
    effect: tuple[float, float] | None,
    low: tuple[float, float],
    high: tuple[float, float],
    z: float,
) -> StudyBox:
    """The polygon of (yi, sei) for rounding intervals already on the model scale: the
    estimate's ``effect`` (or None), the lower and upper limits' ``low`` and ``high``.

    AnalysisError when the limits leave no room (an interval that is unbounded below on the
    log scale, e.g. a ratio printed as 0.00, or limits in the wrong order)."""
    (l1, l2), (u1, u2) = low, high
    if not all(math.isfinite(x) for x in (l1, l2, u1, u2)):
        raise AnalysisError("a ratio limit printed as 0 has no finite logarithm; "
                            "expected the limits printed with more decimals")  # fmt: skip
    s_high = (u2 - l1) / (2.0 * z)
    if s_high <= 0:
        raise AnalysisError("expected the lower limit below the upper limit")
    floor = max(1e-6 * s_high, math.sqrt(MIN_POSITIVE))  # vi >= MIN_POSITIVE: 1/vi finite
    if s_high <= floor:
        raise AnalysisError(f"the limits are too close for a standard error of at least "
                            f"{math.sqrt(MIN_POSITIVE):.1e}")  # fmt: skip
    strips = [(np.array([1.0, -z]), l1, l2), (np.array([1.0, z]), u1, u2)]
    centre_y = ((l1 + u1) / 2.0, (l2 + u2) / 2.0)
    for uses_estimate in (True, False):
        y1, y2 = effect if (uses_estimate and effect is not None) else centre_y
        if not (math.isfinite(y1) and math.isfinite(y2)):
            continue
        a = [np.array([1.0, 0.0]), np.array([-1.0, 0.0]), np.array([0.0, -1.0])]
        b = [y2, -y1, -floor]
        for normal, lo, hi in strips:
            a += [normal, -normal]
            b += [hi, -lo]
        a, b = np.array(a), np.array(b)
        polygon = _clip([(y1, floor), (y2, floor), (y2, s_high), (y1, s_high)], a, b)
        if len(polygon) >= 1:
            vertices = np.array(polygon)
            return StudyBox(vertices, a, b, vertices.mean(axis=0), uses_estimate)
        if effect is None:
            break
    raise AnalysisError("the printed limits admit no standard error")


def _clip(polygon: list, a: np.ndarray, b: np.ndarray) -> list:
    """Sutherland-Hodgman: the convex polygon cut by every half-plane a_j @ p <= b_j."""
    for normal, bound in zip(a, b, strict=True):
        scale = max(abs(bound), 1.0) * 1e-12
        out = []
        for i, p in enumerate(polygon):
            q = polygon[(i + 1) % len(polygon)]
            fp, fq = normal @ p - bound, normal @ q - bound
            if fp <= scale:
                out.append(p)
            if (fp < -scale and fq > scale) or (fp > scale and fq < -scale):
                t = fp / (fp - fq)
                out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
        polygon = _unique(out)
        if not polygon:
            return []
    return polygon


def _unique(points: list) -> list:
    kept: list = []
    for p in points:
        p = (float(p[0]), float(p[1]))
        if not kept or max(abs(p[0] - kept[-1][0]), abs(p[1] - kept[-1][1])) > 1e-15:
            kept.append(p)
    if len(kept) > 1 and max(abs(kept[0][0] - kept[-1][0]), abs(kept[0][1] - kept[-1][1])) <= 1e-15:
        kept.pop()
    return kept
