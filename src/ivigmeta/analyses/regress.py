"""``ivigmeta regress --mods a,b``: mixed-effects meta-regression on numeric study fields.

Moderators are record fields or CSV columns holding numbers (booleans count 1/0); see
:mod:`ivigmeta.stats.sensitivity.meta_regression`. Studies come from
:func:`ivigmeta.analyses.effect_data.load_effect_data`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from ivigmeta.results import Result
from ivigmeta.stats.sensitivity.meta_regression import Coefficient

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection


@dataclass(frozen=True)
class RegressResult(Result):
    """Coefficients, QM omnibus test, QE residual heterogeneity and pseudo R² (percent).

    ``qm`` is chi² on ``qm_df`` df under z tests, F on (``qm_df``, ``qm_df2``) under knha/t.
    """

    outcome: str | None
    measure: str
    mods: tuple[str, ...]
    method: str
    test: str
    level: float
    k: int
    coefficients: tuple[Coefficient, ...]
    df: int | None
    tau2: float
    i2: float
    qm: float
    qm_df: int
    qm_df2: int | None
    qm_p: float
    qe: float
    qe_df: int
    qe_p: float
    r2: float | None
    notes: tuple[str, ...]
    cautions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # what a careful reader should know first (ivigmeta.analyses.cautions)
        if not self.cautions:
            from ivigmeta.analyses.cautions import regression_cautions

            object.__setattr__(self, "cautions", tuple(regression_cautions(self.k)))


def regress(
    mods: str | Sequence[str],
    outcome: str | None = None,
    *,
    r: float | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    **selection: Unpack[Selection],
) -> RegressResult:
    """Meta-regression on moderators ``mods`` ("a,b" or a list of field names).

    ``r`` and ``selection`` choose the studies as for :func:`ivigmeta.analyses.pool.pool`.
    """
    from ivigmeta.analyses.csv_effects import omit_missing_fields
    from ivigmeta.analyses.effect_data import load_effect_data
    from ivigmeta.errors import AnalysisError, InputError
    from ivigmeta.stats.sensitivity.meta_regression import meta_regression

    names = [m.strip() for m in mods.split(",")] if isinstance(mods, str) else list(mods)
    if not names or any(not name for name in names):
        raise InputError("expected moderator names separated by commas, e.g. year,n", field="mods")
    data = omit_missing_fields(load_effect_data(outcome, r=r, **selection), names)
    moderators = {name: data.numbers(name) for name in names}
    try:
        result = meta_regression(data.yi, data.vi, moderators, method=method, test=test,
                                 level=level)  # fmt: skip
    except AnalysisError as error:
        raise AnalysisError(f"meta-regression on {', '.join(names)}: {error}") from None
    return RegressResult.from_mapping(vars(result), outcome=data.outcome, measure=data.measure,
                                      mods=tuple(names), notes=data.notes)  # fmt: skip


def bubble(
    mod: str,
    outcome: str | None = None,
    *,
    r: float | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    **selection: Unpack[Selection],
):
    """Bubble plot data (:func:`ivigmeta.stats.sensitivity.bubble.bubble_data`) on the one
    numeric moderator ``mod``, studies selected as for :func:`regress`."""
    from ivigmeta.analyses.csv_effects import omit_missing_fields
    from ivigmeta.analyses.effect_data import load_effect_data
    from ivigmeta.stats.sensitivity.bubble import bubble_data

    data = omit_missing_fields(load_effect_data(outcome, r=r, **selection), [mod.strip()])
    return bubble_data(data.yi, data.vi, data.numbers(mod.strip()), method=method, test=test,
                       level=level)  # fmt: skip
