"""Effect sizes from study records: which studies, which entries, which measure (the records
half of :func:`ivigmeta.analyses.effect_data.effect_data_builder`).

- **Studies**: the records of one intervention agent (``agent``; matched regardless of case),
  systematic reviews left out. Without ``agent``: IVIG when the records hold an IVIG study (the
  bundled evidence), else every record (a user's folder of another drug).
- **Outcome**: a name of the folder's vocabulary (the bundled outcomes and those declared in an
  ``outcomes.yaml`` beside the records); its kind decides the entries and measures:
  continuous: before/after changes (``MC``, default when there are some; ``SMCC``, ``SMCR``)
  or two-arm comparisons of means (``MD``, default for ``*_change`` outcomes; ``SMD``,
  ``SMDH``), see :mod:`ivigmeta.analyses.study_rows`; binary: two-arm 2x2 tables (``RR``,
  default as RevMan's; ``OR``, ``RD``, ``PETO``); time-to-event: log hazard ratios from the
  printed HR and CI (``HR``), see :mod:`ivigmeta.analyses.comparison_rows`.
- **Timepoint**: one row per study, by
  :func:`ivigmeta.analyses.study_rows.choose_timepoint`.

Everything chosen or derived is listed in the notes.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.analyses.effect_data import Builder, EffectData
from ivigmeta.errors import AnalysisError, InputError

CHANGE_MEASURES = ("MC", "SMCC", "SMCR")
TWO_GROUP_MEASURES = ("MD", "SMD", "SMDH")
TABLE_MEASURES = ("RR", "OR", "RD", "PETO")
HAZARD_MEASURE = "HR"
#: The measures each kind of outcome is pooled with from records.
KIND_MEASURES = {
    "continuous": CHANGE_MEASURES + TWO_GROUP_MEASURES,
    "binary": TABLE_MEASURES,
    "time-to-event": (HAZARD_MEASURE,),
}


def select_agent(records: list, agent: str | None) -> tuple[list, str | None, str]:
    """The records of ``agent`` (any case), the agent's name as the records spell it (None
    for every agent) and the words of the selection for the notes. ``agent=None``: IVIG when
    some record is of IVIG, else every record."""
    import difflib

    names: dict[str, str] = {}
    for study in records:
        if study.intervention is not None:
            names.setdefault(study.intervention.agent.lower(), study.intervention.agent)
    if agent is None and "ivig" not in names:
        shown = ", ".join(sorted(names.values(), key=str.lower)) or "none named"
        only = next(iter(names.values())) if len(names) == 1 else None
        return list(records), only, f"every intervention agent, as none is IVIG: {shown};"
    key = "ivig" if agent is None else agent.strip().lower()
    if key not in names:
        known = sorted(names.values(), key=str.lower)
        close = difflib.get_close_matches(key, list(names), n=1)
        hint = f"did you mean {names[close[0]]!r}? " if close else ""
        raise InputError(
            f"no record has the intervention agent {agent!r} ({hint}agents: "
            f"{', '.join(known) or 'none named'})",
            field="agent",
        )
    chosen = [s for s in records if s.intervention and s.intervention.agent.lower() == key]
    return chosen, names[key], f"intervention agent {names[key]}"


def records_builder(outcome, studies_path, measure, timepoint, design, addon, agent=None,
                    zero_cells=None, all_timepoints=False) -> Builder:  # fmt: skip
    from ivigmeta.analyses import study_rows
    from ivigmeta.records.loader import load_record_set, shadowing_note
    from ivigmeta.records.vocabulary import DESIGNS, outcome_name

    if design is not None and design not in DESIGNS:
        raise InputError(f"expected one of {', '.join(DESIGNS)}, got {design!r}", field="design")
    when = study_rows.parse_timepoint(timepoint)
    record_set = load_record_set(studies_path)
    records = record_set.studies
    outcome = outcome_name(outcome, outcomes=record_set.outcomes)
    definition = record_set.outcomes[outcome]
    of_agent, agent_name, agent_words = select_agent(records, agent)
    primary = [s for s in of_agent if s.design != "systematic-review"]
    selected = [s for s in primary if design is None or s.design == design]
    if addon is not None:
        selected = [s for s in selected if s.intervention and s.intervention.addon is addon]
    notes = [
        f"studies: {len(selected)} of {len(records)} records ({agent_words.rstrip(',;')}"
        f"{'; ' if agent_words.endswith(';') else ', '}"
        f"systematic reviews left out{f', design {design}' if design else ''}"
        f"{_addon_rule(addon, agent_name)})"
    ]
    if not selected:
        raise AnalysisError(f"no study record is selected: {notes[0].removeprefix('studies: ')}")
    if studies_path is None and (shadow := shadowing_note()) is not None:
        notes.append(shadow)
    who = agent_name or "selected"
    arm = agent_name or "arm"
    by_id = {study.id: study for study in selected}
    measure, candidates, why = _measure_and_candidates(definition, outcome, measure, selected,
                                                       who, agent_name)  # fmt: skip
    notes.append(f"measure: {measure} ({_describe(measure, arm)}){why}")
    rule = "every usable timepoint (--all-timepoints)" if all_timepoints else (
        study_rows.timepoint_rule(when))  # fmt: skip
    notes.append(f"timepoint: {rule}")
    imputed = study_rows.imputation_correlation(of_agent, outcome)

    def build(r: float | None) -> EffectData:
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
            if all_timepoints:
                timed = sorted(usable, key=lambda c: (c.months is None, c.months or 0.0))
                row_notes.extend(f"not usable: {p}" for p in problems)
                for candidate in timed:
                    row_notes.extend(usable[candidate].derivations)
                    rows.append(usable[candidate])
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
                f"no {who} study has usable {measure} data for {outcome!r}: " + "; ".join(row_notes)
            )
        ids = tuple(row.study for row in rows)
        yi, vi, counts, inputs, effect_notes = _effects(measure, rows, r, imputed, ids,
                                                        zero_cells)  # fmt: skip
        return EffectData(
            outcome=outcome,
            measure=measure,
            ids=ids,
            timepoints=tuple(row.timepoint for row in rows),
            yi=np.asarray(yi, dtype=float),
            vi=np.asarray(vi, dtype=float),
            notes=(*notes, *row_notes, *effect_notes),
            uses_r=any(getattr(row, "depends_on_r", False) for row in rows),
            source=None,
            counts=counts,
            _records=tuple(by_id[i] for i in ids),
            months=tuple(row.months for row in rows),
            _inputs=inputs,
            sizes=tuple(_row_size(row) for row in rows),
            definition=definition,
            agent=agent_name,
        )

    return build


def _measure_and_candidates(definition, outcome, measure, selected, who, agent_name):
    """The measure (given, or the default for the outcome's kind, with why), and the entries
    of each study it uses."""
    from ivigmeta.analyses import study_rows

    allowed = KIND_MEASURES[definition.kind]
    if measure is not None:
        measure = measure.upper()
        if measure not in allowed:
            raise InputError(
                f"from study records, expected one of {', '.join(allowed)} for the "
                f"{definition.kind} outcome {outcome!r}, got {measure!r} (other measures: use "
                "--csv)",
                field="measure",
            )
    if definition.kind != "continuous":
        found = study_rows.candidates_by_study(selected, outcome, "comparison")
        if not found:
            raise AnalysisError(
                f"no {who} study reports {outcome!r} as a two-arm comparison "
                f"({'counts of n per arm' if definition.kind == 'binary' else 'a hazard ratio'})"
            )
        if measure is not None:
            return measure, found, ""
        if definition.kind == "binary":
            return "RR", found, "; default for binary outcomes (as RevMan); --measure to change"
        return HAZARD_MEASURE, found, "; time-to-event outcomes are pooled as log hazard ratios"
    change = study_rows.candidates_by_study(selected, outcome, "change")
    two_group = study_rows.candidates_by_study(selected, outcome, "two-group")
    why = ""
    if measure is None:
        if outcome.endswith("_change") and two_group:
            measure, why = "MD", "default for outcomes compared between two arms"
        elif change:
            measure = "MC"
            why = f"default for outcomes measured before and after {agent_name or 'treatment'}"
        elif two_group:
            measure, why = "MD", "default for outcomes compared between two arms"
        else:
            raise AnalysisError(
                f"no {who} study reports {outcome!r} as a change from baseline or a two-arm "
                "comparison of means (other data: pool a table with --csv and --measure)"
            )
        why = f"; {why}; --measure to change"
    return measure, change if measure in CHANGE_MEASURES else two_group, why


def _addon_rule(addon: bool | None, agent: str | None) -> str:
    if addon is None:
        return ""
    kept = f"{agent or 'the intervention'} {'' if addon else 'not '}added to other treatment"
    return f", {kept} (intervention.addon {str(addon).lower()}; records without addon left out)"


def _row_size(row) -> float | None:
    """Patients behind one study row: n of a change row, n1 + n2 of a two-arm row."""
    if hasattr(row, "n1"):
        return None if row.n1 is None or row.n2 is None else float(row.n1 + row.n2)
    return None if getattr(row, "n", None) is None else float(row.n)


def _row(measure, candidate, r, imputed):
    """The study row of one record entry for ``measure``, or None with the reason."""
    from ivigmeta.analyses import comparison_rows, study_rows

    if measure in TABLE_MEASURES:
        return comparison_rows.table_row(candidate)
    if measure == HAZARD_MEASURE:
        return comparison_rows.hazard_row(candidate)
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


def _effects(measure, rows, r, imputed, ids, zero_cells):
    """(yi, vi, counts, forest inputs, notes): escalc on the rows; change rows enter as (mean
    change, 0) with the SD of change; 2x2 tables as ``ai n1i ci n2i`` with the zero-cell
    correction of ``zero_cells`` (:class:`~ivigmeta.analyses.csv_effects.ZeroCells`)."""
    from ivigmeta.analyses import study_rows
    from ivigmeta.effects.escalc import escalc

    if measure == HAZARD_MEASURE:
        return [x.yi for x in rows], [x.vi for x in rows], {}, {}, []
    if measure in TABLE_MEASURES:
        return _table_effects(measure, rows, ids, zero_cells)
    inputs = study_rows.row_inputs(measure in TWO_GROUP_MEASURES, rows)
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
    return effects.yi, effects.vi, {}, inputs, []


def _table_effects(measure, rows, ids, zero_cells):
    """escalc on the 2x2 tables, with escalc's zero-cell options; MH and Peto keep tables
    without an effect size (``keep_undefined``), as for a CSV table."""
    from ivigmeta.analyses.csv_effects import ZeroCells, double_zero, zero_cell_notes
    from ivigmeta.effects.escalc import escalc

    zero_cells = zero_cells or ZeroCells()
    ai = np.array([x.a for x in rows], dtype=float)
    ci = np.array([x.c for x in rows], dtype=float)
    n1 = np.array([x.n1 for x in rows], dtype=float)
    n2 = np.array([x.n2 for x in rows], dtype=float)
    counts = {"ai": ai, "bi": n1 - ai, "ci": ci, "di": n2 - ci}
    with np.errstate(all="ignore"):
        effects = escalc(measure, ai=ai, n1i=n1, ci=ci, n2i=n2, add=zero_cells.add,
                         to=zero_cells.to, drop00=zero_cells.drop00)  # fmt: skip
    notes = zero_cell_notes(measure, counts, list(ids), zero_cells)
    undefined = ~np.isfinite(effects.yi) | ~np.isfinite(effects.vi)
    if zero_cells.drop00:
        undefined &= ~double_zero(**counts)
    if undefined.any():
        names = ", ".join(ids[i] for i in np.flatnonzero(undefined))
        if not zero_cells.keep_undefined:
            raise AnalysisError(f"{measure} is undefined for {names} (a zero cell left "
                                "uncorrected: --add, --to)")  # fmt: skip
        notes.append(f"no {measure} effect size (a zero cell left uncorrected): {names}")
    inputs = {"ai": [x.a for x in rows], "n1i": [x.n1 for x in rows],
              "ci": [x.c for x in rows], "n2i": [x.n2 for x in rows]}  # fmt: skip
    return effects.yi, effects.vi, counts, inputs, notes


def _row_correlation(row, r, imputed) -> float | None:
    """The row's own r (from its SDs), else the user's r, else the imputed r."""
    if row.correlation is not None and -1 <= row.correlation <= 1:
        return row.correlation
    if r is not None:
        return r
    return imputed[0] if imputed is not None else None


def _describe(measure: str, arm: str = "IVIG") -> str:
    from ivigmeta.effects.escalc import DESCRIPTIONS

    if measure == HAZARD_MEASURE:
        return f"log hazard ratio, {arm} versus control"
    text = DESCRIPTIONS[measure]
    if measure in CHANGE_MEASURES:
        return f"{text}, follow-up minus baseline"
    if measure in TWO_GROUP_MEASURES:
        return f"{text}, {arm} minus control"
    if measure in TABLE_MEASURES:
        return f"{text}, {arm} versus control"
    return text
