"""Peto's one-step log odds ratio of a 2x2 table as an effect size (metafor ``escalc("PETO")``).

For one table with ai events out of n1 in group 1, ci out of n2 in group 2, N = n1 + n2 and
m = ai + ci events in all: E = m n1/N, V = m (N - m) n1 n2 / (N^2 (N - 1)) (the
hypergeometric variance of ai), yi = (ai - E)/V and vi = 1/V. A table with no events or no
non-events has V = 0, so yi and vi are NaN. As metafor's ``escalc``, the cells of a table with
a zero cell get ``add`` (default 1/2, ``to="only0"``) first; ``drop00=True`` leaves a
double-zero table (no events, or only events, in both groups) without an effect size.

Reference: Yusuf S, Peto R, Lewis J, Collins R, Sleight P (1985). Beta blockade during and
after myocardial infarction. Prog Cardiovasc Dis 27:335-371.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.effects import checks
from ivigmeta.effects.continuity import add_to_cells
from ivigmeta.effects.two_by_two import double_zero, table_cells


def peto_odds_ratio(ai, bi, ci, di, *, add=0.5, to="only0", drop00=False):
    """Peto's log odds ratio (measure ``PETO``): yi = (a - E)/V, vi = 1/V (module doc)."""
    cells = table_cells(ai, bi, ci, di)
    if drop00:
        double = double_zero(*cells)
        cells = [np.where(double, np.nan, cell) for cell in cells]
    ai, bi, ci, di = add_to_cells(list(cells), add, to)
    n1i, n2i = ai + bi, ci + di
    ni = n1i + n2i
    events, non_events = ai + ci, bi + di
    expected = events * n1i / ni
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = events * non_events * (n1i / ni) * (n2i / ni) / (ni - 1)
        return checks.finish((ai - expected) / variance, 1 / variance)
