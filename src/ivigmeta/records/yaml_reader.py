"""Reading YAML record files as node trees, and typed values from their nodes.

Files are read with the safe C loader's *composer* only (``yaml.compose``), never constructed:
the node tree keeps each value's line and its raw scalar text, so ``7.90`` becomes
``PrintedNumber("7.90")`` and error messages point at the line. Anchors and aliases are refused.
:class:`NodeReader` turns scalar, list and mapping nodes into checked values, raising
:class:`~ivigmeta.errors.InputError` reading ``FILE:LINE: FIELD: what was expected``; the
record schema itself lives in :mod:`ivigmeta.records.loader`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

import yaml

from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber
from ivigmeta.records.model import Location
from ivigmeta.stats.numerics.limits import (
    MAX_COUNT,
    count_problem,
    number_problem,
    typed_number_problem,
)

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TAG = "tag:yaml.org,2002:"
_NUMBER_TEXT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")
_INTEGER_TEXT = re.compile(r"^[-+]?\d+\Z")
_PLAIN_NAME = re.compile(r"^[\w-]+\Z")


#: Deepest nesting of lists and mappings accepted. Records need 4 levels and plans 3; the
#: limit keeps PyYAML's recursive composer far from its C stack (a 100,000-deep document of
#: ``[[[...]]]`` crashes it).
MAX_DEPTH = 32


def parse_record_text(data: bytes, name: str, what: str = "a study record") -> yaml.MappingNode:
    """Decode and compose one YAML file into its node tree (no construction, no aliases);
    ``what`` names the mapping expected at the top (a study record, a simulation plan)."""
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes): expected UTF-8 YAML text", file=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})",
            file=name,
            line=line,
        ) from None
    root = compose_document(text, name, f"{what} (a YAML mapping)")
    if not isinstance(root, yaml.MappingNode):
        raise InputError(
            f"expected {what} (a YAML mapping of fields), got {describe(root)}",
            file=name,
            line=root.start_mark.line + 1,
        )
    return root


def compose_document(text: str, name: str, expected: str) -> yaml.Node:
    """The node tree of the single YAML document ``text`` with the safe C loader's composer,
    after one streaming pass over its events that refuses anchors, aliases and nesting deeper
    than :data:`MAX_DEPTH`. ``expected`` words the content for an empty file. Every problem is
    an InputError naming ``name`` and the line."""
    try:
        _check_events(text, name)
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if error.context == "expected a single document in the stream":
            problem = "expected one YAML document, found a second one"
        raise InputError(
            f"invalid YAML: {' '.join(problem.split())}",
            file=name,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        position = getattr(error, "position", None)
        line = text[:position].count("\n") + 1 if isinstance(position, int) else None
        reason = getattr(error, "reason", None) or "unreadable text"
        raise InputError(f"invalid YAML: {reason}", file=name, line=line) from None
    if root is None:
        raise InputError(f"empty file: expected {expected}", file=name)
    return root


def _check_events(text: str, name: str) -> None:
    """Refuse anchors and aliases (they allow exponential 'alias bomb' documents) and nesting
    deeper than :data:`MAX_DEPTH`, reading the event stream (which has no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=YAML_LOADER):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise InputError(
                f"YAML anchors and aliases are not allowed (found {sign}{anchor}); "
                "write the value out",
                file=name,
                line=event.start_mark.line + 1,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    f"lists and mappings nested more than {MAX_DEPTH} levels deep",
                    file=name,
                    line=event.start_mark.line + 1,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def describe(node: yaml.Node) -> str:
    """A node in words for messages ("a list", "text 'abc'", "the number 7.9", "the date
    2015-01-01"), long values shortened."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(TAG)
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if tag == "null":
        return "null"
    if tag == "str":
        return f"text {value!r}"
    if tag in ("int", "float"):
        return f"the number {value}"
    if tag == "bool":
        return f"the boolean {value}"
    if tag == "timestamp":
        return f"the date {value}"
    shown = "!!" + tag if node.tag.startswith(TAG) else node.tag
    return f"{value!r} with the tag {shown}"


def closest(name: str, choices) -> str | None:
    """The known name closest to a misspelt one (case-insensitive first), or None."""
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name, list(choices), n=1)
    return close[0] if close else None


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == TAG + "null"


def is_plain(node: yaml.ScalarNode) -> bool:
    return not node.style


class NodeReader:
    """Typed values from the nodes of one file, each checked, with its file and line."""

    def __init__(self, file: str) -> None:
        self.file = file

    # -- errors and locations
    def fail(self, node: yaml.Node, field: str, message: str) -> InputError:
        return InputError(message, file=self.file, line=node.start_mark.line + 1, field=field)

    def where(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1)

    # -- mappings
    def fields(
        self,
        node: yaml.Node,
        path: str,
        known: tuple[str, ...],
        required: tuple[str, ...] = (),
        what: str = "a mapping",
    ) -> dict[str, yaml.Node]:
        """The fields of a mapping node, refusing unknown, duplicate and missing ones."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, path, f"expected {what}, got {describe(node)}")
        found: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        prefix = f"{path}." if path else ""
        for key, value in node.value:
            if not (isinstance(key, yaml.ScalarNode) and key.tag == TAG + "str"):
                raise self.fail(key, path, f"field names must be text, got {describe(key)}")
            name = key.value
            shown = prefix + (name if _PLAIN_NAME.match(name) else repr(name))
            if name in found:
                raise self.fail(key, shown, f"duplicate field (first given on line {lines[name]})")
            if name not in known:
                close = closest(name, known)
                hint = f"did you mean {close!r}?" if close else "known: " + ", ".join(known)
                raise self.fail(key, shown, f"unknown field ({hint})")
            found[name] = value
            lines[name] = key.start_mark.line + 1
        for name in required:
            if name not in found or is_null(found[name]):
                raise self.fail(node, prefix + name, "required field is missing")
        return found

    # -- scalars
    def text(self, node: yaml.Node | None, path: str) -> str | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag == TAG + "str":
            if not node.value.strip():
                raise self.fail(node, path, "expected text, got an empty string")
            return node.value
        raise self.fail(node, path, f"expected text, got {describe(node)}")

    def choice(self, node: yaml.Node | None, path: str, choices) -> str | None:
        value = self.text(node, path)
        if value is None or value in choices:
            return value
        close = closest(value, choices)
        hint = f"did you mean {close!r}?" if close else "expected one of " + ", ".join(choices)
        raise self.fail(node, path, f"unknown value {value!r} ({hint})")

    def number(self, node: yaml.Node | None, path: str) -> PrintedNumber | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and is_plain(node):
            if node.tag in (TAG + "int", TAG + "float") and _NUMBER_TEXT.match(node.value):
                problem = typed_number_problem(node.value)
                if problem is None:
                    value = PrintedNumber(node.value)
                    problem = number_problem(value)
                if problem:
                    raise self.fail(node, path, problem)
                return value
            if node.tag == TAG + "float" and node.value.lower().lstrip("+-") in (".nan", ".inf"):
                raise self.fail(node, path, f"expected a finite number, got {node.value}")
            if node.tag in (TAG + "int", TAG + "float"):
                raise self.fail(node, path, f"expected a decimal number, got {node.value}")
        raise self.fail(node, path, f"expected a number, got {describe(node)}")

    def integer(self, node: yaml.Node | None, path: str, minimum: int | None = None) -> int | None:
        if node is None or is_null(node):
            return None
        if not (
            isinstance(node, yaml.ScalarNode)
            and is_plain(node)
            and node.tag == TAG + "int"
            and _INTEGER_TEXT.match(node.value)
        ):
            raise self.fail(node, path, f"expected a whole number, got {describe(node)}")
        digits = node.value.lstrip("+-").lstrip("0")
        if len(digits) > 10:  # never int() thousands of digits (Python refuses 4,300+)
            raise self.fail(
                node,
                path,
                f"expected a whole number <= {MAX_COUNT:,}, got one of {len(digits)} digits",
            )
        value = int(node.value)
        problem = count_problem(value, -MAX_COUNT if minimum is None else minimum)
        if problem:
            raise self.fail(node, path, problem)
        return value

    def boolean(self, node: yaml.Node | None, path: str) -> bool | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag == TAG + "bool":
            return node.value.lower() in ("true", "yes", "on", "y")
        raise self.fail(node, path, f"expected true or false, got {describe(node)}")

    def positive(self, node: yaml.Node | None, path: str) -> PrintedNumber | None:
        value = self.number(node, path)
        if value is not None and value <= 0:
            raise self.fail(node, path, f"expected a positive number, got {value.text}")
        problem = None if value is None else number_problem(value, positive=True)
        if problem:
            raise self.fail(node, path, problem)
        return value

    def percent(self, node: yaml.Node | None, path: str) -> PrintedNumber | None:
        value = self.number(node, path)
        if value is not None and not 0 <= value <= 100:
            raise self.fail(node, path, f"expected a percentage from 0 to 100, got {value.text}")
        return value

    def texts(self, node: yaml.Node | None, path: str) -> tuple[str, ...]:
        return tuple(self.text(item, f"{path}[{i}]") for i, item in self.items(node, path))

    def items(self, node: yaml.Node | None, path: str):
        if node is None or is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, path, f"expected a list, got {describe(node)}")
        return list(enumerate(node.value))

    def many(self, node: yaml.Node | None, path: str, read: Callable[[yaml.Node, str], Any]):
        return tuple(read(item, f"{path}[{i}]") for i, item in self.items(node, path))
