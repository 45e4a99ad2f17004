"""Effect sizes from a CSV table with metafor's escalc column names (``--csv FILE --measure M``).

The rows become an :class:`~ivigmeta.analyses.effect_data.EffectData` like the records do;
every problem names the file, the line and the column.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    path, measure: str | None, outcome: str | None, zero_cells: ZeroCells | None = None
) -> Builder:
    """Read the table once; the returned function computes its effect sizes for a correlation
    ``r`` assumed where the ``ri`` column is empty (pre-post measures only); count measures
    are corrected for zero cells as ``zero_cells`` says (default: escalc's), and the notes
    name the studies corrected or left without an effect size."""
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
    zero_cells = zero_cells or ZeroCells()
    if zero_cells.add is not None and zero_cells.add < 0:
        raise InputError(f"expected a number >= 0, got {zero_cells.add}", field="add")

    def build(r: float | None) -> EffectData:
        columns = {name: np.array(values) for name, values in table.columns.items()}
        notes = [f"{count(len(table.studies), 'row')} read from {table.file}; measure {measure}"]
        uses_r = False
        if measure in PRE_POST_CSV_MEASURES:
            ri = columns.get("ri", np.full(len(table.studies), np.nan))
            missing = np.isnan(ri)
            if missing.any() and r is not None:
                ri = np.where(missing, r, ri)
                uses_r = True
                rows = ", ".join(table.label(int(i)) for i in np.flatnonzero(missing))
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
                typed = table.text[name][row] if name in table.text else ""
                got = f"{typed!r} (missing)" if typed else "an empty cell"
                raise InputError(
                    f"expected a number for {measure}, got {got}",
                    file=table.file,
                    line=table.line_of(row),
                    field=name,
                )
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
            source=str(path),
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


def _first_missing(values, measure: str, name: str) -> int | None:
    """First empty cell in a column the measure uses (unused columns may be empty)."""
    from ivigmeta.effects.escalc import REQUIRED_COLUMNS

    if not any(name in option for option in REQUIRED_COLUMNS[measure]):
        return None
    missing = np.flatnonzero(np.isnan(values))
    return int(missing[0]) if missing.size else None


def _typed_cells(table, measure: str, row: int) -> str:
    """The cells of ``row`` that ``measure`` reads, as typed: ``ai = 0, bi = 0, ...``."""
    from ivigmeta.effects.escalc import REQUIRED_COLUMNS

    used = dict.fromkeys(c for option in REQUIRED_COLUMNS[measure] for c in option)
    cells = [f"{c} = {table.text[c][row] or '(empty)'}" for c in used if c in table.text]
    return ", ".join(cells)
