"""Effect sizes from a CSV table with metafor's escalc column names (``--csv FILE --measure M``).

The rows become an :class:`~ivigmeta.analyses.effect_data.EffectData` like the records do;
every problem names the file, the line and the column.
"""

from __future__ import annotations

import csv as csv_module
from pathlib import Path

import numpy as np

from ivigmeta.analyses.csv_conversions import convert_columns
from ivigmeta.analyses.effect_data import PRE_POST_CSV_MEASURES, Builder, EffectData
from ivigmeta.errors import AnalysisError, InputError


def csv_builder(path, measure: str | None, outcome: str | None) -> Builder:
    """Read the table once; the returned function computes its effect sizes for a correlation
    ``r`` assumed where the ``ri`` column is empty (pre-post measures only)."""
    from ivigmeta.effects.escalc import MEASURES, escalc
    from ivigmeta.records.csv_reader import read_effect_table

    table = read_effect_table(path)
    if measure is None:
        if "yi" in table.columns and (
            "vi" in table.columns
            or "sei" in table.columns
            or {"ci_low", "ci_high"} <= set(table.columns)
        ):
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
    all_columns, lines = _read_columns(path)

    def build(r: float | None) -> EffectData:
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
        columns, converted = convert_columns(measure, columns, table)
        notes.extend(converted)
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
        return EffectData(
            outcome=outcome,
            measure=measure,
            ids=tuple(table.studies),
            timepoints=(None,) * len(table.studies),
            yi=np.asarray(effects.yi, dtype=float),
            vi=np.asarray(effects.vi, dtype=float),
            notes=tuple(notes),
            uses_r=uses_r,
            source=str(path),
            _columns=all_columns,
            _lines=lines,
        )

    return build


def _first_missing(values, measure: str, name: str) -> int | None:
    """First empty cell in a column the measure uses (unused columns may be empty)."""
    from ivigmeta.effects.escalc import REQUIRED_COLUMNS

    if not any(name in option for option in REQUIRED_COLUMNS[measure]):
        return None
    missing = np.flatnonzero(np.isnan(values))
    return int(missing[0]) if missing.size else None


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
