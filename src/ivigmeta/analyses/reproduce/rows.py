"""One row of ``ivigmeta reproduce`` (:class:`ReproducedP`) and the helpers every rule shares."""

from __future__ import annotations

from dataclasses import dataclass

from ivigmeta.printed import ReportedP
from ivigmeta.records.model import Arm, Comparison, Outcome, Summary
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    DECISION_ERROR,
    INCONSISTENT,
    compare_p,
)

PROBLEMS = (INCONSISTENT, DECISION_ERROR)
SEARCH_LIMIT = 1000  # largest unreported group size tried when no enrolment bounds it
SEARCH_LIMIT_2D = 500  # the same when both group sizes are unreported (a 499 × n2 grid)
_NOT_FROM_SUMMARIES = ("wilcoxon", "mann-whitney", "ancova")
_PAIRED_T = ("paired-t", "one-sample-t")


@dataclass(frozen=True)
class ReproducedP(Result):
    """One reported p (or one GRIM/GRIMMER check) and its recomputation.

    ``p_min``/``p_max`` span every plausible test and every value the printed numbers (and any
    bounded unknown) allow; null when nothing could be computed.
    """

    study: str
    outcome: str
    timepoint: str
    comparison: str
    test: str
    reported_p: str | None
    p_min: float | None
    p_max: float | None
    verdict: str
    note: str


def fmt_p(p: float) -> str:
    """A p-value to 3 significant digits (``0.00117``, ``3.31e-05``)."""
    if p == 0:
        return "0"
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.2e}"


def _range(low: float, high: float) -> str:
    return fmt_p(low) if fmt_p(low) == fmt_p(high) else f"{fmt_p(low)}–{fmt_p(high)}"


def _timepoint(item: Outcome | Comparison) -> str:
    if item.timepoint_months is not None:
        return f"{item.timepoint_months} mo"
    if item.timepoint_weeks is not None:
        return f"{item.timepoint_weeks} wk"
    return item.timepoint or ""


def _combine(candidates: list[tuple[str, float, float]], reported: ReportedP):
    """(p_min, p_max, verdict) over candidate tests: consistent if any one reproduces p."""
    verdicts = [compare_p(low, high, reported) for _, low, high in candidates]
    if CONSISTENT in verdicts:
        verdict = CONSISTENT
    elif all(v == DECISION_ERROR for v in verdicts):
        verdict = DECISION_ERROR
    else:
        verdict = INCONSISTENT
    return min(c[1] for c in candidates), max(c[2] for c in candidates), verdict


def _candidate_note(candidates: list[tuple[str, float, float]]) -> str:
    return "; ".join(f"{name}: p {_range(low, high)}" for name, low, high in candidates)


def _missing(summary: Summary | Arm | None, fields: tuple[str, ...], label: str) -> list[str]:
    if summary is None:
        return [label]
    return [f"{label}.{f}" for f in fields if getattr(summary, f) is None]


def _runs(values: list[int]) -> str:
    """``[3, 4, 5, 9]`` → ``3–5, 9``."""
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def reported_test(item: Outcome | Comparison) -> str | None:
    """The test the record says was used (None: not stated)."""
    return item.reported.test if item.reported is not None else None
