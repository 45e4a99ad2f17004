"""Effect sizes plus per-study fields, for the analyses that need more than yi and vi.

``sensitivity``, ``bias``, ``subgroup`` and ``regress`` take their studies the way ``ivigmeta
pool`` does: an ``--outcome`` of the bundled records, selected and converted by
:mod:`ivigmeta.analyses.pool` (same studies, timepoints, measure and notes), or the rows of a
CSV table with metafor ``escalc`` columns (``--csv FILE --measure M``). On top of yi/vi they
need study fields: the year (cumulative meta-analysis), a grouping field (subgroups) or
numeric moderators (meta-regression).

Field names: for records, a study attribute (``year``, ``design``, ``source``), a population
or intervention attribute (``subtype``, ``refractory``, ``n``, ``agent``, ``dose``, ``addon``;
``add-on`` is accepted for ``addon``) or a dotted path (``population.subtype``); for a CSV
table, any column.
"""

from __future__ import annotations

import csv as csv_module
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ivigmeta.errors import AnalysisError, InputError

_ALIASES = {"add-on": "addon", "add_on": "addon"}
_NESTED = ("population", "intervention")


@dataclass(frozen=True)
class EffectData:
    """Studies ready for analysis: ids, yi, vi, the measure and notes on how they were chosen.

    ``source`` is the CSV path or None (records); ``_fields`` maps a field name to one value
    per study (text from a CSV, typed values from records) and is read via :meth:`values`.
    """

    outcome: str | None
    measure: str
    ids: tuple[str, ...]
    yi: np.ndarray
    vi: np.ndarray
    notes: tuple[str, ...]
    source: str | None
    _records: tuple = field(default=(), repr=False)
    _columns: dict = field(default_factory=dict, repr=False)
    _lines: tuple[int, ...] = field(default=(), repr=False)

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
            return [cell if cell != "" else None for cell in self._columns[name]]
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


def load_effect_data(
    outcome: str | None = None,
    *,
    studies_path=None,
    csv=None,
    measure: str | None = None,
    timepoint: str | float | None = None,
    design: str | None = None,
    r: float | None = None,
) -> EffectData:
    """The studies of ``outcome`` in the records, or the rows of the CSV table ``csv``.

    Selection and effect sizes are exactly those of :func:`ivigmeta.analyses.pool.pool`
    (same options); see there for the rules.
    """
    from ivigmeta.analyses import pool

    if r is not None and not -1 <= r <= 1:
        raise InputError(f"expected a correlation between -1 and 1, got {r}", field="r")
    if csv is not None:
        measure_used, ids, _, yi, vi, notes, _ = pool._csv_builder(csv, measure)(r)
        columns, lines = _read_columns(csv)
        return EffectData(outcome, measure_used, tuple(ids), np.asarray(yi, dtype=float),
                          np.asarray(vi, dtype=float), tuple(notes), str(csv),
                          _columns=columns, _lines=lines)  # fmt: skip
    if outcome is None:
        raise InputError("give --outcome (for study records) or --csv FILE", field="outcome")
    from ivigmeta.records.loader import load_studies

    build = pool._records_builder(outcome, studies_path, measure, timepoint, design)
    measure_used, ids, _, yi, vi, notes, _ = build(r)
    by_id = {study.id: study for study in load_studies(studies_path)}
    return EffectData(outcome, measure_used, tuple(ids), np.asarray(yi, dtype=float),
                      np.asarray(vi, dtype=float), tuple(notes), None,
                      _records=tuple(by_id[i] for i in ids))  # fmt: skip


def _read_columns(path) -> tuple[dict[str, list[str]], tuple[int, ...]]:
    """Every column of the CSV as text, one cell per study row (blank rows skipped, as
    :func:`ivigmeta.records.csv_reader.read_effect_table` does), and the rows' line numbers."""
    reader = csv_module.reader(Path(path).read_text(encoding="utf-8-sig").splitlines())
    header = [cell.strip() for cell in next(reader)]
    columns: dict[str, list[str]] = {name: [] for name in header if name}
    lines = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        lines.append(reader.line_num)
        for name, cell in zip(header, cells, strict=False):
            if name:
                columns[name].append(cell.strip())
    return columns, tuple(lines)


def require_studies(data: EffectData, minimum: int, what: str) -> None:
    """AnalysisError unless there are at least ``minimum`` studies for ``what``."""
    if data.k < minimum:
        label = f"outcome {data.outcome!r}" if data.outcome else (data.source or "the data")
        raise AnalysisError(f"{what}: at least {minimum} studies needed; {label} has k = {data.k}")
