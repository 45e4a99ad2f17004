"""Read the analyses of a RevMan Web data package (Cochrane's "version 1" data package).

The package is a zip file (``CD012345-dataPackage.zip``, or any ``.zip``) whose analysis
folder holds ``...-overall-estimates-and-settings.csv`` (one row per analysis: ``Analysis
group``, ``Analysis number``, ``Analysis name``, ``Analysis group name``, ``Data type``,
``Statistical method``, ``Effect measure``, ``Analysis model``, ``Swap event and non-event``,
``Estimate CI``, group labels and RevMan's pooled results ``Mean``, ``CI start``, ``CI end``,
``Heterogeneity Chi²/df/P/I²/Tau²``, ``Effect Z/P``) and ``...-data-rows.csv`` (one row per
study and analysis: ``Subgroup``, ``Study``, ``Experimental cases/N/mean/SD``, ``Control
cases/N/mean/SD``, ...). The two CSV files, unzipped, may also be given: the path of the
data rows, with the settings file beside it. Column names are those R meta's ``read.cdir``
reads. Only dichotomous and continuous analyses are read; the result is a
:class:`~ivigmeta.records.revman.Review` like an ``.rm5`` file gives.

A zip member is read only if it is one of these files and at most :data:`MAX_MEMBER_BYTES`
uncompressed; nothing is extracted to disk.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ivigmeta.errors import InputError
from ivigmeta.records.csv_reader import csv_records
from ivigmeta.records.files import read_input_bytes
from ivigmeta.records.revman import (
    COLUMNS,
    STORED,
    Outcome,
    Review,
    StudyRow,
    level_number,
    study_values,
    whole_number,
)

MAX_ZIP_BYTES = 256 << 20
MAX_MEMBER_BYTES = 64 << 20
SETTINGS = "overall-estimates-and-settings.csv"
DATA_ROWS = "data-rows.csv"
DATA_TYPES = {"dichotomous": "dichotomous", "continuous": "continuous",
              "contrast level": "generic inverse variance",
              "o-e and variance": "O-E and variance"}  # fmt: skip
METHODS = {"MH": "MH", "MANTEL-HAENSZEL": "MH", "M-H": "MH", "IV": "IV", "INVERSE VARIANCE": "IV",
           "PETO": "PETO", "EXP_O_E_VAR": "PETO"}  # fmt: skip
MEASURES = {"odds ratio": "OR", "odds ratio (non-event)": "OR", "peto odds ratio": "PETO_OR",
            "risk ratio": "RR", "risk difference": "RD", "mean difference": "MD",
            "std. mean difference": "SMD", "standardized mean difference": "SMD",
            "standardised mean difference": "SMD", "hazard ratio": "HR"}  # fmt: skip
STORED_COLUMNS = {"EFFECT_SIZE": "Mean", "CI_START": "CI start", "CI_END": "CI end",
                  "Z": "Effect Z", "P_Z": "Effect P", "CHI2": "Heterogeneity Chi²",
                  "DF": "Heterogeneity df", "P_CHI2": "Heterogeneity P",
                  "I2": "Heterogeneity I²", "TAU2": "Heterogeneity Tau²"}  # fmt: skip
ROW_COLUMNS = {"ai": "Experimental cases", "n1i": "Experimental N", "m1i": "Experimental mean",
               "sd1i": "Experimental SD", "ci": "Control cases", "n2i": "Control N",
               "m2i": "Control mean", "sd2i": "Control SD"}  # fmt: skip
KEYS = ("Analysis group", "Analysis number")


def is_data_rows(path: str | os.PathLike[str]) -> bool:
    """Whether a ``.csv`` path names a data package's data rows (by its name)."""
    return os.fspath(path).lower().endswith(DATA_ROWS)


def read_revman_web(path: str | os.PathLike[str]) -> Review:
    """The analyses of the data package ``path`` (a zip, or the data rows CSV)."""
    name = os.fspath(path)
    if name.lower().endswith(".zip"):
        settings, rows = _from_zip(path, name)
    else:
        settings_path = name[: -len(DATA_ROWS)] + SETTINGS
        if not Path(settings_path).exists():
            raise InputError(f"expected the settings file beside the data rows: {settings_path}",
                             file=name)  # fmt: skip
        settings = (settings_path, _read(settings_path))
        rows = (name, _read(name))
    outcomes = _settings(*settings)
    for line, row in _table(*rows, (*KEYS, "Study")):
        key = tuple(whole_number(row[c], rows[0], line, c) for c in KEYS)
        if key not in outcomes:
            raise InputError(f"analysis {key[0]}.{key[1]} is not in the settings file",
                             file=rows[0], line=line, field="Analysis number")  # fmt: skip
        outcome = outcomes[key]
        if outcome["data_type"] not in COLUMNS:
            continue
        columns = [column for _, column in COLUMNS[outcome["data_type"]]]
        labels = {column: ROW_COLUMNS[column] for column in columns}
        for column in columns:
            if labels[column] not in row:
                raise InputError(f"expected the column {labels[column]!r}", file=rows[0], line=1)
        text = {column: row[labels[column]].replace(",", "") for column in columns}
        values = study_values(text, outcome["data_type"], rows[0], line, "data row", labels)
        study = row["Study"]
        if not study:
            raise InputError("expected the study's name", file=rows[0], line=line, field="Study")
        subgroup = row.get("Subgroup") or None
        if subgroup and subgroup not in outcome["subgroups"]:
            outcome["subgroups"].append(subgroup)
        outcome["rows"].append(StudyRow(study, study, subgroup, values, text, line))
    comparisons = {}
    for (group, _), o in outcomes.items():
        comparisons.setdefault(group, o["group_name"])
    review = tuple(
        Outcome(comparison=c, comparison_name=o["group_name"], number=n, name=o["name"],
                data_type=o["data_type"], measure=o["measure"], method=o["method"],
                random=o["random"], level=o["level"], swap_events=o["swap"],
                labels=o["labels"], stored=o["stored"], rows=tuple(o["rows"]), line=o["line"],
                subgroups=tuple(o["subgroups"]))
        for (c, n), o in sorted(outcomes.items())
    )  # fmt: skip
    return Review(name, "", "RevMan Web data package", review, 1, dict(sorted(comparisons.items())))


def _settings(file: str, text: str) -> dict:
    outcomes: dict[tuple[int, int], dict] = {}
    needed = (*KEYS, "Data type", "Statistical method", "Effect measure", "Analysis model")
    for line, row in _table(file, text, needed):
        key = tuple(whole_number(row[c], file, line, c) for c in KEYS)
        if key in outcomes:
            raise InputError(f"analysis {key[0]}.{key[1]} appears twice", file=file, line=line,
                             field="Analysis number")  # fmt: skip
        kind = row["Data type"].strip().lower()
        if kind not in DATA_TYPES:
            raise InputError(f"expected a data type (Dichotomous, Continuous, Contrast level, "
                             f"O-E and variance), got {row['Data type']!r}", file=file,
                             line=line, field="Data type")  # fmt: skip
        method = row["Statistical method"].strip().upper() or "IV"
        measure = MEASURES.get(row["Effect measure"].strip().lower())
        if DATA_TYPES[kind] in COLUMNS and (method not in METHODS or measure is None):
            field = "Statistical method" if method not in METHODS else "Effect measure"
            raise InputError(f"expected a RevMan {field.lower()}, got {row[field]!r}",
                             file=file, line=line, field=field)  # fmt: skip
        outcomes[key] = {
            "name": row.get("Analysis name", ""), "group_name": row.get("Analysis group name", ""),
            "data_type": DATA_TYPES[kind], "measure": measure or "",
            "method": METHODS.get(method, method),
            "random": row["Analysis model"].strip().lower().startswith("random"),
            "level": level_number(row.get("Estimate CI", "").strip().rstrip("%") or "95", file,
                                  line),
            "swap": row.get("Swap event and non-event", "").strip().upper() in ("TRUE", "YES"),
            "labels": {"GROUP_LABEL_1": row.get("Experimental group label", ""),
                       "GROUP_LABEL_2": row.get("Control group label", ""),
                       "GRAPH_LABEL_1": "", "GRAPH_LABEL_2": ""},
            "stored": {k: row.get(STORED_COLUMNS[k], "").replace(",", "") for k in STORED},
            "line": line, "rows": [], "subgroups": [],
        }  # fmt: skip
    if not outcomes:
        raise InputError("expected at least one analysis below the header", file=file)
    return outcomes


def _table(file: str, text: str, needed):
    """(line, row as a dict of stripped cells) of a CSV file with the columns ``needed``."""
    rows = csv_records(text, file)
    try:
        _, header = next(rows)
    except StopIteration:
        raise InputError("expected a header row", file=file) from None
    header = [cell.strip() for cell in header]
    missing = [column for column in needed if column not in header]
    if missing:
        raise InputError(f"expected the columns {', '.join(needed)}; missing "
                         f"{', '.join(missing)}", file=file, line=1)  # fmt: skip
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"expected {len(header)} cells (as in the header), got "
                             f"{len(cells)}", file=file, line=line)  # fmt: skip
        yield line, dict(zip(header, (cell.strip() for cell in cells), strict=True))


def _read(path: str) -> str:
    return _decode(read_input_bytes(path, what="RevMan Web CSV", limit=MAX_MEMBER_BYTES), path)


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise InputError("binary data (NUL bytes): expected a CSV file", file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (offset {error.start})", file=name) from None


def _from_zip(path, name: str) -> tuple[tuple[str, str], tuple[str, str]]:
    import io

    data = read_input_bytes(path, what="RevMan Web data package (.zip)", limit=MAX_ZIP_BYTES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        found = {}
        for info in archive.infolist():
            for suffix in (SETTINGS, DATA_ROWS):
                if info.filename.lower().endswith(suffix) and not info.is_dir():
                    if suffix in found:
                        raise InputError(f"two {suffix} files in the package", file=name)
                    if info.file_size > MAX_MEMBER_BYTES:
                        raise InputError(f"{info.filename} unpacks to {info.file_size} bytes "
                                         f"(at most {MAX_MEMBER_BYTES})", file=name)  # fmt: skip
                    found[suffix] = info
        missing = [suffix for suffix in (SETTINGS, DATA_ROWS) if suffix not in found]
        if missing:
            raise InputError(f"expected a RevMan Web data package with ...-{missing[0]}",
                             file=name)  # fmt: skip
        tables = []
        for suffix in (SETTINGS, DATA_ROWS):
            info = found[suffix]
            with archive.open(info) as member:
                content = member.read(MAX_MEMBER_BYTES + 1)
            if len(content) > MAX_MEMBER_BYTES:
                raise InputError(f"{info.filename} unpacks to more than {MAX_MEMBER_BYTES} "
                                 "bytes", file=name)  # fmt: skip
            label = f"{name}:{info.filename}"
            tables.append((label, _decode(content, label)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError, ValueError) as error:  # fmt: skip
        raise InputError(f"not a readable zip file: {error}", file=name) from None
    return tables[0], tables[1]
