"""Outcomes a folder of records declares in an ``outcomes.yaml`` beside them (docs/records.md).

```yaml
outcomes:
  - name: fvc_percent              # lowercase letters, digits and '_'
    label: "FVC, % predicted"      # optional; what was measured
    type: continuous               # continuous | binary | time-to-event
    unit: "% predicted"            # optional
    better: higher                 # optional: lower | higher
    minimum: 0                     # optional (continuous): possible range, for range checks
    maximum: 200
    integer: false                 # optional (continuous): whole-number values (GRIM)
```

The bundled vocabulary (:data:`ivigmeta.records.vocabulary.OUTCOMES`) is the default set; a
folder's declarations are added to it, and a declaration of a bundled name replaces the bundled
definition for that folder (``ivigmeta outcomes`` shows where each came from). The file is read
like a record (:mod:`ivigmeta.records.yaml_reader`: composer only, no aliases) and every problem
is an :class:`~ivigmeta.errors.InputError` reading ``FILE:LINE: FIELD: what was expected``; an
outcome declared twice (in one file or in two folders read together) is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from ivigmeta.records.files import read_input_bytes
from ivigmeta.records.vocabulary import DIRECTIONS, KINDS, OUTCOMES, OutcomeDefinition
from ivigmeta.records.yaml_reader import (
    TAG,
    NodeReader,
    closest,
    describe,
    is_null,
    parse_record_text,
)

#: File names of an outcome declaration file, looked for beside the records.
OUTCOMES_FILE_NAMES = ("outcomes.yaml", "outcomes.yml")
#: Largest declaration file read.
MAX_OUTCOMES_FILE_BYTES = 1 << 20
_NAME_TEXT = re.compile(r"^[a-z][a-z0-9_]*\Z")
_FIELDS = ("name", "label", "type", "unit", "better", "integer", "minimum", "maximum")
_SCALE_FIELDS = ("integer", "minimum", "maximum")


def is_outcomes_file(path: Path) -> bool:
    """Whether ``path`` is named as an outcome declaration file (not a study record)."""
    return path.name.lower() in OUTCOMES_FILE_NAMES


def outcomes_file_of(path: Path) -> Path | None:
    """The declaration file that applies to the record folder or file ``path``, if any."""
    if is_outcomes_file(path):
        return path
    folder = path if path.is_dir() else path.parent
    for name in OUTCOMES_FILE_NAMES:
        candidate = folder / name
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return None


def folder_vocabulary(
    paths: Iterable[str | os.PathLike[str]],
) -> dict[str, OutcomeDefinition]:
    """The bundled vocabulary merged with the declarations beside the record ``paths``."""
    vocabulary = dict(OUTCOMES)
    declared: dict[str, OutcomeDefinition] = {}
    seen: set[Path] = set()
    for path in paths:
        file = outcomes_file_of(Path(path))
        if file is None or file.resolve() in seen:
            continue
        seen.add(file.resolve())
        for name, definition in read_outcomes_file(file, declared).items():
            declared[name] = definition
            vocabulary[name] = definition
    return vocabulary


def read_outcomes_file(
    path: str | os.PathLike[str], already: dict[str, OutcomeDefinition] | None = None
) -> dict[str, OutcomeDefinition]:
    """The outcomes declared in one ``outcomes.yaml``; ``already`` holds declarations read
    from other files, which may not be repeated."""
    name = os.fspath(path)
    data = read_input_bytes(path, what="outcome declaration", limit=MAX_OUTCOMES_FILE_BYTES)
    root = parse_record_text(data, name, "an outcome declaration file")
    return _OutcomesReader(name).declarations(root, already or {})


class _OutcomesReader(NodeReader):
    def declarations(
        self, root: yaml.MappingNode, already: dict[str, OutcomeDefinition]
    ) -> dict[str, OutcomeDefinition]:
        top = self.fields(root, "", ("outcomes",), ("outcomes",))
        found: dict[str, OutcomeDefinition] = {}
        for index, item in self.items(top["outcomes"], "outcomes"):
            definition = self.declaration(item, f"outcomes[{index}]")
            first = found.get(definition.name) or already.get(definition.name)
            if first is not None:
                raise self.fail(
                    item,
                    f"outcomes[{index}].name",
                    f"expected each outcome declared once: {definition.name!r} is already "
                    f"declared at {first.declared}",
                )
            found[definition.name] = definition
        return found

    def declaration(self, node: yaml.Node, path: str) -> OutcomeDefinition:
        f = self.fields(node, path, _FIELDS, ("name", "type"))
        name = self.text(f["name"], f"{path}.name")
        if not _NAME_TEXT.match(name):
            raise self.fail(
                f["name"],
                f"{path}.name",
                f"expected lowercase letters, digits and '_' (starting with a letter), got "
                f"{name!r}",
            )
        kind = self.one_of(f["type"], f"{path}.type", KINDS)
        better = self.one_of(f.get("better"), f"{path}.better", DIRECTIONS)
        if kind != "continuous":
            for key in _SCALE_FIELDS:
                if key in f:
                    raise self.fail(
                        f[key], f"{path}.{key}", f"expected no {key} for a {kind} outcome "
                        "(integer, minimum and maximum describe a continuous scale)"
                    )  # fmt: skip
        minimum = self.number(f.get("minimum"), f"{path}.minimum")
        maximum = self.number(f.get("maximum"), f"{path}.maximum")
        if minimum is not None and maximum is not None and not minimum < maximum:
            raise self.fail(
                f["maximum"],
                f"{path}.maximum",
                f"expected a maximum above the minimum {minimum.text}, got {maximum.text}",
            )
        label = self.text(f.get("label"), f"{path}.label")
        return OutcomeDefinition(
            name=name,
            description=label or name.replace("_", " "),
            kind=kind,
            unit=self.text(f.get("unit"), f"{path}.unit"),
            integer=bool(self.boolean(f.get("integer"), f"{path}.integer")),
            minimum=None if minimum is None else float(minimum),
            maximum=None if maximum is None else float(maximum),
            better=better,
            declared=f"{self.file}:{node.start_mark.line + 1}",
        )

    def one_of(self, node: yaml.Node | None, path: str, choices: tuple[str, ...]) -> str | None:
        """``expected lower or higher, got 'up'`` (with the closest choice when one is near)."""
        if node is None or is_null(node):
            return None
        words = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        if not (isinstance(node, yaml.ScalarNode) and node.tag == TAG + "str"):
            raise self.fail(node, path, f"expected {words}, got {describe(node)}")
        if node.value in choices:
            return node.value
        close = closest(node.value, choices)
        hint = f" (did you mean {close!r}?)" if close else ""
        raise self.fail(node, path, f"expected {words}, got {node.value!r}{hint}")
