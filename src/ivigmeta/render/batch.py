"""Renderers for ``ivigmeta batch``: JSON Lines (one object per analysis) and CSV.

A JSON Lines row holds ``analysis line plan error`` and then every ``pool --format json`` field.
The CSV has one column per plan option (``plan_method`` ...), ``error``, and the scalar
``pool`` fields; the per-study list is left out (``k`` gives its length) and notes are joined
with "; ".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from ivigmeta.analyses.batch import BatchResult, BatchRow
from ivigmeta.analyses.plan import KEYS

POOL_COLUMNS = ("outcome", "measure", "method", "test", "level", "pi", "k", "estimate", "se")
POOL_COLUMNS += ("ci_low", "ci_high", "statistic", "df", "p", "tau2", "tau", "i2", "h2", "q")
POOL_COLUMNS += ("q_df", "q_p", "pi_low", "pi_high", "pi_df")


def output_kind(out_path: str | None) -> str:
    """``"jsonl"`` for stdout (None) or a .jsonl/.ndjson file, ``"csv"`` for a .csv file;
    InputError for any other file name."""
    from ivigmeta.errors import InputError

    if out_path is None:
        return "jsonl"
    suffix = out_path.lower().rsplit(".", 1)[-1] if "." in out_path else ""
    if suffix not in ("jsonl", "ndjson", "csv"):
        raise InputError(f"expected a .jsonl or .csv file name, got {out_path!r}", field="--out")
    return "csv" if suffix == "csv" else "jsonl"


def render_rows(rows: Iterable[BatchRow], kind: str, keys: tuple[str, ...]) -> Iterator[str]:
    """The output, one piece per row as the rows come: JSON Lines, or CSV with a header
    naming the plan options ``keys`` (the ones the plan uses)."""
    if kind == "jsonl":
        for row in rows:
            yield json.dumps(row.record(), ensure_ascii=False, allow_nan=False) + "\n"
        return
    used = [key for key in KEYS if key in keys]
    header = ["analysis", "line", *(f"plan_{key}" for key in used), "error", *POOL_COLUMNS]
    yield _csv_line([*header, "notes"])
    for row in rows:
        record = row.record()
        cells = [row.analysis, row.line, *(_cell(record["plan"].get(key)) for key in used)]
        cells.append(_cell(row.error))
        cells.extend(_cell(record.get(column)) for column in POOL_COLUMNS)
        cells.append("; ".join(record.get("notes") or ()))
        yield _csv_line(cells)


def render_jsonl(result: BatchResult) -> str:
    """One JSON object per line, in plan order."""
    return "".join(render_rows(result.rows, "jsonl", KEYS))


def render_csv(result: BatchResult) -> str:
    """A table with one row per analysis (plan columns for the options any row uses)."""
    used = tuple(key for key in KEYS if any(key in row.plan for row in result.rows))
    return "".join(render_rows(result.rows, "csv", used))


def _csv_line(cells) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)
