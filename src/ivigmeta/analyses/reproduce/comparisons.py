"""Reported p-values of two-arm comparisons: Student and Welch t tests from the arms' summaries,
with the control n searched where it is not printed, and from standard errors."""

from __future__ import annotations

from ivigmeta.analyses.reproduce.rows import (
    SEARCH_LIMIT,
    SEARCH_LIMIT_2D,
    _candidate_note,
    _combine,
    _range,
    _runs,
    fmt_p,
    reported_test,
)
from ivigmeta.records.model import Arm, Comparison, Study
from ivigmeta.stats.checks.rounding import (
    CONSISTENT,
    INCONSISTENT,
    NOT_CHECKABLE,
    compare_p,
    overlaps,
    reported_p_interval,
)


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
    from ivigmeta.stats.checks.solve import MAX_GRID, consistent_sizes

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
    if (n1_max - 1) * (n2_max - 1) > MAX_GRID:
        note = (
            f"n of both groups not reported; {(n1_max - 1) * (n2_max - 1):,} (n1, n2) pairs "
            f"under {', '.join(limits)}: more than the {MAX_GRID:,} searched"
        )
        return name, None, None, NOT_CHECKABLE, note
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
    from ivigmeta.stats.checks.solve import MAX_N2, consistent_n2

    bound = None
    if control.study is not None and control.study in studies:
        bound = studies[control.study].population.n
    n2_max = bound if bound is not None and bound >= 2 else SEARCH_LIMIT
    n2_max = min(n2_max, MAX_N2)
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
