"""Load and validate YAML study records (schema: docs/records.md).

Files are read with the safe loader's *composer* only (``yaml.compose``), never constructed:
the node tree keeps each value's line and its raw scalar text, so ``7.90`` becomes
``PrintedNumber("7.90")`` and error messages point at the line. Every problem raises
:class:`~ivigmeta.errors.InputError` reading ``FILE:LINE: FIELD: what was expected``.
"""

from __future__ import annotations

import difflib
import importlib.resources
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber, ReportedP
from ivigmeta.records.model import (
    AdverseEvent,
    Arm,
    Characteristic,
    Comparison,
    Concomitant,
    Intervention,
    Location,
    Outcome,
    Population,
    Proportion,
    ReportedTest,
    Study,
    Summary,
)
from ivigmeta.records.vocabulary import DESIGNS, OUTCOME_TYPES, OUTCOMES, TESTS

__all__ = [
    "MAX_FILE_BYTES",
    "check_study_set",
    "default_studies_path",
    "load_studies",
    "load_study_file",
    "record_files",
]

#: Largest record file accepted; real records are a few kB.
MAX_FILE_BYTES = 1 << 20

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_NUMBER_TEXT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")
_INTEGER_TEXT = re.compile(r"^[-+]?\d+\Z")
_ID_TEXT = re.compile(r"^[a-z0-9_]+\Z")
_PLAIN_NAME = re.compile(r"^[\w-]+\Z")
_REVIEW_COUNTS = (
    "studies",
    "patients",
    "patients_ivig",
    "records_screened",
    "mrss_studies",
    "mrss_studies_with_benefit",
)
_REVIEW_TEXT = ("search_start", "search_end")


# --------------------------------------------------------------------------- paths


def default_studies_path() -> Path:
    """``./data/studies`` if it exists, else the copy bundled in the wheel, else the repo's.

    The last case is an editable install, where the wheel's ``_data`` folder does not exist.
    """
    local = Path("data") / "studies"
    if local.is_dir():
        return local
    bundled = Path(str(importlib.resources.files("ivigmeta") / "_data" / "studies"))
    if bundled.is_dir():
        return bundled
    repository = Path(__file__).resolve().parents[3] / "data" / "studies"
    if repository.is_dir():
        return repository
    raise InputError("no study records found: pass --studies PATH (a folder of *.yaml records)")


def record_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.glob("*.yaml") if p.is_file())
        if not files:
            raise InputError("folder holds no *.yaml study records", file=str(path))
        return files
    if path.is_file():
        return [path]
    raise InputError("no such file or folder", file=str(path))


# --------------------------------------------------------------------------- public API


def load_studies(
    path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
) -> list[Study]:
    """Load and validate study records, sorted by id.

    ``path`` is a record file, a folder of ``*.yaml`` records, or several of these; ``None``
    means :func:`default_studies_path`. Besides each record's own checks, ids must be unique
    and every ``study:`` reference must name a loaded record (or a ``<id>.yaml`` beside the
    referring file). Raises :class:`InputError` on the first problem.
    """
    if path is None:
        paths = [default_studies_path()]
    elif isinstance(path, (str, os.PathLike)):
        paths = [Path(path)]
    else:
        paths = [Path(p) for p in path]
    studies = [load_study_file(f) for p in paths for f in record_files(p)]
    check_study_set(studies)
    return sorted(studies, key=lambda s: s.id)


def check_study_set(studies: list[Study]) -> None:
    """Cross-record checks: unique ids and resolvable control-trial references."""
    first: dict[str, Study] = {}
    for study in studies:
        if study.id in first:
            other = first[study.id].location
            raise InputError(
                f"duplicate study id {study.id!r} (also in {other.file if other else '?'})",
                file=study.location.file if study.location else None,
                line=study.location.line if study.location else None,
                field="id",
            )
        first[study.id] = study
    for study in studies:
        for index, comparison in enumerate(study.comparisons):
            for side in ("arm", "control"):
                reference = getattr(comparison, side).study
                if reference is None or reference in first:
                    continue
                here = comparison.location
                if here is not None and (Path(here.file).parent / f"{reference}.yaml").is_file():
                    continue
                raise InputError(
                    f"no study record with id {reference!r}",
                    file=here.file if here else None,
                    line=here.line if here else None,
                    field=f"comparisons[{index}].{side}.study",
                )


def load_study_file(path: str | os.PathLike[str]) -> Study:
    """Read, parse and validate one record file (single-record checks only)."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"file is {size} bytes; a study record may be at most {MAX_FILE_BYTES} bytes "
                "(1 MiB)",
                file=name,
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=name) from None
    root = parse_record_text(data, name)
    return _Reader(name).study(root, path.stem)


def parse_record_text(data: bytes, name: str) -> yaml.MappingNode:
    """Decode and compose one YAML record into its node tree (no construction, no aliases)."""
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
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
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
        raise InputError("empty file: expected a study record (a YAML mapping)", file=name)
    if "&" in text or "*" in text:
        _reject_anchors(text, name)
    if not isinstance(root, yaml.MappingNode):
        raise InputError(
            f"expected a study record (a YAML mapping of fields), got {_describe(root)}",
            file=name,
            line=root.start_mark.line + 1,
        )
    return root


def _reject_anchors(text: str, name: str) -> None:
    """Anchors and aliases are refused: they allow exponential 'alias bomb' documents."""
    for token in yaml.scan(text, Loader=_YAML_LOADER):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            sign = "&" if isinstance(token, yaml.AnchorToken) else "*"
            raise InputError(
                f"YAML anchors and aliases are not allowed (found {sign}{token.value}); "
                "write the value out",
                file=name,
                line=token.start_mark.line + 1,
            )


# --------------------------------------------------------------------------- node helpers


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(_TAG)
    if tag == "null":
        return "null"
    if tag == "str":
        text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        return f"text {text!r}"
    if tag in ("int", "float"):
        return f"the number {node.value}"
    if tag == "bool":
        return f"the boolean {node.value}"
    return f"{node.value!r} (tag {node.tag})"


def _closest(name: str, choices) -> str | None:
    """The known name closest to a misspelt one (case-insensitive first), or None."""
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name, list(choices), n=1)
    return close[0] if close else None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null"


def _is_plain(node: yaml.ScalarNode) -> bool:
    return not node.style


class _Reader:
    """Turns the node tree of one file into model objects, checking as it goes."""

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
            raise self.fail(node, path, f"expected {what}, got {_describe(node)}")
        found: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        prefix = f"{path}." if path else ""
        for key, value in node.value:
            if not (isinstance(key, yaml.ScalarNode) and key.tag == _TAG + "str"):
                raise self.fail(key, path, f"field names must be text, got {_describe(key)}")
            name = key.value
            shown = prefix + (name if _PLAIN_NAME.match(name) else repr(name))
            if name in found:
                raise self.fail(key, shown, f"duplicate field (first given on line {lines[name]})")
            if name not in known:
                close = _closest(name, known)
                hint = f"did you mean {close!r}?" if close else "known: " + ", ".join(known)
                raise self.fail(key, shown, f"unknown field ({hint})")
            found[name] = value
            lines[name] = key.start_mark.line + 1
        for name in required:
            if name not in found or _is_null(found[name]):
                raise self.fail(node, prefix + name, "required field is missing")
        return found

    # -- scalars
    def text(self, node: yaml.Node | None, path: str) -> str | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str":
            if not node.value.strip():
                raise self.fail(node, path, "expected text, got an empty string")
            return node.value
        raise self.fail(node, path, f"expected text, got {_describe(node)}")

    def choice(self, node: yaml.Node | None, path: str, choices) -> str | None:
        value = self.text(node, path)
        if value is None or value in choices:
            return value
        close = _closest(value, choices)
        hint = f"did you mean {close!r}?" if close else "expected one of " + ", ".join(choices)
        raise self.fail(node, path, f"unknown value {value!r} ({hint})")

    def number(self, node: yaml.Node | None, path: str) -> PrintedNumber | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and _is_plain(node):
            if node.tag in (_TAG + "int", _TAG + "float") and _NUMBER_TEXT.match(node.value):
                return PrintedNumber(node.value)
            if node.tag == _TAG + "float" and node.value.lower().lstrip("+-") in (".nan", ".inf"):
                raise self.fail(node, path, f"expected a finite number, got {node.value}")
            if node.tag in (_TAG + "int", _TAG + "float"):
                raise self.fail(node, path, f"expected a decimal number, got {node.value}")
        raise self.fail(node, path, f"expected a number, got {_describe(node)}")

    def integer(self, node: yaml.Node | None, path: str, minimum: int | None = None) -> int | None:
        if node is None or _is_null(node):
            return None
        if not (
            isinstance(node, yaml.ScalarNode)
            and _is_plain(node)
            and node.tag == _TAG + "int"
            and _INTEGER_TEXT.match(node.value)
        ):
            raise self.fail(node, path, f"expected a whole number, got {_describe(node)}")
        value = int(node.value)
        if minimum is not None and value < minimum:
            raise self.fail(node, path, f"expected a whole number >= {minimum}, got {value}")
        return value

    def boolean(self, node: yaml.Node | None, path: str) -> bool | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "bool":
            return node.value.lower() in ("true", "yes", "on", "y")
        raise self.fail(node, path, f"expected true or false, got {_describe(node)}")

    def positive(self, node: yaml.Node | None, path: str) -> PrintedNumber | None:
        value = self.number(node, path)
        if value is not None and value <= 0:
            raise self.fail(node, path, f"expected a positive number, got {value.text}")
        return value

    def percent(self, node: yaml.Node | None, path: str) -> PrintedNumber | None:
        value = self.number(node, path)
        if value is not None and not 0 <= value <= 100:
            raise self.fail(node, path, f"expected a percentage from 0 to 100, got {value.text}")
        return value

    def texts(self, node: yaml.Node | None, path: str) -> tuple[str, ...]:
        return tuple(self.text(item, f"{path}[{i}]") for i, item in self.items(node, path))

    def items(self, node: yaml.Node | None, path: str):
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, path, f"expected a list, got {_describe(node)}")
        return list(enumerate(node.value))

    def many(self, node: yaml.Node | None, path: str, read: Callable[[yaml.Node, str], Any]):
        return tuple(read(item, f"{path}[{i}]") for i, item in self.items(node, path))

    def count_within(self, path: str, f: dict, count: int | None, n: int | None) -> None:
        if count is not None and n is not None and count > n:
            raise self.fail(f["count"], f"{path}.count", f"count {count} is more than n = {n}")

    # -- record parts
    def summary(self, node: yaml.Node, path: str) -> Summary:
        f = self.fields(node, path, ("mean", "sd", "se", "n"))
        return Summary(
            mean=self.number(f.get("mean"), f"{path}.mean"),
            sd=self.positive(f.get("sd"), f"{path}.sd"),
            se=self.positive(f.get("se"), f"{path}.se"),
            n=self.integer(f.get("n"), f"{path}.n", minimum=1),
        )

    def proportion(self, node: yaml.Node, path: str) -> Proportion:
        f = self.fields(node, path, ("count", "percent", "n"))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        percent = self.percent(f.get("percent"), f"{path}.percent")
        self.count_within(path, f, count, n)
        if count is None and percent is None:
            raise self.fail(node, path, "expected a count or a percent")
        return Proportion(count=count, percent=percent, n=n)

    def reported(self, node: yaml.Node, path: str) -> ReportedTest:
        f = self.fields(node, path, ("p", "test", "statistic", "df"))
        return ReportedTest(
            p=self.p_value(f.get("p"), f"{path}.p"),
            test=self.choice(f.get("test"), f"{path}.test", TESTS),
            statistic=self.number(f.get("statistic"), f"{path}.statistic"),
            df=self.positive(f.get("df"), f"{path}.df"),
        )

    def p_value(self, node: yaml.Node | None, path: str) -> ReportedP | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag in (
            _TAG + "str",
            _TAG + "int",
            _TAG + "float",
        ):
            try:
                return ReportedP.parse(node.value)
            except ValueError:
                pass
        raise self.fail(
            node, path, f'expected a p-value such as 0.005 or "<0.0001", got {_describe(node)}'
        )

    def timepoint(self, node: yaml.Node, path: str, f: dict) -> dict[str, Any]:
        months = self.number(f.get("timepoint_months"), f"{path}.timepoint_months")
        weeks = self.number(f.get("timepoint_weeks"), f"{path}.timepoint_weeks")
        label = self.text(f.get("timepoint"), f"{path}.timepoint")
        for value, key in ((months, "timepoint_months"), (weeks, "timepoint_weeks")):
            if value is not None and value < 0:
                raise self.fail(f[key], f"{path}.{key}", f"expected a number >= 0, got {value}")
        if months is not None and weeks is not None:
            raise self.fail(
                f["timepoint_weeks"],
                f"{path}.timepoint_weeks",
                "give timepoint_months or timepoint_weeks, not both",
            )
        if months is None and weeks is None and label is None:
            raise self.fail(
                node,
                f"{path}.timepoint_months",
                "required: timepoint_months, timepoint_weeks or a timepoint description",
            )
        return {"timepoint_months": months, "timepoint_weeks": weeks, "timepoint": label}

    def outcome_name(self, node: yaml.Node | None, path: str, kind: str | None) -> str:
        name = self.choice(node, path, OUTCOMES)
        if kind is not None and OUTCOMES[name].kind != kind:
            raise self.fail(
                node, path, f"outcome {name!r} is a {OUTCOMES[name].kind}, expected a {kind}"
            )
        return name

    def outcome(self, node: yaml.Node, path: str) -> Outcome:
        known = (
            "outcome",
            "type",
            "timepoint_months",
            "timepoint_weeks",
            "timepoint",
            "unit",
            "baseline",
            "followup",
            "change",
            "before",
            "after",
            "reported",
            "flags",
            "notes",
        )
        f = self.fields(node, path, known, required=("outcome", "type"))
        kind_of_type = self.choice(f["type"], f"{path}.type", OUTCOME_TYPES)
        kind = OUTCOME_TYPES[kind_of_type]
        parts = ("baseline", "followup", "change") if kind == "continuous" else ("before", "after")
        for key in ("baseline", "followup", "change", "before", "after"):
            if key in f and key not in parts:
                raise self.fail(
                    f[key],
                    f"{path}.{key}",
                    f"not a part of a {kind_of_type} outcome (expected {', '.join(parts)})",
                )
        read = self.summary if kind == "continuous" else self.proportion
        values = {
            key: read(f[key], f"{path}.{key}") if key in f and not _is_null(f[key]) else None
            for key in parts
        }
        reported = self.reported(f["reported"], f"{path}.reported") if "reported" in f else None
        if all(v is None for v in values.values()) and (reported is None or reported.p is None):
            raise self.fail(
                node, path, f"outcome has no numbers (expected {', '.join(parts)} or reported.p)"
            )
        return Outcome(
            outcome=self.outcome_name(f["outcome"], f"{path}.outcome", kind),
            type=kind_of_type,
            unit=self.text(f.get("unit"), f"{path}.unit"),
            reported=reported,
            flags=self.texts(f.get("flags"), f"{path}.flags"),
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
            **self.timepoint(node, path, f),
            **values,
        )

    def arm(self, node: yaml.Node, path: str) -> Arm:
        f = self.fields(node, path, ("label", "mean", "sd", "se", "n", "study"), ("label",))
        study = self.text(f.get("study"), f"{path}.study")
        if study is not None and not _ID_TEXT.match(study):
            raise self.fail(f["study"], f"{path}.study", f"expected a study id, got {study!r}")
        return Arm(
            label=self.text(f["label"], f"{path}.label"),
            mean=self.number(f.get("mean"), f"{path}.mean"),
            sd=self.positive(f.get("sd"), f"{path}.sd"),
            se=self.positive(f.get("se"), f"{path}.se"),
            n=self.integer(f.get("n"), f"{path}.n", minimum=1),
            study=study,
        )

    def comparison(self, node: yaml.Node, path: str) -> Comparison:
        known = (
            "outcome",
            "timepoint_months",
            "timepoint_weeks",
            "timepoint",
            "arm",
            "control",
            "reported",
            "flags",
            "notes",
        )
        f = self.fields(node, path, known, required=("outcome", "arm", "control"))
        return Comparison(
            outcome=self.outcome_name(f["outcome"], f"{path}.outcome", "continuous"),
            arm=self.arm(f["arm"], f"{path}.arm"),
            control=self.arm(f["control"], f"{path}.control"),
            reported=self.reported(f["reported"], f"{path}.reported") if "reported" in f else None,
            flags=self.texts(f.get("flags"), f"{path}.flags"),
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
            **self.timepoint(node, path, f),
        )

    def adverse_event(self, node: yaml.Node, path: str) -> AdverseEvent:
        known = ("event", "count", "percent", "n", "arm", "serious", "notes")
        f = self.fields(node, path, known, ("event",))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        percent = self.percent(f.get("percent"), f"{path}.percent")
        self.count_within(path, f, count, n)
        if count is None and percent is None:
            raise self.fail(node, path, "expected a count or a percent")
        return AdverseEvent(
            event=self.text(f["event"], f"{path}.event"),
            count=count,
            percent=percent,
            n=n,
            arm=self.text(f.get("arm"), f"{path}.arm"),
            serious=self.boolean(f.get("serious"), f"{path}.serious"),
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
        )

    def concomitant(self, node: yaml.Node, path: str) -> Concomitant:
        f = self.fields(node, path, ("agent", "count", "n"), ("agent",))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        self.count_within(path, f, count, n)
        return Concomitant(agent=self.text(f["agent"], f"{path}.agent"), count=count, n=n)

    def characteristic(self, node: yaml.Node, path: str) -> Characteristic:
        known = ("name", "arm", "mean", "sd", "count", "percent", "n", "notes")
        f = self.fields(node, path, known, ("name",))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        self.count_within(path, f, count, n)
        return Characteristic(
            name=self.text(f["name"], f"{path}.name"),
            arm=self.text(f.get("arm"), f"{path}.arm"),
            mean=self.number(f.get("mean"), f"{path}.mean"),
            sd=self.positive(f.get("sd"), f"{path}.sd"),
            count=count,
            percent=self.percent(f.get("percent"), f"{path}.percent"),
            n=n,
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
        )

    def population(self, node: yaml.Node | None, path: str) -> Population:
        if node is None or _is_null(node):
            return Population()
        f = self.fields(node, path, ("n", "subtype", "refractory", "description"))
        return Population(
            n=self.integer(f.get("n"), f"{path}.n", minimum=1),
            subtype=self.text(f.get("subtype"), f"{path}.subtype"),
            refractory=self.boolean(f.get("refractory"), f"{path}.refractory"),
            description=self.text(f.get("description"), f"{path}.description"),
        )

    def intervention(self, node: yaml.Node | None, path: str) -> Intervention | None:
        if node is None or _is_null(node):
            return None
        f = self.fields(node, path, ("agent", "dose", "addon", "description"), ("agent",))
        return Intervention(
            agent=self.text(f["agent"], f"{path}.agent"),
            dose=self.text(f.get("dose"), f"{path}.dose"),
            addon=self.boolean(f.get("addon"), f"{path}.addon"),
            description=self.text(f.get("description"), f"{path}.description"),
        )

    def review(self, node: yaml.Node | None, path: str) -> dict | None:
        if node is None or _is_null(node):
            return None
        f = self.fields(node, path, (*_REVIEW_COUNTS, *_REVIEW_TEXT, "designs"))
        review: dict[str, Any] = {}
        for key in _REVIEW_COUNTS:
            if key in f:
                review[key] = self.integer(f[key], f"{path}.{key}", minimum=0)
        for key in _REVIEW_TEXT:
            if key in f:
                review[key] = self.text(f[key], f"{path}.{key}")
        if "designs" in f:
            designs = self.fields(f["designs"], f"{path}.designs", DESIGNS)
            review["designs"] = {
                d: self.integer(v, f"{path}.designs.{d}", minimum=0) for d, v in designs.items()
            }
        return review

    def study(self, node: yaml.MappingNode, stem: str) -> Study:
        known = (
            "id",
            "citation",
            "year",
            "source",
            "design",
            "population",
            "intervention",
            "concomitant",
            "risk_of_bias",
            "outcomes",
            "comparisons",
            "adverse_events",
            "characteristics",
            "review",
            "flags",
            "notes",
        )
        f = self.fields(
            node,
            "",
            known,
            ("id", "citation", "year", "source", "design"),
            "a study record (a YAML mapping of fields)",
        )
        study_id = self.text(f["id"], "id")
        if not _ID_TEXT.match(study_id):
            raise self.fail(
                f["id"], "id", f"expected lowercase letters, digits and '_', got {study_id!r}"
            )
        if study_id != stem:
            raise self.fail(
                f["id"], "id", f"{study_id!r} does not match the file name (expected {stem!r})"
            )
        year = self.integer(f["year"], "year")
        if not 1900 <= year <= 2100:
            raise self.fail(f["year"], "year", f"expected a year from 1900 to 2100, got {year}")
        return Study(
            id=study_id,
            citation=self.text(f["citation"], "citation"),
            year=year,
            source=self.text(f["source"], "source"),
            design=self.choice(f["design"], "design", DESIGNS),
            population=self.population(f.get("population"), "population"),
            intervention=self.intervention(f.get("intervention"), "intervention"),
            concomitant=self.many(f.get("concomitant"), "concomitant", self.concomitant),
            risk_of_bias=self.text(f.get("risk_of_bias"), "risk_of_bias"),
            outcomes=self.many(f.get("outcomes"), "outcomes", self.outcome),
            comparisons=self.many(f.get("comparisons"), "comparisons", self.comparison),
            adverse_events=self.many(f.get("adverse_events"), "adverse_events", self.adverse_event),
            characteristics=self.many(
                f.get("characteristics"), "characteristics", self.characteristic
            ),
            review=self.review(f.get("review"), "review"),
            flags=self.texts(f.get("flags"), "flags"),
            notes=self.text(f.get("notes"), "notes"),
            location=self.where(node),
        )
