"""Subgroup analysis: pooled estimates per group and the test for subgroup differences.

Two assumptions about the between-study variance, both reported:

- separate tau² per group (the usual forest-plot subgroup analysis): each group is pooled on
  its own, ``rma(yi, vi, subset = group == g)``; the groups are then compared with the Wald-type
  test Q_between = sum_g (theta_g - theta_bar)² / se_g², theta_bar their inverse-variance
  mean, on G - 1 df (metafor: ``rma(estimates, sei = se, method = "EE")$QE``);
- common tau²: the mixed-effects model with group indicators,
  ``rma(yi, vi, mods = ~ factor(group))``, whose omnibus test QM of the group terms is a chi²
  on G - 1 df under z tests, or an F on (G - 1, k - G) df under knha/t.

Groups are sorted by name, the first is the reference level of the common-tau² model. When
the data cannot support the common-tau² model (e.g. one study per group), its fields are None
and ``notes`` says why; the separate-tau² results stand on their own.

Reference: Borenstein M, Hedges LV, Higgins JPT, Rothstein HR. Introduction to Meta-Analysis.
Wiley; 2009, chapter 19.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.rma import rma


@dataclass(frozen=True)
class GroupEstimate(Result):
    """Pooled result of one subgroup (its own tau²)."""

    name: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    tau2: float
    i2: float
    q: float
    q_p: float


@dataclass(frozen=True)
class SubgroupResult(Result):
    """Per-group estimates and the tests for subgroup differences.

    ``q_between*``: separate tau² per group (chi², G - 1 df). ``common_*``: one tau² shared by
    all groups (``common_qm`` is chi² under z tests, F under knha/t with df
    (``common_qm_df``, ``common_qm_df2``)); None when that model cannot be fitted (see
    ``notes``).
    """

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


def subgroup_analysis(
    yi,
    vi,
    groups: Sequence[str],
    *,
    by: str = "group",
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> SubgroupResult:
    """Pool each group and test their differences (separate and common tau²)."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    labels = np.array([str(g) for g in groups], dtype=object)
    if labels.size != yi.size:
        raise AnalysisError(f"{labels.size} group labels for k = {yi.size} studies")
    names = sorted(set(labels))
    if len(names) < 2:
        raise AnalysisError(f"subgroup analysis by {by!r} needs at least 2 groups; found {names}")
    overall = rma(yi, vi, method=method, test=test, level=level)  # validates the options
    estimates = []
    for name in names:
        member = labels == name
        try:
            fit = rma(yi[member], vi[member], method=method, test=test, level=level)
        except AnalysisError as error:
            raise AnalysisError(f"subgroup {by}={name}: {error}") from None
        estimates.append(GroupEstimate.from_mapping(fit.summary(), name=name))
    between = rma([g.estimate for g in estimates], [g.se**2 for g in estimates], method="EE")
    indicators = np.column_stack([(labels == name).astype(float) for name in names[1:]])
    common = {"tau2": None, "qm": None, "qm_df": None, "qm_df2": None, "qm_p": None}
    notes = []
    try:
        fit = rma(yi, vi, mods=indicators, method=method, test=test, level=level)
    except AnalysisError as error:
        notes.append(f"common-tau² test not available: {error}")
    else:
        common = {"tau2": fit.tau2, "qm": fit.qm, "qm_df": fit.qm_df[0],
                  "qm_df2": fit.qm_df[1], "qm_p": fit.qm_p}  # fmt: skip
    return SubgroupResult(
        by=by,
        method=overall.method,
        test=overall.test,
        level=overall.level,
        k=int(yi.size),
        groups=tuple(estimates),
        q_between=between.q,
        q_between_df=between.q_df,
        q_between_p=between.q_p,
        **{f"common_{name}": value for name, value in common.items()},
        notes=tuple(notes),
    )
