"""``ivigmeta subgroup --by FIELD``: pooled results per group and tests of their differences.

See :mod:`ivigmeta.stats.sensitivity.subgroups` for the two tau² assumptions (separate per group,
with ``q_between``; common, with ``common_qm``). Studies come from
:func:`ivigmeta.analyses.effect_data.load_effect_data`; a study without a value for the field
is left out (and named in ``notes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from ivigmeta.results import Result
from ivigmeta.stats.sensitivity.subgroups import GroupEstimate

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection


@dataclass(frozen=True)
class SubgroupAnalysis(Result):
    """Per-group estimates (each group its own tau²) and the tests for subgroup differences.

    ``q_between``/``q_between_df``/``q_between_p``: separate tau² per group (Wald-type chi²
    test of the group estimates). ``common_*``: one tau² for all groups (omnibus QM of the group
    indicators in ``rma(yi, vi, mods = ~ group)``; chi² under z, F with df
    (``common_qm_df``, ``common_qm_df2``) under knha/t; None when the data cannot support
    that model).
    """

    outcome: str | None
    measure: str
    by: str
    method: str
    test: str
    level: float
    k: int
    groups: tuple[GroupEstimate, ...]
    q_between: float
    q_between_df: int
    q_between_p: float
    common_tau2: float | None
    common_qm: float | None
    common_qm_df: int | None
    common_qm_df2: int | None
    common_qm_p: float | None
    notes: tuple[str, ...]
    cautions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # what a careful reader should know first (ivigmeta.analyses.cautions)
        if not self.cautions:
            from ivigmeta.analyses.cautions import regression_cautions

            object.__setattr__(self, "cautions", tuple(regression_cautions(self.k)))


def subgroup(
    by: str,
    outcome: str | None = None,
    *,
    r: float | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    **selection: Unpack[Selection],
) -> SubgroupAnalysis:
    """Subgroup analysis by the record field or CSV column ``by`` (e.g. design, subtype).

    ``r`` and ``selection`` choose the studies as for :func:`ivigmeta.analyses.pool.pool`.
    """
    from ivigmeta.analyses.effect_data import load_effect_data, require_studies
    from ivigmeta.errors import AnalysisError
    from ivigmeta.stats.sensitivity.subgroups import subgroup_analysis

    data = load_effect_data(outcome, r=r, **selection)
    values = data.values(by)
    keep = [i for i, value in enumerate(values) if value is not None]
    notes = list(data.notes)
    left_out = [data.ids[i] for i, value in enumerate(values) if value is None]
    if left_out:
        notes.append(f"left out (no {by}): {', '.join(left_out)}")
    require_studies(data, 2, f"subgroup analysis by {by!r}")
    if len(keep) < 2:
        raise AnalysisError(f"subgroup analysis by {by!r}: fewer than 2 studies have a {by}")
    result = subgroup_analysis(data.yi[keep], data.vi[keep], [_label(values[i]) for i in keep],
                               by=by, method=method, test=test, level=level)  # fmt: skip
    return SubgroupAnalysis.from_mapping(vars(result), outcome=data.outcome, measure=data.measure,
                                         notes=(*notes, *result.notes))  # fmt: skip


def _label(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
