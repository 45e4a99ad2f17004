"""``ivigmeta sensitivity``: leave-one-out, cumulative meta-analysis and influence diagnostics.

The studies come from :func:`ivigmeta.analyses.effect_data.load_effect_data` (as for
``ivigmeta pool``); the three analyses are metafor's ``leave1out()``, ``cumul()`` and
``influence()`` on ``rma(yi, vi, method, test, level)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from ivigmeta.results import Result
from ivigmeta.stats.models.pooled_summary import PooledSummary
from ivigmeta.stats.sensitivity.influence import StudyInfluence

INPUT_ORDER = "input"

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection


@dataclass(frozen=True)
class SensitivityResult(Result):
    """Leave-one-out and cumulative refits (one row per study) and influence diagnostics.

    ``cumulative_order`` names the field the studies were sorted by before adding them one at a
    time (``"input"``: the order of the data).
    """

    outcome: str | None
    measure: str
    method: str
    test: str
    level: float
    k: int
    cumulative_order: str
    leave_one_out: tuple[PooledSummary, ...]
    cumulative: tuple[PooledSummary, ...]
    influence: tuple[StudyInfluence, ...]
    notes: tuple[str, ...]
    cautions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # what a careful reader should know first (ivigmeta.analyses.cautions)
        if not self.cautions:
            from ivigmeta.analyses.cautions import study_count_cautions

            object.__setattr__(self, "cautions", tuple(study_count_cautions(self.k)))


def sensitivity(
    outcome: str | None = None,
    *,
    r: float | None = None,
    order: str | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    **selection: Unpack[Selection],
) -> SensitivityResult:
    """Leave-one-out, cumulative (sorted by field ``order``) and influence analyses; k >= 2.

    ``order`` None sorts by ``year`` when every study has one, else keeps the input order;
    ``"input"`` keeps the input order. ``r`` and ``selection`` choose the studies as for
    :func:`ivigmeta.analyses.pool.pool`.
    """
    from ivigmeta.analyses.effect_data import load_effect_data, require_studies
    from ivigmeta.stats.sensitivity.cumulative import cumulative
    from ivigmeta.stats.sensitivity.influence import influence
    from ivigmeta.stats.sensitivity.leave_one_out import leave_one_out

    data = load_effect_data(outcome, r=r, **selection)
    require_studies(data, 2, "sensitivity analysis (leave-one-out)")
    order_name, keys = _order_keys(data, order)
    options = {"method": method, "test": test, "level": level}
    left_out = leave_one_out(data.yi, data.vi, data.ids, **options)
    added = cumulative(data.yi, data.vi, data.ids, order=keys, **options)
    diagnostics = influence(data.yi, data.vi, data.ids, **options)
    return SensitivityResult(
        outcome=data.outcome,
        measure=data.measure,
        method=diagnostics.method,
        test=diagnostics.test,
        level=level,
        k=data.k,
        cumulative_order=order_name,
        leave_one_out=left_out.rows,
        cumulative=added.rows,
        influence=diagnostics.studies,
        notes=data.notes,
    )


def baujat_coordinates(
    outcome: str | None = None,
    *,
    r: float | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    **selection: Unpack[Selection],
):
    """Baujat coordinates (:func:`ivigmeta.stats.sensitivity.baujat.baujat`) of the studies
    selected as for :func:`sensitivity`."""
    from ivigmeta.analyses.effect_data import load_effect_data, require_studies
    from ivigmeta.stats.sensitivity.baujat import baujat

    data = load_effect_data(outcome, r=r, **selection)
    require_studies(data, 2, "Baujat plot")
    return baujat(data.yi, data.vi, data.ids, method=method, test=test)


def _order_keys(data, order: str | None) -> tuple[str, list | None]:
    from ivigmeta.errors import AnalysisError

    if order == INPUT_ORDER:
        return INPUT_ORDER, None
    if order is None:
        if not data.has("year"):
            return INPUT_ORDER, None
        years = data.values("year")
        if any(value in (None, "") for value in years):
            return INPUT_ORDER, None
        return "year", list(data.numbers("year"))
    values = data.values(order)
    missing = [i for i, value in zip(data.ids, values, strict=True) if value is None]
    if missing:
        raise AnalysisError(f"cannot order by {order!r}: no value for {', '.join(missing)}")
    if all(_is_number(value) for value in values):
        return order, list(data.numbers(order))
    return order, [str(value) for value in values]


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
