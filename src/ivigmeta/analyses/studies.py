"""The functions behind ``ivigmeta studies ...`` and ``ivigmeta outcomes``.

Each mirrors its command: same options, a result object (or list of them) out, no printing.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ivigmeta.errors import InputError
from ivigmeta.records.loader import (
    check_study_set,
    default_studies_path,
    load_record_set,
    load_studies,
    load_study_file,
    record_files,
)
from ivigmeta.records.model import Study
from ivigmeta.records.vocabulary import OUTCOMES
from ivigmeta.results import Result

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class StudyRow(Result):
    """One line of ``studies list``: who, when, how, how many, and which outcomes."""

    id: str
    year: int
    design: str
    agent: str | None
    n: int | None
    outcomes: tuple[str, ...]
    flags: int


@dataclass(frozen=True)
class OutcomeUsage(Result):
    """An outcome of the folder's vocabulary and how many records carry it, at which
    timepoints, for which intervention agents; ``declared`` is the ``file:line`` of its
    ``outcomes.yaml`` declaration (None: the bundled vocabulary)."""

    name: str
    description: str
    kind: str
    unit: str | None
    integer: bool
    minimum: float | None
    maximum: float | None
    studies: int
    timepoints: tuple[str, ...]
    better: str | None = None
    agents: tuple[str, ...] = ()
    declared: str | None = None


@dataclass(frozen=True)
class Validation(Result):
    """Outcome of ``studies validate``: records read and every problem found (one per file)."""

    records: int
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def timepoint_label(item) -> str:
    """``6 mo``, ``week 12`` or the printed description of an outcome/comparison timepoint."""
    if item.timepoint_months is not None:
        return f"{item.timepoint_months} mo"
    if item.timepoint_weeks is not None:
        return f"week {item.timepoint_weeks}"
    return item.timepoint or "not stated"


def _timepoint_order(item) -> tuple:
    """Months first (numerically), then weeks, then described timepoints (alphabetically)."""
    if item.timepoint_months is not None:
        return (0, float(item.timepoint_months), "")
    if item.timepoint_weeks is not None:
        return (1, float(item.timepoint_weeks), "")
    return (2, 0.0, item.timepoint or "")


def study_outcomes(study: Study, outcomes=None) -> tuple[str, ...]:
    """Outcome names a study reports (paired outcomes and comparisons), in vocabulary order
    (``outcomes``: the folder's vocabulary; default the bundled one)."""
    names = {o.outcome for o in study.outcomes} | {c.outcome for c in study.comparisons}
    return tuple(name for name in (outcomes or OUTCOMES) if name in names)


def list_studies(studies_path: PathLike | None = None) -> list[StudyRow]:
    """One :class:`StudyRow` per record, sorted by id (``ivigmeta studies list``)."""
    rows = []
    record_set = load_record_set(studies_path)
    for study in record_set.studies:
        n = study.population.n
        if n is None and study.review:
            n = study.review.get("patients")
        flags = len(study.flags) + sum(len(x.flags) for x in (*study.outcomes, *study.comparisons))
        rows.append(
            StudyRow(
                id=study.id,
                year=study.year,
                design=study.design,
                agent=study.intervention.agent if study.intervention else None,
                n=n,
                outcomes=study_outcomes(study, record_set.outcomes),
                flags=flags,
            )
        )
    return rows


def show_study(study_id: str, studies_path: PathLike | None = None) -> Study:
    """The record with id ``study_id`` (``ivigmeta studies show ID``)."""
    studies = {s.id: s for s in load_studies(studies_path)}
    if study_id in studies:
        return studies[study_id]
    close = difflib.get_close_matches(study_id, list(studies), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "see `ivigmeta studies list`"
    raise InputError(f"no study with id {study_id!r} ({hint})", field="ID")


def validate_studies(paths: Sequence[PathLike] = ()) -> Validation:
    """Check record files and folders; collect the first problem of each file, then the
    cross-record checks (duplicate ids, dangling references) when every file was readable.
    No paths means the default studies folder."""
    from ivigmeta.records.outcomes_file import folder_vocabulary

    studies: list[Study] = []
    errors: list[str] = []
    for path in paths or [default_studies_path()]:
        files = record_files(Path(path))
        try:  # the outcomes.yaml beside the records, once per folder
            outcomes = folder_vocabulary([path])
        except InputError as error:
            errors.append(str(error))
            continue
        for file in files:
            try:
                studies.append(load_study_file(file, outcomes))
            except InputError as error:
                errors.append(str(error))
    if not errors:
        try:
            check_study_set(studies)
        except InputError as error:
            errors.append(str(error))
    return Validation(records=len(studies), errors=tuple(errors))


def outcome_usage(studies_path: PathLike | None = None) -> list[OutcomeUsage]:
    """The outcome vocabulary with the number of studies and the timepoints recorded for each
    (``ivigmeta outcomes``)."""
    record_set = load_record_set(studies_path)
    return _usage(record_set.studies, record_set.outcomes)


def _usage(studies: Iterable[Study], outcomes=None) -> list[OutcomeUsage]:
    outcomes = outcomes or OUTCOMES
    studies_of: dict[str, set[str]] = {name: set() for name in outcomes}
    timepoints_of: dict[str, dict[str, tuple]] = {name: {} for name in outcomes}
    agents_of: dict[str, dict[str, str]] = {name: {} for name in outcomes}
    for study in studies:
        agent = study.intervention.agent if study.intervention else None
        for item in (*study.outcomes, *study.comparisons):
            studies_of[item.outcome].add(study.id)
            timepoints_of[item.outcome][timepoint_label(item)] = _timepoint_order(item)
            if agent is not None:
                agents_of[item.outcome].setdefault(agent.lower(), agent)
    return [
        OutcomeUsage(
            name=d.name,
            description=d.description,
            kind=d.kind,
            unit=d.unit,
            integer=d.integer,
            minimum=d.minimum,
            maximum=d.maximum,
            studies=len(studies_of[d.name]),
            timepoints=tuple(sorted(timepoints_of[d.name], key=timepoints_of[d.name].get)),
            better=d.better,
            agents=tuple(sorted(agents_of[d.name].values(), key=str.lower)),
            declared=d.declared,
        )
        for d in outcomes.values()
    ]
