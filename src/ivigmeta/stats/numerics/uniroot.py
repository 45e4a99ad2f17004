"""Brent's root finder exactly as R's ``uniroot()`` runs it.

metafor finds the Paule-Mandel tau² and the Q-profile confidence bounds with
``uniroot(..., tol = .Machine$double.eps^0.25)``, a loose tolerance (about 1.2e-4). Any other
Brent implementation stops at a different point inside that tolerance, so to agree with
metafor to 1e-6 we follow R's own C code (``R_zeroin2`` in ``src/library/stats/src/zeroin.c``,
after Brent 1973, *Algorithms for Minimization without Derivatives*, ch. 4) step by step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

R_DEFAULT_TOL = sys.float_info.epsilon**0.25
"""R's default ``uniroot`` tolerance, ``.Machine$double.eps^0.25``."""

_EPSILON = sys.float_info.epsilon


@dataclass(frozen=True)
class Root:
    """Result of :func:`uniroot`: the root, the iterations used and whether it converged."""

    root: float
    iterations: int
    converged: bool


def uniroot(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    *,
    f_lower: float | None = None,
    f_upper: float | None = None,
    tol: float = R_DEFAULT_TOL,
    maxiter: int = 1000,
) -> Root:
    """Find a root of ``f`` in ``[lower, upper]`` the way R's ``uniroot`` does.

    ``f(lower)`` and ``f(upper)`` must have opposite signs (or one of them be 0); otherwise
    ``ValueError`` (R: "f() values at end points not of opposite sign").
    """
    fa = f(lower) if f_lower is None else f_lower
    fb = f(upper) if f_upper is None else f_upper
    if fa * fb > 0:
        raise ValueError("f() values at end points not of opposite sign")
    a, b = float(lower), float(upper)
    if fa == 0.0:
        return Root(a, 0, True)
    if fb == 0.0:
        return Root(b, 0, True)
    c, fc = a, fa
    iterations = 0
    while iterations <= maxiter:
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * _EPSILON * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return Root(b, iterations, True)
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        iterations += 1
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return Root(b, maxiter, False)
