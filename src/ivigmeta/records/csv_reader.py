"""Read a table of study-level summary data (CSV) with metafor's ``escalc`` column names.

One study per row; a ``study`` column (optional) gives the study ids, other columns are named
as ``escalc``'s arguments (``m1i sd1i n1i m2i sd2i n2i``, ``ai bi ci di``, ``xi ni``,
``yi vi`` ...). Columns the measure does not use are ignored. Problems raise
:class:`~ivigmeta.errors.InputError` naming the file, line and column.

The file is parsed as RFC 4180 CSV (quoted cells may hold commas, quotes and line breaks;
lines end only at ``\n`` or ``\r\n``, never at Unicode separators such as U+2028). A line
number is the line where the row starts. Study names must fit on one line: a name holding a
line break or another control character is refused rather than changed. Cells may hold at
most :data:`MAX_CELL` characters and the file at most :data:`MAX_CSV_BYTES` bytes.
"""

from __future__ import annotations

import csv
import io
import math
import os
import unicodedata
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.records.files import decode_text, read_input_bytes
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
#: Largest CSV table read (64 MiB); largest cell (Python's csv default limit).
MAX_CSV_BYTES = 64 << 20
MAX_CELL = 131_072


@dataclass(frozen=True)
class EffectTable:
    """Study ids, numeric columns (lists of floats, NaN for empty cells), the row start
    lines, every column's cells as typed (``text``) and whether a ``study`` column named
    the rows (else the ids are row numbers)."""

    file: str
    studies: tuple[str, ...]
    columns: dict[str, list[float]]
    lines: tuple[int, ...]
    text: dict[str, list[str]]
    named: bool = True

    def line_of(self, row: int) -> int:
        return self.lines[row]

    def label(self, row: int) -> str:
        """``study 'Aronson'``, or ``row 3`` where the table has no study column."""
        return f"study {self.studies[row]!r}" if self.named else f"row {row + 1}"


def read_effect_table(path: str | os.PathLike[str]) -> EffectTable:
    """Read ``path``; every known effect column must hold numbers (an empty cell is missing)."""
    name = os.fspath(path)
    data = read_input_bytes(path, what="CSV table", limit=MAX_CSV_BYTES)
    rows = _rows(decode_text(data, name, "CSV table"), name)
    try:
        _, header_cells = next(rows)
    except StopIteration:
        raise InputError("expected a header row naming the columns", file=name) from None
    header = [cell.strip() for cell in header_cells]
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
    text: dict[str, list[str]] = {c: [] for c in header if c}
    lines: list[int] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InputError(
                f"expected {len(header)} cells (as in the header), got {len(cells)}",
                file=name,
                line=line,
            )
        row = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        study = row.get("study")
        if study:
            _check_name(study, name, line)
        studies.append(study or str(len(studies) + 1))
        lines.append(line)
        for column in text:
            text[column].append(row[column])
        for column in known:
            columns[column].append(_number(row[column], name, line, column))
    if not studies:
        raise InputError("expected at least one study row below the header", file=name)
    return EffectTable(name, tuple(studies), columns, tuple(lines), text, "study" in header)


def _rows(text: str, name: str):
    """(start line, cells) of each CSV record; csv errors become InputError with the line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = str(error)
            if "field larger than field limit" in problem:
                problem = f"a cell holds more than {MAX_CELL} characters"
            raise InputError(f"malformed CSV: {problem}", file=name, line=line) from None
        yield line, cells


def _check_name(study: str, file: str, line: int) -> None:
    """Study names print on one line: refuse line breaks and other control characters."""
    for char in study:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            shown = study if len(study) <= 40 else study[:37] + "..."
            raise InputError(
                f"expected a name on one line, got {shown!r} (holds U+{ord(char):04X})",
                file=file,
                line=line,
                field="study",
            )


def _number(text: str, file: str, line: int, column: str) -> float:
    if text == "" or text.upper() in ("NA", "NAN"):
        return math.nan
    try:
        value = float(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InputError(
            f"expected a number, got {shown!r}", file=file, line=line, field=column
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
