"""Study selection and effect sizes: THE way every analysis gets its studies (about 450 lines:
one selection shared by every analysis, kept in one place).

``pool``, ``batch``, ``sensitivity``, ``bias``, ``subgroup``, ``regress`` and ``report`` all take
their studies from :func:`load_effect_data` (or, to recompute the effect sizes under several
assumed correlations, :func:`effect_data_builder`): an ``outcome`` of the study records, or the
rows of a CSV table with metafor ``escalc`` columns (``csv`` + ``measure``).

From records: only studies whose intervention agent is IVIG, systematic reviews left out; one
row per study (see :mod:`ivigmeta.analyses.study_rows` for the timepoint rule and the
derivations); the default measure is the raw mean change ``MC`` (follow-up minus baseline
within the IVIG group) for outcomes measured before and after IVIG, and the raw mean difference
``MD`` (IVIG minus control) for outcomes named ``*_change`` that are compared between arms.
Everything chosen or derived is listed in ``notes``.

On top of yi/vi some analyses need study fields: the year (cumulative meta-analysis), a
grouping field (subgroups) or numeric moderators (meta-regression). Field names: for records, a
study attribute (``year``, ``design``, ``source``), a population or intervention attribute
(``subtype``, ``refractory``, ``n``, ``agent``, ``dose``, ``addon``; ``add-on`` is accepted for
``addon``) or a dotted path (``population.subtype``); for a CSV table, any column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, Unpack

import numpy as np

from ivigmeta.errors import AnalysisError, InputError

CHANGE_MEASURES = ("MC", "SMCC", "SMCR")
TWO_GROUP_MEASURES = ("MD", "SMD", "SMDH")
PRE_POST_CSV_MEASURES = ("MC", "SMCC", "SMCR", "SMCRH")
SELECTION_KEYS = ("studies_path", "csv", "measure", "timepoint", "design", "addon")
SELECTION_KEYS += ("delimiter", "decimal")

_ALIASES = {"add-on": "addon", "add_on": "addon"}
_NESTED = ("population", "intervention")


class Selection(TypedDict, total=False):
    """The study-selection keywords shared by pool, sensitivity, subgroup, regress and bias.

    ``studies_path``: record folder or file (default: the bundled records); ``csv``: a CSV
    table to use instead of the records; ``measure``: effect size (metafor escalc name);
    ``delimiter``/``decimal``: how the CSV table is written (``,`` ``;`` or a tab, None to
    sniff it; ``.`` or ``,``); ``timepoint``: None (closest to 12 months), ``"latest"`` or
    months; ``design``: keep
    studies of that design; ``addon``: True keeps studies where IVIG was added to other
    treatment (``intervention.addon: true``), False those where it was not
    (``addon: false``); records that leave ``addon`` out are left out by either value.
    """

    studies_path: str | Path | None
    csv: str | Path | None
    measure: str | None
    timepoint: str | float | None
    design: str | None
    addon: bool | None
    delimiter: str | None
    decimal: str


@dataclass(frozen=True)
class EffectData:
    """Studies ready for analysis: ids, yi, vi, the measure and notes on how they were chosen.

    ``timepoints`` is each study's timepoint label (None for CSV rows); ``uses_r`` whether any
    effect size depends on an assumed pre-post correlation; ``source`` is the CSV path or None
    (records); ``counts`` holds the uncorrected counts of count measures (``ai bi ci di`` of
    2x2 tables, ``xi ni`` of single proportions; empty otherwise), which Mantel-Haenszel,
    Peto and the exact study intervals use; ``sizes`` each record study's patients (n, or
    n1 + n2; empty for CSV tables). ``yi``/``vi`` are NaN for a study without an effect size
    (a double zero under ``drop00``). ``months`` is each record row's time in months (empty
    for CSV rows). Study fields are read with :meth:`values` /
    :meth:`numbers`.
    """

    outcome: str | None
    measure: str
    ids: tuple[str, ...]
    timepoints: tuple[str | None, ...]
    yi: np.ndarray
    vi: np.ndarray
    notes: tuple[str, ...]
    uses_r: bool
    source: str | None
    counts: dict = field(default_factory=dict, repr=False)
    _records: tuple = field(default=(), repr=False)
    _inputs: dict = field(default_factory=dict, repr=False)  # forest data columns
    _columns: dict = field(default_factory=dict, repr=False)
    _lines: tuple[int, ...] = field(default=(), repr=False)
    months: tuple[float | None, ...] = ()
    sizes: tuple[float | None, ...] = ()

    @property
    def k(self) -> int:
        return len(self.ids)

    def has(self, name: str) -> bool:
        """Whether every study can be asked for field ``name``."""
        try:
            self.values(name)
        except InputError:
            return False
        return True

    def values(self, name: str) -> list:
        """One value per study of field ``name`` (None where a record leaves it empty)."""
        if self.source is not None:
            if name not in self._columns:
                raise InputError(
                    f"no column {name!r}; columns: {', '.join(self._columns)}",
                    file=self.source,
                    field=name,
                )
            from ivigmeta.records.csv_reader import MISSING

            return [None if cell.upper() in MISSING else cell for cell in self._columns[name]]
        return [_record_field(study, name) for study in self._records]

    def numbers(self, name: str) -> np.ndarray:
        """Field ``name`` as numbers (booleans count 1/0); every study must have a value."""
        numbers = []
        for index, value in enumerate(self.values(name)):
            number = _as_number(value)
            if number is None:
                where = self._where(index)
                raise InputError(
                    f"expected a number for study {self.ids[index]}, got {value!r}",
                    field=name,
                    **where,
                )
            numbers.append(number)
        return np.array(numbers, dtype=float)

    def _where(self, index: int) -> dict:
        if self.source is not None:
            return {"file": self.source, "line": self._lines[index]}
        return {}


Builder = Callable[[float | None], EffectData]


def load_effect_data(
    outcome: str | None = None, *, r: float | None = None, **selection: Unpack[Selection]
) -> EffectData:
    """The studies of ``outcome`` in the records, or the rows of the CSV table ``csv``.

    ``r`` is the pre-post correlation assumed where a study prints neither the SD of change
    nor an exact paired p (default: the mean r of the entries that print all three SDs);
    ``selection`` is described in :class:`Selection`.
    """
    check_correlation(r)
    return effect_data_builder(outcome, **selection)(r)


def effect_data_builder(
    outcome: str | None = None,
    *,
    studies_path=None,
    csv=None,
    measure: str | None = None,
    timepoint: str | float | None = None,
    design: str | None = None,
    addon: bool | None = None,
    zero_cells=None,
    all_timepoints: bool = False,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Builder:
    """Select the studies once; the returned function computes their effect sizes for an
    assumed correlation ``r`` (``pool --r-sweep`` calls it once per r). ``zero_cells`` (a
    :class:`~ivigmeta.analyses.csv_effects.ZeroCells`) sets escalc's ``add``, ``to`` and
    ``drop00`` for the count measures of a CSV table. ``all_timepoints`` (records only, for
    ``multilevel``) keeps every usable timepoint of every study, one row each, in order of
    months, with the months in ``EffectData.months``."""
    if all_timepoints and (csv is not None or timepoint is not None):
        raise InputError("--all-timepoints selects study records, without --timepoint",
                         field="all-timepoints")  # fmt: skip
    if csv is not None:
        if addon is not None:
            raise InputError("--addon/--no-addon selects study records, not CSV rows",
                             field="addon")  # fmt: skip
        for value, name in ((timepoint, "timepoint"), (design, "design")):
            if value is not None:
                raise InputError(f"--{name} selects study records, not CSV rows", field=name)
        from ivigmeta.analyses.csv_effects import csv_builder

        return csv_builder(csv, measure, outcome, zero_cells, delimiter=delimiter,
                           decimal=decimal or ".")  # fmt: skip
    if delimiter is not None or decimal not in (None, "."):
        raise InputError("--delimiter and --decimal describe a CSV table (--csv)",
                         field="delimiter" if delimiter is not None else "decimal")  # fmt: skip
    if outcome is None:
        raise InputError("give --outcome (for study records) or --csv FILE", field="outcome")
    return _records_builder(outcome, studies_path, measure, timepoint, design, addon,
                            all_timepoints)  # fmt: skip


def check_correlation(r: float | None) -> None:
    """InputError unless ``r`` is None or within [-1, 1]."""
    if r is not None and not -1 <= r <= 1:
        raise InputError(f"expected a correlation between -1 and 1, got {r}", field="r")


# --------------------------------------------------------------------------- study records


def _records_builder(outcome, studies_path, measure, timepoint, design, addon,
                     all_timepoints=False) -> Builder:  # fmt: skip
    from ivigmeta.analyses import study_rows
    from ivigmeta.records.loader import load_studies, shadowing_note
    from ivigmeta.records.vocabulary import DESIGNS, outcome_name

    outcome = outcome_name(outcome)
    if design is not None and design not in DESIGNS:
        raise InputError(f"expected one of {', '.join(DESIGNS)}, got {design!r}", field="design")
    when = study_rows.parse_timepoint(timepoint)
    records = load_studies(studies_path)
    ivig = [s for s in records if s.intervention and s.intervention.agent.upper() == "IVIG"]
    primary = [s for s in ivig if s.design != "systematic-review"]
    selected = [s for s in primary if design is None or s.design == design]
    if addon is not None:
        selected = [s for s in selected if s.intervention.addon is addon]
    notes = [
        f"studies: {len(selected)} of {len(records)} records (intervention agent IVIG, "
        f"systematic reviews left out{f', design {design}' if design else ''}"
        f"{_addon_rule(addon)})"
    ]
    if not selected:
        raise AnalysisError(f"no study record is selected: {notes[0].removeprefix('studies: ')}")
    if studies_path is None and (shadow := shadowing_note()) is not None:
        notes.append(shadow)
    by_id = {study.id: study for study in selected}
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
    rule = "every usable timepoint (--all-timepoints)" if all_timepoints else (
        study_rows.timepoint_rule(when))  # fmt: skip
    notes.append(f"timepoint: {rule}")
    candidates = change if measure in CHANGE_MEASURES else two_group
    imputed = study_rows.imputation_correlation(ivig, outcome)

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
                f"no IVIG study has usable {measure} data for {outcome!r}: " + "; ".join(row_notes)
            )
        yi, vi = _effects(measure, rows, r, imputed)
        ids = tuple(row.study for row in rows)
        return EffectData(
            outcome=outcome,
            measure=measure,
            ids=ids,
            timepoints=tuple(row.timepoint for row in rows),
            yi=np.asarray(yi, dtype=float),
            vi=np.asarray(vi, dtype=float),
            notes=(*notes, *row_notes),
            uses_r=any(getattr(row, "depends_on_r", False) for row in rows),
            source=None,
            _records=tuple(by_id[i] for i in ids),
            months=tuple(row.months for row in rows),
            _inputs=study_rows.row_inputs(measure in TWO_GROUP_MEASURES, rows),
            sizes=tuple(_row_size(row) for row in rows),
        )

    return build


def _addon_rule(addon: bool | None) -> str:
    if addon is None:
        return ""
    kept = "IVIG added to other treatment" if addon else "IVIG not added to other treatment"
    return f", {kept} (intervention.addon {str(addon).lower()}; records without addon left out)"


def _row_size(row) -> float | None:
    """Patients behind one study row: n of a change row, n1 + n2 of a two-arm row."""
    if hasattr(row, "n1"):
        return None if row.n1 is None or row.n2 is None else float(row.n1 + row.n2)
    return None if getattr(row, "n", None) is None else float(row.n)


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


def _record_field(study, name: str):
    """The value of field ``name`` in one study record (None where the record leaves it out)."""
    name = _ALIASES.get(name, name)
    value = study
    for part in _field_path(name):
        if value is None:
            return None
        if not hasattr(value, part):
            raise InputError(f"study records have no field {name!r}", field=name)
        value = getattr(value, part)
    return value


def _field_path(name: str) -> list[str]:
    """``subtype`` -> ["population", "subtype"]; dotted paths are taken as given."""
    from dataclasses import fields

    from ivigmeta.records.model import Intervention, Population, Study

    if "." in name:
        return name.split(".")
    if name in {f.name for f in fields(Study)} and name not in _NESTED:
        return [name]
    for nested, cls in zip(_NESTED, (Population, Intervention), strict=True):
        if name in {f.name for f in fields(cls)}:
            return [nested, name]
    raise InputError(
        f"study records have no field {name!r} (try design, year, subtype, refractory, "
        "addon, agent, dose, source or a dotted path like population.subtype)",
        field=name,
    )


def _as_number(value) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def require_studies(data: EffectData, minimum: int, what: str) -> None:
    """AnalysisError unless there are at least ``minimum`` studies for ``what``."""
    if data.k < minimum:
        label = f"outcome {data.outcome!r}" if data.outcome else (data.source or "the data")
        raise AnalysisError(f"{what}: at least {minimum} studies needed; {label} has k = {data.k}")
