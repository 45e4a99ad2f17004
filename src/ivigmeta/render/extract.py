"""Renderers for ``extract``: the statistics as a table, JSON of statistics and draft, the
draft as YAML."""

from __future__ import annotations

import json

from ivigmeta.render.reproduce import _rich_table

_VALUE_ORDER = ("estimate", "low", "high", "level", "mean", "sd", "count", "n", "percent",
                "versus", "p")  # fmt: skip


def _values(values: dict) -> str:
    keys = sorted(values, key=lambda k: _VALUE_ORDER.index(k) if k in _VALUE_ORDER else 99)
    return ", ".join(f"{k} {values[k] if values[k] is not None else '?'}" for k in keys)


def render_extraction(result, output_format: str) -> str:
    """``table``: one row per statistic (kind, offsets, quote, values) and a line on the
    draft; ``json``: :meth:`Extraction.to_dict`; ``yaml``: the draft record."""
    if output_format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "yaml":
        return result.draft_yaml
    rows = [
        [s.kind, f"{s.start}–{s.end}", " ".join(s.text.split()), _values(s.values)]
        for s in result.statistics
    ]
    draft = result.draft
    placed = len(draft.get("outcomes", ())) + len(draft.get("comparisons", ()))
    summary = (
        f"{len(rows)} statistics; the draft pairs {placed} outcome/comparison entries and lists "
        f"{len(draft['confirm'])} items to confirm (--out FILE.yaml or --format yaml writes it)\n"
    )
    if not rows:
        return "no statistics found\n" + summary
    return _rich_table(("kind", "offsets", "text", "values"), rows) + summary
