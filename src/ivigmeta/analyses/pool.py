"""``ivigmeta pool``: effect sizes from study records (or a CSV table), pooled with ``rma``.

From records: only studies whose intervention agent is IVIG; one row per study (see
:mod:`ivigmeta.analyses.study_rows` for the timepoint rule and the derivations); the default
measure is the raw mean change ``MC`` (follow-up minus baseline within the IVIG group) for
outcomes measured before and after IVIG, and the raw mean difference ``MD`` (IVIG minus
control) for outcomes named ``*_change`` that are compared between arms. Everything chosen or
derived is listed in ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result

CHANGE_MEASURES = ("MC", "SMCC", "SMCR")
TWO_GROUP_MEASURES = ("MD", "SMD", "SMDH")
PRE_POST_CSV_MEASURES = ("MC", "SMCC", "SMCR", "SMCRH")
R_SWEEP = tuple(round(0.1 * i, 1) for i in range(10))


@dataclass(frozen=True)
class StudyEffect(Result):
    """One study's effect size ``yi``, sampling variance ``vi`` and weight (percent)."""

    id: str
    yi: float
    vi: float
    weight: float
    timepoint: str | None = None


@dataclass(frozen=True)
class SweepRow(Result):
    """The pooled result with correlation ``r`` assumed where the SD of change is unknown."""

    r: float
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    tau2: float
    i2: float
    pi_low: float | None
    pi_high: float | None


@dataclass(frozen=True)
class PoolResult(Result):
    """A pooled estimate with heterogeneity and prediction interval (metafor ``rma``).

    ``i2`` is in percent; ``df`` is None under z tests; ``studies`` lists each study's
    ``{id, yi, vi, weight}`` (weight in percent); ``notes`` says what was chosen or derived;
    ``sweep`` (with ``r_sweep=True``) repeats the pool for r = 0.0, 0.1, ..., 0.9.
    """

    outcome: str | None
    measure: str
    method: str
    test: str
    level: float
    pi: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    df: int | None
    p: float
    tau2: float
    tau: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float | None
    pi_high: float | None
    pi_df: int | None
    studies: tuple[StudyEffect, ...]
    notes: tuple[str, ...]
    sweep: tuple[SweepRow, ...] | None = None


def pool(
    outcome: str | None = None,
    *,
    studies_path=None,
    csv=None,
    measure: str | None = None,
    timepoint: str | float | None = None,
    design: str | None = None,
    method: str = "REML",
    test: str = "z",
    pi: str = "auto",
    level: float = 95.0,
    r: float | None = None,
    r_sweep: bool = False,
) -> PoolResult:
    """Pool one outcome of the IVIG study records, or the rows of a CSV table.

    ``csv`` (a path) reads metafor-named columns (``measure`` required unless the table has
    ``yi`` and ``vi``/``sei``); otherwise ``outcome`` is required and the records under
    ``studies_path`` are used. ``timepoint``: None (closest to 12 months), ``"latest"`` or
    months; ``design`` keeps studies of that design; ``r`` is the pre-post correlation assumed
    where a study prints neither the SD of change nor an exact paired p (default: the mean r of
    the entries that print all three SDs); ``r_sweep`` adds the pool for r = 0.0 ... 0.9.
    ``method``, ``test``, ``pi`` and ``level`` are passed to :func:`ivigmeta.stats.rma.rma`.
    """
    if r is not None and not -1 <= r <= 1:
        raise InputError(f"expected a correlation between -1 and 1, got {r}", field="r")
    if csv is not None:
        build = _csv_builder(csv, measure)
        label = outcome
    else:
        if outcome is None:
            raise InputError("give --outcome (for study records) or --csv FILE", field="outcome")
        build = _records_builder(outcome, studies_path, measure, timepoint, design)
        label = outcome
    measure_used, ids, timepoints, yi, vi, notes, uses_r = build(r)
    fit = _fit(yi, vi, method, test, level, pi)
    sweep = None
    if r_sweep:
        if not uses_r:
            notes = [*notes, "r sweep: no study depends on an assumed r, so every row is equal"]
        sweep = tuple(_sweep_row(build, value, method, test, level, pi) for value in R_SWEEP)
    notes = [*notes, *fit.notes]
    return PoolResult(
        outcome=label,
        measure=measure_used,
        method=fit.method,
        test=fit.test,
        level=fit.level,
        pi=pi,
        k=fit.k,
        estimate=fit.estimate,
        se=fit.estimate_se,
        ci_low=fit.estimate_ci[0],
        ci_high=fit.estimate_ci[1],
        statistic=fit.estimate_statistic,
        df=fit.df,
        p=fit.estimate_p,
        tau2=fit.tau2,
        tau=fit.tau,
        i2=fit.i2,
        h2=fit.h2,
        q=fit.q,
        q_df=fit.q_df,
        q_p=fit.q_p,
        pi_low=fit.pi_low,
        pi_high=fit.pi_high,
        pi_df=fit.pi_df,
        studies=tuple(
            StudyEffect(i, float(y), float(v), float(w), t)
            for i, y, v, w, t in zip(ids, yi, vi, fit.weights, timepoints, strict=True)
        ),
        notes=tuple(notes),
        sweep=sweep,
    )


def _fit(yi, vi, method, test, level, pi):
    from ivigmeta.stats.rma import rma

    return rma(yi, vi, method=method, test=test, level=level, pi=pi)


def _sweep_row(build, value, method, test, level, pi) -> SweepRow:
    _, _, _, yi, vi, _, _ = build(value)
    fit = _fit(yi, vi, method, test, level, pi)
    return SweepRow(
        r=value,
        k=fit.k,
        estimate=fit.estimate,
        se=fit.estimate_se,
        ci_low=fit.estimate_ci[0],
        ci_high=fit.estimate_ci[1],
        p=fit.estimate_p,
        tau2=fit.tau2,
        i2=fit.i2,
        pi_low=fit.pi_low,
        pi_high=fit.pi_high,
    )


# --------------------------------------------------------------------------- CSV tables


def _csv_builder(path, measure):
    import numpy as np

    from ivigmeta.effects.escalc import MEASURES, escalc
    from ivigmeta.records.csv_reader import read_effect_table

    table = read_effect_table(path)
    if measure is None:
        if "yi" in table.columns and ("vi" in table.columns or "sei" in table.columns):
            measure = "GEN"
        else:
            raise InputError(
                f"give --measure ({', '.join(MEASURES)}) for a table without yi and vi columns",
                file=table.file,
                field="measure",
            )
    measure = measure.upper()
    if measure not in MEASURES:
        raise InputError(f"expected one of {', '.join(MEASURES)}, got {measure!r}", field="measure")

    def build(r):
        columns = {name: np.array(values) for name, values in table.columns.items()}
        notes = [f"{len(table.studies)} rows read from {table.file}; measure {measure}"]
        uses_r = False
        if measure in PRE_POST_CSV_MEASURES:
            ri = columns.get("ri", np.full(len(table.studies), np.nan))
            missing = np.isnan(ri)
            if missing.any() and r is not None:
                ri = np.where(missing, r, ri)
                uses_r = True
                rows = ", ".join(table.studies[i] for i in np.flatnonzero(missing))
                notes.append(f"ri = {r:g} (--r) assumed for {rows}")
            elif missing.any():
                line = table.line_of(int(np.flatnonzero(missing)[0]))
                raise InputError(
                    f"{measure} needs the pre-post correlation: fill the ri column or give --r",
                    file=table.file,
                    line=line,
                    field="ri",
                )
            columns["ri"] = ri
        for name, values in columns.items():
            row = _first_missing(values, measure, name)
            if row is not None:
                raise InputError(
                    f"expected a number for {measure}, got an empty cell",
                    file=table.file,
                    line=table.line_of(row),
                    field=name,
                )
        try:
            effects = escalc(measure, **columns)
        except InputError as error:
            row = getattr(error, "row", None)
            if row is None:
                raise InputError(error.message, file=table.file, field=error.field) from None
            message = error.message.split(": ", 1)[-1]
            raise InputError(
                message, file=table.file, line=table.line_of(row), field=error.field
            ) from None
        bad = np.flatnonzero(~np.isfinite(effects.yi) | ~np.isfinite(effects.vi))
        if bad.size:
            row = int(bad[0])
            raise AnalysisError(
                f"{table.file}:{table.line_of(row)}: {measure} is undefined for study "
                f"{table.studies[row]} (yi = {effects.yi[row]}, vi = {effects.vi[row]})"
            )
        return (
            measure,
            table.studies,
            (None,) * len(table.studies),
            effects.yi,
            effects.vi,
            notes,
            uses_r,
        )

    return build


def _first_missing(values, measure: str, name: str) -> int | None:
    """First empty cell in a column the measure uses (unused columns may be empty)."""
    import numpy as np

    from ivigmeta.effects.escalc import REQUIRED_COLUMNS

    if not any(name in option for option in REQUIRED_COLUMNS[measure]):
        return None
    missing = np.flatnonzero(np.isnan(values))
    return int(missing[0]) if missing.size else None


# --------------------------------------------------------------------------- study records


def _records_builder(outcome, studies_path, measure, timepoint, design):
    from ivigmeta.analyses import study_rows
    from ivigmeta.records.loader import load_studies
    from ivigmeta.records.vocabulary import DESIGNS, OUTCOMES

    if outcome not in OUTCOMES:
        raise InputError(
            f"expected one of {', '.join(sorted(OUTCOMES))}, got {outcome!r}", field="outcome"
        )
    if design is not None and design not in DESIGNS:
        raise InputError(f"expected one of {', '.join(DESIGNS)}, got {design!r}", field="design")
    when = study_rows.parse_timepoint(timepoint)
    records = load_studies(studies_path)
    ivig = [s for s in records if s.intervention and s.intervention.agent.upper() == "IVIG"]
    primary = [s for s in ivig if s.design != "systematic-review"]
    selected = [s for s in primary if design is None or s.design == design]
    notes = [
        f"studies: {len(selected)} of {len(records)} records (intervention agent IVIG, "
        f"systematic reviews left out{f', design {design}' if design else ''})"
    ]
    change = study_rows.candidates_by_study(selected, outcome, "change")
    two_group = study_rows.candidates_by_study(selected, outcome, "two-group")
    if measure is None:
        if outcome.endswith("_change") and two_group:
            measure, why = "MD", "default for outcomes compared between two arms"
        elif change:
            measure, why = "MC", "default for outcomes measured before and after IVIG"
        elif two_group:
            measure, why = "MD", "default for outcomes compared between two arms"
        else:
            raise AnalysisError(
                f"no IVIG study reports {outcome!r} as a change from baseline or a two-arm "
                "comparison of means (other data: pool a table with --csv and --measure)"
            )
        notes.append(f"measure: {measure} ({_describe(measure)}); {why}; --measure to change")
    else:
        measure = measure.upper()
        if measure not in CHANGE_MEASURES + TWO_GROUP_MEASURES:
            raise InputError(
                f"from study records, expected one of "
                f"{', '.join(CHANGE_MEASURES + TWO_GROUP_MEASURES)}, got {measure!r} "
                "(other measures: use --csv)",
                field="measure",
            )
        notes.append(f"measure: {measure} ({_describe(measure)})")
    notes.append(f"timepoint: {study_rows.timepoint_rule(when)}")
    candidates = change if measure in CHANGE_MEASURES else two_group
    imputed = study_rows.imputation_correlation(ivig, outcome)

    def build(r):
        rows, row_notes = [], []
        for study_id, options in candidates.items():
            usable, problems = {}, []
            for candidate in options:
                row, reason = _row(measure, candidate, r, imputed)
                if row is None:
                    problems.append(reason)
                elif candidate.label not in {c.label for c in usable}:
                    usable[candidate] = row
            if not usable:
                row_notes.append(f"excluded: {'; '.join(problems)}")
                continue
            chosen, reason = study_rows.choose_timepoint(list(usable), when)
            if chosen is None:
                row_notes.append(f"excluded {study_id}: {reason}")
                continue
            labels = list(dict.fromkeys(c.label for c in options))
            if len(labels) > 1:
                row_notes.append(
                    f"{study_id}: {chosen.label} used (available: {', '.join(labels)})"
                )
            row_notes.extend(f"not usable: {p}" for p in problems)
            row = usable[chosen]
            row_notes.extend(row.derivations)
            rows.append(row)
        if not rows:
            raise AnalysisError(
                f"no IVIG study has usable {measure} data for {outcome!r}: " + "; ".join(row_notes)
            )
        yi, vi = _effects(measure, rows, r, imputed)
        uses_r = any(getattr(row, "depends_on_r", False) for row in rows)
        timepoints = tuple(row.timepoint for row in rows)
        ids = tuple(row.study for row in rows)
        return measure, ids, timepoints, yi, vi, [*notes, *row_notes], uses_r

    return build


def _row(measure, candidate, r, imputed):
    """The study row of one record entry for ``measure``, or None with the reason."""
    from ivigmeta.analyses import study_rows

    if measure in TWO_GROUP_MEASURES:
        return study_rows.two_group_row(candidate)
    row, reason = study_rows.change_row(candidate, r, imputed)
    if row is not None and measure == "SMCR":
        where = f"{candidate.study} ({candidate.label})"
        if row.sd_baseline is None:
            return None, f"{where}: SMCR needs the baseline SD, not reported"
        if _row_correlation(row, r, imputed) is None:
            return None, f"{where}: SMCR needs the pre-post correlation; give --r"
    return row, reason


def _effects(measure, rows, r, imputed):
    """escalc on the rows: change rows enter as (mean change, 0) with the SD of change."""
    from ivigmeta.effects.escalc import escalc

    if measure in TWO_GROUP_MEASURES:
        effects = escalc(
            measure,
            m1i=[x.mean1 for x in rows],
            sd1i=[x.sd1 for x in rows],
            n1i=[x.n1 for x in rows],
            m2i=[x.mean2 for x in rows],
            sd2i=[x.sd2 for x in rows],
            n2i=[x.n2 for x in rows],
        )
    elif measure == "SMCR":
        correlations = [_row_correlation(x, r, imputed) for x in rows]
        effects = escalc(
            "SMCR",
            m1i=[x.mean_change for x in rows],
            m2i=[0.0] * len(rows),
            sd1i=[x.sd_baseline for x in rows],
            ni=[x.n for x in rows],
            ri=correlations,
        )
    else:
        effects = escalc(
            measure,
            m1i=[x.mean_change for x in rows],
            m2i=[0.0] * len(rows),
            sd1i=[x.sd_change for x in rows],
            sd2i=[0.0] * len(rows),
            ni=[x.n for x in rows],
            ri=[0.0] * len(rows),
        )
    return effects.yi, effects.vi


def _row_correlation(row, r, imputed) -> float | None:
    """The row's own r (from its SDs), else the user's r, else the imputed r."""
    if row.correlation is not None and -1 <= row.correlation <= 1:
        return row.correlation
    if r is not None:
        return r
    return imputed[0] if imputed is not None else None


def _describe(measure: str) -> str:
    from ivigmeta.effects.escalc import DESCRIPTIONS

    text = DESCRIPTIONS[measure]
    if measure in CHANGE_MEASURES:
        return f"{text}, follow-up minus baseline"
    if measure in TWO_GROUP_MEASURES:
        return f"{text}, IVIG minus control"
    return text
