"""Load and validate YAML study records (schema: docs/records.md).

The files are read as node trees by :mod:`ivigmeta.records.yaml_reader` (safe composer only,
so ``7.90`` stays ``PrintedNumber("7.90")`` and every value keeps its line); this module holds
the record schema: which fields each part has and what they must hold. Every problem raises
:class:`~ivigmeta.errors.InputError` reading ``FILE:LINE: FIELD: what was expected``.
"""

from __future__ import annotations

import importlib.resources
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ivigmeta.errors import InputError
from ivigmeta.records.files import read_input_bytes
from ivigmeta.records.model import (
    Study,
)
from ivigmeta.records.outcomes_file import folder_vocabulary, is_outcomes_file
from ivigmeta.records.schema import RecordReader
from ivigmeta.records.vocabulary import OutcomeDefinition
from ivigmeta.records.yaml_reader import (
    parse_record_text,
)

__all__ = [
    "MAX_FILE_BYTES",
    "RecordSet",
    "check_study_set",
    "default_studies_path",
    "load_record_set",
    "load_studies",
    "load_study_file",
    "record_files",
    "shadowing_note",
]

#: Largest record file accepted; real records are a few kB.
MAX_FILE_BYTES = 1 << 20


# --------------------------------------------------------------------------- paths


def default_studies_path() -> Path:
    """``./data/studies`` if it exists, else the copy bundled in the wheel, else the repo's.

    The last case is an editable install, where the wheel's ``_data`` folder does not exist.
    """
    local = Path("data") / "studies"
    if local.is_dir():
        return local
    packaged = _packaged_studies()
    if packaged is None:
        raise InputError("no study records found: pass --studies PATH (a folder of *.yaml records)")
    return packaged


def _packaged_studies() -> Path | None:
    bundled = Path(str(importlib.resources.files("ivigmeta") / "_data" / "studies"))
    if bundled.is_dir():
        return bundled
    repository = Path(__file__).resolve().parents[3] / "data" / "studies"
    return repository if repository.is_dir() else None


def shadowing_note() -> str | None:
    """A note when ``./data/studies`` in the working folder is read instead of the records
    bundled with ivigmeta (None when there is no such folder or it is the bundled one)."""
    local = Path("data") / "studies"
    if not local.is_dir():
        return None
    packaged = _packaged_studies()
    if packaged is not None and local.resolve() == packaged.resolve():
        return None
    return (
        f"study records read from ./data/studies in the working folder ({local.resolve()}), "
        "not the records bundled with ivigmeta; --studies PATH chooses"
    )


RECORD_SUFFIXES = (".yaml", ".yml")


def record_files(path: Path) -> list[Path]:
    """The record files of a folder (``*.yaml`` and ``*.yml``, hidden files and the outcome
    declarations ``outcomes.yaml`` left out), or the path itself (none for an
    ``outcomes.yaml``). Entries with a record suffix that are not regular files (folders,
    FIFOs, devices, broken links, link loops) are returned too, so that reading them names
    them."""
    if path.is_dir():
        files = sorted(
            entry
            for entry in path.iterdir()
            if entry.suffix.lower() in RECORD_SUFFIXES
            and not entry.name.startswith(".")
            and not is_outcomes_file(entry)
        )
        if not files:
            raise InputError("folder holds no *.yaml or *.yml study records", file=str(path))
        return files
    return [] if is_outcomes_file(path) else [path]


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class RecordSet:
    """Validated study records (sorted by id) and the outcome vocabulary they were checked
    against: the bundled one merged with the ``outcomes.yaml`` beside the records."""

    studies: list[Study]
    outcomes: dict[str, OutcomeDefinition]


PathArgument = str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None


def _paths(path: PathArgument) -> list[Path]:
    if path is None:
        return [default_studies_path()]
    if isinstance(path, (str, os.PathLike)):
        return [Path(path)]
    return [Path(p) for p in path]


def load_record_set(path: PathArgument = None) -> RecordSet:
    """Load and validate study records with their folder's outcome vocabulary.

    ``path`` is a record file, a folder of ``*.yaml``/``*.yml`` records, or several of these;
    ``None`` means :func:`default_studies_path`. An ``outcomes.yaml`` beside the records
    declares outcomes besides the bundled ones (:mod:`ivigmeta.records.outcomes_file`).
    Besides each record's own checks, ids must be unique and every ``study:`` reference must
    name a loaded record (or a ``<id>.yaml`` beside the referring file). Raises
    :class:`InputError` on the first problem.
    """
    paths = _paths(path)
    outcomes = folder_vocabulary(paths)
    studies = [load_study_file(f, outcomes) for p in paths for f in record_files(p)]
    check_study_set(studies)
    return RecordSet(sorted(studies, key=lambda s: s.id), outcomes)


def load_studies(path: PathArgument = None) -> list[Study]:
    """The validated study records of :func:`load_record_set`, sorted by id."""
    return load_record_set(path).studies


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
                if here is not None and any(
                    (Path(here.file).parent / f"{reference}{suffix}").is_file()
                    for suffix in RECORD_SUFFIXES
                ):
                    continue
                raise InputError(
                    f"no study record with id {reference!r}",
                    file=here.file if here else None,
                    line=here.line if here else None,
                    field=f"comparisons[{index}].{side}.study",
                )


def load_study_file(
    path: str | os.PathLike[str], outcomes: dict[str, OutcomeDefinition] | None = None
) -> Study:
    """Read, parse and validate one record file (single-record checks only) against the
    outcome vocabulary ``outcomes`` (default: the bundled one with the ``outcomes.yaml``
    beside the file)."""
    path = Path(path)
    name = str(path)
    if outcomes is None:
        outcomes = folder_vocabulary([path])
    data = read_input_bytes(path, what="study record", limit=MAX_FILE_BYTES)
    root = parse_record_text(data, name)
    return RecordReader(name, outcomes).study(root, path.stem)
