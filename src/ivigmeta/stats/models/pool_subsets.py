"""Many fits of subsets of one data set (GOSH, leave-one-out) with ``pool_many``'s arrays.

Each subset is a column of the padded ``(k, subsets)`` arrays of
:class:`~ivigmeta.stats.models.pool_many.Padded`: y = 0 and v = inf outside the subset, so
those studies have weight 0 in every sum, and each column is fitted exactly as
:func:`~ivigmeta.stats.models.pool_many.pool_many` fits a data set of the studies in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.stats.models.pool_many import Padded, PoolManyResult, pool_padded
from ivigmeta.stats.models.prediction import PI_CHOICES
from ivigmeta.stats.models.rma import METHODS, TESTS


def pool_many_subsets(
    yi: Sequence[float],
    vi: Sequence[float],
    include: np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    pi: str = "auto",
) -> PoolManyResult:
    """:func:`pool_many` of the subsets of one data set: analysis j pools the studies i with
    ``include[j, i]`` (a boolean ``(analyses, k)`` array, every row with at least one study).

    The padded arrays are built from the mask directly (y = 0, v = inf outside the subset), so
    no per-subset Python work is done; ``weights`` is ``(analyses, k)``, NaN outside.
    """
    for value, allowed, field in ((method, METHODS, "method"), (test, TESTS, "test"),
                                  (pi, PI_CHOICES, "pi")):  # fmt: skip
        if value not in allowed:
            raise InputError(f"expected one of {', '.join(allowed)}, got {value!r}", field=field)
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    present = np.ascontiguousarray(np.asarray(include, dtype=bool).T)
    if y.ndim != 1 or v.shape != y.shape or present.shape[0] != y.size:
        raise AnalysisError("expected yi, vi of one length and a (subsets, k) inclusion mask")
    if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        raise AnalysisError("expected finite yi and finite vi > 0")
    k = present.sum(axis=0)
    if (k == 0).any():
        raise AnalysisError("every subset needs at least one study")
    data = Padded(
        np.where(present, y[:, None], 0.0), np.where(present, v[:, None], np.inf), present, k
    )
    return pool_padded(data, method=method, test=test, level=level, pi=pi)
