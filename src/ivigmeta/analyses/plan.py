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
  - csv: bcg-excel.csv            # written by a spreadsheet in a decimal-comma locale
    delimiter: ";"                # ",", ";" or tab (default: sniffed from the header)
    decimal: ","
    measure: RR
```

Entry keys are the options of :func:`ivigmeta.pool` (``outcome csv measure timepoint design
addon agent method test pi level r studies delimiter decimal``; ``delimiter`` and ``decimal``
only with ``csv``; ``addon: true``/``false`` keeps the studies whose ``intervention.addon`` is
true/false, records without it are left out by either; ``agent`` keeps the studies of one
intervention agent). An ``outcome`` is a name of the vocabulary of the records the entry reads
(the bundled outcomes and an ``outcomes.yaml`` beside them). Lists
expand to their cross product, in the order the keys are written (defaults first). Paths are
relative to the plan file and must exist (patterns such as ``*.csv`` are not expanded: list
the files). Problems raise :class:`~ivigmeta.errors.InputError` naming the file, line and field.

The plan is read like a study record (:mod:`ivigmeta.records.yaml_reader`: the safe C
loader's composer, no anchors, at most 32 levels of nesting, no tags other than YAML's core
scalars) and never expanded in memory: :class:`Plan` counts the cross product first, refuses
plans of more than :data:`MAX_ANALYSES` analyses, and yields the analyses one at a time.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ivigmeta.errors import InputError
from ivigmeta.records.files import decode_text, read_input_bytes
from ivigmeta.records.yaml_reader import TAG, closest, compose_document, describe
from ivigmeta.stats.models.prediction import PI_CHOICES
from ivigmeta.stats.models.rma import METHODS, TESTS

KEYS = ("outcome", "csv", "measure", "timepoint", "design", "addon", "agent", "method", "test")
KEYS += ("pi", "level", "r", "studies", "delimiter", "decimal")
DATA_KEYS = ("outcome", "csv", "studies", "measure", "timepoint", "design", "addon", "agent")
DATA_KEYS += ("delimiter", "decimal", "r")  # r last: the builder of a selection takes it
CSV_KEYS = ("delimiter", "decimal")
TOP_KEYS = ("studies", "defaults", "analyses")
#: Most analyses one plan may hold (~2-3 minutes of work); split larger plans.
MAX_ANALYSES = 100_000
#: Largest plan file read.
MAX_PLAN_BYTES = 1 << 20
_SCALAR_TAGS = {TAG + name for name in ("null", "bool", "int", "float")}
_PLAIN_TAGS = _SCALAR_TAGS | {TAG + "str", TAG + "timestamp"}
_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class PlannedAnalysis:
    """One analysis: its 1-based number, the plan line of its entry and its options."""

    number: int
    line: int
    options: dict[str, Any]


@dataclass(frozen=True)
class PlanInput:
    """A file or folder the plan reads, with the plan line and field that names it."""

    path: str
    line: int
    field: str


@dataclass(frozen=True)
class _Entry:
    """One entry of ``analyses``: its options' values (the cross product is its analyses)."""

    line: int
    keys: tuple[str, ...]
    choices: tuple[tuple[Any, ...], ...]
    first: int  # analyses before this entry
    size: int


class Plan(Sequence[PlannedAnalysis]):
    """The analyses of a plan file, as a sequence computed on demand (never held in memory).

    ``inputs`` lists the files and folders the plan reads; ``keys`` the option names it uses."""

    def __init__(self, path: str, entries: list[_Entry], inputs: list[PlanInput]) -> None:
        self.path = path
        self._entries = entries
        self.inputs = tuple(inputs)
        self.keys = tuple(key for key in KEYS if any(key in e.keys for e in entries))

    def __len__(self) -> int:
        return sum(entry.size for entry in self._entries)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        for entry in self._entries:
            if 0 <= index - entry.first < entry.size:
                return _numbered(entry, index - entry.first)
        raise IndexError(index)

    def __iter__(self) -> Iterator[PlannedAnalysis]:
        for entry in self._entries:
            number = entry.first
            for combination in itertools.product(*entry.choices):
                number += 1
                yield PlannedAnalysis(
                    number, entry.line, dict(zip(entry.keys, combination, strict=True))
                )

    def data_selections(self) -> int:
        """How many distinct data selections (outcome, table, measure, timepoint, design,
        addon, r) the analyses use: the effect sizes are computed once for each."""
        seen = set()
        for entry in self._entries:
            pairs = zip(entry.keys, entry.choices, strict=True)
            data = [(key, values) for key, values in pairs if key in DATA_KEYS]
            names = [key for key, _ in data]
            for combination in itertools.product(*(values for _, values in data)):
                options = dict(zip(names, combination, strict=True))
                seen.add(tuple(options.get(key) for key in DATA_KEYS))
        return len(seen)


def _numbered(entry: _Entry, offset: int) -> PlannedAnalysis:
    values = []
    rest = offset
    for values_of_key in reversed(entry.choices):
        rest, index = divmod(rest, len(values_of_key))
        values.append(values_of_key[index])
    options = dict(zip(entry.keys, reversed(values), strict=True))
    return PlannedAnalysis(entry.first + offset + 1, entry.line, options)


def read_plan(path: str | Path) -> Plan:
    """Read and validate a plan file; its analyses are counted, not expanded."""
    path = Path(path)
    name = str(path)
    text = decode_text(read_input_bytes(path, what="plan", limit=MAX_PLAN_BYTES), name, "plan")
    root = compose_document(text, name, "a plan with an 'analyses' list")
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
    planned: list[_Entry] = []
    inputs: list[PlanInput] = [PlanInput(name, 1, "plan")]
    total = 0
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
        for key in CSV_KEYS:
            if key in fields and "csv" not in fields:
                raise InputError("describes a CSV table: give 'csv' too", file=name,
                                 line=fields[key][0], field=f"{where}.{key}")  # fmt: skip
        vocabulary = _vocabulary(fields, name, where, base)
        table = "csv" in fields
        choices = {
            key: _values(key, node, name, line, f"{where}.{key}", base, table, vocabulary)
            for key, (line, node) in fields.items()
        }
        for key in ("csv", "studies"):
            for value in choices.get(key, ()):
                inputs.append(PlanInput(value, fields[key][0], f"{where}.{key}"))
        size = math.prod(len(values) for values in choices.values())
        if total + size > MAX_ANALYSES:
            raise InputError(
                f"the plan expands to more than {MAX_ANALYSES} analyses (this entry alone to "
                f"{size}); split it into several plans",
                file=name,
                line=_line(entry),
                field=where,
            )
        planned.append(_Entry(_line(entry), tuple(choices), tuple(map(tuple, choices.values())),
                              total, size))  # fmt: skip
        total += size
    return Plan(name, planned, inputs)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _vocabulary(fields: dict, name: str, where: str, base: Path) -> dict | None:
    """The outcome vocabulary of the records an entry reads (the bundled one merged with the
    ``outcomes.yaml`` beside them), or None for an entry of CSV tables."""
    from ivigmeta.records.loader import default_studies_path
    from ivigmeta.records.outcomes_file import folder_vocabulary

    if "outcome" not in fields or "csv" in fields:
        return None
    paths = [default_studies_path()]
    if "studies" in fields:
        line, node = fields["studies"]
        paths = [Path(p) for p in _values("studies", node, name, line, f"{where}.studies", base,
                                          False, None)]  # fmt: skip
    return folder_vocabulary(paths)


def _mapping(
    node: yaml.MappingNode, name: str, allowed: tuple[str, ...], where: str
) -> dict[str, tuple[int, yaml.Node]]:
    """Keys -> (line, value node); unknown or repeated keys are errors."""
    fields: dict[str, tuple[int, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == TAG + "str"):
            raise InputError(
                f"expected an option name, got {describe(key_node)}",
                file=name,
                line=_line(key_node),
                field=where,
            )
        key = key_node.value
        if key not in allowed:
            close = closest(key, allowed)
            hint = f"did you mean {close!r}?" if close else f"expected one of {', '.join(allowed)}"
            raise InputError(
                f"unknown key {key!r} ({hint})", file=name, line=_line(key_node), field=where
            )
        if key in fields:
            raise InputError(
                "key given twice", file=name, line=_line(key_node), field=f"{where}.{key}"
            )
        fields[key] = (_line(key_node), value_node)
    return fields


def _values(
    key: str,
    node: yaml.Node,
    name: str,
    line: int,
    field: str,
    base: Path,
    label_only: bool,
    vocabulary: dict | None,
) -> list:
    """The validated values of one option (a list expands; a scalar is a list of one).

    ``label_only``: the entry reads a CSV table, so ``outcome`` is just a label; otherwise it
    is a name of ``vocabulary`` (the outcomes of the records the entry reads)."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        raise InputError("expected at least one value", file=name, line=line, field=field)
    values = []
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            raise InputError(
                f"expected a value or a list of values, got {describe(item)}",
                file=name,
                line=_line(item),
                field=field,
            )
        if item.tag not in _PLAIN_TAGS:
            raise InputError(
                f"unsupported YAML tag {describe(item).rsplit(' ', 1)[-1]}; write a plain value",
                file=name,
                line=_line(item),
                field=field,
            )
        try:
            values.append(_check(key, _scalar(item), base, label_only, vocabulary))
        except ValueError as problem:
            raise InputError(
                f"{problem}, got {describe(item)}", file=name, line=_line(item), field=field
            ) from None
    return values


def _scalar(node: yaml.ScalarNode) -> Any:
    """A YAML scalar as Python: null, bool, int and float by the tag YAML resolved; text and
    dates as their text (explicit tags such as ``!!python/name:`` are refused before)."""
    if node.tag in _SCALAR_TAGS:
        if node.tag == TAG + "int" and len(node.value) > 30:
            raise ValueError("expected a number of at most 30 digits")
        return yaml.constructor.SafeConstructor().construct_object(node)
    return node.value


def _check(key: str, value: Any, base: Path, label_only: bool, vocabulary=None) -> Any:
    """Normalise one option value or raise ValueError saying what was expected."""
    if key in ("csv", "studies"):
        if not isinstance(value, str) or not value:
            raise ValueError("expected a path")
        path = base / value
        if not os.path.lexists(path):
            if _GLOB_CHARACTERS & set(value):
                raise ValueError(
                    "no such file (patterns are not expanded: list the files, e.g. [a.csv, b.csv])"
                )
            raise ValueError(f"no such {'file' if key == 'csv' else 'file or folder'}")
        return str(path)
    if key == "method":
        return _choice(value.upper() if isinstance(value, str) else value, METHODS)
    if key == "test":
        return _choice(value.lower() if isinstance(value, str) else value, TESTS)
    if key == "pi":
        return _choice(value.lower() if isinstance(value, str) else value, PI_CHOICES)
    if key == "level":
        if not _is_number(value) or not 0 < value < 100:
            raise ValueError("expected a confidence level in percent (0-100)")
        return float(value)
    if key == "r":
        if value is None:
            return None
        if not _is_number(value) or not -1 <= value <= 1:
            raise ValueError("expected a correlation between -1 and 1 (or null)")
        return float(value)
    if key == "timepoint":
        if value is None or value == "latest" or (_is_number(value) and value >= 0):
            return value
        raise ValueError("expected months >= 0, 'latest' or null")
    if key == "measure":
        from ivigmeta.effects.escalc import MEASURES

        return _choice(value.upper() if isinstance(value, str) else value, MEASURES)
    if key == "outcome":
        from ivigmeta.records.vocabulary import OUTCOMES

        if label_only and isinstance(value, str) and value:
            return value
        names = tuple(sorted(OUTCOMES if vocabulary is None else vocabulary))
        return _choice(value.lower() if isinstance(value, str) else value, names)
    if key == "design":
        from ivigmeta.records.vocabulary import DESIGNS

        return None if value is None else _choice(value, DESIGNS)
    if key == "delimiter":
        names = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "\\t": "\t"}
        if value is None or (isinstance(value, str) and value.lower() in names):
            return None if value is None else names[value.lower()]
        raise ValueError("expected ',', ';' or tab (or null: sniffed)")
    if key == "decimal":
        if value in (".", ","):
            return value
        raise ValueError("expected '.' or ','")
    if key == "addon":
        if value is None or isinstance(value, bool):
            return value
        raise ValueError("expected true, false or null")
    if key == "agent":
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        raise ValueError("expected the name of an intervention agent (or null)")
    raise AssertionError(key)


def _choice(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        close = closest(value, allowed) if isinstance(value, str) else None
        hint = f" (did you mean {close!r}?)" if close else ""
        raise ValueError(f"expected one of {', '.join(allowed)}{hint}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
