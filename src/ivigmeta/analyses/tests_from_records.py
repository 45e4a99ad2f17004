"""The functions behind ``ivigmeta test ...``: significance tests from typed-in numbers or records.

Each function takes either the summary statistics themselves or a record selector
(``study``, ``outcome``, ``timepoint`` as in ``--study poelman2015 --outcome mrss --timepoint 6``)
and returns a list of result objects (one per matching record entry or per method).
Numbers typed as text keep their printed precision (``"7.90"``), so every result also carries
``p_min``/``p_max`` over the rounding of the inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber, ReportedP
from ivigmeta.records.model import Comparison, Outcome, Study
from ivigmeta.results import Result

SOLVE_PAIRED = ("r", "sd-change")


@dataclass(frozen=True)
class RecordResult(Result):
    """A result computed from a record entry: ``to_dict()`` puts ``record`` (a label) first."""

    record: str
    result: Result

    def to_dict(self) -> dict:
        return {"record": self.record, **self.result.to_dict()}

    def __getattr__(self, name: str):
        return getattr(self.result, name)


_TIMEPOINT = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?)\s*(m|mo|months?|w|wk|weeks?)?\s*$", re.I)


def _number(value) -> PrintedNumber | None:
    if value is None or isinstance(value, PrintedNumber):
        return value
    try:
        return PrintedNumber(str(value))
    except ValueError:
        raise InputError(f"expected a number, got {value!r}") from None


def _timepoint_matches(item: Outcome | Comparison, timepoint: str | None) -> bool:
    """``6``, ``6mo``, ``6 months`` match timepoint_months 6; ``12wk`` matches weeks; else text."""
    if timepoint is None:
        return True
    match = _TIMEPOINT.match(str(timepoint))
    if match is None:
        return (item.timepoint or "").lower() == str(timepoint).strip().lower()
    weeks = (match.group(2) or "").startswith("w")
    value = item.timepoint_weeks if weeks else item.timepoint_months
    return value is not None and float(value) == float(match.group(1))


def _study(study_id: str, studies_path: str | None) -> Study:
    from ivigmeta.records.loader import load_studies

    studies = {s.id: s for s in load_studies(studies_path)}
    if study_id not in studies:
        raise InputError(
            f"no study {study_id!r} (have: {', '.join(sorted(studies))})", field="--study"
        )
    return studies[study_id]


def select_outcomes(
    study_id: str, outcome: str | None, timepoint: str | None, studies_path: str | None, kind: str
) -> list[Outcome]:
    """Outcomes of type ``kind`` of a study matching ``outcome`` and ``timepoint``."""
    study = _study(study_id, studies_path)
    found = [
        o
        for o in study.outcomes
        if o.type == kind
        and (outcome is None or o.outcome == outcome)
        and _timepoint_matches(o, timepoint)
    ]
    if not found:
        have = sorted({f"{o.outcome} @ {_label(o)}" for o in study.outcomes if o.type == kind})
        raise InputError(
            f"{study_id} has no {kind} outcome {outcome or ''} at {timepoint or 'any time'} "
            f"(have: {', '.join(have) or 'none'})",
            field="--outcome",
        )
    return found


def select_comparisons(
    study_id: str, outcome: str | None, timepoint: str | None, studies_path: str | None
) -> list[Comparison]:
    """Two-arm comparisons of a study matching ``outcome`` and ``timepoint``."""
    study = _study(study_id, studies_path)
    found = [
        c
        for c in study.comparisons
        if (outcome is None or c.outcome == outcome) and _timepoint_matches(c, timepoint)
    ]
    if not found:
        have = sorted({f"{c.outcome} @ {_label(c)}" for c in study.comparisons})
        raise InputError(
            f"{study_id} has no comparison {outcome or ''} at {timepoint or 'any time'} "
            f"(have: {', '.join(have) or 'none'})",
            field="--outcome",
        )
    return found


def _label(item: Outcome | Comparison) -> str:
    if item.timepoint_months is not None:
        return f"{item.timepoint_months} mo"
    if item.timepoint_weeks is not None:
        return f"{item.timepoint_weeks} wk"
    return item.timepoint or "?"


def _labelled(study: str | None, item: Outcome | Comparison | None, result: Result):
    """Wrap a result computed from a record entry with a label naming the entry."""
    if item is None:
        return result
    label = f"{study} {item.outcome} {_label(item)}"
    if isinstance(item, Comparison):
        label += f": {item.arm.label} vs {item.control.label}"
    return RecordResult(label, result)


def _exclusive(study: str | None, **numbers) -> None:
    given = [k for k, v in numbers.items() if v is not None]
    if study is not None and given:
        raise InputError(
            f"give either --study or numbers, not both (got --{given[0].replace('_', '-')})"
        )


def _reported(p, item) -> ReportedP:
    if p is not None:
        from ivigmeta.stats.checks.rounding import parse_reported_p

        return parse_reported_p(p)
    if item is not None and item.reported is not None and item.reported.p is not None:
        return item.reported.p
    raise InputError("--solve needs the reported p (--p, or a record that reports one)")


def _need(values: dict, what: str) -> None:
    missing = [k for k, v in values.items() if v is None]
    if missing:
        names = ", ".join("--" + k.replace("_", "-") for k in missing)
        raise InputError(f"{what} needs {names}")


def paired_t(
    mean_change=None,
    sd_change=None,
    n: int | None = None,
    mean_before=None,
    sd_before=None,
    mean_after=None,
    sd_after=None,
    r=None,
    solve: str | None = None,
    p=None,
    study: str | None = None,
    outcome: str | None = None,
    timepoint: str | None = None,
    studies_path: str | None = None,
    level: float = 95.0,
) -> list:
    """Paired t test from change mean/SD/n, or from baseline/follow-up summaries and ``r``.

    ``solve="r"`` (or ``"sd-change"``) back-calculates the change SD and correlation implied
    by the reported ``p`` instead (:func:`ivigmeta.stats.checks.solve.implied_paired_spread`).
    Mirrors ``ivigmeta test paired``.
    """
    from ivigmeta.stats.checks.rounding import difference
    from ivigmeta.stats.checks.solve import implied_paired_spread
    from ivigmeta.stats.checks.t_tests import paired_t_test, paired_t_test_from_arms

    if solve is not None and solve not in SOLVE_PAIRED:
        raise InputError(
            f"expected one of {', '.join(SOLVE_PAIRED)}, got {solve!r}", field="--solve"
        )
    numbers = {
        "mean_change": mean_change, "sd_change": sd_change, "n": n, "mean_before": mean_before,
        "sd_before": sd_before, "mean_after": mean_after, "sd_after": sd_after,
    }  # fmt: skip
    _exclusive(study, **numbers)
    if study is not None:
        cases = []
        for o in select_outcomes(study, outcome, timepoint, studies_path, "paired-continuous"):
            change, before, after = o.change, o.baseline, o.followup
            size = next((s.n for s in (change, after) if s is not None and s.n), None)
            cases.append((
                {
                    "mean_change": change.mean if change else None,
                    "sd_change": change.sd if change else None,
                    "n": size,
                    "mean_before": before.mean if before else None,
                    "sd_before": before.sd if before else None,
                    "mean_after": after.mean if after else None,
                    "sd_after": after.sd if after else None,
                },
                o,
            ))  # fmt: skip
    else:
        cases = [({k: v if k == "n" else _number(v) for k, v in numbers.items()}, None)]
    results = []
    r = _number(r)
    for values, item in cases:
        mean = values["mean_change"]
        if mean is None and values["mean_after"] is not None and values["mean_before"] is not None:
            mean = difference(values["mean_after"], values["mean_before"])
        if solve is not None:
            _need({"n": values["n"], "mean_change": mean}, "--solve")
            results.append(
                implied_paired_spread(
                    mean, values["n"], _reported(p, item), values["sd_before"], values["sd_after"]
                )
            )
        elif values["sd_change"] is not None:
            _need({"mean_change": values["mean_change"], "n": values["n"]}, "paired t")
            results.append(
                paired_t_test(values["mean_change"], values["sd_change"], values["n"], level)
            )
        else:
            need = {k: values[k] for k in ("mean_before", "sd_before", "mean_after", "sd_after")}
            _need({**need, "n": values["n"], "r": r}, "paired t without --sd-change")
            results.append(paired_t_test_from_arms(*need.values(), values["n"], r, level=level))
    return [
        _labelled(study, item, result) for (_, item), result in zip(cases, results, strict=True)
    ]


def one_sample_t(mean, sd, n: int, mu: float = 0.0, level: float = 95.0) -> list:
    """One-sample t test of H0: mean = mu. Mirrors ``ivigmeta test one-sample``."""
    from ivigmeta.stats.checks.t_tests import one_sample_t_test

    _need({"mean": mean, "sd": sd, "n": n}, "one-sample t")
    return [one_sample_t_test(_number(mean), _number(sd), n, float(mu), level)]


def two_sample_t(
    mean1=None,
    sd1=None,
    n1: int | None = None,
    mean2=None,
    sd2=None,
    n2: int | None = None,
    welch: bool = False,
    solve: str | None = None,
    p=None,
    n2_max: int = 1000,
    study: str | None = None,
    outcome: str | None = None,
    timepoint: str | None = None,
    studies_path: str | None = None,
    level: float = 95.0,
) -> list:
    """Student (or Welch) t test of arm 1 vs arm 2 from means, SDs and n.

    ``solve="n2"`` lists the control sizes n2 = 2..n2_max consistent with the reported ``p``
    (:func:`ivigmeta.stats.checks.solve.consistent_n2`). Mirrors ``ivigmeta test two-sample``.
    """
    from ivigmeta.stats.checks.solve import consistent_n2
    from ivigmeta.stats.checks.t_tests import two_sample_t_test

    if solve is not None and solve != "n2":
        raise InputError(f"expected n2, got {solve!r}", field="--solve")
    numbers = {"mean1": mean1, "sd1": sd1, "n1": n1, "mean2": mean2, "sd2": sd2, "n2": n2}
    _exclusive(study, **numbers)
    if study is not None:
        cases = [
            (
                {
                    "mean1": c.arm.mean, "sd1": c.arm.sd, "n1": c.arm.n,
                    "mean2": c.control.mean, "sd2": c.control.sd, "n2": c.control.n,
                },
                c,
            )
            for c in select_comparisons(study, outcome, timepoint, studies_path)
        ]  # fmt: skip
    else:
        cases = [({k: v if k in ("n1", "n2") else _number(v) for k, v in numbers.items()}, None)]
    results = []
    for values, item in cases:
        if solve == "n2":
            _need({k: values[k] for k in ("mean1", "sd1", "n1", "mean2", "sd2")}, "--solve n2")
            results.append(
                consistent_n2(
                    values["mean1"], values["sd1"], values["n1"], values["mean2"],
                    values["sd2"], _reported(p, item), welch, n2_max,
                )
            )  # fmt: skip
        else:
            _need(values, "two-sample t")
            results.append(two_sample_t_test(*values.values(), welch=welch, level=level))
    return [
        _labelled(study, item, result) for (_, item), result in zip(cases, results, strict=True)
    ]


def two_proportions(
    n1: int,
    n2: int,
    x1: int | None = None,
    x2: int | None = None,
    percent1=None,
    percent2=None,
    level: float = 95.0,
) -> list:
    """z, chi-square (± Yates) and Fisher tests of x1/n1 vs x2/n2 (counts or printed %).

    Mirrors ``ivigmeta test proportions``.
    """
    from ivigmeta.stats.checks.proportion_tests import two_proportions_tests

    _need({"n1": n1, "n2": n2}, "proportions")
    return two_proportions_tests(
        n1=n1, n2=n2, x1=x1, x2=x2, percent1=_number(percent1), percent2=_number(percent2),
        level=level,
    )  # fmt: skip


def paired_proportions(
    n: int | None = None,
    before: int | None = None,
    after: int | None = None,
    percent_before=None,
    percent_after=None,
    study: str | None = None,
    outcome: str | None = None,
    timepoint: str | None = None,
    studies_path: str | None = None,
) -> list:
    """Range of McNemar p over every paired table with these margins (before/after of n).

    Mirrors ``ivigmeta test paired-proportions``; see :mod:`ivigmeta.stats.checks.mcnemar_range`.
    """
    from ivigmeta.stats.checks.mcnemar_range import paired_proportions_ranges

    numbers = {
        "n": n, "before": before, "after": after,
        "percent_before": percent_before, "percent_after": percent_after,
    }  # fmt: skip
    _exclusive(study, **numbers)
    if study is None:
        _need({"n": n}, "paired proportions")
        return paired_proportions_ranges(
            n=n, before=before, after=after,
            percent_before=_number(percent_before), percent_after=_number(percent_after),
        )  # fmt: skip
    results = []
    for o in select_outcomes(study, outcome, timepoint, studies_path, "paired-proportion"):
        size = o.before.n if o.before.n is not None else o.after.n
        if size is None:
            raise InputError(
                f"{study} {o.outcome}: the denominator n is not reported; "
                "give the numbers with an assumed --n instead (ivigmeta reproduce searches n)",
                file=o.location.file if o.location else None,
                line=o.location.line if o.location else None,
                field="before.n",
            )
        results += [_labelled(study, o, r) for r in paired_proportions_ranges(
            n=size, before=o.before.count, after=o.after.count,
            percent_before=o.before.percent, percent_after=o.after.percent,
        )]  # fmt: skip
    return results
