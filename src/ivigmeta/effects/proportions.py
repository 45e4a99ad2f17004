"""Effect sizes for a single proportion: PR, PLO, PAS, PFT.

Arguments follow metafor's ``escalc``: ``xi`` patients with the event out of ``ni``. ``PR`` and
``PLO`` add ``add`` (default 1/2) to both cells (events and non-events) of rows with a zero cell
(``to="only0"``), as metafor does; ``PAS`` and ``PFT`` need no correction (default add 0).
All functions return ``(yi, vi)`` arrays.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks
from ivigmeta.effects.continuity import add_to_cells


def _counts(xi, ni, add, to):
    xi, ni = checks.as_column("xi", xi), checks.as_column("ni", ni)
    checks.nonnegative("xi", xi)
    checks.positive("ni", ni)
    with np.errstate(invalid="ignore"):
        checks.require(xi > ni, "xi", "an event count no larger than ni")
    xi, mi = add_to_cells([xi, ni - xi], add, to)
    return xi, mi, xi + mi


def proportion(xi, ni, *, add=0.5, to="only0", vtype="LS"):
    """Raw proportion (measure ``PR``).

    yi = x/n; vi (``LS``, default) p(1 - p)/n; ``UB`` p(1 - p)/(n - 1); ``AV`` uses the
    n-weighted mean proportion. Counts are continuity corrected first (see module doc).
    """
    checks.vtype_choice(vtype, ("LS", "UB", "AV"), "PR")
    xi, _, ni = _counts(xi, ni, add, to)
    pri = xi / ni
    if vtype == "UB":
        vi = pri * (1 - pri) / (ni - 1)
    elif vtype == "AV":
        ok = ~(np.isnan(pri) | np.isnan(ni))
        mean_p = np.sum(pri[ok] * ni[ok]) / np.sum(ni[ok])
        vi = mean_p * (1 - mean_p) / ni
    else:
        vi = pri * (1 - pri) / ni
    return checks.finish(pri, vi)


def logit_proportion(xi, ni, *, add=0.5, to="only0", vtype="LS"):
    """Logit-transformed proportion (measure ``PLO``).

    yi = log(p/(1 - p)); vi (``LS``, default) 1/x + 1/(n - x); ``AV`` 1/(p_w n) + 1/((1 - p_w) n)
    with the n-weighted mean proportion p_w. Counts are continuity corrected first.
    """
    checks.vtype_choice(vtype, ("LS", "AV"), "PLO")
    xi, mi, ni = _counts(xi, ni, add, to)
    pri = xi / ni
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(pri / (1 - pri))
        if vtype == "AV":
            ok = ~(np.isnan(pri) | np.isnan(ni))
            mean_p = np.sum(pri[ok] * ni[ok]) / np.sum(ni[ok])
            vi = 1 / (mean_p * ni) + 1 / ((1 - mean_p) * ni)
        else:
            vi = 1 / xi + 1 / mi
    return checks.finish(yi, vi)


def arcsine_proportion(xi, ni, *, add=0.0, to="only0"):
    """Arcsine square-root transformed proportion (measure ``PAS``).

    yi = asin(sqrt(x/n)); vi = 1/(4n).
    """
    xi, _, ni = _counts(xi, ni, add, to)
    return checks.finish(np.arcsin(np.sqrt(xi / ni)), 1 / (4 * ni))


def freeman_tukey_proportion(xi, ni, *, add=0.0, to="only0"):
    """Freeman-Tukey double arcsine transformed proportion (measure ``PFT``).

    yi = (asin(sqrt(x/(n + 1))) + asin(sqrt((x + 1)/(n + 1))))/2; vi = 1/(4n + 2).

    Reference: Freeman MF, Tukey JW (1950). Ann Math Stat 21:607-611.
    """
    xi, _, ni = _counts(xi, ni, add, to)
    yi = (np.arcsin(np.sqrt(xi / (ni + 1))) + np.arcsin(np.sqrt((xi + 1) / (ni + 1)))) / 2
    return checks.finish(yi, 1 / (4 * ni + 2))
