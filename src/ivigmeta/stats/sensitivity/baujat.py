"""Baujat plot coordinates (Baujat et al. 2002, Stat Med 21:2641-52; metafor ``baujat()``).

For study i of the fitted model (mu, tau², v_i):

- x_i = (y_i - mu)² / (tau² + v_i), its contribution to the heterogeneity (the squared
  Pearson residual; under the equal-effects model its term of Cochran's Q);
- y_i = (mu_(-i) - mu)² / Var(mu_(-i)), its influence on the pooled result, with mu_(-i) and
  Var(mu_(-i)) from the model refitted without study i (tau² estimated again; Var includes
  the Knapp-Hartung factor under ``test="knha"``), as metafor does.

The k leave-one-out refits run at once in
:func:`~ivigmeta.stats.models.pool_subsets.pool_many_subsets`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result


@dataclass(frozen=True)
class BaujatResult(Result):
    """One entry per study: ``x`` (heterogeneity contribution) and ``y`` (influence)."""

    method: str
    ids: tuple[str, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]


def baujat(yi, vi, ids=None, *, method: str = "REML", test: str = "z") -> BaujatResult:
    """Baujat coordinates of ``rma(yi, vi, method=method, test=test)``; k >= 2."""
    from ivigmeta.stats.models.pool_subsets import pool_many_subsets
    from ivigmeta.stats.models.rma import rma

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.size < 2:
        raise AnalysisError(f"Baujat plot needs at least 2 studies, got k = {y.size}")
    ids = tuple(ids) if ids is not None else tuple(str(i + 1) for i in range(y.size))
    fit = rma(y, v, method=method, test=test)
    x = (y - fit.estimate) ** 2 / (fit.tau2 + v)
    left_out = pool_many_subsets(y, v, ~np.eye(y.size, dtype=bool), method=method, test=test)
    influence = (left_out.estimate - fit.estimate) ** 2 / left_out.se**2
    return BaujatResult(method=method, ids=ids, x=tuple(x.tolist()), y=tuple(influence.tolist()))
