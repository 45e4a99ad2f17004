"""Batch plans: a YAML file listing analyses, expanded into one :class:`PlannedAnalysis` each.

```yaml
studies: ../data/studies          # optional; relative to the plan file
defaults:                         # optional; merged under every entry
  level: 95
analyses:
  - outcome: mrss
    measure: [MC, SMCC]           # a list expands: one analysis per value
    method: [DL, REML, PM]
    test: [z, knha]
  - csv: bcg.csv                  # a CSV table (metafor escalc column names)
    measure: RR
    method: REML
```

Entry keys are the options of :func:`ivigmeta.pool` (``outcome csv measure timepoint design
addon method test pi level r studies``; ``addon: true``/``false`` keeps the studies whose
``intervention.addon`` is true/false, records without it are left out by either). Lists
expand to their cross product, in the order the keys are written (defaults first). Paths are
relative to the plan file. Problems raise :class:`~ivigmeta.errors.InputError` naming the
file, line and field.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ivigmeta.errors import InputError
from ivigmeta.stats.models.prediction import PI_CHOICES
from ivigmeta.stats.models.rma import METHODS, TESTS

KEYS = ("outcome", "csv", "measure", "timepoint", "design", "addon", "method", "test", "pi")
KEYS += ("level", "r", "studies")
TOP_KEYS = ("studies", "defaults", "analyses")
MAX_ANALYSES = 1_000_000


@dataclass(frozen=True)
class PlannedAnalysis:
    """One analysis: its 1-based number, the plan line of its entry and its options."""

    number: int
    line: int
    options: dict[str, Any]


def read_plan(path: str | Path) -> list[PlannedAnalysis]:
    """Read, validate and expand a plan file."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text", file=name) from None
    root = _compose(text, name)
    if not isinstance(root, yaml.MappingNode):
        raise InputError(
            "expected a plan: a mapping with an 'analyses' list", file=name, line=_line(root)
        )
    top = _mapping(root, name, TOP_KEYS, "plan")
    base = path.parent
    defaults: dict[str, tuple[int, yaml.Node]] = {}
    if "studies" in top:
        defaults["studies"] = top["studies"]
    if "defaults" in top:
        line, node = top["defaults"]
        if not isinstance(node, yaml.MappingNode):
            raise InputError(
                "expected a mapping of options", file=name, line=line, field="defaults"
            )
        defaults.update(_mapping(node, name, KEYS, "defaults"))
    if "analyses" not in top:
        raise InputError("expected an 'analyses' list", file=name, line=1, field="analyses")
    line, entries = top["analyses"]
    if not isinstance(entries, yaml.SequenceNode) or not entries.value:
        raise InputError(
            "expected a non-empty list of analyses", file=name, line=line, field="analyses"
        )
    planned: list[PlannedAnalysis] = []
    for index, entry in enumerate(entries.value):
        where = f"analyses[{index}]"
        if not isinstance(entry, yaml.MappingNode):
            raise InputError(
                "expected a mapping of options", file=name, line=_line(entry), field=where
            )
        fields = {**defaults, **_mapping(entry, name, KEYS, where)}
        if "outcome" not in fields and "csv" not in fields:
            raise InputError(
                "expected 'outcome' (study records) or 'csv' (a table)",
                file=name,
                line=_line(entry),
                field=where,
            )
        choices = {
            key: _values(key, node, name, line, f"{where}.{key}", base, "csv" in fields)
            for key, (line, node) in fields.items()
        }
        for combination in itertools.product(*choices.values()):
            if len(planned) >= MAX_ANALYSES:
                raise InputError(
                    f"the plan expands to more than {MAX_ANALYSES} analyses",
                    file=name,
                    line=_line(entry),
                    field=where,
                )
            options = dict(zip(choices, combination, strict=True))
            planned.append(PlannedAnalysis(len(planned) + 1, _line(entry), options))
    return planned


def _compose(text: str, name: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(
            f"invalid YAML: {error.problem or error.context}",
            file=name,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {error}", file=name) from None
    if root is None:
        raise InputError("empty file: expected a plan with an 'analyses' list", file=name)
    return root


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(
    node: yaml.MappingNode, name: str, allowed: tuple[str, ...], where: str
) -> dict[str, tuple[int, yaml.Node]]:
    """Keys -> (line, value node); unknown or repeated keys are errors."""
    fields: dict[str, tuple[int, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in allowed:
            raise InputError(
                f"unknown key {key!r}; expected one of {', '.join(allowed)}",
                file=name,
                line=_line(key_node),
                field=where,
            )
        if key in fields:
            raise InputError(
                "key given twice", file=name, line=_line(key_node), field=f"{where}.{key}"
            )
        fields[key] = (_line(key_node), value_node)
    return fields


def _values(
    key: str, node: yaml.Node, name: str, line: int, field: str, base: Path, label_only: bool
) -> list:
    """The validated values of one option (a list expands; a scalar is a list of one).

    ``label_only``: the entry reads a CSV table, so ``outcome`` is just a label."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        raise InputError("expected at least one value", file=name, line=line, field=field)
    values = []
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            raise InputError(
                "expected a value or a list of values", file=name, line=_line(item), field=field
            )
        try:
            values.append(_check(key, _scalar(item), base, label_only))
        except ValueError as problem:
            raise InputError(str(problem), file=name, line=_line(item), field=field) from None
    return values


def _scalar(node: yaml.ScalarNode) -> Any:
    """A YAML scalar as Python (null, bool, int, float or str), by the tag YAML resolved."""
    constructor = yaml.constructor.SafeConstructor()
    return constructor.construct_object(node)


def _check(key: str, value: Any, base: Path, label_only: bool) -> Any:
    """Normalise one option value or raise ValueError saying what was expected."""
    if key in ("csv", "studies"):
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a path, got {value!r}")
        return str(base / value)
    if key == "method":
        return _choice(str(value).upper() if isinstance(value, str) else value, METHODS)
    if key == "test":
        return _choice(value, TESTS)
    if key == "pi":
        return _choice(value, PI_CHOICES)
    if key == "level":
        if not _is_number(value) or not 0 < value < 100:
            raise ValueError(f"expected a confidence level in percent (0-100), got {value!r}")
        return float(value)
    if key == "r":
        if value is None:
            return None
        if not _is_number(value) or not -1 <= value <= 1:
            raise ValueError(f"expected a correlation between -1 and 1 (or null), got {value!r}")
        return float(value)
    if key == "timepoint":
        if value is None or value == "latest" or (_is_number(value) and value >= 0):
            return value
        raise ValueError(f"expected months >= 0, 'latest' or null, got {value!r}")
    if key == "measure":
        from ivigmeta.effects.escalc import MEASURES

        return _choice(str(value).upper() if isinstance(value, str) else value, MEASURES)
    if key == "outcome":
        from ivigmeta.records.vocabulary import OUTCOMES

        if label_only and isinstance(value, str) and value:
            return value
        return _choice(value, tuple(sorted(OUTCOMES)))
    if key == "design":
        from ivigmeta.records.vocabulary import DESIGNS

        return None if value is None else _choice(value, DESIGNS)
    if key == "addon":
        if value is None or isinstance(value, bool):
            return value
        raise ValueError(f"expected true, false or null, got {value!r}")
    raise AssertionError(key)


def _choice(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
