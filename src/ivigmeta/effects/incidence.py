"""Effect sizes from event counts and person-time: IR, IRLN, IRS, IRFT, IRR, IRD.

Arguments follow metafor's ``escalc``: ``xi`` events over ``ti`` person-time in one group, or
``x1i``/``t1i`` and ``x2i``/``t2i`` in two groups (group 1 minus/over group 2). Counts must be
>= 0 and person-times > 0. Zero counts get ``add`` (default 1/2 for IR, IRLN, IRR and IRD; 0
for IRS and IRFT) as metafor does: ``to="only0"`` rows with a zero count, ``all``, ``if0all``,
``none``; the corrected counts enter both yi and vi. All functions return ``(yi, vi)`` arrays.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks
from ivigmeta.effects.continuity import add_to_cells


def _one_group(xi, ti, add, to):
    xi, ti = checks.as_column("xi", xi), checks.as_column("ti", ti)
    checks.nonnegative("xi", xi)
    checks.positive("ti", ti)
    xi, ti = np.broadcast_arrays(xi, ti)
    (xi,) = add_to_cells([xi], add, to)
    return xi, ti


def _two_groups(x1i, t1i, x2i, t2i, add, to):
    x1i, x2i = checks.as_column("x1i", x1i), checks.as_column("x2i", x2i)
    t1i, t2i = checks.as_column("t1i", t1i), checks.as_column("t2i", t2i)
    checks.nonnegative("x1i", x1i)
    checks.nonnegative("x2i", x2i)
    checks.positive("t1i", t1i)
    checks.positive("t2i", t2i)
    x1i, t1i, x2i, t2i = np.broadcast_arrays(x1i, t1i, x2i, t2i)
    x1i, x2i = add_to_cells([x1i, x2i], add, to)
    return x1i, t1i, x2i, t2i


def incidence_rate(xi, ti, *, add=0.5, to="only0"):
    """Raw incidence rate (measure ``IR``): yi = x/t; vi = x/t^2."""
    xi, ti = _one_group(xi, ti, add, to)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return checks.finish(xi / ti, xi / ti**2)


def log_incidence_rate(xi, ti, *, add=0.5, to="only0"):
    """Log incidence rate (measure ``IRLN``): yi = log(x/t); vi = 1/x."""
    xi, ti = _one_group(xi, ti, add, to)
    with np.errstate(divide="ignore"):
        return checks.finish(np.log(xi / ti), 1 / xi)


def sqrt_incidence_rate(xi, ti, *, add=0.0, to="only0"):
    """Square-root incidence rate (measure ``IRS``): yi = sqrt(x/t); vi = 1/(4t)."""
    xi, ti = _one_group(xi, ti, add, to)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return checks.finish(np.sqrt(xi / ti), 1 / (4 * ti))


def freeman_tukey_incidence_rate(xi, ti, *, add=0.0, to="only0"):
    """Freeman-Tukey transformed incidence rate (measure ``IRFT``).

    yi = (sqrt(x/t) + sqrt((x + 1)/t))/2; vi = 1/(4t).

    Reference: Freeman MF, Tukey JW (1950). Transformations related to the angular and the
    square root. Ann Math Stat 21:607-611.
    """
    xi, ti = _one_group(xi, ti, add, to)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        iri = xi / ti
        return checks.finish((np.sqrt(iri) + np.sqrt(iri + 1 / ti)) / 2, 1 / (4 * ti))


def incidence_rate_ratio(x1i, t1i, x2i, t2i, *, add=0.5, to="only0"):
    """Log incidence rate ratio (measure ``IRR``): yi = log((x1/t1)/(x2/t2)); vi = 1/x1 + 1/x2.

    Reference: Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed., ch. 14.
    """
    x1i, t1i, x2i, t2i = _two_groups(x1i, t1i, x2i, t2i, add, to)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(x1i / t1i) - np.log(x2i / t2i)
        vi = 1 / x1i + 1 / x2i
    return checks.finish(yi, vi)


def incidence_rate_difference(x1i, t1i, x2i, t2i, *, add=0.5, to="only0"):
    """Incidence rate difference (measure ``IRD``): yi = x1/t1 - x2/t2; vi = x1/t1^2 + x2/t2^2.

    Reference: Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed., ch. 14.
    """
    x1i, t1i, x2i, t2i = _two_groups(x1i, t1i, x2i, t2i, add, to)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return checks.finish(x1i / t1i - x2i / t2i, x1i / t1i**2 + x2i / t2i**2)
