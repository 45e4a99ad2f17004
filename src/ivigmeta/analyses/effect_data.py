"""Study selection and effect sizes: THE way every analysis gets its studies (one selection
shared by every analysis; the records half is :mod:`ivigmeta.analyses.record_effects`).

``pool``, ``batch``, ``sensitivity``, ``bias``, ``subgroup``, ``regress`` and ``report`` all take
their studies from :func:`load_effect_data` (or, to recompute the effect sizes under several
assumed correlations, :func:`effect_data_builder`): an ``outcome`` of the study records, or the
rows of a CSV table with metafor ``escalc`` columns (``csv`` + ``measure``).

From records (:mod:`ivigmeta.analyses.record_effects`): the studies of one intervention agent
(``agent``; default IVIG when the records hold an IVIG study, else every record), systematic
reviews left out; one row per study (see :mod:`ivigmeta.analyses.study_rows` for the timepoint
rule and the derivations); the measure follows the outcome's kind: raw mean change ``MC``
(follow-up minus baseline) for continuous outcomes measured before and after treatment, raw
mean difference ``MD`` (arm minus control) for ``*_change`` outcomes compared between arms,
risk ratios of two-arm 2x2 tables for binary outcomes and log hazard ratios for time-to-event
outcomes. Everything chosen or derived is listed in ``notes``.

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

PRE_POST_CSV_MEASURES = ("MC", "SMCC", "SMCR", "SMCRH")
SELECTION_KEYS = ("studies_path", "csv", "measure", "timepoint", "design", "addon", "agent")
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
    (``addon: false``); records that leave ``addon`` out are left out by either value;
    ``agent``: keep the studies of this intervention agent (any case; default IVIG when some
    record is of IVIG, else every record).
    """

    studies_path: str | Path | None
    csv: str | Path | None
    measure: str | None
    timepoint: str | float | None
    design: str | None
    addon: bool | None
    delimiter: str | None
    decimal: str
    agent: str | None


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
    for CSV rows). ``definition`` is the outcome's vocabulary entry and ``agent`` the
    intervention agent selected (None for CSV rows, or every agent). Study fields are read with
    :meth:`values` / :meth:`numbers`.
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
    definition: object = field(default=None, repr=False)
    agent: str | None = None

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
    agent: str | None = None,
    zero_cells=None,
    all_timepoints: bool = False,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Builder:
    """Select the studies once; the returned function computes their effect sizes for an
    assumed correlation ``r`` (``pool --r-sweep`` calls it once per r). ``zero_cells`` (a
    :class:`~ivigmeta.analyses.csv_effects.ZeroCells`) sets escalc's ``add``, ``to`` and
    ``drop00`` for the count measures (of a CSV table or the 2x2 tables of records).
    ``all_timepoints`` (records only, for
    ``multilevel``) keeps every usable timepoint of every study, one row each, in order of
    months, with the months in ``EffectData.months``."""
    if all_timepoints and (csv is not None or timepoint is not None):
        raise InputError("--all-timepoints selects study records, without --timepoint",
                         field="all-timepoints")  # fmt: skip
    if csv is not None:
        for name, value in (("addon", addon), ("agent", agent)):
            if value is not None:
                flag = "--addon/--no-addon" if name == "addon" else "--agent"
                raise InputError(f"{flag} selects study records, not CSV rows", field=name)
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
    from ivigmeta.analyses.record_effects import records_builder

    return records_builder(outcome, studies_path, measure, timepoint, design, addon, agent,
                           zero_cells, all_timepoints)  # fmt: skip


def check_correlation(r: float | None) -> None:
    """InputError unless ``r`` is None or within [-1, 1]."""
    if r is not None and not -1 <= r <= 1:
        raise InputError(f"expected a correlation between -1 and 1, got {r}", field="r")


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
