"""Read RevMan 5's CSV export of its analyses ("File - Export - Data and analyses").

One header row names the columns (``Comparison Number, Outcome Number, Subgroup Number, Name,
Data Type, Statistical Method, Effect Measure, Analysis Model, Events 1, Mean 1, SD 1,
Total 1, Events 2, Mean 2, SD 2, Total 2, Effect Estimate, ..., Q, P(Q), I²(Q), Tau², Z,
P(Z), ..., df, ...``); the first three are required. Rows are read as R meta's
``read.rm5`` reads them: a row whose comparison number changes names the comparison, a row
whose outcome number changes names an outcome (with its data type ``DIC``/``CON``, method,
measure, model and RevMan's pooled results), a row with a data type whose subgroup number
changes names a subgroup, every other row is a study. Numbers may carry thousands
separators ("1,570"), as RevMan writes them. The text is UTF-8 (a byte-order mark is
dropped), else read as Windows-1252. Only dichotomous and continuous outcomes are read; the
result is a :class:`~ivigmeta.records.revman.Review` like an ``.rm5`` file gives.
"""

from __future__ import annotations

import os

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

MAX_CSV_BYTES = 64 << 20
REQUIRED = ("Comparison Number", "Outcome Number", "Subgroup Number")
DATA_TYPES = {"DIC": "dichotomous", "CON": "continuous", "GIV": "generic inverse variance",
              "O-E": "O-E and variance", "IPD": "O-E and variance"}  # fmt: skip
#: RevMan attribute (as in the .rm5 file) -> CSV column
CSV_NAMES = {
    "EVENTS_1": "Events 1", "TOTAL_1": "Total 1", "EVENTS_2": "Events 2", "TOTAL_2": "Total 2",
    "MEAN_1": "Mean 1", "SD_1": "SD 1", "MEAN_2": "Mean 2", "SD_2": "SD 2",
    "EFFECT_SIZE": "Effect Estimate", "CI_START": "CI Start", "CI_END": "CI End", "Z": "Z",
    "P_Z": "P(Z)", "CHI2": "Q", "DF": "df", "P_CHI2": "P(Q)", "I2": "I²(Q)", "TAU2": "Tau²",
}  # fmt: skip


def read_revman_csv(path: str | os.PathLike[str]) -> Review:
    """The analyses in RevMan 5's CSV export ``path`` (see the module docstring)."""
    name = os.fspath(path)
    data = read_input_bytes(path, what="RevMan CSV export", limit=MAX_CSV_BYTES)
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes): expected RevMan's CSV export", file=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    rows = csv_records(text, name)
    try:
        _, header = next(rows)
    except StopIteration:
        raise InputError("expected a header row (Comparison Number, ...)", file=name) from None
    header = [cell.strip() for cell in header]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise InputError(
            f"expected RevMan's export columns {', '.join(REQUIRED)}; missing "
            f"{', '.join(missing)} (export them in RevMan's wizard)",
            file=name,
            line=1,
        )
    builder = _Builder(name)
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"expected {len(header)} cells (as in the header), got "
                             f"{len(cells)}", file=name, line=line)  # fmt: skip
        builder.add(dict(zip(header, (cell.strip() for cell in cells), strict=True)), line)
    return builder.review()


class _Builder:
    """Collects the rows into comparisons, outcomes and subgroups (read.rm5's rules)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.comparisons: dict[int, str] = {}
        self.outcomes: list[dict] = []
        self.previous: tuple[int, int, int] | None = None

    def add(self, row: dict[str, str], line: int) -> None:
        numbers = tuple(whole_number(row[c].replace(",", ""), self.file, line, c)
                        for c in REQUIRED)  # fmt: skip
        comparison, outcome, subgroup = numbers
        kind = row.get("Data Type", "")
        if self.previous is None or comparison != self.previous[0]:
            if comparison in self.comparisons:
                raise InputError(f"comparison {comparison} appears twice (rows not in RevMan's "
                                 "order)", file=self.file, line=line)  # fmt: skip
            self.comparisons[comparison] = row.get("Name", "")
            if outcome != 0:
                raise InputError("expected the comparison's own row (Outcome Number 0) first",
                                 file=self.file, line=line, field="Outcome Number")  # fmt: skip
        elif outcome != self.previous[1]:
            self._outcome(row, comparison, outcome, line)
        elif kind and subgroup != self.previous[2]:
            self._current(line)["subgroups"].append(row.get("Name", ""))
        else:
            self._study(row, line, subgroup)
        self.previous = numbers

    def _current(self, line: int) -> dict:
        if not self.outcomes or self.outcomes[-1]["comparison"] != self.previous[0]:
            raise InputError("expected an outcome row (with its Data Type) before the studies",
                             file=self.file, line=line, field="Data Type")  # fmt: skip
        return self.outcomes[-1]

    def _outcome(self, row: dict[str, str], comparison: int, number: int, line: int) -> None:
        if any(o["comparison"] == comparison and o["number"] == number for o in self.outcomes):
            raise InputError(f"outcome {number} of comparison {comparison} appears twice",
                             file=self.file, line=line, field="Outcome Number")  # fmt: skip
        code = row.get("Data Type", "").upper()
        if code not in DATA_TYPES:
            raise InputError(f"expected a data type ({', '.join(DATA_TYPES)}), got "
                             f"{row.get('Data Type', '')!r}", file=self.file, line=line,
                             field="Data Type")  # fmt: skip
        swap = row.get("Swap event and non-event", "").upper() in ("YES", "TRUE")
        self.outcomes.append({
            "comparison": comparison, "number": number, "name": row.get("Name", ""),
            "data_type": DATA_TYPES[code], "measure": row.get("Effect Measure", "").upper(),
            "method": (row.get("Statistical Method") or "IV").upper(),
            "random": row.get("Analysis Model", "").lower().startswith("random"),
            "level": level_number(row.get("Total Confidence Interval", "").rstrip("%") or "95",
                                  self.file, line),
            "swap": swap, "line": line, "rows": [], "subgroups": [],
            "labels": {"GROUP_LABEL_1": row.get("Group Label 1", ""),
                       "GROUP_LABEL_2": row.get("Group Label 2", ""),
                       "GRAPH_LABEL_1": row.get("Left Graph Label", ""),
                       "GRAPH_LABEL_2": row.get("Right Graph Label", "")},
            "stored": {key: row.get(CSV_NAMES[key], "").replace(",", "") for key in STORED},
        })  # fmt: skip

    def _study(self, row: dict[str, str], line: int, subgroup: int) -> None:
        outcome = self._current(line)
        data_type = outcome["data_type"]
        if data_type not in COLUMNS:
            return
        attributes = {column: CSV_NAMES[attribute] for attribute, column in COLUMNS[data_type]}
        text = {column: row.get(label, "").replace(",", "") for column, label in
                attributes.items()}  # fmt: skip
        values = study_values(text, data_type, self.file, line, "study row", attributes)
        name = row.get("Name", "")
        if not name:
            raise InputError("expected the study's name", file=self.file, line=line,
                             field="Name")  # fmt: skip
        group = outcome["subgroups"][-1] if subgroup and outcome["subgroups"] else None
        outcome["rows"].append(StudyRow(name, name, group, values, text, line))

    def review(self) -> Review:
        if not self.comparisons:
            raise InputError("expected at least one comparison row below the header",
                             file=self.file)  # fmt: skip
        outcomes = tuple(
            Outcome(
                comparison=o["comparison"],
                comparison_name=self.comparisons[o["comparison"]],
                number=o["number"], name=o["name"], data_type=o["data_type"],
                measure=o["measure"], method=o["method"], random=o["random"], level=o["level"],
                swap_events=o["swap"], labels=o["labels"], stored=o["stored"],
                rows=tuple(o["rows"]), line=o["line"], subgroups=tuple(o["subgroups"]),
            )
            for o in self.outcomes
        )  # fmt: skip
        return Review(self.file, "", "RevMan 5 CSV export", outcomes, 1, dict(self.comparisons))
