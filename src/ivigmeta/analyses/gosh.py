"""``ivigmeta gosh``: metafor's ``gosh()`` on the studies of an outcome or a CSV table.

The studies come from :func:`ivigmeta.analyses.effect_data.load_effect_data` (as for
``ivigmeta pool``); the refits are :func:`ivigmeta.stats.sensitivity.gosh.gosh`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

import numpy as np

from ivigmeta.results import Result
from ivigmeta.stats.sensitivity.gosh import MAX_SUBSETS, GoshResult

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection


@dataclass(frozen=True)
class GoshAnalysis(Result):
    """The GOSH refits of one analysis, with the study ids (columns of ``fits.include``)."""

    outcome: str | None
    measure: str
    ids: tuple[str, ...]
    fits: GoshResult
    notes: tuple[str, ...]

    def subset_labels(self, rows: slice = slice(None)) -> list[str]:
        """Each subset's study ids joined by ``;``, in input order (of the subsets ``rows``)."""
        from itertools import compress

        ids = self.ids
        return [";".join(compress(ids, row)) for row in self.fits.include[rows].tolist()]


def gosh(
    outcome: str | None = None,
    *,
    r: float | None = None,
    method: str = "REML",
    max_subsets: int = MAX_SUBSETS,
    **selection: Unpack[Selection],
) -> GoshAnalysis:
    """Refit the model on every subset of the studies (random subsets beyond ``max_subsets``).

    ``r`` and ``selection`` choose the studies as for :func:`ivigmeta.analyses.pool.pool`.
    """
    from ivigmeta.analyses.effect_data import load_effect_data, require_studies
    from ivigmeta.stats.sensitivity.gosh import gosh as gosh_fits
    from ivigmeta.stats.sensitivity.gosh import subset_count

    data = load_effect_data(outcome, r=r, **selection)
    require_studies(data, 2, "GOSH")
    fits = gosh_fits(data.yi, data.vi, method=method, max_subsets=max_subsets)
    total = f"2^{data.k} - 1 = {subset_count(data.k)}" if data.k < 63 else f"2^{data.k} - 1"
    how = (
        f"all {total} subsets" if fits.exact else f"{len(fits)} random subsets (of {total}; seeded)"
    )
    notes = (*data.notes, f"GOSH: {how}, method {method}")
    failed = int(np.isnan(fits.estimate).sum())
    if failed:
        notes = (*notes, f"{failed} subsets could not be fitted (NaN rows)")
    return GoshAnalysis(outcome=data.outcome, measure=data.measure, ids=data.ids, fits=fits,
                        notes=notes)  # fmt: skip
