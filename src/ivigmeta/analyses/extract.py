"""``ivigmeta extract``: the statistics a text reports, and a draft study record from them.

The text (a file, or ``-`` for standard input) must be UTF-8 without NUL bytes, at most
1 MiB (a whole article is some hundred kB), and not blank; a draft larger than a record may be
(1 MiB) is refused. The statistics come from :func:`ivigmeta.records.extract.find_statistics`
and the draft from :func:`ivigmeta.records.extract_draft.draft_record`; the draft is read back
by the record loader before it is returned, so what ``--out`` writes always loads
(``ivigmeta studies validate``, ``reproduce --studies``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ivigmeta.errors import InputError
from ivigmeta.records.extract import Statistic, find_statistics
from ivigmeta.records.extract_draft import draft_record
from ivigmeta.records.files import decode_text, read_input_bytes
from ivigmeta.records.loader import MAX_FILE_BYTES
from ivigmeta.records.record_yaml import record_yaml
from ivigmeta.records.schema import RecordReader
from ivigmeta.records.yaml_reader import parse_record_text
from ivigmeta.results import Result

__all__ = ["Extraction", "extract", "extract_text"]

#: Largest text accepted (an abstract is a few kB; a whole article some hundred kB).
MAX_TEXT_BYTES = 1 << 20
_ID_TEXT = re.compile(r"^[a-z0-9_]+\Z")


@dataclass(frozen=True)
class Extraction(Result):
    """The statistics found (in text order) and the draft record (YAML schema order)."""

    statistics: tuple[Statistic, ...]
    draft: dict
    draft_yaml: str

    def to_dict(self) -> dict:
        """``{"statistics": [...], "draft": {...}}``; the draft's numbers as printed strings."""
        return {
            "statistics": [s.to_dict() for s in self.statistics],
            "draft": _json_ready(self.draft),
        }


def _json_ready(value):
    from ivigmeta.printed import PrintedNumber

    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, PrintedNumber):
        return value.text
    return value


def draft_id(out: str | None) -> str:
    """The record id for a draft written to ``out`` (the file name stem), ``draft`` without."""
    if out is None:
        return "draft"
    stem = Path(out).stem
    if not _ID_TEXT.match(stem):
        raise InputError(
            f"the file name {Path(out).name!r} must be a record id (lowercase letters, digits "
            "and '_') followed by .yaml, e.g. smith2020.yaml",
            field="--out",
        )
    return stem


def read_text(path: str) -> tuple[str, str]:
    """The text of ``path`` (``-``: standard input) and its name for messages."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
        name = "<stdin>"
        if len(data) > MAX_TEXT_BYTES:
            raise InputError(f"more than {MAX_TEXT_BYTES} bytes of text", file=name)
    else:
        name = path
        data = read_input_bytes(path, what="text", limit=MAX_TEXT_BYTES)
    return decode_text(data, name, "text"), name


def extract_text(text: str, *, name: str = "<text>", study_id: str = "draft") -> Extraction:
    """:func:`extract` of a text already read (``name`` is used in the draft's ``source``)."""
    if not isinstance(text, str):
        raise InputError(f"expected text, got {type(text).__name__}", file=name)
    if not text.strip():
        raise InputError("empty text: expected an abstract or a results paragraph", file=name)
    statistics = tuple(find_statistics(text))
    source = f"draft by ivigmeta extract from {name} ({len(text)} characters); confirm every value"
    record = draft_record(text, list(statistics), study_id, source)
    yaml_text = record_yaml(
        record,
        "Draft record written by `ivigmeta extract`: every value is as printed in the text;\n"
        "the confirm: entries list what a person must check (offsets are Python str indices).",
    )
    data = yaml_text.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"{len(statistics)} statistics make a draft of {len(data)} bytes, more than a record "
            f"may hold ({MAX_FILE_BYTES} bytes): extract a shorter part of the text",
            file=name,
        )
    root = parse_record_text(data, f"{study_id}.yaml")
    RecordReader(f"{study_id}.yaml").study(root, study_id)  # the draft must load as it is
    return Extraction(statistics=statistics, draft=record, draft_yaml=yaml_text)


def extract(path: str, out: str | None = None) -> Extraction:
    """Statistics and draft record of the text file ``path`` (``-`` for standard input).

    Python mirror of ``ivigmeta extract FILE [--out draft.yaml]``; ``out`` only names the
    draft (its id is the file name stem) and is written by the command, not here.
    """
    study_id = draft_id(out)
    text, name = read_text(path)
    return extract_text(text, name=name, study_id=study_id)
