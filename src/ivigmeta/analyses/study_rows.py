"""From study records to one row of summary data per study, ready for ``escalc``.

Two kinds of rows:

- :class:`ChangeRow` — one group measured before and after IVIG (``outcomes:`` entries of type
  ``paired-continuous``, or the IVIG arm of a ``comparisons:`` entry, whose mean is a change).
  The SD of the change scores comes, in this order, from the printed SD (or SE x sqrt(n)), from
  a printed paired t or exact paired p (Cochrane Handbook 6.5.2.8), or from baseline and
  follow-up SDs with an assumed correlation r (the user's ``r``, else the mean r of the rows
  that print all three SDs). Every derived number is described in ``derivations``.
- :class:`TwoGroupRow` — the IVIG arm against a control arm (``comparisons:``), both with mean,
  SD (or SE x sqrt(n)) and n.

Timepoints: one row per study. By default the row whose timepoint is closest to 12 months
(ties: the later); a row without a numeric timepoint (e.g. "latest assessment") is used only
when the study has no other. ``timepoint="latest"`` takes the latest numeric timepoint; a
number selects that many months exactly. Weeks count as weeks x 12/52 months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.effects.correlation import (
    change_sd_from_correlation,
    change_sd_from_t,
    correlation_from_sds,
    t_from_paired_p,
)
from ivigmeta.errors import InputError
from ivigmeta.records.model import Arm, Comparison, Outcome, Study
from ivigmeta.wording import count

DEFAULT_TIMEPOINT_MONTHS = 12.0
PAIRED_T_TESTS = ("paired-t", "one-sample-t", None)


@dataclass(frozen=True)
class ChangeRow:
    """Change from baseline in one group: mean, SD of the change scores, n (and raw SDs)."""

    study: str
    timepoint: str
    months: float | None
    n: int
    mean_change: float
    sd_change: float | None
    sd_baseline: float | None
    sd_followup: float | None
    correlation: float | None
    depends_on_r: bool
    derivations: tuple[str, ...]


@dataclass(frozen=True)
class TwoGroupRow:
    """IVIG arm versus control arm."""

    study: str
    timepoint: str
    months: float | None
    mean1: float
    sd1: float
    n1: int
    mean2: float
    sd2: float
    n2: int
    control: str
    derivations: tuple[str, ...]


@dataclass(frozen=True)
class _Candidate:
    study: str
    months: float | None
    label: str
    source: Outcome | Comparison


def parse_timepoint(value: str | float | None) -> float | str | None:
    """``None`` (closest to 12 months), ``"latest"`` or a number of months."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value).strip().lower()
    if text == "latest":
        return "latest"
    try:
        months = float(text.removesuffix("months").removesuffix("m").strip())
    except ValueError:
        raise InputError(
            f"expected a number of months or 'latest', got {value!r}", field="timepoint"
        ) from None
    if not math.isfinite(months) or months < 0:
        raise InputError(f"expected months >= 0, got {value!r}", field="timepoint")
    return months


def timepoint_rule(timepoint: float | str | None) -> str:
    if timepoint is None:
        return "the timepoint closest to 12 months (ties: the later; --timepoint to choose)"
    if timepoint == "latest":
        return "the latest timepoint"
    return f"the {_months_text(timepoint)}-month timepoint"


def _months_text(months: float) -> str:
    return f"{months:g}"


def _months_of(entry: Outcome | Comparison) -> float | None:
    if entry.timepoint_months is not None:
        return float(entry.timepoint_months)
    if entry.timepoint_weeks is not None:
        return float(entry.timepoint_weeks) * 12 / 52
    return None


def _label_of(entry: Outcome | Comparison) -> str:
    if entry.timepoint_months is not None:
        return f"{entry.timepoint_months} months"
    if entry.timepoint_weeks is not None:
        return f"{entry.timepoint_weeks} weeks"
    return entry.timepoint or "timepoint not stated"


def choose_timepoint(
    candidates: list[_Candidate], timepoint: float | str | None
) -> tuple[_Candidate | None, str | None]:
    """The candidate the rule picks, or None with the reason."""
    timed = [c for c in candidates if c.months is not None]
    available = ", ".join(c.label for c in candidates)
    if isinstance(timepoint, float | int) and not isinstance(timepoint, bool):
        exact = [c for c in timed if abs(c.months - timepoint) < 1e-9]
        if not exact:
            return None, f"no {_months_text(timepoint)}-month value (has {available})"
        return exact[0], None
    if not timed:
        return candidates[0], None
    if timepoint == "latest":
        return max(timed, key=lambda c: c.months), None
    return min(timed, key=lambda c: (abs(c.months - DEFAULT_TIMEPOINT_MONTHS), -c.months)), None


def candidates_by_study(
    studies: list[Study], outcome: str, kind: str
) -> dict[str, list[_Candidate]]:
    """Entries of each study usable for ``kind`` ("change" or "two-group" for continuous
    outcomes, "comparison" for the two-arm comparisons of binary and time-to-event outcomes),
    in record order."""
    base = outcome.removesuffix("_change")
    found: dict[str, list[_Candidate]] = {}
    for study in studies:
        rows: list[_Candidate] = []
        if kind == "comparison":
            rows = [
                _Candidate(study.id, _months_of(c), _label_of(c), c)
                for c in study.comparisons
                if c.outcome == outcome
            ]
        elif kind == "change":
            rows = [
                _Candidate(study.id, _months_of(o), _label_of(o), o)
                for o in study.outcomes
                if o.outcome == base and o.type == "paired-continuous"
            ]
            if not rows:  # the IVIG arm of a comparison of change scores
                rows = _unique_arms(study, f"{base}_change")
        else:
            rows = [
                _Candidate(study.id, _months_of(c), _label_of(c), c)
                for c in study.comparisons
                if c.outcome in (outcome, f"{base}_change")
            ]
        if rows:
            found[study.id] = rows
    return found


def _unique_arms(study: Study, outcome: str) -> list[_Candidate]:
    """IVIG arms of comparisons; one per timepoint (an arm compared with several controls)."""
    seen: set[tuple] = set()
    rows = []
    for c in study.comparisons:
        key = (_months_of(c), c.timepoint, c.arm.mean, c.arm.sd, c.arm.n)
        if c.outcome == outcome and key not in seen:
            seen.add(key)
            rows.append(_Candidate(study.id, _months_of(c), _label_of(c), c))
    return rows


def imputation_correlation(studies: list[Study], outcome: str) -> tuple[float, list[str]] | None:
    """Mean r over entries printing baseline, follow-up and change SDs; None if there are none.

    Returns the mean and the entries used ("poelman2015 6 months: r = 0.590").
    """
    base = outcome.removesuffix("_change")
    values, used = [], []
    for study in studies:
        for o in study.outcomes:
            if o.outcome != base or o.type != "paired-continuous":
                continue
            sds = [
                getattr(o, part).sd if getattr(o, part) else None
                for part in ("baseline", "followup", "change")
            ]
            if any(sd is None for sd in sds):
                continue
            r = correlation_from_sds(*(float(sd) for sd in sds))
            if -1 <= r <= 1:
                values.append(r)
                used.append(f"{study.id} {_label_of(o)}: r = {r:.3f}")
    if not values:
        return None
    return sum(values) / len(values), used


def change_row(
    candidate: _Candidate, r: float | None, imputed: tuple[float, list[str]] | None
) -> tuple[ChangeRow | None, str | None]:
    """The change row of a candidate, or None with the reason it cannot be used."""
    entry = candidate.source
    if isinstance(entry, Comparison):
        return _arm_change_row(candidate, entry.arm)
    notes: list[str] = []
    where = f"{candidate.study} ({candidate.label})"
    baseline, followup, change = entry.baseline, entry.followup, entry.change
    if change is not None and change.mean is not None:
        mean_change = float(change.mean)
    elif baseline and followup and baseline.mean is not None and followup.mean is not None:
        mean_change = float(followup.mean) - float(baseline.mean)
        notes.append(
            f"{where}: mean change {mean_change:.4g} = follow-up {followup.mean} "
            f"- baseline {baseline.mean}"
        )
    else:
        return None, f"{where}: no mean change and no baseline and follow-up means"
    n = next((s.n for s in (change, followup) if s is not None and s.n is not None), None)
    if n is None:
        return None, f"{where}: n at follow-up not reported (a study size is not imputed as an n)"
    sd_baseline = float(baseline.sd) if baseline and baseline.sd is not None else None
    sd_followup = float(followup.sd) if followup and followup.sd is not None else None
    sd_change = None
    depends_on_r = False
    if change is not None and change.sd is not None:
        sd_change = float(change.sd)
    elif change is not None and change.se is not None:
        sd_change = float(change.se) * math.sqrt(n)
        notes.append(f"{where}: SD of change {sd_change:.4g} = SE {change.se} x sqrt({n})")
    if sd_change is None:
        sd_change, note = _sd_from_reported_test(entry, mean_change, n, where)
        if note:
            notes.append(note)
    if sd_change is None:
        if sd_baseline is None or sd_followup is None:
            return None, f"{where}: no SD of change and no baseline and follow-up SDs"
        if r is not None:
            source = f"r = {r:g} (--r)"
            value = r
        elif imputed is not None:
            value = imputed[0]
            source = (
                f"imputed r = {value:.3f}, the mean of {count(len(imputed[1]), 'entry')} "
                f"printing all three SDs ({'; '.join(imputed[1])}); --r to choose"
            )
        else:
            return None, f"{where}: no SD of change, no exact paired p and no r (give --r)"
        sd_change = change_sd_from_correlation(sd_baseline, sd_followup, value)
        depends_on_r = True
        notes.append(
            f"{where}: SD of change {sd_change:.4g} from baseline SD {sd_baseline:g}, "
            f"follow-up SD {sd_followup:g} and {source}"
        )
    correlation = None
    if sd_baseline is not None and sd_followup is not None:
        correlation = correlation_from_sds(sd_baseline, sd_followup, sd_change)
    row = ChangeRow(
        study=candidate.study,
        timepoint=candidate.label,
        months=candidate.months,
        n=n,
        mean_change=mean_change,
        sd_change=sd_change,
        sd_baseline=sd_baseline,
        sd_followup=sd_followup,
        correlation=correlation,
        depends_on_r=depends_on_r,
        derivations=tuple(notes),
    )
    return row, None


def _sd_from_reported_test(
    entry: Outcome, mean_change: float, n: int, where: str
) -> tuple[float | None, str | None]:
    reported = entry.reported
    if reported is None or reported.test not in PAIRED_T_TESTS:
        return None, None
    assumed = "" if reported.test else " (test not stated; a paired t test assumed)"
    if reported.statistic is not None:
        t = float(reported.statistic)
        sd = change_sd_from_t(mean_change, n, t)
        return sd, f"{where}: SD of change {sd:.4g} from paired t = {reported.statistic}{assumed}"
    if reported.p is None:
        return None, None
    if reported.p.relation != "=":
        return None, (
            f"{where}: p printed as {reported.p.text}, a bound, so the SD of change cannot be "
            "back-calculated from it"
        )
    if n < 2 or float(reported.p.value) <= 0:
        return None, None
    t = t_from_paired_p(float(reported.p.value), n)
    sd = change_sd_from_t(mean_change, n, t)
    return sd, (
        f"{where}: SD of change {sd:.4g} back-calculated from paired p = {reported.p.text} "
        f"(|t| = {t:.4f}, df = {n - 1}; Cochrane Handbook 6.5.2.8){assumed}"
    )


def _arm_sd(arm: Arm) -> tuple[float | None, str | None]:
    if arm.sd is not None:
        return float(arm.sd), None
    if arm.se is not None and arm.n is not None:
        sd = float(arm.se) * math.sqrt(arm.n)
        return sd, f"SD {sd:.4g} = SE {arm.se} x sqrt({arm.n}) ({arm.label})"
    return None, None


def _arm_change_row(candidate: _Candidate, arm: Arm) -> tuple[ChangeRow | None, str | None]:
    where = f"{candidate.study} ({candidate.label}, {arm.label} arm)"
    if arm.mean is None or arm.n is None:
        return None, f"{where}: mean change or n not reported"
    sd, note = _arm_sd(arm)
    if sd is None:
        return None, f"{where}: SD (or SE) of change not reported"
    row = ChangeRow(
        study=candidate.study,
        timepoint=candidate.label,
        months=candidate.months,
        n=arm.n,
        mean_change=float(arm.mean),
        sd_change=sd,
        sd_baseline=None,
        sd_followup=None,
        correlation=None,
        depends_on_r=False,
        derivations=(
            f"{where}: change in the IVIG arm of a two-arm comparison"
            + (f"; {note}" if note else ""),
        ),
    )
    return row, None


def two_group_row(candidate: _Candidate) -> tuple[TwoGroupRow | None, str | None]:
    """The IVIG-versus-control row of a comparison, or None with the reason."""
    c = candidate.source
    where = f"{candidate.study} ({candidate.label}, vs {c.control.label})"
    notes = []
    values = []
    for side, arm in (("IVIG", c.arm), ("control", c.control)):
        sd, note = _arm_sd(arm)
        missing = [name for name, v in (("mean", arm.mean), ("SD", sd), ("n", arm.n)) if v is None]
        if missing:
            return None, f"{where}: {side} {' and '.join(missing)} not reported"
        if note:
            notes.append(f"{where}: {note}")
        values.append((float(arm.mean), sd, arm.n))
    (m1, sd1, n1), (m2, sd2, n2) = values
    row = TwoGroupRow(
        study=candidate.study,
        timepoint=candidate.label,
        months=candidate.months,
        mean1=m1,
        sd1=sd1,
        n1=n1,
        mean2=m2,
        sd2=sd2,
        n2=n2,
        control=c.control.label,
        derivations=tuple(notes),
    )
    return row, None


def row_inputs(two_group: bool, rows) -> dict[str, list]:
    """The escalc inputs of record rows, for the forest plot's data columns: ``m1i``, ``sd1i``,
    ``n1i``, ``m2i``, ``sd2i``, ``n2i`` of two-group rows; ``mean_change``, ``sd_change`` and
    ``ni`` of change rows."""
    if two_group:
        names = {"m1i": "mean1", "sd1i": "sd1", "n1i": "n1", "m2i": "mean2", "sd2i": "sd2",
                 "n2i": "n2"}  # fmt: skip
    else:
        names = {"mean_change": "mean_change", "sd_change": "sd_change", "ni": "n"}
    return {key: [getattr(row, name) for row in rows] for key, name in names.items()}
