"""Effect sizes from 2x2 tables: RR, OR, RD.

Arguments follow metafor's ``escalc``: ``ai`` events and ``bi`` non-events in group 1,
``ci`` events and ``di`` non-events in group 2 (or group sizes ``n1i``, ``n2i`` instead of
``bi``, ``di``; see :func:`table_cells`). Rows with a zero cell get ``add`` (default 1/2) in
all four cells (``to="only0"``), as in metafor; ``drop00=True`` makes the effect size of a
double-zero row (see :func:`double_zero`) NaN, as metafor's ``drop00``. All functions return
``(yi, vi)`` arrays.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks
from ivigmeta.effects.continuity import add_to_cells
from ivigmeta.errors import InputError


def table_cells(ai, bi=None, ci=None, di=None, n1i=None, n2i=None):
    """The four cells (ai, bi, ci, di) from cells or from events and group sizes.

    bi = n1i - ai and di = n2i - ci when only group sizes are given; when both are given they
    must agree (n1i = ai + bi).
    """
    if ci is None:
        raise InputError("expected the group 2 event counts", field="ci")
    ai, ci = checks.as_column("ai", ai), checks.as_column("ci", ci)
    cells = {}
    for cell, size, events, name, size_name in (
        (bi, n1i, ai, "bi", "n1i"),
        (di, n2i, ci, "di", "n2i"),
    ):
        if cell is None and size is None:
            raise InputError(f"expected {name} or {size_name}", field=name)
        if size is not None:
            size = checks.as_column(size_name, size)
        if cell is None:
            with np.errstate(invalid="ignore"):
                checks.require(events > size, size_name, "a group size >= the event count")
            cell = size - events
        else:
            cell = checks.as_column(name, cell)
            if size is not None:
                with np.errstate(invalid="ignore"):
                    checks.require(
                        size != events + cell, size_name, f"{size_name} = events + {name}"
                    )
        cells[name] = cell
    bi, di = cells["bi"], cells["di"]
    for name, cell in (("ai", ai), ("bi", bi), ("ci", ci), ("di", di)):
        checks.nonnegative(name, cell)
    return ai, bi, ci, di


def _corrected(ai, bi, ci, di, add, to, drop00):
    ai, bi, ci, di = table_cells(ai, bi, ci, di)
    if drop00:
        double = double_zero(ai, bi, ci, di)
        ai, bi, ci, di = (np.where(double, np.nan, x) for x in (ai, bi, ci, di))
    return add_to_cells([ai, bi, ci, di], add, to)


def double_zero(ai, bi, ci, di) -> np.ndarray:
    """Rows without events (a = c = 0) or without non-events (b = d = 0) in both groups
    (metafor's ``drop00`` sets their effect sizes to NA)."""
    return ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))


def risk_ratio(ai, bi, ci, di, *, add=0.5, to="only0", drop00=False):
    """Log risk ratio (measure ``RR``).

    yi = log(p1/p2) with p1 = a/(a + b), p2 = c/(c + d); vi = 1/a - 1/(a + b) + 1/c - 1/(c + d).
    """
    ai, bi, ci, di = _corrected(ai, bi, ci, di, add, to, drop00)
    n1i, n2i = ai + bi, ci + di
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(ai / n1i) - np.log(ci / n2i)
        vi = 1 / ai - 1 / n1i + 1 / ci - 1 / n2i
    return checks.finish(yi, vi)


def odds_ratio(ai, bi, ci, di, *, add=0.5, to="only0", drop00=False):
    """Log odds ratio (measure ``OR``).

    yi = log((a/b)/(c/d)) computed as logit(p1) - logit(p2); vi = 1/a + 1/b + 1/c + 1/d
    (Woolf's variance).
    """
    ai, bi, ci, di = _corrected(ai, bi, ci, di, add, to, drop00)
    p1i, p2i = ai / (ai + bi), ci / (ci + di)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(p1i / (1 - p1i)) - np.log(p2i / (1 - p2i))
        vi = 1 / ai + 1 / bi + 1 / ci + 1 / di
    return checks.finish(yi, vi)


def risk_difference(ai, bi, ci, di, *, add=0.5, to="only0", drop00=False, vtype="LS"):
    """Risk difference (measure ``RD``).

    yi = p1 - p2; vi (``LS``, default) p1(1 - p1)/n1 + p2(1 - p2)/n2; ``UB`` with n - 1 in the
    denominators; ``AV`` with the n-weighted mean proportion of each group. As in metafor, rows
    with a zero cell are continuity corrected (``add=0.5``) unless ``to="none"``.
    """
    checks.vtype_choice(vtype, ("LS", "UB", "AV"), "RD")
    ai, bi, ci, di = _corrected(ai, bi, ci, di, add, to, drop00)
    n1i, n2i = ai + bi, ci + di
    p1i, p2i = ai / n1i, ci / n2i
    if vtype == "UB":
        vi = p1i * (1 - p1i) / (n1i - 1) + p2i * (1 - p2i) / (n2i - 1)
    elif vtype == "AV":
        ok1, ok2 = ~(np.isnan(p1i) | np.isnan(n1i)), ~(np.isnan(p2i) | np.isnan(n2i))
        mean_p1 = np.sum(p1i[ok1] * n1i[ok1]) / np.sum(n1i[ok1])
        mean_p2 = np.sum(p2i[ok2] * n2i[ok2]) / np.sum(n2i[ok2])
        vi = mean_p1 * (1 - mean_p1) / n1i + mean_p2 * (1 - mean_p2) / n2i
    else:
        vi = p1i * (1 - p1i) / n1i + p2i * (1 - p2i) / n2i
    return checks.finish(p1i - p2i, vi)
