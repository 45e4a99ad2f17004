"""Read the analyses of a RevMan 5 review (``.rm5``, Cochrane's XML format).

A review (root ``COCHRANE_REVIEW``) keeps its data under ``ANALYSES_AND_DATA``: comparisons
(``COMPARISON NO=...``) hold outcomes; a dichotomous outcome (``DICH_OUTCOME``) holds
``DICH_DATA`` rows (``EVENTS_1 TOTAL_1 EVENTS_2 TOTAL_2``), a continuous one (``CONT_OUTCOME``)
``CONT_DATA`` rows (``MEAN_1 SD_1 TOTAL_1 MEAN_2 SD_2 TOTAL_2``), directly or inside subgroups
(``DICH_SUBGROUP``/``CONT_SUBGROUP``). An outcome's attributes say how RevMan analysed it
(``EFFECT_MEASURE`` OR, RR, RD, PETO_OR, MD, SMD; ``METHOD`` MH, IV, PETO; ``RANDOM``
YES/NO; ``CI_TOTAL``) and hold RevMan's own pooled results (``EFFECT_SIZE CI_START CI_END
CHI2 DF I2 TAU2 Z P_Z``), kept here as the text stored. Study rows name the study by
``STUDY_ID``; the study list (``STUDY ID=... NAME=...``) gives its printed name. Generic
inverse-variance (``IV_OUTCOME``) and O-E (``IPD_OUTCOME``) outcomes are listed but their
rows are not read (:data:`READ_TYPES`).

Safety: the file (at most :data:`MAX_RM5_BYTES` and :data:`MAX_ELEMENTS` elements) is parsed
with the standard library's expat parser directly. A document type declaration
(``<!DOCTYPE``), and with it every entity declaration, is refused before any entity could be
defined, so neither external entities nor entity expansion ("billion laughs") can occur;
RevMan writes no DOCTYPE.
(``defusedxml`` does the same; it is not a dependency of ivigmeta.) Every problem is an
:class:`~ivigmeta.errors.InputError` naming the file and line.

The same :class:`Review` is built from RevMan 5's CSV export by
:mod:`ivigmeta.records.revman_csv` and from RevMan Web data packages by
:mod:`ivigmeta.records.revman_web`. Reference: R package meta, ``read.rm5``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from xml.parsers import expat

from ivigmeta.errors import InputError
from ivigmeta.records.files import read_input_bytes
from ivigmeta.stats.numerics.limits import MAX_COUNT, MAX_MAGNITUDE

MAX_RM5_BYTES = 64 << 20
#: most XML elements read (a large Cochrane review has some 10^5): bounds the memory held
MAX_ELEMENTS = 2_000_000
#: outcome element -> data type; only these outcomes' rows are read
READ_TYPES = {"DICH_OUTCOME": "dichotomous", "CONT_OUTCOME": "continuous"}
OTHER_TYPES = {"IV_OUTCOME": "generic inverse variance", "IPD_OUTCOME": "O-E and variance"}
#: RevMan attribute -> metafor escalc column, per data type
COLUMNS = {
    "dichotomous": (("EVENTS_1", "ai"), ("TOTAL_1", "n1i"), ("EVENTS_2", "ci"),
                    ("TOTAL_2", "n2i")),
    "continuous": (("MEAN_1", "m1i"), ("SD_1", "sd1i"), ("TOTAL_1", "n1i"), ("MEAN_2", "m2i"),
                   ("SD_2", "sd2i"), ("TOTAL_2", "n2i")),
}  # fmt: skip
COUNT_COLUMNS = ("ai", "ci", "n1i", "n2i")
#: RevMan's pooled results of an outcome, kept as stored
STORED = ("EFFECT_SIZE", "CI_START", "CI_END", "Z", "P_Z", "CHI2", "DF", "P_CHI2", "I2", "TAU2")


@dataclass(frozen=True)
class StudyRow:
    """One study's data in an outcome: ``values`` as numbers under escalc's column names
    (``ai n1i ci n2i`` or ``m1i sd1i n1i m2i sd2i n2i``), ``text`` the same as stored;
    ``subgroup`` is the subgroup's name (None outside subgroups); ``line`` where it is."""

    study: str
    study_id: str
    subgroup: str | None
    values: dict[str, float]
    text: dict[str, str]
    line: int


@dataclass(frozen=True)
class Outcome:
    """An outcome of a comparison and how RevMan analysed it. ``measure`` is RevMan's
    ``EFFECT_MEASURE`` (OR, RR, RD, PETO_OR, MD, SMD), ``method`` its ``METHOD`` (MH, IV,
    PETO), ``random`` whether RevMan pooled with random effects, ``level`` its ``CI_TOTAL``
    (percent), ``stored`` RevMan's pooled results as the text stored (empty text where RevMan
    stored none), ``rows`` the studies (empty for data types not read)."""

    comparison: int
    comparison_name: str
    number: int
    name: str
    data_type: str
    measure: str
    method: str
    random: bool
    level: float
    swap_events: bool
    labels: dict[str, str]
    stored: dict[str, str]
    rows: tuple[StudyRow, ...]
    line: int
    subgroups: tuple[str, ...] = ()

    @property
    def readable(self) -> bool:
        return self.data_type in READ_TYPES.values()


@dataclass(frozen=True)
class Review:
    """The analyses of a review file: its title, format and outcomes in file order."""

    file: str
    title: str
    format: str
    outcomes: tuple[Outcome, ...]
    line: int = 1
    comparisons: dict[int, str] = field(default_factory=dict)

    def outcome(self, comparison: int, number: int) -> Outcome:
        """The outcome ``number`` of comparison ``comparison``, or InputError listing those
        the review has."""
        if comparison not in self.comparisons:
            have = ", ".join(map(str, self.comparisons)) or "none"
            raise InputError(f"no comparison {comparison}; the review has {have}",
                             file=self.file, line=self.line, field="comparison")  # fmt: skip
        found = [o for o in self.outcomes if o.comparison == comparison]
        for outcome in found:
            if outcome.number == number:
                return outcome
        have = ", ".join(str(o.number) for o in found) or "none"
        raise InputError(f"comparison {comparison} has no outcome {number}; it has {have}",
                         file=self.file, line=self.line, field="outcome")  # fmt: skip


class _Refused(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line


@dataclass
class _Node:
    tag: str
    attrib: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def find(self, tag: str) -> _Node | None:
        return next((child for child in self.children if child.tag == tag), None)

    def child_text(self, tag: str) -> str:
        child = self.find(tag)
        return "".join(child.text).strip() if child is not None else ""

    def iter(self, tag: str):
        stack = [self]
        while stack:
            node = stack.pop()
            if node.tag == tag:
                yield node
            stack.extend(reversed(node.children))


def parse_xml(data: bytes, name: str) -> _Node:
    """The element tree of ``data``; InputError for malformed XML or a DOCTYPE/ENTITY."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    stack: list[_Node] = []
    roots: list[_Node] = []
    count = [0]

    def refuse(*_args):
        raise _Refused(
            "a DOCTYPE or ENTITY declaration is refused (RevMan writes none; entities could "
            "expand without bound or read other files)",
            parser.CurrentLineNumber,
        )

    def start(tag, attrib):
        count[0] += 1
        if count[0] > MAX_ELEMENTS:
            raise _Refused(f"more than {MAX_ELEMENTS:,} XML elements", parser.CurrentLineNumber)
        node = _Node(tag, attrib, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def text(data):
        if stack:
            stack[-1].text.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Refused as error:
        raise InputError(error.message, file=name, line=error.line) from None
    except expat.ExpatError as error:
        problem = expat.ErrorString(error.code)
        raise InputError(f"not well-formed XML: {problem}", file=name, line=error.lineno) from None
    except (ValueError, LookupError) as error:  # e.g. an encoding Python does not know
        raise InputError(f"cannot read the XML: {error}", file=name, line=1) from None
    return roots[0]


def read_rm5(path: str | os.PathLike[str]) -> Review:
    """The analyses of the RevMan 5 file ``path`` (see the module docstring)."""
    name = os.fspath(path)
    root = parse_xml(read_input_bytes(path, what="RevMan 5 (.rm5)", limit=MAX_RM5_BYTES), name)
    if root.tag != "COCHRANE_REVIEW":
        raise InputError(
            f"expected a RevMan 5 review (root element COCHRANE_REVIEW), got <{root.tag}>",
            file=name,
            line=root.line,
        )
    analyses = root.find("ANALYSES_AND_DATA")
    if analyses is None:
        raise InputError("expected ANALYSES_AND_DATA: the review holds no analyses",
                         file=name, line=root.line)  # fmt: skip
    names = {s.attrib.get("ID", ""): s.attrib.get("NAME", "") for s in root.iter("STUDY")}
    cover = root.find("COVER_SHEET")
    title = cover.child_text("TITLE") if cover is not None else ""
    outcomes: list[Outcome] = []
    comparisons: dict[int, str] = {}
    for comparison in analyses.children:
        if comparison.tag != "COMPARISON":
            continue
        number = whole_number(comparison.attrib.get("NO"), name, comparison.line, "COMPARISON NO")
        if number in comparisons:
            raise InputError(f"comparison {number} appears twice", file=name,
                             line=comparison.line, field="COMPARISON NO")  # fmt: skip
        comparisons[number] = comparison.child_text("NAME")
        seen: set[int] = set()
        for node in comparison.children:
            if node.tag in READ_TYPES or node.tag in OTHER_TYPES:
                outcome = _outcome(node, number, comparisons[number], names, name)
                if outcome.number in seen:
                    raise InputError(f"outcome {outcome.number} appears twice in comparison "
                                     f"{number}", file=name, line=node.line,
                                     field=f"{node.tag} NO")  # fmt: skip
                seen.add(outcome.number)
                outcomes.append(outcome)
    return Review(name, title, "RevMan 5 (RM5 XML)", tuple(outcomes), analyses.line, comparisons)


def _outcome(node: _Node, comparison: int, comparison_name: str, names, file: str) -> Outcome:
    attrib = node.attrib
    number = whole_number(attrib.get("NO"), file, node.line, f"{node.tag} NO")
    data_type = READ_TYPES.get(node.tag) or OTHER_TYPES[node.tag]
    prefix = node.tag.split("_")[0]
    rows: list[StudyRow] = []
    subgroups: list[str] = []
    if data_type in READ_TYPES.values():
        for child in node.children:
            if child.tag == f"{prefix}_SUBGROUP":
                subgroup = child.child_text("NAME") or child.attrib.get("NO", "")
                subgroups.append(subgroup)
                rows += [_row(d, data_type, subgroup, names, file) for d in child.children
                         if d.tag == f"{prefix}_DATA"]  # fmt: skip
            elif child.tag == f"{prefix}_DATA":
                rows.append(_row(child, data_type, None, names, file))
    level = attrib.get("CI_TOTAL") or "95"
    return Outcome(
        comparison=comparison,
        comparison_name=comparison_name,
        number=number,
        name=node.child_text("NAME"),
        data_type=data_type,
        measure=(attrib.get("EFFECT_MEASURE") or node.child_text("EFFECT_MEASURE")).upper(),
        method=(attrib.get("METHOD") or "IV").upper(),
        random=attrib.get("RANDOM", "NO").upper() == "YES",
        level=level_number(level, file, node.line),
        swap_events=attrib.get("SWAP_EVENTS", "NO").upper() == "YES",
        labels={key: node.child_text(key) for key in
                ("GROUP_LABEL_1", "GROUP_LABEL_2", "GRAPH_LABEL_1", "GRAPH_LABEL_2")},
        stored={key: attrib.get(key, "") for key in STORED},
        rows=tuple(rows),
        line=node.line,
        subgroups=tuple(subgroups),
    )  # fmt: skip


def _row(node: _Node, data_type: str, subgroup: str | None, names, file: str) -> StudyRow:
    study_id = node.attrib.get("STUDY_ID", "")
    if not study_id:
        raise InputError("expected the study (STUDY_ID)", file=file, line=node.line,
                         field=f"{node.tag} STUDY_ID")  # fmt: skip
    text = {column: node.attrib.get(attribute, "").strip()
            for attribute, column in COLUMNS[data_type]}  # fmt: skip
    labels = {column: attribute for attribute, column in COLUMNS[data_type]}
    values = study_values(text, data_type, file, node.line, node.tag, labels)
    return StudyRow(names.get(study_id) or study_id, study_id, subgroup, values, text, node.line)


def study_values(text: dict[str, str], data_type: str, file: str, line: int, where: str,
                 attributes: dict[str, str]) -> dict[str, float]:  # fmt: skip
    """``text`` (escalc column -> the number as stored) as numbers, checked: counts are whole
    numbers, events at most the group size, SDs not negative. ``attributes`` maps a column to
    the name the file gives it (for messages); ``where`` names the row's element."""
    by_column = attributes
    values = {}
    for column, typed in text.items():
        label = f"{where} {by_column[column]}"
        if column in COUNT_COLUMNS:
            values[column] = float(whole_number(typed, file, line, label))
        else:
            values[column] = real_number(typed, file, line, label)
    if data_type == "dichotomous":
        for events, size in (("ai", "n1i"), ("ci", "n2i")):
            if values[events] > values[size]:
                raise InputError(
                    f"expected events <= total, got {text[events]} events of {text[size]}",
                    file=file, line=line, field=f"{where} {by_column[events]}",
                )  # fmt: skip
    else:
        for sd in ("sd1i", "sd2i"):
            if values[sd] < 0:
                raise InputError(f"expected an SD >= 0, got {text[sd]}", file=file, line=line,
                                 field=f"{where} {by_column[sd]}")  # fmt: skip
    return values


def whole_number(text: str | None, file: str, line: int, field: str) -> int:
    """``text`` as a whole number from 0 to 10^9 (RevMan's counts), or InputError."""
    typed = (text or "").strip()
    if not typed.isdigit() or len(typed) > 10 or int(typed) > MAX_COUNT:
        shown = typed if len(typed) <= 40 else typed[:37] + "..."
        got = repr(shown) if typed else "nothing (missing data)"
        raise InputError(f"expected a whole number from 0 to {MAX_COUNT:,}, got {got}",
                         file=file, line=line, field=field)  # fmt: skip
    return int(typed)


def real_number(text: str | None, file: str, line: int, field: str) -> float:
    """``text`` as a finite number of magnitude at most 10^15, or InputError."""
    typed = (text or "").strip()
    try:
        value = float(typed)
    except ValueError:
        shown = typed if len(typed) <= 40 else typed[:37] + "..."
        got = repr(shown) if typed else "nothing (missing data)"
        raise InputError(f"expected a number, got {got}", file=file, line=line,
                         field=field) from None  # fmt: skip
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise InputError(f"expected a finite number of magnitude at most 1e+15, got {typed!r}",
                         file=file, line=line, field=field)  # fmt: skip
    return value


def level_number(text: str, file: str, line: int) -> float:
    value = real_number(text, file, line, "CI_TOTAL")
    if not 1 <= value < 100:
        raise InputError(f"expected a confidence level in percent, got {text!r}", file=file,
                         line=line, field="CI_TOTAL")  # fmt: skip
    return value
