"""GRIM and GRIMMER rows for the means and SDs of integer-valued scores in a record."""

from __future__ import annotations

from ivigmeta.analyses.reproduce.rows import (
    ReproducedP,
    _timepoint,
)
from ivigmeta.records.model import Study
from ivigmeta.records.vocabulary import OUTCOMES
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    INCONSISTENT,
    NOT_CHECKABLE,
)


def grim_rows(study: Study, outcomes=None) -> list[ReproducedP]:
    """GRIM/GRIMMER rows for the means (and SDs) of integer-valued outcomes of one study
    (``outcomes``: the folder's vocabulary, default the bundled one)."""
    from ivigmeta.stats.checks.grim import grim

    rows = []
    seen = set()

    def check(outcome: str, timepoint: str, label: str, mean, sd, n) -> None:
        definition = (OUTCOMES if outcomes is None else outcomes).get(outcome)
        if definition is None or not definition.integer or mean is None or n is None:
            return
        key = (outcome, str(mean), str(sd), n)
        if key in seen:
            return
        seen.add(key)
        result = grim(mean, n, sd)
        test = "grim" if sd is None else "grim+grimmer"
        note = result.note
        if INCONSISTENT in (result.grim, result.grimmer):
            verdict = INCONSISTENT
        elif result.informative or result.grimmer_informative:
            verdict = CONSISTENT
            if result.grimmer_informative:
                note += f"; GRIMMER: SD {sd} fits an integer sum of squares of the right parity"
        else:
            verdict = NOT_CHECKABLE
            note = f"too coarse to test: {note}"
            if sd is not None:
                note += f"; GRIMMER cannot fail either (SD {sd} to {sd.decimals} decimals)"
        shown = f"{label} {mean}" + (f" ± {sd}" if sd is not None else "") + f" (n={n})"
        rows.append(
            ReproducedP(study.id, outcome, timepoint, shown, test, None, None, None, verdict, note)
        )

    for outcome in study.outcomes:
        for part in ("baseline", "followup", "change"):
            summary = getattr(outcome, part)
            if summary is not None:
                check(
                    outcome.outcome,
                    _timepoint(outcome),
                    part,
                    summary.mean,
                    summary.sd,
                    summary.n,
                )
    for comparison in study.comparisons:
        for arm in (comparison.arm, comparison.control):
            check(
                comparison.outcome,
                _timepoint(comparison),
                arm.label,
                arm.mean,
                arm.sd,
                arm.n,
            )
    return rows
