"""Recompute every reported p-value in the study records from the summary statistics printed.

For each reported p the test stated in the record is rerun on the printed numbers, allowing
for their rounding (:mod:`ivigmeta.stats.checks.rounding`). When the record does not state the test,
the plausible alternatives are all tried (paired data: paired t; two arms: Student and Welch;
paired proportions: McNemar exact, asymptotic, and asymptotic with continuity correction) and
the p is consistent if any of them reproduces it; the note gives each one's range.

A number the test needs but the paper does not print (an n, the change SD, a correlation) is
not guessed. The row is ``not-checkable`` and its note names the missing number, unless no
admissible value of it (an n up to the enrolled size, a correlation in [-1, 1]) reproduces the
printed p — then the p is ``inconsistent`` whatever the missing number was, and the note says
which values were tried. Where one value range of the missing number would make it consistent
(e.g. control-arm sizes n2), the note gives it.

Means and SDs of integer-valued scores (``integer: true`` in the outcome vocabulary, such as
the mRSS) also get GRIM/GRIMMER rows (:mod:`ivigmeta.stats.checks.grim`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.printed import ReportedP
from ivigmeta.records.model import Arm, Comparison, Outcome, Study, Summary
from ivigmeta.records.vocabulary import OUTCOMES
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    DECISION_ERROR,
    INCONSISTENT,
    NOT_CHECKABLE,
    compare_p,
    difference,
    overlaps,
    reported_p_interval,
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


# --------------------------------------------------------------------------- paired continuous


def _paired_continuous(study: Study, outcome: Outcome, reported: ReportedP):
    """(test, p_min, p_max, verdict, note) for a paired-continuous outcome."""
    from ivigmeta.stats.checks.t_tests import paired_t_test

    change, baseline, followup = outcome.change, outcome.baseline, outcome.followup
    n = next((s.n for s in (change, followup) if s is not None and s.n is not None), None)
    if change is not None and change.mean is not None and change.sd is not None:
        if n is not None:
            result = paired_t_test(change.mean, change.sd, n)
            candidates = [("paired-t", result.p_min, result.p_max)]
            low, high, verdict = _combine(candidates, reported)
            note = (
                f"change {change.mean} ± {change.sd}, n={n}: t({n - 1}) = "
                f"{result.statistic:.3f}, p = {fmt_p(result.p)}; over rounding p "
                f"{_range(result.p_min, result.p_max)}"
            )
            return "paired-t", low, high, verdict, note
        return _paired_unknown_n(study, reported, change.mean, change.sd)
    if change is None and baseline is None and followup is None:
        note = (
            "no means or SDs reported (needs the change mean, SD and n, or baseline and "
            "follow-up means and SDs)"
        )
        return "paired-t", None, None, NOT_CHECKABLE, note
    missing = _missing(baseline, ("mean", "sd"), "baseline") + _missing(
        followup, ("mean", "sd"), "followup"
    )
    if missing:
        if change is not None:
            missing = _missing(change, ("mean", "sd"), "change") + missing
        return "paired-t", None, None, NOT_CHECKABLE, f"missing {', '.join(missing)}"
    return _paired_from_arms(study, baseline, followup, n, reported)


def _paired_from_arms(study: Study, baseline: Summary, followup: Summary, n, reported):
    """Paired t from baseline and follow-up summaries, the correlation r being unknown.

    The change SD falls as r rises, so p over r in [-1, 1] runs from p(r = 1) to p(r = -1);
    an unknown n ranges over 2..enrolled n (p falls as n grows).
    """
    from ivigmeta.stats.checks.solve import implied_paired_spread
    from ivigmeta.stats.checks.t_tests import paired_t_test_from_arms

    sizes = [n] if n is not None else list(range(2, (study.population.n or 1) + 1))
    if not sizes:
        note = "missing n and change SD (or correlation); no enrolled n to bound n"
        return "paired-t", None, None, NOT_CHECKABLE, note
    args = (baseline.mean, baseline.sd, followup.mean, followup.sd)
    low = paired_t_test_from_arms(*args, sizes[-1], 1.0).p_min
    high = paired_t_test_from_arms(*args, sizes[0], -1.0).p_max
    shown = f"{baseline.mean} ± {baseline.sd} → {followup.mean} ± {followup.sd}"
    unknown = "correlation r in [-1, 1]"
    if n is None:
        unknown += f" and n ≤ {sizes[-1]} (enrolled)"
    verdict = compare_p(low, high, reported)
    if verdict != CONSISTENT:
        note = f"no {unknown} reproduces p: paired t on {shown} gives p {_range(low, high)}"
        return "paired-t", low, high, verdict, note
    if n is None:
        note = f"missing n and change SD (or correlation); p {_range(low, high)} over {unknown}"
        return "paired-t", low, high, NOT_CHECKABLE, note
    subset = ""
    if baseline.n is not None and baseline.n != n:
        subset = (
            f" (baseline mean is of n={baseline.n}, follow-up of n={n}: the paired "
            "difference is approximate)"
        )
    implied = implied_paired_spread(
        difference(followup.mean, baseline.mean), n, reported, baseline.sd, followup.sd
    )
    r_low, r_high = max(-1.0, implied.r_low), min(1.0, implied.r_high)
    note = (
        f"change SD (or baseline–follow-up correlation) not reported; paired t on {shown}, "
        f"n={n}: p {_range(low, high)} over {unknown}; the printed p implies change SD "
        f"{implied.sd_change_low:.2f}–{implied.sd_change_high:.2f}, r {r_low:.2f}–{r_high:.2f}"
        f"{subset}"
    )
    return "paired-t", low, high, NOT_CHECKABLE, note


def _paired_unknown_n(study: Study, reported: ReportedP, mean, sd):
    from ivigmeta.stats.checks.t_tests import paired_t_test

    n_max = study.population.n
    if n_max is None or n_max < 2:
        return "paired-t", None, None, NOT_CHECKABLE, "missing n (and no enrolled n to bound it)"
    results = {n: paired_t_test(mean, sd, n) for n in range(2, n_max + 1)}
    low = min(r.p_min for r in results.values())
    high = max(r.p_max for r in results.values())
    verdict = compare_p(low, high, reported)
    p_low, p_high = reported_p_interval(reported)
    fits = [n for n, r in results.items() if overlaps(r.p_min, r.p_max, p_low, p_high)]
    if not fits:
        note = (
            f"n not reported; no n from 2 to {n_max} (enrolled) reproduces p: p {_range(low, high)}"
        )
        return "paired-t", low, high, verdict, note
    note = f"n not reported; p is reproduced for n in {_runs(fits)} (of at most {n_max} enrolled)"
    return "paired-t", low, high, NOT_CHECKABLE, note


def _runs(values: list[int]) -> str:
    """``[3, 4, 5, 9]`` → ``3–5, 9``."""
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


# -------------------------------------------------------------------------- paired proportions


_MCNEMAR = ("mcnemar-exact", "mcnemar", "mcnemar-corrected")


def _paired_proportion(study: Study, outcome: Outcome, reported: ReportedP):
    from ivigmeta.errors import InputError
    from ivigmeta.stats.checks.mcnemar_range import paired_proportions_range

    before, after = outcome.before, outcome.after
    stated = reported_test(outcome)
    if stated not in (None, "mcnemar"):
        return stated, None, None, NOT_CHECKABLE, f"{stated} on paired proportions not recomputed"
    missing = [
        name
        for name, part in (("before", before), ("after", after))
        if part is None or (part.count is None and part.percent is None)
    ]
    if missing:
        return "mcnemar", None, None, NOT_CHECKABLE, f"missing {', '.join(missing)}"
    test_name = "mcnemar" if stated else "mcnemar (any variant)"
    n = before.n if before.n is not None else after.n
    kwargs = {
        "before": before.count,
        "after": after.count,
        "percent_before": before.percent,
        "percent_after": after.percent,
    }
    if n is not None:
        ranges = [paired_proportions_range(n=n, method=m, **kwargs) for m in _MCNEMAR]
        candidates = [(r.test, r.p_min, r.p_max) for r in ranges]
        low, high, verdict = _combine(candidates, reported)
        exact = ranges[0]
        note = (
            f"{exact.tables} tables with these margins (n={n}); {_candidate_note(candidates)}; "
            f"at independence exact p {fmt_p(exact.p)}"
        )
        return test_name, low, high, verdict, note
    n_max = study.population.n
    if n_max is None:
        return test_name, None, None, NOT_CHECKABLE, "missing n (no enrolled n to bound it)"
    fits, possible, low, high = [], [], math.inf, -math.inf
    p_low, p_high = reported_p_interval(reported)
    for size in range(1, n_max + 1):
        try:
            ranges = [paired_proportions_range(n=size, method=m, **kwargs) for m in _MCNEMAR]
        except InputError:  # no count of `size` patients rounds to a printed percentage
            continue
        possible.append(size)
        low = min(low, *(r.p_min for r in ranges))
        high = max(high, *(r.p_max for r in ranges))
        if any(overlaps(r.p_min, r.p_max, p_low, p_high) for r in ranges):
            fits.append(size)
    if not possible:
        note = f"no n up to {n_max} (enrolled) gives both {before.percent}% and {after.percent}%"
        return test_name, None, None, INCONSISTENT, note
    percents = f"{before.percent}% → {after.percent}%"
    if not fits:
        note = (
            f"denominator not reported; {percents} is possible for n in {_runs(possible)}, "
            f"and no such n reproduces p (p {_range(low, high)})"
        )
        return test_name, low, high, compare_p(low, high, reported), note
    note = (
        f"denominator not reported (study n={n_max}); {percents} is possible for n in "
        f"{_runs(possible)}; p is reproduced for n in {_runs(fits)}"
    )
    if n_max not in possible:
        note += f"; not with n={n_max}: no count of {n_max} rounds to both percentages"
    return test_name, low, high, NOT_CHECKABLE, note


# --------------------------------------------------------------------------------- comparisons


def _two_sample_tests(stated: str | None) -> tuple[tuple[str, bool], ...]:
    if stated == "two-sample-t":
        return (("two-sample-t", False),)
    if stated == "welch-t":
        return (("welch-t", True),)
    return (("two-sample-t", False), ("welch-t", True))


def _comparison(studies: dict[str, Study], study: Study, comparison: Comparison, reported):
    stated = reported_test(comparison)
    tests = _two_sample_tests(stated)
    name = " / ".join(t for t, _ in tests) if stated is None else stated
    arm, control = comparison.arm, comparison.control
    missing = [f"{side}.mean" for side, a in (("arm", arm), ("control", control)) if a.mean is None]
    if missing:
        return name, None, None, NOT_CHECKABLE, f"missing {', '.join(missing)}"
    if arm.sd is None or control.sd is None:
        return _from_se(study, arm, control, reported, name)
    if arm.n is None and control.n is not None:
        arm, control = control, arm
    if arm.n is None:
        return _unknown_sizes(studies, study, arm, control, reported, tests, name)
    if control.n is not None:
        from ivigmeta.stats.checks.t_tests import two_sample_t_test

        results = [
            two_sample_t_test(arm.mean, arm.sd, arm.n, control.mean, control.sd, control.n, w)
            for _, w in tests
        ]
        candidates = [(r.test, r.p_min, r.p_max) for r in results]
        low, high, verdict = _combine(candidates, reported)
        first = results[0]
        note = (
            f"{arm.mean} ± {arm.sd} (n={arm.n}) vs {control.mean} ± {control.sd} "
            f"(n={control.n}): t = {first.statistic:.3f}, p = {fmt_p(first.p)}; "
            f"over rounding {_candidate_note(candidates)}"
        )
        return name, low, high, verdict, note
    return _unknown_n2(studies, arm, control, reported, tests, name)


def _size_bound(studies: dict[str, Study], study: Study, arm: Arm) -> tuple[int | None, str]:
    """Largest n an arm can have: its trial's enrolled n (the arm's own study if none named)."""
    source = studies.get(arm.study) if arm.study is not None else study
    if source is None or source.population.n is None:
        return None, ""
    return source.population.n, source.id


def _unknown_sizes(studies, study: Study, arm: Arm, control: Arm, reported, tests, name):
    """Neither group size printed: search the (n1, n2) grid up to the enrolled sizes."""
    from ivigmeta.stats.checks.solve import consistent_sizes

    (n1_bound, n1_from), (n2_bound, n2_from) = (
        _size_bound(studies, study, a) for a in (arm, control)
    )
    total = study.population.n if arm.study is None and control.study is None else None
    limits = []
    for label, bound, source in (("n1", n1_bound, n1_from), ("n2", n2_bound, n2_from)):
        limits.append(
            f"{label} ≤ {bound} ({source} enrolled)"
            if bound
            else f"{label} ≤ {SEARCH_LIMIT_2D} (search limit)"
        )
    if total is not None:
        limits = [f"n1 + n2 ≤ {total} ({study.id} enrolled)"]
    n1_max = max(2, (total or n1_bound or SEARCH_LIMIT_2D) - (2 if total else 0))
    n2_max = max(2, (total or n2_bound or SEARCH_LIMIT_2D) - (2 if total else 0))
    solutions = [
        consistent_sizes(arm.mean, arm.sd, control.mean, control.sd, reported, w,
                         n1_max, n2_max, total)
        for _, w in tests
    ]  # fmt: skip
    low = min(s.p_min for s in solutions)
    high = max(s.p_max for s in solutions)
    searched = ", ".join(limits)
    head = f"n of both groups not reported; p {_range(low, high)} over {searched}"
    if not any(s.pairs for s in solutions):
        verdict = compare_p(low, high, reported)
        verdict = INCONSISTENT if verdict == CONSISTENT else verdict
        return name, low, high, verdict, f"{head}; no such pair reproduces p"
    fits = "; ".join(
        f"{s.test}: {s.pairs} pairs, n1 {s.n1_range[0]}–{s.n1_range[1]}, "
        f"n2 {s.n2_range[0]}–{s.n2_range[1]}"
        if s.pairs
        else f"{s.test}: none"
        for s in solutions
    )
    return name, low, high, NOT_CHECKABLE, f"{head}; reproduced for {fits}"


def _unknown_n2(studies, arm: Arm, control: Arm, reported, tests, name):
    from ivigmeta.stats.checks.solve import consistent_n2

    bound = None
    if control.study is not None and control.study in studies:
        bound = studies[control.study].population.n
    n2_max = bound if bound is not None and bound >= 2 else SEARCH_LIMIT
    solutions = [
        consistent_n2(arm.mean, arm.sd, arm.n, control.mean, control.sd, reported, w, n2_max)
        for _, w in tests
    ]
    low = min(s.p_min for s in solutions)
    high = max(s.p_max for s in solutions)
    limit = f"n2 ≤ {n2_max} " + (f"({control.study} enrolled)" if bound else "(search limit)")
    if not any(s.ranges for s in solutions):
        verdict = compare_p(low, high, reported)
        verdict = INCONSISTENT if verdict == CONSISTENT else verdict
        note = f"control n not reported; no {limit} reproduces p (p {_range(low, high)})"
        return name, low, high, verdict, note
    fits = "; ".join(
        f"{s.test}: n2 in {', '.join(_span(a, b, n2_max) for a, b in s.ranges) or 'none'}"
        for s in solutions
    )
    note = f"control n not reported; p {_range(low, high)} over {limit}; reproduced for {fits}"
    return name, low, high, NOT_CHECKABLE, note


def _span(first: int, last: int, n2_max: int) -> str:
    if first == last:
        return str(first)
    return f"{first}–{last}" + (" (the largest tried)" if last == n2_max else "")


def _from_se(study: Study, arm: Arm, control: Arm, reported, name):
    from ivigmeta.stats.checks.t_tests import two_sample_test_from_se

    sides = (("arm", arm), ("control", control))
    missing = [f"{side}.sd (or se)" for side, a in sides if a.sd is None and a.se is None]
    if missing:
        missing += [f"{side}.n" for side, a in sides if a.n is None]
        return name, None, None, NOT_CHECKABLE, f"missing {', '.join(missing)}"
    if arm.se is None or control.se is None:
        return name, None, None, NOT_CHECKABLE, "one arm gives an SD, the other an SE"
    if arm.n is not None and control.n is not None:
        df = arm.n + control.n - 2
        result = two_sample_test_from_se(arm.mean, arm.se, control.mean, control.se, df)
        note = (
            f"from SEs {arm.se} and {control.se}: t({df}) = {result.statistic:.3f}, "
            f"p over rounding {_range(result.p_min, result.p_max)}"
        )
        low, high = result.p_min, result.p_max
        return name, low, high, compare_p(low, high, reported), note
    z = two_sample_test_from_se(arm.mean, arm.se, control.mean, control.se)
    df_max = study.population.n - 2 if study.population.n else None
    largest = (
        z
        if df_max is None
        else two_sample_test_from_se(arm.mean, arm.se, control.mean, control.se, df_max)
    )
    smallest_df = two_sample_test_from_se(arm.mean, arm.se, control.mean, control.se, 1)
    low, high = largest.p_min, smallest_df.p_max
    verdict = compare_p(low, high, reported)
    span = f"df ≤ {df_max} ({study.population.n} enrolled)" if df_max else "any df"
    head = (
        f"n per arm not reported; from SEs {arm.se} and {control.se}: large-sample z = "
        f"{z.statistic:.3f}, p {_range(z.p_min, z.p_max)}; fewer df only raise p"
    )
    if verdict != CONSISTENT:
        return name, low, high, verdict, f"{head}; no {span} reproduces p"
    p_low, p_high = reported_p_interval(reported)
    upper = df_max or 10_000
    fits = [
        df for df in range(1, upper + 1) if overlaps(*_p_bounds(arm, control, df), p_low, p_high)
    ]
    return name, low, high, NOT_CHECKABLE, f"{head}; reproduced for df in {_runs(fits)}"


def _p_bounds(arm: Arm, control: Arm, df: int) -> tuple[float, float]:
    from ivigmeta.stats.checks.t_tests import two_sample_test_from_se

    result = two_sample_test_from_se(arm.mean, arm.se, control.mean, control.se, df)
    return result.p_min, result.p_max


# ----------------------------------------------------------------------------------- GRIM rows


def grim_rows(study: Study) -> list[ReproducedP]:
    """GRIM/GRIMMER rows for the means (and SDs) of integer-valued outcomes of one study."""
    from ivigmeta.stats.checks.grim import grim

    rows = []
    seen = set()

    def check(outcome: str, timepoint: str, label: str, mean, sd, n) -> None:
        definition = OUTCOMES.get(outcome)
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


# ------------------------------------------------------------------------------------- driver


def reported_test(item: Outcome | Comparison) -> str | None:
    """The test the record says was used (None: not stated)."""
    return item.reported.test if item.reported is not None else None


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
            computed = _paired_proportion(study, outcome, reported)
        else:
            computed = _paired_continuous(study, outcome, reported)
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
            computed = _comparison(studies, study, comparison, reported)
        rows.append(_row(study, comparison, label, computed, reported))
        rows += filter(None, [_printed_statistic_row(study, comparison, label)])
    return rows


def reproduce(studies_path: str | None = None) -> list[ReproducedP]:
    """Recompute every reported p in the records (and GRIM-check integer-score means).

    Python mirror of ``ivigmeta reproduce [--studies PATH]``.
    """
    from ivigmeta.records.loader import load_studies

    studies = load_studies(studies_path)
    by_id = {s.id: s for s in studies}
    rows = [row for study in studies for row in reproduce_study(study, by_id)]
    return rows + [row for study in studies for row in grim_rows(study)]


def has_problems(rows: list[ReproducedP]) -> bool:
    """True when any row is inconsistent or a decision error (``reproduce`` then exits 1)."""
    return any(row.verdict in PROBLEMS for row in rows)


__all__ = ["ReproducedP", "fmt_p", "grim_rows", "has_problems", "reproduce", "reproduce_study"]
