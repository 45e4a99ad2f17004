"""``ivigmeta regress --mods a,b``: mixed-effects meta-regression on numeric study fields.

Moderators are record fields or CSV columns holding numbers (booleans count 1/0); see
:mod:`ivigmeta.stats.meta_regression`. Studies come from
:func:`ivigmeta.analyses.effect_data.load_effect_data`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ivigmeta.results import Result
from ivigmeta.stats.meta_regression import Coefficient


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


def regress(
    mods: str | Sequence[str],
    outcome: str | None = None,
    *,
    studies_path=None,
    csv=None,
    measure: str | None = None,
    timepoint: str | float | None = None,
    design: str | None = None,
    r: float | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> RegressResult:
    """Meta-regression on moderators ``mods`` ("a,b" or a list of field names)."""
    from ivigmeta.analyses.effect_data import load_effect_data
    from ivigmeta.errors import AnalysisError, InputError
    from ivigmeta.stats.meta_regression import meta_regression

    names = [m.strip() for m in mods.split(",")] if isinstance(mods, str) else list(mods)
    if not names or any(not name for name in names):
        raise InputError("expected moderator names separated by commas, e.g. year,n", field="mods")
    data = load_effect_data(outcome, studies_path=studies_path, csv=csv, measure=measure,
                            timepoint=timepoint, design=design, r=r)  # fmt: skip
    moderators = {name: data.numbers(name) for name in names}
    try:
        result = meta_regression(data.yi, data.vi, moderators, method=method, test=test,
                                 level=level)  # fmt: skip
    except AnalysisError as error:
        raise AnalysisError(f"meta-regression on {', '.join(names)}: {error}") from None
    return RegressResult(
        outcome=data.outcome,
        measure=data.measure,
        mods=tuple(names),
        method=result.method,
        test=result.test,
        level=result.level,
        k=result.k,
        coefficients=result.coefficients,
        df=result.df,
        tau2=result.tau2,
        i2=result.i2,
        qm=result.qm,
        qm_df=result.qm_df,
        qm_df2=result.qm_df2,
        qm_p=result.qm_p,
        qe=result.qe,
        qe_df=result.qe_df,
        qe_p=result.qe_p,
        r2=result.r2,
        notes=data.notes,
    )
