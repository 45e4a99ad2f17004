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


def excel_spelling(text: str) -> str:
    """A comma table as a decimal-comma spreadsheet saves it: ``;`` between cells, ``0,5``."""
    return "\n".join(
        ";".join(cell.replace(".", ",") for cell in line.split(",")) for line in text.splitlines()
    ) + "\n"  # fmt: skip


@pytest.mark.parametrize("text", cell_mutations(count=15, seed=17))
def test_mutated_decimal_comma_table(tmp_path, text):
    """Issue 17: the same hostile cells in a semicolon, decimal-comma table with a BOM."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf" + excel_spelling(text).encode("utf-8"))
    run = invoke(["pool", "--csv", path, "--measure", "RR", "--decimal", ","], [path])
    assert "Warning" not in run.stderr


@pytest.mark.parametrize(
    ("text", "command"),
    [pytest.param(p.values[0], "pool", id=p.id) for p in cell_mutations(count=8, seed=19)]
    + [pytest.param(p.values[0], "report", id=p.id) for p in cell_mutations(count=4, seed=23)],
)
def test_mutated_table_on_stdin(tmp_path, monkeypatch, text, command):
    """Issue 17: hostile tables piped to standard input (``--csv -``), for a command that
    reads the table several times (report: pool, sensitivity, bias)."""
    from click.testing import CliRunner
    from conftest import Run, check_contract

    from ivigmeta.cli import cli

    monkeypatch.chdir(tmp_path)
    out = ["--out", "r.html"] if command == "report" else []
    result = CliRunner().invoke(cli, [command, "--csv", "-", "--measure", "RR", *out],
                                input=text, prog_name="ivigmeta")  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit)
    check_contract(Run(result.exit_code, result.stdout, result.stderr))
    if command == "report" and result.exit_code == 2:
        assert not (tmp_path / "r.html").exists()


def test_a_terminal_on_stdin_is_refused_not_waited_for():
    """``--csv -`` with nothing piped in (stdin is a terminal): one line, exit 2, no hang."""
    import os
    import pty
    import subprocess
    import sys

    from conftest import REPO

    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ivigmeta", "pool", "--csv", "-"], stdin=terminal,
            capture_output=True, timeout=30, env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "ivigmeta: error: <stdin>: expected a CSV table piped to standard input (--csv -)\n"
    )
