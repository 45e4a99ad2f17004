"""Renderers for ``reproduce``, ``test ...`` and ``grim``: rich table, JSON, CSV or Markdown.

Every function returns text; the CLI prints it. JSON is an object: the results' ``to_dict()``
(``results`` for ``test`` and ``grim``, ``checks`` for ``reproduce``) and ``cautions`` (a list
of sentences, empty when there is nothing to say; :mod:`ivigmeta.analyses.cautions`). CSV has
one column per result key; Markdown and the table add the cautions below. Tables are drawn
without colour so they read the same in a terminal and in a pipe.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from collections.abc import Sequence

from ivigmeta.results import Result

VERDICT_ORDER = (
    "consistent", "inconsistent", "decision-error", "unexplained", "not-checkable",
)  # fmt: skip


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value):
            return ", ".join(f"{a}–{b}" for a, b in value)  # runs such as n2 ranges
        return " ".join(_cell(v) for v in value)
    return str(value)


def _p_cell(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.3g}" if value >= 1e-4 else f"{value:.2e}"


def _delimited(columns: Sequence[str], cells: list[list[str]], output_format: str) -> str:
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return buffer.getvalue()
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in cells]
    return "\n".join(lines) + "\n"


def _rich_table(columns: Sequence[str], cells: list[list[str]], title: str | None = None) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for line in cells:
        table.add_row(*line)
    width = max(100, shutil.get_terminal_size((140, 24)).columns)
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(table)
    return "".join(line.rstrip() + "\n" for line in console.file.getvalue().splitlines())


def _json(key: str, results: Sequence[Result], cautions: Sequence[str] | None) -> str:
    value = [r.to_dict() for r in results]
    if cautions is not None:  # None: a bare list (``convert``'s JSON)
        value = {key: value, "cautions": list(cautions)}
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _cautions_text(cautions: Sequence[str] | None, output_format: str) -> str:
    if not cautions or output_format == "csv":
        return ""
    if output_format == "md":
        return "\n**Cautions**\n\n" + "".join(f"- {c}\n" for c in cautions)
    return "Cautions:\n" + "".join(f"  - {c}\n" for c in cautions)


def render_results(
    results: Sequence[Result], output_format: str = "table", cautions: Sequence[str] | None = None
) -> str:
    """Test results (t, proportions, McNemar ranges, back-solving, GRIM, report checks).

    JSON: ``{"results": [...], "cautions": [...]}`` (a bare list when ``cautions`` is None);
    CSV/Markdown: one row per result; table:
    one column per result and one line per field, which stays readable however many fields a
    result has.
    """
    if output_format == "json":
        return _json("results", results, cautions)
    rows = [r.to_dict() for r in results]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if output_format in ("csv", "md"):
        cells = [[_cell(row.get(c)) for c in columns] for row in rows]
        return _delimited(columns, cells, output_format) + _cautions_text(cautions, output_format)
    headers = ["", *(str(row.get("record") or row.get("test") or row.get("check") or "value")
                     for row in rows)]  # fmt: skip
    fields = [c for c in columns if c != "record"]
    cells = [[field, *(_cell(row.get(field)) for row in rows)] for field in fields]
    return _rich_table(headers, cells) + _cautions_text(cautions, output_format)


REPRODUCE_COLUMNS = (
    "study", "outcome", "timepoint", "comparison", "test", "reported_p", "p_min", "p_max",
    "verdict", "note",
)  # fmt: skip


def render_reproduce(
    rows: Sequence[Result], output_format: str = "table", cautions: Sequence[str] = ()
) -> str:
    """The ``reproduce`` report: one row per reported p (and per GRIM and trustworthiness
    check), with a tally; JSON ``{"checks": [...], "cautions": [...]}``."""
    if output_format == "json":
        return _json("checks", rows, cautions)
    dicts = [r.to_dict() for r in rows]
    if output_format in ("csv", "md"):
        cells = [[_cell(d[c]) for c in REPRODUCE_COLUMNS] for d in dicts]
        return _delimited(REPRODUCE_COLUMNS, cells, output_format) + _cautions_text(
            cautions, output_format
        )
    columns = ("#", "study", "outcome", "time", "comparison", "test", "reported", "recomputed")
    cells, notes = [], []
    for number, d in enumerate(dicts, start=1):
        recomputed = ""
        if d["p_min"] is not None:
            low, high = _p_cell(d["p_min"]), _p_cell(d["p_max"])
            recomputed = low if low == high else f"{low} – {high}"
        cells.append(
            [
                str(number), d["study"], d["outcome"], d["timepoint"], d["comparison"],
                d["test"], d["reported_p"] or "", recomputed, d["verdict"],
            ]
        )  # fmt: skip
        notes.append(f"{number:>3}. {d['note']}")
    tally = Counter(d["verdict"] for d in dicts)
    summary = ", ".join(f"{tally[v]} {v}" for v in VERDICT_ORDER if tally[v])
    table = _rich_table((*columns, "verdict"), cells, f"{len(dicts)} checks: {summary}")
    return table + _cautions_text(cautions, output_format) + "Notes:\n" + "\n".join(notes) + "\n"
