"""Hostile CSV tables (issue 13 item 6): exact one-line messages naming file, line, column and
the value as typed; no numpy warning on stderr; seeded random cell mutations of a real table."""

from __future__ import annotations

import random

import pytest
from conftest import EXAMPLES, invoke

from ivigmeta.records.csv_reader import read_effect_table

HOSTILE_CELLS = (
    "", "NA", "nan", "inf", "-inf", "-1", "0", "1e400", "abc", '"1,5"', "0x10", "1_0", "١٢",
    "\u2028", "😀", "1e308", "-1e308", "1e-320", "99999999999999999999999",
)  # fmt: skip


def write(tmp_path, text: str, name="t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(
    ("text", "measure", "message"),
    [
        (
            "study,yi,vi\na,1,0.1\nb," + "1" * 140_000 + ",0.2\n",
            None,
            ":3: malformed CSV: a cell holds more than 131072 characters",
        ),
        (
            'study,yi,vi\n"A\nB",1,0.1\nc,2,0.2\n',
            None,
            ":2: study: expected a name on one line, got 'A\\nB' (holds U+000A)",
        ),
        (
            "study,yi,vi\nA\u2028B,1,0.1\nc,2,0.2\n",
            None,
            ":2: study: expected a name on one line, got 'A\\u2028B' (holds U+2028)",
        ),
        ("study,yi,sei\nA,1,-0.1\nc,2,0.2\n", None, ":2: sei: expected a value >= 0, got -0.1"),
        ("study,yi,vi\nA,1,-0.1\nc,2,0.2\n", None, ":2: vi: expected a value >= 0, got -0.1"),
        (
            "study,m1i,sd1i,n1i,m2i,sd2i,n2i\nA,1,0,10,1,0,10\nc,2,1,10,1,1,10\n",
            "SMD",
            ":2: study 'A': SMD is undefined for m1i = 1, sd1i = 0, n1i = 10, m2i = 1, "
            "sd2i = 0, n2i = 10",
        ),
        (
            "m1i,sd1i,n1i,m2i,sd2i,n2i\n2,1,10,1,1,10\n1,0,10,1,0,10\n",
            "SMD",
            ":3: row 2: SMD is undefined for m1i = 1, sd1i = 0, n1i = 10, m2i = 1, sd2i = 0, "
            "n2i = 10",
        ),
        (
            "study,yi,vi\nA,1,\nc,2,NA\n",
            None,
            ":1: vi: expected numbers for GEN, got no value in any row (empty or NA)",
        ),
        (
            'study,yi,vi\n"multi\nline",1,0.1\n',
            None,
            ":2: study: expected a name on one line",
        ),
        ("study,yi,vi\na,1,0.1\nb,x\n", None, ":3: expected 3 cells (as in the header), got 2"),
    ],
)
def test_hostile_table_is_refused_with_one_line(tmp_path, text, measure, message):
    path = write(tmp_path, text)
    args = ["pool", "--csv", path] + (["--measure", measure] if measure else [])
    run = invoke(args, [path], allowed=(2,))
    assert run.stderr.startswith(f"ivigmeta: error: {path}{message}"), run.stderr
    assert "Warning" not in run.stderr


def test_line_numbers_count_quoted_line_breaks(tmp_path):
    path = write(tmp_path, 'study,yi,vi,comment\na,1,0.1,"two\nlines"\nb,x,0.2,\n')
    run = invoke(["pool", "--csv", path], [path], allowed=(2,))
    assert run.stderr == f"ivigmeta: error: {path}:4: yi: expected a number, got 'x'\n"


def test_quoted_line_breaks_in_other_columns_keep_the_ids(tmp_path):
    path = write(tmp_path, 'study,yi,vi,comment\na,1,0.1,"x\u2028y"\nb,2,0.2,"p\nq"\n')
    table = read_effect_table(path)
    assert table.studies == ("a", "b") and table.lines == (2, 3)
    assert table.text["comment"] == ["x\u2028y", "p\nq"]


def cell_mutations(count=30, seed=13):
    rng = random.Random(seed)
    lines = (EXAMPLES / "bcg.csv").read_text(encoding="utf-8").splitlines()
    cases = []
    for number in range(count):
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(",")
        column = rng.randrange(1, len(cells))
        value = rng.choice(HOSTILE_CELLS)
        cells[column] = value
        mutated = [*lines[:row], ",".join(cells), *lines[row + 1 :]]
        cases.append(
            pytest.param(
                "\n".join(mutated) + "\n",
                id=f"{number:02d}-row{row}-col{column}-{value!r}",
            )
        )
    return cases


@pytest.mark.parametrize("text", cell_mutations())
def test_mutated_table(tmp_path, text):
    path = write(tmp_path, text)
    run = invoke(["pool", "--csv", path, "--measure", "RR"], [path])
    assert "Warning" not in run.stderr
