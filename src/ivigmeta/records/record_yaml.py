"""A study record (a dict in schema order) written as YAML the loader reads back unchanged.

Numbers are :class:`~ivigmeta.printed.PrintedNumber` and are written as their printed text,
unquoted (``10.0`` stays ``10.0``, ``-8`` stays ``-8``), as docs/records.md asks; counts are
``int``; texts are double-quoted (JSON string escapes are valid YAML), so no text can turn
into a number, a boolean or YAML syntax. Small mappings of scalars are written on one line.
"""

from __future__ import annotations

import json

from ivigmeta.printed import PrintedNumber

__all__ = ["record_yaml"]

_FLOW_WIDTH = 100


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, PrintedNumber):
        return value.text
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _flow(mapping: dict) -> str | None:
    if not all(_is_scalar(v) for v in mapping.values()):
        return None
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in mapping.items()) + "}"


def _lines(value, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            flow = _flow(item) if isinstance(item, dict) else None
            if _is_scalar(item):
                lines.append(f"{pad}{key}: {_scalar(item)}")
            elif flow is not None and len(pad) + len(key) + len(flow) + 2 <= _FLOW_WIDTH:
                lines.append(f"{pad}{key}: {flow}")
            elif isinstance(item, list) and not item:
                lines.append(f"{pad}{key}: []")
            else:
                lines.append(f"{pad}{key}:")
                lines += _lines(item, indent + 2)
    else:
        for item in value:
            if _is_scalar(item):
                lines.append(f"{pad}- {_scalar(item)}")
                continue
            flow = _flow(item) if isinstance(item, dict) else None
            if flow is not None:  # one line per list entry of scalars, however long
                lines.append(f"{pad}- {flow}")
                continue
            inner = _lines(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines += inner[1:]
    return lines


def record_yaml(record: dict, header: str = "") -> str:
    """The YAML text of ``record``; ``header`` lines are written first as comments."""
    comments = [f"# {line}".rstrip() for line in header.splitlines()]
    return "\n".join([*comments, *_lines(record, 0)]) + "\n"
