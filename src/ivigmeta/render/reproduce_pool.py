"""Renderers for ``reproduce-pool``: plain table, JSON, CSV or Markdown.

The table lists every model (method/test) with its verdict and a mark per printed quantity
(``ok``: this model reaches the printed number, ``--``: it does not), the conventions that
reproduce (PI rule, I² definition, zero-cell handling), what the reproducing models give, and
the notes. JSON is the result's ``to_dict()``; CSV and Markdown have one row per model.
"""

from __future__ import annotations

from ivigmeta.render.analysis_tables import csv_text, json_text, markdown_table, text_table

_NAMES = {"estimate": "estimate", "ci_low": "CI low", "ci_high": "CI high", "p": "p",
          "pi_low": "PI low", "pi_high": "PI high", "tau2": "tau²", "tau": "tau", "i2": "I²",
          "q": "Q", "q_p": "p(Q)", "ci": "CI", "pi": "PI"}  # fmt: skip


def render_reproduce_pool(result, output_format: str) -> str:
    if output_format == "json":
        return json_text(result)
    names = list(result.intervals)
    header = ["model", "verdict", *(_NAMES[n] for n in names), "conventions"]
    rows = [_row(c, names, output_format) for c in _ordered(result.candidates)]
    if output_format == "csv":
        header = ["method", "test", "verdict", *names, "pi_rules", "i2_rules", "zero_cells"]
        return csv_text(header, [[c.method, c.test, c.verdict, *(c.quantities[n] for n in names),
                                  _join(c.pi_rules), _join(c.i2_rules), _join(c.zero_cells)]
                                 for c in _ordered(result.candidates)])  # fmt: skip
    lines = [_title(result), "", _verdict_line(result), ""]
    if output_format == "md":
        lines += markdown_table(header, rows)
    else:
        lines += text_table(header, rows)
    given = [c for c in _ordered(result.candidates) if c.values]
    if given:
        lines += ["", "What the reproducing models give (one point of the rounding boxes):"]
        for c in given[:6]:
            lines.append(
                f"  {c.method}/{c.test}: "
                + ", ".join(f"{_NAMES[n]} {c.values[n]:.4g}" for n in names if n in c.values)
            )
        if len(given) > 6:
            lines.append(f"  ... and {len(given) - 6} more (--format json lists them)")
    for heading, items in (("Notes", list(result.notes.items())),
                           ("Cautions", [(None, c) for c in result.cautions])):  # fmt: skip
        if items:
            lines += ["", f"{heading}:"]
            lines += [f"  - {name + ': ' if name else ''}{text}" for name, text in items]
    return "\n".join(lines) + "\n"


def _ordered(candidates):
    """Reproducing models first, then by how many printed numbers each reaches."""

    def reached(c) -> int:
        return sum(v == "consistent" for v in c.quantities.values())

    return sorted(candidates, key=lambda c: (c.verdict != "consistent", -reached(c)))


def _row(c, names, output_format: str) -> list[str]:
    marks = ["ok" if c.quantities[n] == "consistent" else "--" for n in names]
    conventions = []
    if c.pi_rules:
        conventions.append("PI " + "/".join(c.pi_rules))
    if c.i2_rules:
        conventions.append("I² " + "/".join(c.i2_rules))
    if c.zero_cells:
        conventions.append("; ".join(c.zero_cells[:2]) + (" ..." if len(c.zero_cells) > 2 else ""))
    return [f"{c.method}/{c.test}", c.verdict, *marks, "; ".join(conventions)]


def _join(values) -> str | None:
    return None if values is None else " | ".join(values)


def _title(result) -> str:
    printed = "; ".join(f"{_NAMES.get(n, n)} {' to '.join(v) if isinstance(v, list) else v}"
                        for n, v in result.printed.items())  # fmt: skip
    plural = "s" if result.printed_rows > 1 else ""
    rows = f", {result.printed_rows} printed study row{plural}" if result.printed_rows else ""
    return (
        f"reproduce-pool: {result.file}: {result.measure}, k = {result.k}{rows}, "
        f"{result.level:g}% intervals\nprinted: {printed}"
    )


def _verdict_line(result) -> str:
    if result.reproduced_by:
        return (
            f"Reproduced by {len(result.reproduced_by)} of {len(result.candidates)} models: "
            + ", ".join(result.reproduced_by)
        )
    return f"No model of the {len(result.candidates)} tried reproduces the printed line."
