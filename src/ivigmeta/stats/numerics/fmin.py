"""Brent's minimiser exactly as R's ``optimize()`` runs it.

bayesmeta finds the posterior modes and the shortest credible intervals with ``optimize(...)``
at R's default tolerance ``.Machine$double.eps^0.25`` (about 1.2e-4), so any other minimiser
stops at a different point inside that tolerance. To agree with bayesmeta to 1e-6 we follow
R's C code (``Brent_fmin`` in ``src/library/stats/src/optimize.c``, after Brent 1973,
*Algorithms for Minimization without Derivatives*, ch. 5) step by step, including R's rule
that a non-finite function value counts as the largest double.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

R_DEFAULT_TOL = sys.float_info.epsilon**0.25
"""R's default ``optimize`` tolerance, ``.Machine$double.eps^0.25``."""

MAX_STEPS = 10_000
_GOLDEN = (3.0 - math.sqrt(5.0)) * 0.5
_SQRT_EPS = math.sqrt(sys.float_info.epsilon)


def _finite(value: float) -> float:
    value = float(value)
    return value if math.isfinite(value) else sys.float_info.max


def fmin(
    f: Callable[[float], float], lower: float, upper: float, tol: float = R_DEFAULT_TOL
) -> float:
    """The ``x`` in ``[lower, upper]`` where R's ``optimize(f, c(lower, upper))`` stops.

    Raises ArithmeticError for a non-finite interval (R: "invalid 'xmin' value") and, as a
    guard that R's loop lacks, after ``MAX_STEPS`` steps (Brent needs far fewer: each
    golden-section step shrinks the interval by 0.38)."""
    a, b = float(lower), float(upper)
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ArithmeticError(f"optimize: the interval [{a:g}, {b:g}] is not finite")
    v = w = x = a + _GOLDEN * (b - a)
    d = e = 0.0
    fx = fv = fw = _finite(f(x))
    tol3 = tol / 3.0
    for _ in range(MAX_STEPS):
        xm = (a + b) * 0.5
        tol1 = _SQRT_EPS * abs(x) + tol3
        t2 = tol1 * 2.0
        if abs(x - xm) <= t2 - (b - a) * 0.5:
            return x
        p = q = r = 0.0
        if abs(e) > tol1:  # fit a parabola
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = (q - r) * 2.0
            if q > 0.0:
                p = -p
            else:
                q = -q
            r = e
            e = d
        if abs(p) >= abs(q * 0.5 * r) or p <= q * (a - x) or p >= q * (b - x):
            e = b - x if x < xm else a - x  # golden-section step
            d = _GOLDEN * e
        else:  # parabolic-interpolation step
            d = p / q
            u = x + d
            if u - a < t2 or b - u < t2:
                d = tol1 if x < xm else -tol1
        if abs(d) >= tol1:
            u = x + d
        elif d > 0.0:
            u = x + tol1
        else:
            u = x - tol1
        fu = _finite(f(u))
        if fu <= fx:
            if u < x:
                b = x
            else:
                a = x
            v, w, x = w, x, u
            fv, fw, fx = fw, fx, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, fv = w, fw
                w, fw = u, fu
            elif fu <= fv or v in (x, w):
                v, fv = u, fu
    raise ArithmeticError(f"optimize: no convergence in {MAX_STEPS} steps")


def fmax(
    f: Callable[[float], float], lower: float, upper: float, tol: float = R_DEFAULT_TOL
) -> float:
    """R's ``optimize(f, c(lower, upper), maximum = TRUE)$maximum`` (minimises ``-f``)."""
    return fmin(lambda x: -f(x), lower, upper, tol)
