"""The ``reproduce`` driver: every reported p (and printed statistic) of every record, in order."""

from __future__ import annotations

from ivigmeta.analyses.reproduce.comparisons import _comparison
from ivigmeta.analyses.reproduce.grim_rows import grim_rows
from ivigmeta.analyses.reproduce.paired import _paired_continuous, _paired_proportion
from ivigmeta.analyses.reproduce.rows import (
    _NOT_FROM_SUMMARIES,
    _PAIRED_T,
    PROBLEMS,
    ReproducedP,
    _range,
    _timepoint,
    fmt_p,
    reported_test,
)
from ivigmeta.records.model import Study
from ivigmeta.stats.checks.rounding import (
    NOT_CHECKABLE,
    UNEXPLAINED,
)

#: tests a paper may have used that summary data cannot rerun, by kind of comparison
_NEED_INDIVIDUAL_DATA = {
    "two-arm": "ANCOVA adjusted for baseline, Mann-Whitney (rank) test, mixed models",
    "paired": "Wilcoxon signed-rank test, a mixed model of all visits",
    "paired-proportion": "a test on other denominators (patients with both assessments)",
}


def _fair(computed, stated: str | None, kind: str):
    """A p that no tried test gives is ``unexplained`` when the paper names no test (issue 18):
    ``inconsistent`` and ``decision-error`` are kept for a named test whose p cannot arise."""
    test, low, high, verdict, note = computed
    if stated is not None or verdict not in PROBLEMS:
        return computed
    note = (
        f"the paper names no test, and none of those tried ({test}) gives its p: {note}; "
        "tests that need the individual data could: "
        f"{_NEED_INDIVIDUAL_DATA[kind]}"
    )
    return test, low, high, UNEXPLAINED, note


def _row(study, item, comparison_label, computed, reported) -> ReproducedP:
    test, low, high, verdict, note = computed
    return ReproducedP(
        study=study.id,
        outcome=item.outcome,
        timepoint=_timepoint(item),
        comparison=comparison_label,
        test=test,
        reported_p=reported.text,
        p_min=low,
        p_max=high,
        verdict=verdict,
        note=note,
    )


_STATISTIC_KINDS = {
    "paired-t": "t", "one-sample-t": "t", "two-sample-t": "t", "welch-t": "t",
    "chi-square": "chi2", "mcnemar": "chi2",
}  # fmt: skip


def _printed_statistic_row(study: Study, item, label: str) -> ReproducedP | None:
    """A statcheck-style row when the record prints the test statistic itself."""
    from ivigmeta.stats.checks.statistic_check import check_statistic

    reported = item.reported
    if reported is None or reported.statistic is None or reported.p is None:
        return None
    kind = _STATISTIC_KINDS.get(reported.test)
    df = reported.df if reported.df is not None else (1 if kind == "chi2" else None)
    base = {
        "study": study.id, "outcome": item.outcome, "timepoint": _timepoint(item),
        "comparison": f"{label} (printed statistic {reported.statistic})",
        "reported_p": reported.p.text,
    }  # fmt: skip
    if kind is None or df is None:
        missing = "the test" if kind is None else "df"
        note = f"missing {missing}: cannot recompute p from the printed statistic"
        return ReproducedP(**base, test=reported.test or "?", p_min=None, p_max=None,
                           verdict=NOT_CHECKABLE, note=note)  # fmt: skip
    check = check_statistic(kind, reported.statistic, reported.p, float(df))
    note = (
        f"{kind}({df}) = {reported.statistic}: p = {fmt_p(check.p)}, over the statistic's "
        f"rounding {_range(check.p_min, check.p_max)} (statcheck rule)"
    )
    return ReproducedP(**base, test=f"{kind} statistic", p_min=check.p_min, p_max=check.p_max,
                       verdict=check.verdict, note=note)  # fmt: skip


def reproduce_study(study: Study, studies: dict[str, Study] | None = None) -> list[ReproducedP]:
    """Rows for every reported p of one study (``studies`` resolves control-trial records).

    A record that prints the test statistic gets one more row recomputing p from it.
    """
    studies = studies or {study.id: study}
    rows = []
    for outcome in study.outcomes:
        reported = outcome.reported.p if outcome.reported else None
        if reported is None:
            continue
        stated = reported_test(outcome)
        if stated in _NOT_FROM_SUMMARIES:
            computed = (stated, None, None, NOT_CHECKABLE, f"{stated} needs the individual data")
        elif outcome.type == "paired-continuous" and stated not in (None, *_PAIRED_T):
            note = f"a {stated} test does not apply to paired means; not recomputed"
            computed = (stated, None, None, NOT_CHECKABLE, note)
        elif outcome.type == "paired-proportion":
            computed = _fair(_paired_proportion(study, outcome, reported), stated,
                             "paired-proportion")  # fmt: skip
        else:
            computed = _fair(_paired_continuous(study, outcome, reported), stated, "paired")
        label = "after vs before" if outcome.type == "paired-proportion" else "vs baseline"
        rows.append(_row(study, outcome, label, computed, reported))
        rows += filter(None, [_printed_statistic_row(study, outcome, label)])
    for comparison in study.comparisons:
        reported = comparison.reported.p if comparison.reported else None
        if reported is None:
            continue
        stated = reported_test(comparison)
        label = f"{comparison.arm.label} vs {comparison.control.label}"
        if stated in _NOT_FROM_SUMMARIES:
            note = f"{stated} needs the individual data (or covariates)"
            computed = (stated, None, None, NOT_CHECKABLE, note)
        elif stated not in (None, "two-sample-t", "welch-t"):
            note = f"a {stated} test does not apply to two means with SDs; not recomputed"
            computed = (stated, None, None, NOT_CHECKABLE, note)
        else:
            computed = _fair(_comparison(studies, study, comparison, reported), stated, "two-arm")
        rows.append(_row(study, comparison, label, computed, reported))
        rows += filter(None, [_printed_statistic_row(study, comparison, label)])
    return rows


def reproduce(studies_path: str | None = None) -> list[ReproducedP]:
    """Recompute every reported p in the records, GRIM-check integer-score means, and run the
    trustworthiness checks (:mod:`ivigmeta.analyses.reproduce.integrity_rows`).

    Python mirror of ``ivigmeta reproduce [--studies PATH]``.
    """
    from ivigmeta.analyses.reproduce.integrity_rows import integrity_rows
    from ivigmeta.records.loader import load_record_set

    record_set = load_record_set(studies_path)
    studies = record_set.studies
    by_id = {s.id: s for s in studies}
    rows = [row for study in studies for row in reproduce_study(study, by_id)]
    rows += [row for study in studies for row in grim_rows(study, record_set.outcomes)]
    return rows + integrity_rows(list(studies))


def has_problems(rows: list[ReproducedP]) -> bool:
    """True when any row is inconsistent or a decision error (``reproduce`` then exits 1);
    ``unexplained`` and ``not-checkable`` rows are not problems."""
    return any(row.verdict in PROBLEMS for row in rows)


__all__ = ["ReproducedP", "fmt_p", "grim_rows", "has_problems", "reproduce", "reproduce_study"]
