"""Read a table of study-level summary data (CSV) with metafor's ``escalc`` column names.

One study per row; a ``study`` column (optional) gives the study ids, other columns are named
as ``escalc``'s arguments (``m1i sd1i n1i m2i sd2i n2i``, ``ai bi ci di``, ``xi ni``,
``yi vi`` ...). Columns the measure does not use are ignored. Problems raise
:class:`~ivigmeta.errors.InputError` naming the file, line and column.

The file is parsed as RFC 4180 CSV (quoted cells may hold the delimiter, quotes and line
breaks; lines end only at ``\n`` or ``\r\n``, never at Unicode separators such as U+2028),
UTF-8 with or without a byte-order mark. The delimiter is ``,``, ``;`` or a tab: given, or
sniffed from the header line (the one of the three that occurs most often there outside
quotes; ``,`` if none does). With ``decimal=","`` numbers are written with a decimal comma
(``0,5``; then the delimiter cannot be ``,``, and ``1.5`` is refused, since a point there may
be a thousands separator). ``path`` ``-`` reads standard input (named ``<stdin>`` in
messages; read once per process, so several analyses of one command see the same table). A
line number is the line where the row starts. Study names must fit on one line: a name
holding a line break or another control character is refused rather than changed. Cells may
hold at most :data:`MAX_CELL` characters and the file at most :data:`MAX_CSV_BYTES` bytes.

A missing value is an empty cell, ``NA`` or ``NaN`` (any case), as R's ``read.csv`` reads
them; it becomes NaN here and :mod:`ivigmeta.analyses.csv_effects` leaves out the rows that
miss a value the measure needs (metafor's ``na.omit``).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, replace

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
#: The delimiters read (sniffed in this order of preference on a tie) and the decimal marks.
DELIMITERS = (",", ";", "\t")
DECIMALS = (".", ",")
#: Cells read as a missing value (compared in upper case).
MISSING = ("", "NA", "NAN")
STDIN = "-"
STDIN_NAME = "<stdin>"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_stdin_cache: list = []  # [(stream, bytes)]: standard input is read once per stream


@dataclass(frozen=True)
class EffectTable:
    """Study ids, numeric columns (lists of floats, NaN for missing cells), the row start
    lines, every column's cells as typed (``text``), whether a ``study`` column named
    the rows (else the ids are row numbers), and the delimiter and decimal mark read."""

    file: str
    studies: tuple[str, ...]
    columns: dict[str, list[float]]
    lines: tuple[int, ...]
    text: dict[str, list[str]]
    named: bool = True
    delimiter: str = ","
    decimal: str = "."

    def line_of(self, row: int) -> int:
        return self.lines[row]

    def label(self, row: int) -> str:
        """``study 'Aronson'``, or ``row 3`` where the table has no study column."""
        return f"study {self.studies[row]!r}" if self.named else f"row {row + 1}"

    def subset(self, rows) -> EffectTable:
        """The table of the rows ``rows`` (indices, in order)."""
        rows = list(rows)
        return replace(
            self,
            studies=tuple(self.studies[i] for i in rows),
            columns={c: [v[i] for i in rows] for c, v in self.columns.items()},
            lines=tuple(self.lines[i] for i in rows),
            text={c: [v[i] for i in rows] for c, v in self.text.items()},
        )


def read_effect_table(
    path: str | os.PathLike[str], *, delimiter: str | None = None, decimal: str = "."
) -> EffectTable:
    """Read ``path`` (``-``: standard input); every known effect column must hold numbers or
    missing values. ``delimiter`` None sniffs it from the header line."""
    if delimiter is not None and delimiter not in DELIMITERS:
        raise InputError(f"expected ',', ';' or a tab, got {delimiter!r}", field="delimiter")
    if decimal not in DECIMALS:
        raise InputError(f"expected '.' or ',', got {decimal!r}", field="decimal")
    name, data = _input(path)
    text = decode_text(data, name, "CSV table")
    sniffed = delimiter is None
    delimiter = delimiter or sniff_delimiter(text)
    if decimal == "," and delimiter == ",":
        how = "the header is delimited by ','" if sniffed else "--delimiter ,"
        raise InputError(
            f"a decimal comma needs ';' or a tab between the cells ({how})",
            file=name,
            field="decimal",
        )
    rows = csv_records(text, name, delimiter)
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
    cells_as_typed: dict[str, list[str]] = {c: [] for c in header if c}
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
        for column in cells_as_typed:
            cells_as_typed[column].append(row[column])
        for column in known:
            columns[column].append(_number(row[column], name, line, column, decimal))
    if not studies:
        raise InputError("expected at least one study row below the header", file=name)
    return EffectTable(name, tuple(studies), columns, tuple(lines), cells_as_typed,
                       "study" in header, delimiter, decimal)  # fmt: skip


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header (first non-blank) line: of ``,`` ``;`` and tab, the one
    found most often outside double quotes; ``,`` when none is."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    outside = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # the first on a tie
    return best if counts[best] else ","


def _input(path) -> tuple[str, bytes]:
    """(name for messages, bytes) of the file ``path``, or of standard input for ``-``."""
    if os.fspath(path) != STDIN:
        name = os.fspath(path)
        return name, read_input_bytes(path, what="CSV table", limit=MAX_CSV_BYTES)
    stream = sys.stdin
    for cached, data in _stdin_cache:
        if cached is stream:
            return STDIN_NAME, data
    if stream is None or stream.isatty():
        raise InputError("expected a CSV table piped to standard input (--csv -)",
                         file=STDIN_NAME)  # fmt: skip
    source = getattr(stream, "buffer", stream)
    try:
        data = source.read(MAX_CSV_BYTES + 1)
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read standard input: {error}", file=STDIN_NAME) from None
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > MAX_CSV_BYTES:
        raise InputError(
            f"a CSV table may be at most {MAX_CSV_BYTES} bytes ({MAX_CSV_BYTES >> 20} MiB)",
            file=STDIN_NAME,
        )
    _stdin_cache[:] = [(stream, data)]
    return STDIN_NAME, data


def csv_records(text: str, name: str, delimiter: str = ","):
    """(start line, cells) of each CSV record; csv errors become InputError with the line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
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


def _number(text: str, file: str, line: int, column: str, decimal: str = ".") -> float:
    """A cell as a number: decimal digits with an optional exponent (``1e-3``), NaN for a
    missing value; hexadecimal, ``1_0``, non-ASCII digits and infinities are refused."""
    if text.upper() in MISSING:
        return math.nan
    shown = text if len(text) <= 40 else text[:37] + "..."
    plain = text
    if decimal == ",":
        plain = text.replace(",", ".", 1) if "." not in text else ","
    if not _NUMBER.fullmatch(plain):
        if text.lstrip("+-").lower() in ("inf", "infinity"):
            expected = "a finite number"
        elif decimal == "," and "." in text:
            expected = "a number with a decimal comma (--decimal ,)"
        elif decimal == "." and _NUMBER.fullmatch(text.replace(",", ".", 1)):
            expected = "a number (a decimal comma? give --decimal ,)"
        else:
            expected = "a number"
        raise InputError(f"expected {expected}, got {shown!r}", file=file, line=line,
                         field=column)  # fmt: skip
    value = float(plain)
    if math.isinf(value) or abs(value) > MAX_MAGNITUDE:  # admissible range: docs/records.md
        raise InputError(
            f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}, got {shown!r}",
            file=file,
            line=line,
            field=column,
        )
    return value
