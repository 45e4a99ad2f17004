"""Subgroups for the forest plot: one outcome pooled separately within each study design.

Each subgroup is pooled on its own (its own tau², the usual forest-plot subgroup analysis, as
``rma(yi, vi, subset = design == g)`` in metafor); subgroups that cannot be pooled (e.g. no
study of that design reports the outcome) are left out.
"""

from __future__ import annotations

from ivigmeta.errors import AnalysisError, InputError

SUBGROUP_VARIABLES = ("design",)


def pool_subgroups(outcome: str, by: str, **pool_options) -> tuple[tuple[str, object], ...]:
    """``(design, PoolResult)`` for each design with poolable studies, in vocabulary order."""
    from ivigmeta.analyses.pool import pool
    from ivigmeta.records.vocabulary import DESIGNS

    if by not in SUBGROUP_VARIABLES:
        raise InputError(f"expected one of {', '.join(SUBGROUP_VARIABLES)}, got {by!r}", field="by")
    if pool_options.get("csv") is not None:
        raise InputError("--by needs study records (it groups them by design), not --csv",
                         field="by")  # fmt: skip
    groups = []
    for design in DESIGNS:
        try:
            groups.append((design, pool(outcome, design=design, **pool_options)))
        except AnalysisError:
            continue
    return tuple(groups)


def study_labels(studies_path=None) -> dict[str, str]:
    """Study id -> display label ("Poelman 2015") from the records."""
    from ivigmeta.analyses.report import study_label
    from ivigmeta.records.loader import load_studies

    return {study.id: study_label(study) for study in load_studies(studies_path)}
