"""Options (issue 13 items 8-9): click's usage errors as one line naming the option, -V,
NO_COLOR, outcome names, the shadowing note; and the
numeric-option classes of items 1-4 checked generically."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, invoke, spawn

from ivigmeta import __version__


@pytest.mark.parametrize(
    ("args", "message", "command"),
    [
        (
            ["pool", "--level", "abc"],
            "--level: expected a confidence level in percent, e.g. 95, got 'abc'",
            "pool",
        ),
        (
            ["pool", "--levl", "3"],
            "--levl: no such option (did you mean --level, --label, --help?)",
            "pool",
        ),
        (
            ["pool", "--method", "XX"],
            "--method: 'XX' is not one of 'EE', 'DL', 'HE', 'HS', 'SJ', 'ML', 'REML', 'EB', 'PM', "
            "'MH', 'PETO', 'GLMM'",
            "pool",
        ),
        (["pool", "--level"], "--level: requires a value", None),
        (["pool", "--r", "3"], "--r: expected a number from -1 to 1, got 3", "pool"),
        (["report"], "--out: required option is missing", "report"),
        (["batch"], "PLAN.yaml: required argument is missing", "batch"),
        (["frobnicate"], "no such command 'frobnicate'", ""),
        (["grim", "--mean", "5.19", "--n", "x"], "--n: expected a whole number, got 'x'", "grim"),
        (["batch", "p.yaml", "--jobs", "0"], "--jobs: 0 is not in the range x>=1", "batch"),
        (
            ["pool", "--outcome", "mrs"],
            "outcome: unknown outcome 'mrs' (did you mean 'mrss'?)",
            None,
        ),
        (
            ["pool", "--outcome", "zzz"],
            "outcome: unknown outcome 'zzz' (see `ivigmeta outcomes`)",
            None,
        ),
    ],
)
def test_usage_errors_are_one_line_naming_the_option(args, message, command):
    see = "" if command is None else f" (see '{' '.join(['ivigmeta', command]).strip()} --help')"
    run = invoke(args, allowed=(2,))
    assert run.stderr == f"ivigmeta: error: {message}{see}\n"


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    assert invoke([flag]).stdout == f"ivigmeta, version {__version__}\n"


def test_outcome_names_ignore_case():
    assert invoke(["pool", "--outcome", "MRSS"]).stdout.startswith("mrss: MC, ")


def test_no_color_is_honoured(monkeypatch, capsys):
    from ivigmeta.render.progress import progress_bar

    def colours() -> set[str]:
        with progress_bar() as update:
            update("effect sizes", 1, 2)
        return set(re.findall(r"\x1b\[[0-9;]*3\dm", capsys.readouterr().err))

    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal, as far as rich can tell
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colours()  # the bar is coloured on a terminal ...
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colours()  # ... but not under NO_COLOR


def test_local_records_shadowing_the_bundled_ones_are_announced(tmp_path, monkeypatch):
    (tmp_path / "data" / "studies").mkdir(parents=True)
    for record in (REPO / "data" / "studies").glob("*.yaml"):
        (tmp_path / "data" / "studies" / record.name).write_bytes(record.read_bytes())
    monkeypatch.chdir(tmp_path)
    run = invoke(["pool", "--outcome", "mrss", "--format", "json"])
    assert "study records read from ./data/studies in the working folder" in run.stdout
    monkeypatch.chdir(REPO)  # the repository's own folder is the bundled copy: no note
    assert "working folder" not in invoke(["pool", "--outcome", "mrss", "--format", "json"]).stdout


# ---------------------------------------------------------- items 1-4 (merged from main)
NUMERIC_CASES = [
    ["grim", "--mean", "nan", "--n", "28"],
    ["grim", "--mean", "inf", "--n", "28"],
    ["test", "paired", "--mean-change", "-inf", "--sd-change", "7.9", "--n", "29"],
    ["test", "paired", "--mean-change", "-5.3", "--sd-change", "7.9", "--n", "29", "--level", "0"],
    ["test", "two-sample", "--mean1", "1", "--sd1", "1", "--n1", "10", "--mean2", "0",
     "--sd2", "1", "--n2", "10", "--level", "nan"],
    ["pool", "--outcome", "mrss", "--level", "nan"],
    ["pool", "--outcome", "mrss", "--level", "100"],
    ["grim", "--mean", "1.0e+308", "--n", "28", "--sd", "1.0e+308"],
    ["test", "one-sample", "--mean", "1e308", "--sd", "1e-308", "--n", "5"],
]  # fmt: skip


@pytest.mark.parametrize("args", NUMERIC_CASES, ids=" ".join)
def test_numeric_options_keep_the_contract(args):
    run = invoke(args)
    if "nan" in args or "inf" in args or "-inf" in args or "0" in args[-1:]:
        assert run.exit_code == 2


@pytest.mark.parametrize(
    "args",
    [["grim", "--mean", "5.19", "--n", str(10**18)], ["test", "proportions", "--x1", "1",
     "--n1", "1000000", "--x2", "2", "--n2", "1000000"]],
    ids=" ".join,
)  # fmt: skip
def test_huge_counts_finish(args):
    run = spawn(args, timeout=8)
    assert run.exit_code in (0, 1, 2) and "Traceback" not in run.stderr


def test_shell_completion_as_documented():
    from click.testing import CliRunner

    from ivigmeta.cli import cli

    env = {"_IVIGMETA_COMPLETE": "bash_complete", "COMP_WORDS": "ivigmeta po", "COMP_CWORD": "1"}
    result = CliRunner().invoke(cli, [], prog_name="ivigmeta", env=env)
    assert result.exit_code == 0 and result.stdout == "plain,pool\n"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_IVIGMETA_COMPLETE=bash_source ivigmeta)"' in readme


@pytest.mark.parametrize("args", [[], ["studies"], ["test"]])
def test_a_bare_group_shows_its_help(args):
    """As click does: the group's help (not squeezed into one error line), exit 2."""
    from click.testing import CliRunner

    from ivigmeta.cli import cli

    result = CliRunner().invoke(cli, args, prog_name="ivigmeta")
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = result.stdout + result.stderr
    assert "Usage: ivigmeta" in text and "Commands:" in text and "ivigmeta: error" not in text
