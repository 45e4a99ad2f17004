"""``ivigmeta import rm5 FILE --out DIR``: a RevMan review's outcomes as CSV tables for
``ivigmeta pool --csv``.

Each dichotomous or continuous outcome becomes ``DIR/comparison-N_outcome-M.csv``: one study
per row, columns ``study`` (RevMan's study name), ``study_id`` (its ``STUDY_ID``),
``subgroup`` (empty outside subgroups) and metafor's escalc columns, ``ai n1i ci n2i``
(events and totals) or ``m1i sd1i n1i m2i sd2i n2i``, with the numbers as RevMan stored them
(events swapped where RevMan's "swap events" is set). Beside it ``comparison-N_outcome-M.json``
records how RevMan analysed it (measure, method, model, CI level, group labels and RevMan's
stored pooled results, as text) and the ``ivigmeta pool`` command lines that redo it: a
sidecar, not a comment line in the CSV, so that the table stays a plain CSV that metafor
users read with ``read.csv`` and ``pool --csv`` reads unchanged.

Every table is built before anything is written, then all files go to temporary names in
``DIR`` and are renamed into place together: a bad file leaves ``DIR`` as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ivigmeta.errors import InputError
from ivigmeta.results import Result

TABLE_COLUMNS = {"dichotomous": ("ai", "n1i", "ci", "n2i"),
                 "continuous": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")}  # fmt: skip
POOL_OPTIONS = {"MH": "--method MH", "EE": "--method EE", "DL": "--method DL",
                "PETO": "--method PETO", "MH-DL": "--method DL"}  # fmt: skip


@dataclass(frozen=True)
class ImportedOutcome(Result):
    """One outcome written: its numbers, name, data type, studies, RevMan's measure and
    method, and the two files."""

    comparison: int
    outcome: int
    name: str
    data_type: str
    k: int
    measure: str
    method: str
    csv: str
    sidecar: str


@dataclass(frozen=True)
class ImportResult(Result):
    """What ``import rm5`` wrote: the source, its format, the folder, the outcomes written
    and the outcomes left out (with why)."""

    source: str
    format: str
    out: str
    outcomes: tuple[ImportedOutcome, ...]
    skipped: tuple[str, ...]


def import_rm5(path, out) -> ImportResult:
    """Write every dichotomous and continuous outcome of the RevMan file ``path`` (``.rm5``,
    RevMan 5's CSV export or a RevMan Web data package) to the folder ``out`` (which must
    exist) as described in the module docstring."""
    from ivigmeta.analyses.revman_pool import read_review, revman_method

    folder = Path(out)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder (ivigmeta creates none)"
        raise InputError(what, file=os.fspath(out), field="out")
    review = read_review(path)
    files: dict[Path, str] = {}
    written, skipped = [], []
    for outcome in review.outcomes:
        label = f"comparison {outcome.comparison}, outcome {outcome.number}"
        if not outcome.readable:
            skipped.append(f"{label} ({outcome.name}): {outcome.data_type} data not read yet")
            continue
        if not outcome.rows:
            skipped.append(f"{label} ({outcome.name}): no study data")
            continue
        plan = revman_method(outcome)
        stem = f"comparison-{outcome.comparison}_outcome-{outcome.number}"
        table, sidecar = folder / f"{stem}.csv", folder / f"{stem}.json"
        files[table] = _table(outcome)
        files[sidecar] = json.dumps(_sidecar(review, outcome, plan, table.name), indent=2,
                                    ensure_ascii=False) + "\n"  # fmt: skip
        written.append(ImportedOutcome(outcome.comparison, outcome.number, outcome.name,
                                       outcome.data_type, len(outcome.rows), outcome.measure,
                                       outcome.method, str(table), str(sidecar)))  # fmt: skip
    if not written:
        raise InputError("no dichotomous or continuous outcome with study data to import",
                         file=review.file, line=review.line)  # fmt: skip
    write_together(files)
    return ImportResult(review.file, review.format, os.fspath(out), tuple(written),
                        tuple(skipped))  # fmt: skip


def _table(outcome) -> str:
    columns = TABLE_COLUMNS[outcome.data_type]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("study", "study_id", "subgroup", *columns))
    for row in outcome.rows:
        text = dict(row.text)
        if outcome.swap_events and outcome.data_type == "dichotomous":
            for events, total in (("ai", "n1i"), ("ci", "n2i")):
                text[events] = str(int(row.values[total] - row.values[events]))
        writer.writerow((row.study, row.study_id, row.subgroup or "", *(text[c] for c in columns)))
    return buffer.getvalue()


def _sidecar(review, outcome, plan, table: str) -> dict:
    options = POOL_OPTIONS.get(plan.method, f"--method {plan.method}")
    pool_csv = f"ivigmeta pool --csv {table} --measure {plan.measure} {options}"
    if plan.measure in ("OR", "RR") and plan.method not in ("MH", "PETO"):
        pool_csv += " --drop00"  # RevMan: no events (or only events) in both arms: not estimable
    if plan.level != 95:
        pool_csv += f" --level {plan.level:g}"
    caveats = []
    if plan.method == "MH-DL":
        caveats.append(
            "pool --csv --method DL takes tau² from the inverse-variance Q; RevMan "
            "takes it from the Mantel-Haenszel Q (use pool --rm5 for RevMan's)"
        )
    if plan.measure == "SMD":
        caveats.append(
            "pool --csv --measure SMD is metafor's g (exact correction, variance "
            "1/n1 + 1/n2 + g²/(2N)); RevMan's g uses 1 - 3/(4N - 9) and "
            "g²/(2(N - 3.94)) (pool --rm5 uses RevMan's)"
        )
    zero = outcome.data_type == "dichotomous" and any(
        0 in (r.values["ai"], r.values["n1i"] - r.values["ai"], r.values["ci"],
              r.values["n2i"] - r.values["ci"])
        for r in outcome.rows
    )  # fmt: skip
    if plan.measure == "RD" and zero:
        caveats.append(
            "zero cells: pool --csv takes a table's RD with 1/2 added; RevMan and R meta take "
            "the RD as is (1/2 added for its variance only)"
        )
    if plan.method == "MH" and zero:
        caveats.append(
            "zero cells: pool --csv --method MH pools the tables as given (metafor "
            "rma.mh); RevMan adds 1/2 to them (pool --rm5 does as RevMan)"
        )
    return {
        "source": review.file,
        "format": review.format,
        "review": review.title,
        "comparison": {"number": outcome.comparison, "name": outcome.comparison_name},
        "outcome": {"number": outcome.number, "name": outcome.name,
                    "data_type": outcome.data_type, "subgroups": list(outcome.subgroups),
                    "studies": len(outcome.rows)},
        "revman": {"effect_measure": outcome.measure, "method": outcome.method,
                   "model": "random" if outcome.random else "fixed", "ci_total": outcome.level,
                   "swap_events": outcome.swap_events, "labels": outcome.labels,
                   "stored_results": outcome.stored},
        "ivigmeta": {"measure": plan.measure, "method": plan.method,
                     "description": plan.description,
                     "pool_rm5": f"ivigmeta pool --rm5 {review.file} --comparison "
                                 f"{outcome.comparison} --outcome {outcome.number}",
                     "pool_csv": pool_csv, "pool_csv_differs": caveats},
    }  # fmt: skip


def write_together(files: dict[Path, str]) -> None:
    """Write every file to a temporary name beside it, then rename them all into place; on
    any error the temporaries are removed and no target is touched."""
    from ivigmeta.output import check_target

    for path in files:
        check_target(path)
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            fd, temporary = tempfile.mkstemp(prefix=".ivigmeta-", dir=path.parent)
            temporaries.append((temporary, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.chmod(temporary, 0o666 & ~_umask())
    except OSError as error:
        for temporary, _ in temporaries:
            Path(temporary).unlink(missing_ok=True)
        raise InputError(f"cannot write: {error.strerror or error}",
                         file=str(next(iter(files)).parent)) from None  # fmt: skip
    for temporary, path in temporaries:
        os.replace(temporary, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
