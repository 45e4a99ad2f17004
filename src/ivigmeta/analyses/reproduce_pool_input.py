"""The YAML file behind ``ivigmeta reproduce-pool``: a meta-analysis as a paper prints it.

```yaml
measure: OR                  # an escalc measure read on its own scale or as exp() (ratios)
level: 95                    # optional: the level of the printed intervals
studies:                     # raw data, columns named as pool --csv / metafor's escalc ...
  - {id: s01, ai: 41, n1i: 126, ci: 52, n2i: 150}
  - {id: s02, effect: "0.49", ci: ["0.34", "0.70"]}   # ... or the printed estimate and CI
pooled: {estimate: "0.90", ci: ["0.69", "1.18"], i2: "88%", tau2: "0.31"}
```

``pooled`` takes any of ``estimate``, ``ci`` (two limits), ``pi`` (two limits), ``i2`` (a
percentage, "88%" or 88), ``tau2``, ``tau``, ``q`` (Cochran's Q), ``q_p`` (its p) and ``p``
(the pooled effect's; "0.03", "<0.001"). Numbers may be quoted or plain; either way the printed
text is kept (``"0.70"`` has two decimals). For ratio measures (OR, RR, ...) the printed
estimates and limits are on the natural scale; tau², tau and Q on the model (log) scale.
Read with the records' safe composer (:mod:`ivigmeta.records.yaml_reader`): every problem
names the file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ivigmeta.effects.escalc import REQUIRED_COLUMNS, escalc
from ivigmeta.effects.transforms import back_transform
from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber, ReportedP
from ivigmeta.records.yaml_reader import TAG, NodeReader, describe, parse_record_text
from ivigmeta.stats.checks.rounding import parse_reported_p
from ivigmeta.stats.numerics.limits import number_problem, typed_number_problem

TOP_KEYS = ("measure", "level", "studies", "pooled")
POOLED_KEYS = ("estimate", "ci", "pi", "i2", "tau2", "tau", "q", "q_p", "p")
_COUNTS = ("ai", "bi", "ci", "di", "n1i", "n2i", "xi", "ni", "x1i", "x2i")
MAX_BYTES = 1 << 20
MAX_STUDIES = 2000
#: the search over the printed rows' rounding boxes costs about (rows)² per model
MAX_PRINTED_ROWS = 200


def measures() -> tuple[str, ...]:
    """escalc measures whose printed values are read on the model scale or as exp()."""
    return tuple(m for m in REQUIRED_COLUMNS
                 if back_transform(m) is None or back_transform(m).function == "exp")  # fmt: skip


def is_ratio(measure: str) -> bool:
    """Whether the measure is printed as exp() of its model scale (OR, RR, ...)."""
    transform = back_transform(measure)
    return transform is not None and transform.function == "exp"


@dataclass(frozen=True)
class RawRow:
    id: str
    columns: dict
    line: int


@dataclass(frozen=True)
class PrintedRow:
    id: str
    effect: PrintedNumber
    low: PrintedNumber
    high: PrintedNumber
    line: int


@dataclass(frozen=True)
class PrintedMeta:
    """A validated input file: its studies in order and the printed pooled quantities (name ->
    PrintedNumber, ReportedP for p and q_p, a pair for ci and pi)."""

    file: str
    measure: str
    level: float
    studies: tuple
    pooled: dict = field(default_factory=dict)


def read_printed_meta(path: str | Path) -> PrintedMeta:
    """Read and validate an input file (InputError naming file, line and field)."""
    path = Path(path)
    name = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError("the input may be at most 1 MiB", file=name)
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=name) from None
    root = parse_record_text(data, name, what="a printed meta-analysis")
    reader = _Reader(name)
    f = reader.fields(root, "", TOP_KEYS, required=("measure", "studies", "pooled"))
    choices = measures()
    measure = reader.text(f["measure"], "measure")
    if measure.upper() not in choices:
        raise reader.fail(f["measure"], "measure", f"expected one of {', '.join(choices)}, "
                          f"got {measure!r}")  # fmt: skip
    measure = measure.upper()
    level = 95.0
    if "level" in f:
        level = float(reader.number(f["level"], "level"))
        if not 0 < level < 100:
            raise reader.fail(f["level"], "level", f"expected a level between 0 and 100, "
                              f"got {level:g}")  # fmt: skip
    items = reader.items(f["studies"], "studies")
    if not items:
        raise reader.fail(f["studies"], "studies", "expected a list of at least one study")
    if len(items) > MAX_STUDIES:
        raise reader.fail(f["studies"], "studies", f"at most {MAX_STUDIES} studies")
    studies = tuple(reader.study(node, f"studies[{i}]", measure, i) for i, node in items)
    printed = [s for s in studies if isinstance(s, PrintedRow)]
    if len(printed) > MAX_PRINTED_ROWS:
        raise InputError(f"at most {MAX_PRINTED_ROWS} printed study rows (effect and ci); "
                         f"got {len(printed)}", file=name, line=printed[-1].line,
                         field="studies")  # fmt: skip
    ids = [s.id for s in studies]
    for i, study in enumerate(studies):
        if ids.index(study.id) != i:
            raise InputError(f"duplicate study id {study.id!r}", file=name, line=study.line,
                             field=f"studies[{i}].id")  # fmt: skip
    pooled = reader.pooled(f["pooled"], measure)
    return PrintedMeta(name, measure, level, studies, pooled)


class _Reader(NodeReader):
    def printed(self, node, path: str) -> PrintedNumber:
        """A number as printed, quoted ("0.70") or plain (0.70), its text kept."""
        if isinstance(node, yaml.ScalarNode) and node.tag in (TAG + "str", TAG + "int",
                                                              TAG + "float"):  # fmt: skip
            text = node.value.strip()
            problem = typed_number_problem(text)
            if problem is None:
                value = PrintedNumber(text)
                problem = number_problem(value)
                if problem is None:
                    return value
            raise self.fail(node, path, problem)
        raise self.fail(node, path, f"expected a number, got {describe(node)}")

    def limits(self, node, path: str, ratio: bool) -> tuple[PrintedNumber, PrintedNumber]:
        items = self.items(node, path) if isinstance(node, yaml.SequenceNode) else None
        if items is None or len(items) != 2:
            shown = describe(node) if items is None else f"a list of {len(items)}"
            raise self.fail(node, path, f'expected two limits such as ["0.34", "0.70"], '
                            f"got {shown}")  # fmt: skip
        low, high = (self.positive_if(item, f"{path}[{i}]", ratio) for i, item in items)
        if low > high:
            raise self.fail(node, path, f"expected the lower limit first, got {low} > {high}")
        return low, high

    def positive_if(self, node, path: str, ratio: bool) -> PrintedNumber:
        value = self.printed(node, path)
        if ratio and value < 0:
            raise self.fail(node, path, f"expected a ratio >= 0, got {value}")
        return value

    def study(self, node, path: str, measure: str, index: int):
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, path, f"expected a mapping of one study, got {describe(node)}")
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        line = node.start_mark.line + 1
        if "effect" in keys:
            f = self.fields(node, path, ("id", "effect", "ci"), required=("effect", "ci"))
            ratio = is_ratio(measure)
            effect = self.positive_if(f["effect"], f"{path}.effect", ratio)
            low, high = self.limits(f["ci"], f"{path}.ci", ratio)
            if not low <= effect <= high:
                raise self.fail(f["effect"], f"{path}.effect", f"expected the estimate within "
                                f"its CI [{low}, {high}], got {effect}")  # fmt: skip
            if ratio and float(low) == 0:
                raise self.fail(f["ci"], f"{path}.ci", "a ratio limit printed as 0 has no "
                                "logarithm; expected more decimals")  # fmt: skip
            study_id = self._id(f.get("id"), path, index)
            return PrintedRow(study_id, effect, low, high, line)
        columns = tuple(dict.fromkeys(c for option in REQUIRED_COLUMNS[measure] for c in option))
        f = self.fields(node, path, ("id", *columns), what="a mapping of one study")
        values = {}
        for name, value in f.items():
            if name == "id":
                continue
            where = f"{path}.{name}"
            if name in _COUNTS:
                values[name] = self.integer(value, where, minimum=0)
            else:
                values[name] = self.printed(value, where)
        try:
            escalc(measure, **values)
        except InputError as error:
            target = f.get(error.field or "", node)
            shown = f"{path}.{error.field}" if error.field in f else path
            if error.field == "measure":
                raise self.fail(node, path, f"expected the {measure} columns "
                                f"{' or '.join(' '.join(o) for o in REQUIRED_COLUMNS[measure])},"
                                " or effect and ci") from None  # fmt: skip
            raise self.fail(target, shown, error.message) from None
        return RawRow(self._id(f.get("id"), path, index), values, line)

    def _id(self, node, path: str, index: int) -> str:
        if node is None:
            return f"study {index + 1}"
        if isinstance(node, yaml.ScalarNode) and node.tag != TAG + "null" and node.value.strip():
            return node.value.strip()
        raise self.fail(node, f"{path}.id", f"expected a study name, got {describe(node)}")

    def pooled(self, node, measure: str) -> dict:
        f = self.fields(node, "pooled", POOLED_KEYS, what="a mapping of the printed pooled line")
        f = {k: v for k, v in f.items() if not (isinstance(v, yaml.ScalarNode)
                                                 and v.tag == TAG + "null")}  # fmt: skip
        if not f:
            raise self.fail(node, "pooled", "expected at least one of " + ", ".join(POOLED_KEYS))
        ratio = is_ratio(measure)
        out: dict = {}
        for name, value in f.items():
            where = f"pooled.{name}"
            if name in ("ci", "pi"):
                out[name] = self.limits(value, where, ratio)
            elif name in ("p", "q_p"):
                out[name] = self.p_value(value, where)
            elif name == "i2":
                out[name] = self.percent_text(value, where)
            else:
                number = self.positive_if(value, where, name == "estimate" and ratio)
                if name in ("tau2", "tau", "q") and number < 0:
                    raise self.fail(value, where, f"expected a number >= 0, got {number}")
                out[name] = number
        return out

    def p_value(self, node, path: str) -> ReportedP:
        if not isinstance(node, yaml.ScalarNode) or node.tag == TAG + "bool":
            raise self.fail(node, path, f"expected a p-value, got {describe(node)}")
        try:
            return parse_reported_p(node.value)
        except InputError as error:
            raise self.fail(node, path, error.message) from None

    def percent_text(self, node, path: str) -> PrintedNumber:
        if isinstance(node, yaml.ScalarNode) and node.value.strip().endswith("%"):
            text = node.value.strip()[:-1].strip()
            node = yaml.ScalarNode(TAG + "str", text, node.start_mark, node.end_mark)
        value = self.printed(node, path)
        if not 0 <= value <= 100:
            raise self.fail(node, path, f"expected a percentage from 0 to 100, got {value}")
        return value
