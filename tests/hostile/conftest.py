"""Shared checks of the hostile-input suite (issue 13).

Every case runs the command line and asserts the contract of bad input: exit 0, 1 or 2 only;
no traceback; on exit 2 one line ``ivigmeta: error: ...`` on stderr; inputs never modified
(hashes of every input file before and after).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli

REPO = Path(__file__).parents[2]
STUDIES = REPO / "data" / "studies"
EXAMPLES = REPO / "examples"


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def digest(paths) -> dict[str, str]:
    """SHA-256 of every regular file under ``paths`` (files or folders)."""
    found = {}
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                found[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def check_contract(run: Run, *, allowed=(0, 1, 2)) -> None:
    assert run.exit_code in allowed, (run.exit_code, run.stderr[-2000:])
    assert "Traceback" not in run.stdout + run.stderr, run.stderr[-2000:]
    if run.exit_code == 2:
        lines = run.stderr.splitlines()
        assert len(lines) == 1, run.stderr
        assert lines[0].startswith("ivigmeta: error: "), run.stderr


def invoke(args, inputs=(), *, allowed=(0, 1, 2)) -> Run:
    """Run ``ivigmeta ARGS`` in this process; check the contract and that ``inputs`` are
    unchanged."""
    before = digest(inputs)
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="ivigmeta")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception escaped: {result.exception!r}") from result.exception
    run = Run(result.exit_code, result.stdout, result.stderr)
    check_contract(run, allowed=allowed)
    assert digest(inputs) == before, "an input file was modified"
    return run


def spawn(args, *, timeout=30, env=None, stdout=subprocess.PIPE, cwd=None) -> Run:
    """Run ``python -m ivigmeta ARGS`` in a fresh process (for pipes, encodings, FIFOs:
    a hang fails the test through ``timeout`` instead of stalling the suite)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "ivigmeta", *map(str, args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=timeout,
        env=environment,
        cwd=cwd,
    )
    out = done.stdout.decode("utf-8", "replace") if done.stdout else ""
    return Run(done.returncode, out, done.stderr.decode("utf-8", "replace"))


@pytest.fixture
def studies_copy(tmp_path) -> Path:
    """A writable copy of the bundled records."""
    folder = tmp_path / "studies"
    folder.mkdir()
    for record in STUDIES.glob("*.yaml"):
        (folder / record.name).write_bytes(record.read_bytes())
    return folder
