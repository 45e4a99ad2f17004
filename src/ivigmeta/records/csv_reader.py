"""Read a table of study-level summary data (CSV) with metafor's ``escalc`` column names.

One study per row; a ``study`` column (optional) gives the study ids, other columns are named
as ``escalc``'s arguments (``m1i sd1i n1i m2i sd2i n2i``, ``ai bi ci di``, ``xi ni``,
``yi vi`` ...). Columns the measure does not use are ignored. Problems raise
:class:`~ivigmeta.errors.InputError` naming the file, line and column.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

from ivigmeta.errors import InputError
from ivigmeta.stats.numerics.limits import MAX_MAGNITUDE

#: every column name escalc accepts for the supported measures
EFFECT_COLUMNS = (
    "yi", "vi", "sei", "m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i", "ni", "ri",
    "xi", "ai", "bi", "ci", "di", "ti", "x1i", "x2i", "t1i", "t2i", "mi", "sdi",
)  # fmt: skip
#: summaries converted to the columns above (ivigmeta.analyses.csv_conversions)
CONVERSION_COLUMNS = (
    "min", "q1i", "mdi", "q3i", "max", "min1", "q1i1", "mdi1", "q3i1", "max1",
    "min2", "q1i2", "mdi2", "q3i2", "max2", "ci_low", "ci_high",
)  # fmt: skip


@dataclass(frozen=True)
class EffectTable:
    """Study ids, numeric columns (lists of floats, NaN for empty cells) and source lines."""

    file: str
    studies: tuple[str, ...]
    columns: dict[str, list[float]]
    lines: tuple[int, ...]

    def line_of(self, row: int) -> int:
        return self.lines[row]


def read_effect_table(path: str | os.PathLike[str]) -> EffectTable:
    """Read ``path``; every known effect column must hold numbers (an empty cell is missing)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("expected a UTF-8 text file", file=name) from None
    reader = csv.reader(text.splitlines())
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise InputError("expected a header row naming the columns", file=name) from None
    duplicates = sorted({c for c in header if header.count(c) > 1 and c})
    if duplicates:
        raise InputError(f"column named twice: {', '.join(duplicates)}", file=name, line=1)
    known = [c for c in header if c in EFFECT_COLUMNS + CONVERSION_COLUMNS]
    if not known:
        raise InputError(
            f"expected effect-size columns named as in metafor's escalc "
            f"({', '.join(EFFECT_COLUMNS)}); found {', '.join(header) or 'none'}",
            file=name,
            line=1,
        )
    studies: list[str] = []
    columns: dict[str, list[float]] = {c: [] for c in known}
    lines: list[int] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InputError(
                f"expected {len(header)} cells (as in the header), got {len(cells)}",
                file=name,
                line=line,
            )
        row = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        studies.append(row.get("study") or str(len(studies) + 1))
        lines.append(line)
        for column in known:
            columns[column].append(_number(row[column], name, line, column))
    if not studies:
        raise InputError("expected at least one study row below the header", file=name)
    return EffectTable(name, tuple(studies), columns, tuple(lines))


def _number(text: str, file: str, line: int, column: str) -> float:
    if text == "" or text.upper() in ("NA", "NAN"):
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"expected a number, got {text!r}", file=file, line=line, field=column
        ) from None
    if math.isinf(value):
        raise InputError(
            f"expected a finite number, got {text!r}", file=file, line=line, field=column
        )
    if abs(value) > MAX_MAGNITUDE:  # admissible range: docs/records.md
        raise InputError(
            f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}, got {text!r}",
            file=file,
            line=line,
            field=column,
        )
    return value
