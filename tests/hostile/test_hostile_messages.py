"""Messages (issue 13 item 8): stdout named on write errors, closed pipes quiet, no Python
reprs, ASCII fallback for encodings without the symbols, odd entries of a studies folder
named (never a hang)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO, STUDIES, invoke, spawn


def test_full_disk_on_stdout_names_stdout():
    with open("/dev/full", "wb") as full:
        run = spawn(["studies", "list"], stdout=full)
    assert run.exit_code == 2
    assert run.stderr == "ivigmeta: error: stdout: No space left on device\n"


def test_closed_pipe_exits_quietly():
    process = subprocess.Popen(
        [sys.executable, "-m", "ivigmeta", "studies", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    process.stdout.close()  # the reader is gone before anything is written
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 141  # 128 + SIGPIPE, as Unix tools killed by SIGPIPE
    assert stderr == b""


def test_latin1_terminal_gets_ascii_symbols():
    run = spawn(["studies", "show", "poelman2015"], env={"PYTHONIOENCODING": "latin-1"})
    assert run.exit_code == 0 and "Traceback" not in run.stderr
    assert "! IVIG cycles" in run.stdout and "⚠" not in run.stdout


def test_ascii_replacement_table():
    from ivigmeta.cli.app import _ascii_replace

    text = "⚠ τ² −1.5 ┃ ━ ┏ é"
    assert text.encode("ascii", "ivigmeta-ascii") == b"! tau^2 -1.5 | - + e"
    assert _ascii_replace  # registered under the name used above


def test_dates_and_tags_are_described_not_repr(tmp_path):
    record = (STUDIES / "poelman2015.yaml").read_text(encoding="utf-8")
    path = tmp_path / "poelman2015.yaml"
    path.write_text(record.replace("year: 2015", "year: 2015-01-01"), encoding="utf-8")
    run = invoke(["studies", "validate", path], [path], allowed=(2,))
    assert run.stderr == (
        f"ivigmeta: error: {path}:3: year: expected a whole number, got the date 2015-01-01\n"
    )
    path.write_text(record.replace("year: 2015", "year: !!python/name:os.system 1"))
    run = invoke(["studies", "validate", path], [path], allowed=(2,))
    assert "datetime" not in run.stderr and "'1' with the tag !!python/name:os.system" in run.stderr


def test_deep_nesting_in_a_record(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("id: deep\nnotes: " + "[" * 100_000 + "]" * 100_000 + "\n")
    run = invoke(["studies", "validate", path], [path], allowed=(2,))
    assert (
        run.stderr
        == f"ivigmeta: error: {path}:2: lists and mappings nested more than 32 levels deep\n"
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("loop", "symbolic link loop"),
        ("fifo", "is a FIFO (named pipe), not a study record file"),
        ("null", "is a character device, not a study record file"),
        ("folder", "is a folder, not a study record file"),
        ("broken", "broken symbolic link (its target does not exist)"),
    ],
)
def test_odd_entries_of_a_studies_folder_are_named(studies_copy, entry, message):
    path = studies_copy / f"odd-{entry}.yaml"
    if entry == "loop":
        path.symlink_to(path.name)
    elif entry == "fifo":
        os.mkfifo(path)
    elif entry == "null":
        path.symlink_to("/dev/null")
    elif entry == "folder":
        path.mkdir()
    else:
        path.symlink_to("nowhere.yaml")
    if entry == "fifo":  # in a fresh process: a hang fails the test instead of stalling it
        run = spawn(["studies", "validate", studies_copy], timeout=30)
        assert run.exit_code == 2
    else:
        run = invoke(["studies", "validate", studies_copy], allowed=(2,))
    assert run.stderr == f"ivigmeta: error: {path}: {message}\n"
    run = invoke(["pool", "--outcome", "mrss", "--studies", studies_copy], allowed=(2,))
    assert run.stderr == f"ivigmeta: error: {path}: {message}\n"


@pytest.mark.parametrize("path", ["/dev/null", "fifo"])
def test_studies_path_that_is_not_a_file(tmp_path, path):
    if path == "fifo":
        path = tmp_path / "fifo.yaml"
        os.mkfifo(path)
    run = spawn(["studies", "list", "--studies", path], timeout=30)
    assert run.exit_code == 2 and run.stderr.startswith(f"ivigmeta: error: {path}: is a ")


def test_yml_records_are_read(studies_copy):
    record = studies_copy / "poelman2015.yaml"
    record.rename(record.with_suffix(".yml"))
    run = invoke(["studies", "validate", studies_copy], [studies_copy])
    assert run.stdout == "13 records OK\n"
    run = invoke(["studies", "show", "poelman2015", "--studies", studies_copy], [studies_copy])
    assert "poelman2015" in run.stdout


def test_one_record_is_singular(tmp_path):
    path = tmp_path / "clements1999.yaml"
    path.write_bytes((STUDIES / "clements1999.yaml").read_bytes())
    assert invoke(["studies", "validate", path], [path]).stdout == "1 record OK\n"


def test_numpy_warnings_never_reach_the_terminal(tmp_path):
    """Variances of 1e-320 overflow 1/vi inside the numerics (issue 13 item 2 decides their
    range); whatever the result, no RuntimeWarning is printed."""
    table = tmp_path / "tiny.csv"
    table.write_text("study,yi,vi\na,1,1e-320\nb,2,1e-320\n")
    run = spawn(["pool", "--csv", table])
    assert "Warning" not in run.stderr and "Traceback" not in run.stderr
