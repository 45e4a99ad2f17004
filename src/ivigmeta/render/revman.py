"""What ``ivigmeta import rm5`` prints: the files written per outcome, and the outcomes left
out (``--format json``: the :class:`~ivigmeta.analyses.revman_import.ImportResult`)."""

from __future__ import annotations

import json


def render_import(result, output_format: str = "table") -> str:
    if output_format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    lines = [f"{result.source} ({result.format}): {len(result.outcomes)} outcome(s) written "
             f"to {result.out}"]  # fmt: skip
    for item in result.outcomes:
        lines.append(f"  {item.comparison}.{item.outcome} {item.name}: {item.data_type}, "
                     f"k = {item.k}, RevMan {item.measure} {item.method} -> {item.csv} "
                     f"(+ {item.sidecar.rsplit('/', 1)[-1]})")  # fmt: skip
    lines += [f"  left out: {reason}" for reason in result.skipped]
    return "\n".join(lines) + "\n"
