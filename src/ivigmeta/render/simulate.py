"""Renderers for ``ivigmeta simulate``: a table for a quick look, CSV and JSON Lines.

CSV and JSON Lines hold every field of every row at full precision (``ROW_FIELDS``); the table
shows coverage, the PI coverage and the rejection rate in percent with their Monte Carlo SEs.
"""

from __future__ import annotations

import json

from ivigmeta.analyses.simulate import ROW_FIELDS, SimulationResult
from ivigmeta.errors import InputError
from ivigmeta.render.analysis_tables import csv_text, text_table

FORMATS = ("table", "csv", "jsonl")


def format_for_path(path: str | None, output_format: str | None) -> str:
    """The format of ``--out`` from its extension (.csv, .jsonl/.ndjson), else ``--format``."""
    if path is None:
        return output_format or "table"
    suffix = path.lower().rsplit(".", 1)[-1] if "." in path else ""
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix == "csv":
        return "csv"
    raise InputError(f"expected a .csv or .jsonl file name, got {path!r}", field="--out")


def render_simulation(result: SimulationResult, output_format: str) -> str:
    if output_format == "csv":
        return csv_text(ROW_FIELDS, [[row[f] for f in ROW_FIELDS] for row in result.rows])
    if output_format == "jsonl":
        return "".join(json.dumps(row, allow_nan=False) + "\n" for row in result.rows)
    return _table(result)


def _percent(value, se) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f} ({100 * se:.1f})"


def _table(result: SimulationResult) -> str:
    header = ("k", "tau2", "mu", "vi", "method", "test", "pi", "CI coverage %", "PI coverage %",
              "reject %", "CI width", "bias", "failed")  # fmt: skip
    rows = [
        (str(r["k"]), f"{r['tau2']:g}", f"{r['mu']:g}", r["vi"], r["method"], r["test"], r["pi"],
         _percent(r["ci_coverage"], r["ci_coverage_mcse"]),
         _percent(r["pi_coverage"], r["pi_coverage_mcse"]),
         _percent(r["rejection_rate"], r["rejection_rate_mcse"]),
         "-" if r["mean_ci_width"] is None else f"{r['mean_ci_width']:.3g}",
         "-" if r["bias"] is None else f"{r['bias']:.3g}", str(r["failed"]))
        for r in result.rows
    ]  # fmt: skip
    shard = f", shard {result.shard}" if result.shard else ""
    replications = result.rows[0]["replications"] if result.rows else 0
    lines = [
        f"simulation of {result.plan}: seed {result.seed}, {replications} replications per "
        f"scenario, {result.level:g}% intervals{shard}",
        "coverage and rejection rate in % (Monte Carlo SE); reject: p < "
        f"{1 - result.level / 100:g} (type I error where mu = 0, power otherwise)",
        "",
        *text_table(header, rows),
    ]
    return "\n".join(lines) + "\n"
