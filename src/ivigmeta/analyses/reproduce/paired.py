"""Reported p-values of within-patient (paired) data: paired t from change or from baseline and
follow-up summaries, and McNemar tests of paired proportions whose discordant pairs are unknown."""

from __future__ import annotations

import math

from ivigmeta.analyses.reproduce.rows import (
    _candidate_note,
    _combine,
    _missing,
    _range,
    _runs,
    fmt_p,
    reported_test,
)
from ivigmeta.printed import ReportedP
from ivigmeta.records.model import Outcome, Study, Summary
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    INCONSISTENT,
    NOT_CHECKABLE,
    compare_p,
    difference,
    overlaps,
    reported_p_interval,
)

DENOMINATOR_LIMIT = 10**5
"""Largest unreported n searched one by one (paired t, McNemar): the enrolled n bounds the
search, and an enrolment above this limit is searched up to it (the note says so)."""


def _search_bound(n_max: int) -> tuple[int, str]:
    """(largest n searched, note suffix when the enrolled n is above the limit)."""
    if n_max <= DENOMINATOR_LIMIT:
        return n_max, ""
    return DENOMINATOR_LIMIT, f"; searched only up to n = {DENOMINATOR_LIMIT:,} (of {n_max:,})"


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

    # only the ends are used (p falls as n grows): a range, never a list of 10^9 sizes
    sizes = range(n, n + 1) if n is not None else range(2, (study.population.n or 1) + 1)
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
    n_max, capped = _search_bound(n_max)
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
        return "paired-t", low, high, verdict, note + capped
    note = f"n not reported; p is reproduced for n in {_runs(fits)} (of at most {n_max} enrolled)"
    return "paired-t", low, high, NOT_CHECKABLE, note + capped


_MCNEMAR = ("mcnemar-exact", "mcnemar", "mcnemar-corrected")


def _paired_proportion(study: Study, outcome: Outcome, reported: ReportedP):
    from ivigmeta.stats.checks.mcnemar_range import paired_p_bounds, paired_proportions_range
    from ivigmeta.stats.checks.rounding import counts_for_percent

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
    searched, capped = _search_bound(n_max)

    def margin(count, percent, size):
        if count is not None:
            return range(count, count + 1) if count <= size else range(0)
        return counts_for_percent(percent, size)

    for size in range(1, searched + 1):  # O(1) per n: paired_p_bounds
        counts_before = margin(before.count, before.percent, size)
        counts_after = margin(after.count, after.percent, size)
        if not counts_before or not counts_after:  # no count of `size` rounds to a percentage
            continue
        possible.append(size)
        bounds = [paired_p_bounds(size, counts_before, counts_after, m) for m in _MCNEMAR]
        low = min(low, *(b[0] for b in bounds))
        high = max(high, *(b[1] for b in bounds))
        if any(overlaps(b[0], b[1], p_low, p_high) for b in bounds):
            fits.append(size)
    if not possible:
        note = f"no n up to {n_max} (enrolled) gives both {before.percent}% and {after.percent}%"
        return test_name, None, None, INCONSISTENT if not capped else NOT_CHECKABLE, note + capped
    percents = f"{before.percent}% → {after.percent}%"
    if not fits:
        note = (
            f"denominator not reported; {percents} is possible for n in {_runs(possible)}, "
            f"and no such n reproduces p (p {_range(low, high)})"
        )
        return test_name, low, high, compare_p(low, high, reported), note + capped
    note = (
        f"denominator not reported (study n={n_max}); {percents} is possible for n in "
        f"{_runs(possible)}; p is reproduced for n in {_runs(fits)}"
    )
    if n_max <= searched and n_max not in possible:
        note += f"; not with n={n_max}: no count of {n_max} rounds to both percentages"
    return test_name, low, high, NOT_CHECKABLE, note + capped
