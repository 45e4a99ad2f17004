"""Every command's --help ends with one or two real examples (issue 13 item 9): each example
parses with the command's own options, and runs (exit 0, or 1 where the command found a
problem) unless an existing test already runs that command in full (report, reproduce)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli
from ivigmeta.cli.app import EXAMPLES_HEADING

REPO = Path(__file__).parents[1]
#: commands whose full runs live in test_report.py, test_reproduce.py and test_simulate.py
#: (10-25 s each here)
RUN_ELSEWHERE = {"report", "reproduce", "simulate"}


def subcommands(group) -> dict:
    """A group's commands by name (importing the lazily loaded ones)."""
    ctx = click.Context(group)
    return {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}


def all_commands(group=cli, path=("ivigmeta",)):
    for name, command in sorted(subcommands(group).items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*path, name))


COMMANDS = [(("ivigmeta",), cli), *all_commands()]


def leaf(args):
    """The command an argument list names, and the arguments left for it."""
    command, rest = cli, list(args)
    while isinstance(command, click.Group) and rest and rest[0] in subcommands(command):
        command = subcommands(command)[rest.pop(0)]
    return command, rest


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_help_ends_with_examples_that_run(path, command, tmp_path, monkeypatch):
    run = CliRunner().invoke(cli, [*path[1:], "--help"], prog_name="ivigmeta")
    text = run.stdout
    assert run.exit_code == 0 and f"\n  {EXAMPLES_HEADING}\n" in text, text
    examples = [
        line.strip() for line in text.rstrip().split(f"{EXAMPLES_HEADING}\n")[-1].splitlines()
    ]
    assert 1 <= len(examples) <= 2, examples
    assert all(example.startswith(" ".join(path)) for example in examples), examples
    monkeypatch.chdir(tmp_path)  # examples may write files; run them in a scratch folder
    for folder in ("data", "examples"):
        (tmp_path / folder).symlink_to(REPO / folder)
    for example in examples:
        args = example.split()[1:]
        target, rest = leaf(args)
        target.make_context(target.name, rest)  # every option exists and parses
        if args[0] not in RUN_ELSEWHERE:
            result = CliRunner().invoke(cli, args, prog_name="ivigmeta")
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert result.exit_code in (0, 1), (example, result.stderr)
