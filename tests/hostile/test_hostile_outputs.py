"""Hostile output paths (issue 13 item 7): refused before any work with one line naming the
user's path; written atomically with a short temporary, the old mode kept, symlinks written
through."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from conftest import EXAMPLES, invoke

from ivigmeta.errors import InputError
from ivigmeta.output import atomic_write

PLAN = EXAMPLES / "plan-tables.yaml"


def commands(out):
    return {
        "forest": ["pool", "--outcome", "mrss", "--forest", out],
        "funnel": ["bias", "--outcome", "mrss", "--funnel", out],
        "report": ["report", "--outcome", "mrss", "--out", out],
        "batch": ["batch", PLAN, "--out", out],
    }


SUFFIX = {"forest": ".svg", "funnel": ".png", "report": ".md", "batch": ".jsonl"}


@pytest.mark.parametrize("command", ["forest", "funnel", "report", "batch"])
def test_missing_folder_is_refused_before_anything_runs(tmp_path, command):
    out = tmp_path / "nowhere" / f"out{SUFFIX[command]}"
    run = invoke(commands(out)[command], [PLAN], allowed=(2,))
    assert run.stderr == (
        f"ivigmeta: error: {out}: folder '{out.parent}' does not exist "
        "(ivigmeta does not create folders)\n"
    )
    assert run.stdout == "" and not out.parent.exists()


@pytest.mark.parametrize("command", ["forest", "funnel", "report", "batch"])
def test_parent_that_is_a_file_is_named(tmp_path, command):
    parent = tmp_path / "file.txt"
    parent.write_text("keep")
    out = parent / f"out{SUFFIX[command]}"
    run = invoke(commands(out)[command], [parent], allowed=(2,))
    assert run.stderr == f"ivigmeta: error: {out}: '{parent}' is a file, not a folder\n"
    assert run.stdout == ""


@pytest.mark.parametrize(("command", "suffix"), [("forest", ".jpg"), ("funnel", ".tiff")])
def test_unknown_figure_extension_is_refused_before_printing(tmp_path, command, suffix):
    out = tmp_path / f"plot{suffix}"
    run = invoke(commands(out)[command], allowed=(2,))
    assert run.stderr == (
        f"ivigmeta: error: {out}: unknown figure format '{suffix}'; expected .svg, .png or .pdf\n"
    )
    assert run.stdout == "" and not out.exists()


def test_long_names_work(tmp_path):
    out = tmp_path / ("a" * 249 + ".jsonl")  # 255 characters, the usual NAME_MAX
    invoke(["batch", PLAN, "--out", out], [PLAN])
    assert len(out.read_text().splitlines()) == 36
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_replacing_keeps_the_mode(tmp_path):
    out = tmp_path / "rows.jsonl"
    out.write_text("old")
    out.chmod(0o600)
    invoke(["batch", PLAN, "--out", out], [PLAN])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text() != "old"


def test_symlink_is_written_through(tmp_path):
    target = tmp_path / "real.jsonl"
    target.write_text("old")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target.name)
    invoke(["batch", PLAN, "--out", link], [PLAN])
    assert link.is_symlink() and os.readlink(link) == target.name
    assert len(target.read_text().splitlines()) == 36


def test_symlink_loop_is_named(tmp_path):
    link = tmp_path / "loop.jsonl"
    link.symlink_to(link.name)
    run = invoke(["batch", PLAN, "--out", link], allowed=(2,))
    assert run.stderr == f"ivigmeta: error: {link}: symbolic link loop; expected a file to write\n"


def test_write_error_names_the_users_path_not_the_temporary(tmp_path, monkeypatch):
    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / ".ivigmeta-x"))

    monkeypatch.setattr(os, "replace", full)
    out = tmp_path / "rows.jsonl"
    with pytest.raises(InputError) as caught:
        atomic_write(out, "text")
    assert str(caught.value) == f"{out}: cannot write: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_temporary_name_is_short_and_fixed(tmp_path, monkeypatch):
    import tempfile

    seen = []
    real = tempfile.mkstemp

    def spy(**options):
        fd, name = real(**options)
        seen.append(os.path.basename(name))
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    atomic_write(tmp_path / ("b" * 250), "x")
    assert len(seen) == 1 and seen[0].startswith(".ivigmeta-") and len(seen[0]) <= 20


def test_streamed_pieces_are_written_whole(tmp_path):
    out = tmp_path / "pieces.txt"
    atomic_write(out, (f"{i}\n" for i in range(1000)))
    assert out.read_text().splitlines()[-1] == "999"
