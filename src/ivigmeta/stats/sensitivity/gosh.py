"""GOSH: the model refitted on every subset of the studies (metafor ``gosh()``).

Olkin, Dahabreh & Trikalinos (2012), "GOSH - a graphical display of study heterogeneity",
Res Synth Methods 3:214-223. For each non-empty subset S of the k studies the intercept-only
model is fitted again with the same tau² estimator, and Q, I², H², tau² and the pooled
estimate mu_S = sum_{i in S} w_i y_i / sum_{i in S} w_i (w_i = 1/(v_i + tau²_S)) are kept.

As metafor: all 2^k - 1 subsets while that is at most ``max_subsets`` (default 10^6), ordered
by size and, within a size, by the binary number whose bit i - 1 is study i (R's
``expand.grid`` order, then a stable ``order(k)``); beyond, ``max_subsets`` random subsets:
a size m drawn with probability dbinom(m, k, 1/2) (m >= 1), then m studies drawn at random
(seeded numpy generator, so not R's draws). Under ``EE`` and ``DL`` metafor uses closed forms
in which I² = max(0, 100 (Q - (k - 1))/Q) and H² = Q/(k - 1) for every subset (also when DL's
tau² is truncated at 0, where ``rma`` would give H² = 1); those are reproduced. Subsets where
the estimator fails (no convergence) have NaN in every number, as metafor's NA rows.

The fits run in chunks of :data:`CHUNK` subsets through
:func:`ivigmeta.stats.models.pool_subsets.pool_many_subsets`, so memory stays bounded
for 10^6.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result

MAX_SUBSETS = 10**6
CHUNK = 1 << 15
SEED = 20121001


@dataclass(frozen=True)
class GoshResult(Result):
    """One entry per subset: ``include`` is ``(subsets, k)`` boolean (study i in subset j)."""

    method: str
    exact: bool
    include: np.ndarray
    k: np.ndarray
    q: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    tau2: np.ndarray
    estimate: np.ndarray

    def __len__(self) -> int:
        return int(self.k.size)


def subset_count(k: int) -> int:
    """2^k - 1, the number of non-empty subsets of k studies."""
    return (1 << k) - 1


def all_subsets(k: int) -> np.ndarray:
    """Every non-empty subset as a ``(2^k - 1, k)`` mask, in metafor's order (see module)."""
    codes = np.arange(1, 1 << k, dtype=np.int64)
    include = ((codes[:, None] >> np.arange(k)) & 1).astype(bool)
    order = np.argsort(include.sum(axis=1), kind="stable")
    return include[order]


def random_subsets(k: int, n: int, seed: int = SEED) -> np.ndarray:
    """``n`` random non-empty subsets (size ~ Binomial(k, 1/2) given >= 1), sorted by size."""
    from math import comb

    rng = np.random.default_rng(seed)
    sizes = np.arange(1, k + 1)
    prob = np.array([comb(k, m) for m in sizes], dtype=float)
    m = rng.choice(sizes, size=n, p=prob / prob.sum())
    include = np.empty((n, k), dtype=bool)
    for start in range(0, n, CHUNK):  # in chunks: the random keys are (rows, k) floats
        rows = m[start : start + CHUNK]
        ranks = np.argsort(rng.random((rows.size, k)), axis=1).argsort(axis=1)
        include[start : start + CHUNK] = ranks < rows[:, None]
    return include[np.argsort(m, kind="stable")]


def gosh(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    method: str = "REML",
    max_subsets: int = MAX_SUBSETS,
    seed: int = SEED,
) -> GoshResult:
    """Refit ``rma(yi, vi, method=method)`` on every (or ``max_subsets`` random) subset."""
    from ivigmeta.stats.models.pool_subsets import pool_many_subsets

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if isinstance(max_subsets, bool) or int(max_subsets) != max_subsets or max_subsets < 1:
        raise InputError(f"expected a whole number >= 1, got {max_subsets}", field="max-subsets")
    if y.size < 2:
        raise AnalysisError(f"GOSH needs at least 2 studies, got k = {y.size}")
    exact = y.size < 63 and subset_count(y.size) <= max_subsets
    include = all_subsets(y.size) if exact else random_subsets(y.size, int(max_subsets), seed)
    parts = {name: [] for name in ("q", "i2", "h2", "tau2", "estimate")}
    for start in range(0, include.shape[0], CHUNK):
        chunk = include[start : start + CHUNK]
        fit = pool_many_subsets(y, v, chunk, method=method)
        h2 = fit.h2
        if method == "DL":  # metafor's closed form: H² = Q/(k - 1) even where tau² = 0
            with np.errstate(divide="ignore", invalid="ignore"):
                h2 = np.where(fit.k > 1, fit.q / (fit.k - 1.0), 1.0)
        for name, values in (
            ("q", fit.q),
            ("i2", fit.i2),
            ("h2", h2),
            ("tau2", fit.tau2),
            ("estimate", fit.estimate),
        ):
            parts[name].append(values)
    numbers = {name: np.concatenate(values) for name, values in parts.items()}
    return GoshResult(method=method, exact=exact, include=include, k=include.sum(axis=1), **numbers)
