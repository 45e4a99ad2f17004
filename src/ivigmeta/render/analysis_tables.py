"""Plain-text, Markdown, CSV and JSON building blocks for the sensitivity, bias, subgroup and
regression renderers. Numbers print with 4 decimals and p-values below 0.0001 as ``<.0001``
(as metafor prints them); CSV and JSON keep full precision; missing values print as ``NA``
(empty in CSV, null in JSON).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence


def num(value, digits: int = 4) -> str:
    """A number with ``digits`` decimals, ``NA`` if missing or not finite."""
    if value is None or isinstance(value, str):
        return "NA" if value is None else value
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "NA"
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def pval(value) -> str:
    """A p-value: 4 decimals, ``<.0001`` below 0.0001."""
    if value is None or not math.isfinite(value):
        return "NA"
    return "<.0001" if value < 0.0001 else f"{value:.4f}"


def p_clause(value, name: str = "p") -> str:
    """``p = 0.0032``, or ``p < .0001`` below 0.0001 (``name="p-val"`` as metafor prints)."""
    text = pval(value)
    return f"{name} < {text[1:]}" if text.startswith("<") else f"{name} = {text}"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for cells in (header, *rows):
        parts = [
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return lines


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub-flavoured Markdown table (first column left-aligned, others right)."""
    escape = [str(h).replace("|", "\\|") for h in header]
    lines = ["| " + " | ".join(escape) + " |"]
    lines.append("|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|")
    for cells in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return lines


def csv_text(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """CSV with full-precision numbers; None and NaN become empty cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if _missing(v) else _plain(v) for v in row])
    return buffer.getvalue()


def json_text(result) -> str:
    """The result's ``to_dict()`` as indented JSON."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _plain(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(float(value))
    return value


def title(result, what: str) -> str:
    """``mrss (MC): <what>, REML, z test, k = 3`` or the CSV source."""
    source = result.outcome or "CSV table"
    return (
        f"{source} ({result.measure}): {what}; tau² estimator {result.method}, "
        f"{result.test} test, {result.level:g}% CIs, k = {result.k}"
    )
