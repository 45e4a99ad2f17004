"""Effect sizes from a CSV table with metafor's escalc column names (``--csv FILE --measure M``).

The rows become an :class:`~ivigmeta.analyses.effect_data.EffectData` like the records do;
every problem names the file, the line and the column.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ivigmeta.analyses.csv_conversions import convert_columns
from ivigmeta.analyses.effect_data import PRE_POST_CSV_MEASURES, Builder, EffectData
from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.wording import count

TABLE_MEASURES = ("RR", "OR", "RD", "PETO")
PROPORTION_MEASURES = ("PR", "PLO", "PAS", "PFT")


@dataclass(frozen=True)
class ZeroCells:
    """escalc's continuity correction for count measures: ``add`` (None: escalc's default,
    1/2, or 0 for PAS and PFT) to every cell of the rows chosen by ``to`` (only0, all, if0all,
    none); ``drop00`` leaves 2x2 tables with no events (or only events) in both groups without
    an effect size. ``keep_undefined`` keeps rows whose effect size is undefined (NaN) instead
    of refusing them: Mantel-Haenszel and Peto pool the tables, not the effect sizes."""

    add: float | None = None
    to: str = "only0"
    drop00: bool = False
    keep_undefined: bool = False


def csv_builder(
    path,
    measure: str | None,
    outcome: str | None,
    zero_cells: ZeroCells | None = None,
    *,
    delimiter: str | None = None,
    decimal: str = ".",
) -> Builder:
    """Read the table once; the returned function computes its effect sizes for a correlation
    ``r`` assumed where the ``ri`` column is empty (pre-post measures only); count measures
    are corrected for zero cells as ``zero_cells`` says (default: escalc's), and the notes
    name the studies corrected or left without an effect size. ``delimiter`` (None: sniffed)
    and ``decimal`` are passed to :func:`~ivigmeta.records.csv_reader.read_effect_table`.

    Rows missing a value the measure needs (an empty cell, ``NA``) are left out and a note
    names them and the columns, as metafor's ``rma`` (``na.action = "na.omit"``) omits the
    studies whose yi or vi ``escalc`` left NA; a needed column missing in every row is an
    error, as is a table where no row is complete."""
    from ivigmeta.effects.escalc import MEASURES, escalc
    from ivigmeta.records.csv_reader import read_effect_table

    full_table = read_effect_table(path, delimiter=delimiter, decimal=decimal)
    if measure is None:
        if "yi" in full_table.columns and (
            "vi" in full_table.columns
            or "sei" in full_table.columns
            or {"ci_low", "ci_high"} <= set(full_table.columns)
        ):
            measure = "GEN"
        else:
            raise InputError(
                f"give --measure ({', '.join(MEASURES)}) for a table without yi and vi columns",
                file=full_table.file,
                field="measure",
            )
    measure = measure.upper()
    if measure not in MEASURES:
        raise InputError(f"expected one of {', '.join(MEASURES)}, got {measure!r}", field="measure")
    zero_cells = zero_cells or ZeroCells()
    if zero_cells.add is not None and zero_cells.add < 0:
        raise InputError(f"expected a number >= 0, got {zero_cells.add}", field="add")

    def build(r: float | None) -> EffectData:
        table = full_table
        columns = {name: np.array(values) for name, values in table.columns.items()}
        notes = [f"{count(len(table.studies), 'row')} read from {table.file}{_format(table)}; "
                 f"measure {measure}"]  # fmt: skip
        uses_r = False
        if measure in PRE_POST_CSV_MEASURES:
            ri = columns.get("ri", np.full(len(table.studies), np.nan))
            missing = np.isnan(ri)
            if missing.any() and r is not None:
                ri = np.where(missing, r, ri)
                uses_r = True
                rows = ", ".join(table.label(int(i)) for i in np.flatnonzero(missing))
                notes.append(f"ri = {r:g} (--r) assumed for {rows}")
            elif missing.all():
                raise InputError(
                    f"{measure} needs the pre-post correlation: fill the ri column or give --r",
                    file=table.file,
                    line=table.line_of(0),
                    field="ri",
                )
            columns["ri"] = ri
        columns, converted = convert_columns(measure, columns, table)
        notes.extend(converted)
        keep, omitted = complete_rows(measure, columns, table)
        if omitted:
            notes.append(omitted)
            rows = np.flatnonzero(keep)
            table = table.subset(rows)
            columns = {name: values[rows] for name, values in columns.items()}
        options = {}
        if measure in TABLE_MEASURES + PROPORTION_MEASURES:
            options = {"add": zero_cells.add, "to": zero_cells.to}
        if measure in TABLE_MEASURES:
            options["drop00"] = zero_cells.drop00
        try:
            with np.errstate(all="ignore"):
                effects = escalc(measure, **columns, **options)
            counts = _counts(measure, columns)
        except InputError as error:
            row = getattr(error, "row", None)
            if row is None:
                raise InputError(error.message, file=table.file, field=error.field) from None
            message = error.message.split(": ", 1)[-1]
            typed = table.text.get(error.field, [None] * (row + 1))[row]
            if typed:
                message += f", got {typed}"
            raise InputError(
                message, file=table.file, line=table.line_of(row), field=error.field
            ) from None
        if counts:
            notes.extend(zero_cell_notes(measure, counts, table.studies, zero_cells))
        undefined = ~np.isfinite(effects.yi) | ~np.isfinite(effects.vi)
        if measure in TABLE_MEASURES and zero_cells.drop00:
            undefined &= ~double_zero(**counts)
        if zero_cells.keep_undefined and undefined.any():
            names = ", ".join(table.studies[i] for i in np.flatnonzero(undefined))
            notes.append(f"no {measure} effect size (a zero cell left uncorrected): {names}")
            undefined[:] = False
        bad = np.flatnonzero(undefined)
        if bad.size:
            row = int(bad[0])
            raise AnalysisError(
                f"{table.file}:{table.line_of(row)}: {table.label(row)}: {measure} is undefined "
                f"for {_typed_cells(table, measure, row)}"
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
            source=full_table.file,
            counts=counts,
            _columns=table.text,
            _lines=table.lines,
        )

    return build


def _counts(measure: str, columns: dict) -> dict[str, np.ndarray]:
    """The uncorrected counts of a count measure: ai bi ci di, or xi ni; {} otherwise."""
    if measure in TABLE_MEASURES:
        from ivigmeta.effects.two_by_two import table_cells
        from ivigmeta.stats.models.mantel_haenszel import table_columns

        cells = table_cells(*(columns.get(name) for name in ("ai", "bi", "ci", "di", "n1i", "n2i")))
        return dict(zip(("ai", "bi", "ci", "di"), table_columns(*cells), strict=True))
    if measure in PROPORTION_MEASURES:
        return {"xi": columns["xi"], "ni": columns["ni"]}
    return {}


def double_zero(ai, bi, ci, di) -> np.ndarray:
    from ivigmeta.effects.two_by_two import double_zero as rows

    return rows(ai, bi, ci, di)


def zero_cell_notes(measure, counts, studies, zero_cells: ZeroCells) -> list[str]:
    """Which studies got what: the continuity correction (--add/--to) and the double zeros."""
    from ivigmeta.effects.escalc import escalc_default_add

    add = escalc_default_add(measure) if zero_cells.add is None else zero_cells.add
    cells = list(counts.values()) if measure in TABLE_MEASURES else [
        counts["xi"], counts["ni"] - counts["xi"]]  # fmt: skip
    zero = np.zeros(len(studies), dtype=bool)
    for cell in cells:
        zero |= cell == 0
    notes = []
    dropped = np.zeros(len(studies), dtype=bool)
    if measure in TABLE_MEASURES:
        double = double_zero(**counts)
        if double.any():
            names = ", ".join(studies[i] for i in np.flatnonzero(double))
            if zero_cells.drop00:
                dropped = double
                notes.append(f"double zero (no events, or only events, in both groups): {names}; "
                             "no effect size (--drop00)")  # fmt: skip
            else:
                notes.append(f"double zero (no events, or only events, in both groups): {names}; "
                             "corrected like the other zero-cell tables (--drop00 to leave them "
                             "without an effect size)")  # fmt: skip
    zero &= ~dropped
    flag = f"--add {add:g} --to {zero_cells.to}"
    if add == 0 or zero_cells.to == "none":
        if zero.any() and measure not in ("PAS", "PFT"):
            names = ", ".join(studies[i] for i in np.flatnonzero(zero))
            notes.append(f"zero cells left uncorrected ({flag}): {names}")
        return notes
    what = "each cell" if measure in TABLE_MEASURES else "the events and non-events"
    if zero_cells.to == "all" or (zero_cells.to == "if0all" and zero.any()):
        why = "" if zero_cells.to == "all" else " (a study has a zero cell)"
        notes.append(f"continuity correction: {add:g} added to {what} of every study{why} ({flag})")
    elif zero.any():
        names = ", ".join(studies[i] for i in np.flatnonzero(zero))
        notes.append(f"continuity correction: {add:g} added to {what} of {names} ({flag})")
    return notes


def _typed_cells(table, measure: str, row: int) -> str:
    """The cells of ``row`` that ``measure`` reads, as typed: ``ai = 0, bi = 0, ...``."""
    from ivigmeta.effects.escalc import REQUIRED_COLUMNS

    used = dict.fromkeys(c for option in REQUIRED_COLUMNS[measure] for c in option)
    cells = [f"{c} = {table.text[c][row] or '(empty)'}" for c in used if c in table.text]
    return ", ".join(cells)


def _format(table) -> str:
    """`` (delimiter ';', decimal comma)`` for a table not written with ``,`` and ``.``."""
    parts = []
    if table.delimiter != ",":
        parts.append(
            "tab-delimited" if table.delimiter == "\t" else f"delimiter {table.delimiter!r}"
        )
    if table.decimal == ",":
        parts.append("decimal comma")
    return f" ({', '.join(parts)})" if parts else ""


def complete_rows(measure: str, columns: dict, table) -> tuple[np.ndarray, str | None]:
    """Which rows have every value ``measure`` needs, and the note naming the others.

    The needed columns are escalc's first complete set of the table (``ai bi ci di``, else
    ``ai n1i ci n2i``; ``yi vi``, else ``yi sei``); for 2x2 tables a missing ``bi`` (``di``)
    is taken from ``n1i - ai`` (``n2i - ci``) and the reverse, and for GEN a missing ``vi``
    from ``sei²``, so each row may use either. ``columns`` is updated in place with those
    fills. A needed column missing in every row, or no complete row, is an InputError."""
    from ivigmeta.effects.escalc import REQUIRED_COLUMNS

    if measure in TABLE_MEASURES and "ai" in columns and "ci" in columns:
        for cell, size, events in (("bi", "n1i", "ai"), ("di", "n2i", "ci")):
            if cell in columns and size in columns:
                given, total = columns[cell], columns[size]
                columns[cell] = np.where(np.isnan(given), total - columns[events], given)
                columns[size] = np.where(np.isnan(total), columns[events] + columns[cell], total)
    if measure == "GEN" and "vi" in columns and "sei" in columns:
        columns["vi"] = np.where(np.isnan(columns["vi"]), columns["sei"] ** 2, columns["vi"])
    k = len(table.studies)
    used = next((o for o in REQUIRED_COLUMNS[measure] if all(c in columns for c in o)), None)
    if used is None:  # escalc names the missing columns
        return np.ones(k, dtype=bool), None
    missing = {c: np.isnan(columns[c]) for c in used}
    for column, empty in missing.items():
        if empty.all():
            raise InputError(
                f"expected numbers for {measure}, got no value in any row (empty or NA)",
                file=table.file,
                line=1,
                field=column,
            )
    gaps = np.zeros(k, dtype=bool)
    for empty in missing.values():
        gaps |= empty
    if not gaps.any():
        return ~gaps, None
    if gaps.all():
        raise InputError(
            f"no row has every value {measure} needs ({' '.join(used)}); each misses one "
            "(empty or NA)",
            file=table.file,
        )
    described = []
    for row in np.flatnonzero(gaps):
        names = ", ".join(c for c in used if missing[c][row])
        described.append(f"{table.label(int(row))} (line {table.line_of(int(row))}: {names})")
    hint = (" (--r assumes a correlation where ri is missing)"
            if "ri" in used and missing["ri"].any() else "")  # fmt: skip
    note = (f"{count(int(gaps.sum()), 'row')} with missing values left out (metafor "
            f"na.omit): {', '.join(described)}{hint}")  # fmt: skip
    return ~gaps, note


def omit_missing_fields(data: EffectData, names) -> EffectData:
    """``data`` without the CSV rows whose columns ``names`` (moderators) are missing (empty or
    NA), with a note naming them, as metafor's ``rma(mods = ...)`` omits them (``na.omit``);
    record data is returned unchanged. A column missing in every row is an InputError."""
    if data.source is None:
        return data
    gaps = np.zeros(data.k, dtype=bool)
    missing_in: dict[int, list[str]] = {}
    for name in names:
        values = data.values(name)
        empty = np.array([value is None for value in values], dtype=bool)
        if empty.all():
            raise InputError("expected a value in at least one row, got none (empty or NA)",
                             file=data.source, line=1, field=name)  # fmt: skip
        for row in np.flatnonzero(empty):
            missing_in.setdefault(int(row), []).append(name)
        gaps |= empty
    if not gaps.any():
        return data
    described = ", ".join(f"{data.ids[row]} (line {data._lines[row]}: {', '.join(columns)})"
                          for row, columns in sorted(missing_in.items()))  # fmt: skip
    note = (f"{count(int(gaps.sum()), 'row')} with a missing {', '.join(names)} left out "
            f"(metafor na.omit): {described}")  # fmt: skip
    rows = np.flatnonzero(~gaps)
    return replace(
        data,
        ids=tuple(data.ids[i] for i in rows),
        timepoints=tuple(data.timepoints[i] for i in rows),
        yi=data.yi[rows],
        vi=data.vi[rows],
        notes=(*data.notes, note),
        counts={name: values[rows] for name, values in data.counts.items()},
        _columns={name: [values[i] for i in rows] for name, values in data._columns.items()},
        _lines=tuple(data._lines[i] for i in rows),
    )
