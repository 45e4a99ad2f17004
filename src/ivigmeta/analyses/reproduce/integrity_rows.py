"""``reproduce`` rows for the trustworthiness checks of INSPECT-SR beyond p-values: percent vs
count vs n, SE vs SD and n, the flow of patient numbers, DEBIT, Carlisle's baseline balance
and CI-p agreement (:mod:`ivigmeta.stats.checks.arithmetic`, ``debit``, ``baseline``, ``ci_p``).

Each check runs where a record prints what it needs; for each check, one last
``not-checkable`` row names the records it could not run on and why, so a check that found
nothing to test is never mistaken for one that passed.
"""

from __future__ import annotations

from collections import defaultdict

from ivigmeta.analyses.reproduce.rows import ReproducedP, _timepoint
from ivigmeta.printed import PrintedNumber
from ivigmeta.records.model import Study
from ivigmeta.stats.checks.rounding import NOT_CHECKABLE


def _row(study: str, outcome: str, label: str, test: str, verdict: str, note: str,
         timepoint: str = "", p_min=None, p_max=None) -> ReproducedP:  # fmt: skip
    return ReproducedP(study, outcome, timepoint, label, test, None, p_min, p_max, verdict, note)


def _summary_row(test: str, skipped: list[str], reason: str) -> list[ReproducedP]:
    if not skipped:
        return []
    note = f"{reason}: {', '.join(skipped)}"
    if len(skipped) == 1:
        return [_row(skipped[0], "", "", test, NOT_CHECKABLE, note)]
    return [_row("(others)", "", f"{len(skipped)} records", test, NOT_CHECKABLE, note)]


# --------------------------------------------------------------------------- percent


def percent_rows(studies: list[Study]) -> list[ReproducedP]:
    """100·count/n against the printed percent, for characteristics, adverse events and the
    arms of two-arm binary comparisons."""
    from ivigmeta.stats.checks.arithmetic import percent_check

    rows, skipped = [], []
    for study in studies:
        unchecked = []
        items = [(c.name, c.count, c.percent, c.n, c.arm) for c in study.characteristics]
        items += [(a.event, a.count, a.percent, a.n, a.arm) for a in study.adverse_events]
        items += [(c.outcome, side.count, side.percent, side.n, side.label)
                  for c in study.comparisons for side in (c.arm, c.control)]  # fmt: skip
        for name, count, percent, n, arm in items:
            if percent is None:
                continue
            if count is None and n is None:
                unchecked.append(name + (f" ({arm})" if arm else ""))
                continue
            label = f"{count if count is not None else '?'} of {n or '?'} = {percent}%"
            bound = study.population.n
            result = percent_check(count, percent, n, bound)
            verdict = result.verdict
            if n is None and verdict != "inconsistent":
                verdict = NOT_CHECKABLE  # an unprinted n that some value fits is not a check
            outcome = name + (f" ({arm})" if arm else "")
            rows.append(_row(study.id, outcome, label, "percent", verdict, result.note))
        if unchecked:
            note = f"percent printed without count or n: {', '.join(unchecked)}"
            rows.append(_row(study.id, "", f"{len(unchecked)} percent(s)", "percent",
                             NOT_CHECKABLE, note))  # fmt: skip
        elif not any(r.study == study.id for r in rows):
            skipped.append(study.id)
    return rows + _summary_row("percent", skipped, "no percent printed")


# --------------------------------------------------------------------------- SE vs SD


def se_sd_rows(studies: list[Study]) -> list[ReproducedP]:
    """SE = SD/√n where a record prints an SE (with its SD and n where printed)."""
    from ivigmeta.stats.checks.arithmetic import se_sd_check

    rows, skipped = [], []
    for study in studies:
        entries = []
        for outcome in study.outcomes:
            for part in ("baseline", "followup", "change"):
                s = getattr(outcome, part)
                if s is not None and s.se is not None:
                    entries.append((outcome.outcome, _timepoint(outcome), part, s))
        for comparison in study.comparisons:
            for arm in (comparison.arm, comparison.control):
                if arm.se is not None:
                    entries.append((comparison.outcome, _timepoint(comparison), arm.label, arm))
        if not entries:
            skipped.append(study.id)
        for outcome, timepoint, label, s in entries:
            shown = f"{label} {s.mean} (SE {s.se})"
            if s.sd is None or s.n is None:
                missing = " and ".join(m for m, v in (("SD", s.sd), ("n", s.n)) if v is None)
                note = f"SE {s.se} printed without its {missing}: SE = SD/√n cannot be checked"
                rows.append(_row(study.id, outcome, shown, "se-sd", NOT_CHECKABLE, note,
                                 timepoint))  # fmt: skip
                continue
            result = se_sd_check(s.sd, s.se, s.n)
            rows.append(_row(study.id, outcome, shown, "se-sd", result.verdict, result.note,
                             timepoint))  # fmt: skip
    return rows + _summary_row("se-sd", skipped, "no SE printed")


# --------------------------------------------------------------------------- n-flow


def _n_flow_facts(study: Study):
    """(sequences, arm sets) of patient numbers a record prints (see :func:`n_flow_rows`)."""
    sequences = []
    for outcome in study.outcomes:
        base = outcome.baseline.n if outcome.baseline is not None else None
        later = [s.n for s in (outcome.followup, outcome.change) if s is not None and s.n]
        if base is not None and later:
            sequences.append(([("baseline", base), (f"{_timepoint(outcome)}", max(later))],
                              outcome.outcome))  # fmt: skip
    arm_sets = []
    for comparison in study.comparisons:
        arm, control = comparison.arm, comparison.control
        if arm.study is None and control.study is None and arm.n and control.n:
            arm_sets.append(([(arm.label, arm.n), (control.label, control.n)],
                             f"{comparison.outcome} {_timepoint(comparison)}"))  # fmt: skip
    by_name = defaultdict(list)
    for c in study.characteristics:
        if c.arm is not None and c.count is not None:
            by_name[c.name].append((c.arm, c.count))
    arm_sets += [(arms, name) for name, arms in by_name.items() if len(arms) > 1]
    return sequences, arm_sets


def n_flow_rows(studies: list[Study]) -> list[ReproducedP]:
    """Follow-up n not above baseline n (per outcome), arms summing to at most the enrolled
    total (comparisons of the record's own arms, and per-arm counts of one characteristic)."""
    from ivigmeta.stats.checks.arithmetic import n_flow_check

    rows, skipped = [], []
    for study in studies:
        sequences, arm_sets = _n_flow_facts(study)
        total = study.population.n
        checks = [(n_flow_check(sequence=seq), what) for seq, what in sequences]
        if total is not None:
            checks += [(n_flow_check(arms=arms, total=total), what) for arms, what in arm_sets]
        if not checks:
            skipped.append(study.id)
            continue
        verdict = "inconsistent" if any(c.verdict == "inconsistent" for c, _ in checks) else (
            "consistent")  # fmt: skip
        note = "; ".join(f"{what}: {c.note}" for c, what in checks)
        label = f"{len(checks)} n comparison(s)"
        rows.append(_row(study.id, "", label, "n-flow", verdict, note))
    reason = "no n printed at baseline and follow-up, nor arms with an enrolled total"
    return rows + _summary_row("n-flow", skipped, reason)


# --------------------------------------------------------------------------- DEBIT


def debit_rows(studies: list[Study]) -> list[ReproducedP]:
    """DEBIT for binary characteristics printed with an SD (a count or percent and an SD)."""
    from ivigmeta.stats.checks.debit import debit

    rows, skipped = [], []
    for study in studies:
        found = False
        for c in study.characteristics:
            if c.sd is None or c.n is None or (c.count is None and c.percent is None):
                continue
            found = True
            if c.percent is not None:
                mean = PrintedNumber(f"{float(c.percent) / 100:.{c.percent.decimals + 2}f}")
            else:
                mean = PrintedNumber(f"{c.count / c.n:.12f}")
            result = debit(mean, c.sd, c.n)
            label = f"{mean} ± {c.sd} (n={c.n})"
            rows.append(_row(study.id, c.name, label, "debit", result.verdict, result.note))
        if not found:
            skipped.append(study.id)
    reason = "no binary (0/1) variable printed with its mean and SD (DEBIT needs both)"
    return rows + _summary_row("debit", skipped, reason)


# --------------------------------------------------------------------------- baseline


def baseline_rows(studies: list[Study]) -> list[ReproducedP]:
    """Carlisle's baseline balance for randomised records with baseline means by arm."""
    from ivigmeta.stats.checks.baseline import BaselineVariable, baseline_balance

    rows, skipped, other = [], [], []
    for study in studies:
        if study.design != "rct":
            other.append(study.id)
            continue
        by_name = defaultdict(list)
        for c in study.characteristics:
            if c.arm is not None and None not in (c.mean, c.sd, c.n) and c.n >= 2:
                by_name[c.name].append(c)
        variables = [
            BaselineVariable(name, a.mean, a.sd, a.n, b.mean, b.sd, b.n)
            for name, arms in by_name.items()
            if len(arms) == 2
            for a, b in [arms]
        ]
        if not variables:
            skipped.append(study.id)
            continue
        result = baseline_balance(variables)
        label = f"{result.k} baseline variable(s) by arm"
        rows.append(_row(study.id, ", ".join(v.name for v in variables), label,
                         "baseline-balance", result.verdict, result.note,
                         p_min=result.p_trial_min, p_max=result.p_trial_max))  # fmt: skip
    out = _summary_row(
        "baseline-balance",
        skipped,
        "randomised, but no baseline mean and SD printed for each of two arms",
    )
    return rows + out + _summary_row("baseline-balance", other, "not randomised")


def ci_p_rows(studies: list[Study]) -> list[ReproducedP]:
    """CI-p agreement needs an estimate with its CI and p; the record schema holds no CIs."""
    ids = [s.id for s in studies]
    reason = "the records print no estimate with its confidence interval (use `ivigmeta test ci-p`)"
    return _summary_row("ci-p", ids, reason)


def integrity_rows(studies: list[Study]) -> list[ReproducedP]:
    """Every trustworthiness row of ``reproduce`` beyond the p-values and GRIM, in check order."""
    return [
        *percent_rows(studies), *se_sd_rows(studies), *n_flow_rows(studies),
        *debit_rows(studies), *baseline_rows(studies), *ci_p_rows(studies),
    ]  # fmt: skip
