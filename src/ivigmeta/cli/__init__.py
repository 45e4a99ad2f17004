"""The ``ivigmeta`` command line: a thin mirror of the Python API.

Each command parses its options, calls the library function of the same name and hands the
result to a renderer. One module per command group; heavy modules are imported inside the
commands, so ``--help`` stays fast. Errors the project raises on purpose become a one-line
message and exit code 2 (:mod:`ivigmeta.cli.app`).
"""

from ivigmeta.cli.app import cli, main
from ivigmeta.cli.batch import batch
from ivigmeta.cli.bayes import bayes
from ivigmeta.cli.bias import bias_command
from ivigmeta.cli.checks import grim, reproduce, test_group
from ivigmeta.cli.convert import convert_group
from ivigmeta.cli.gosh import gosh_command
from ivigmeta.cli.multilevel import multilevel_command
from ivigmeta.cli.pool import pool
from ivigmeta.cli.report import report
from ivigmeta.cli.sensitivity import regress_command, sensitivity_command, subgroup_command
from ivigmeta.cli.simulate import simulate
from ivigmeta.cli.studies import outcomes, studies

for command in (
    studies,
    outcomes,
    pool,
    bayes,
    test_group,
    reproduce,
    grim,
    sensitivity_command,
    gosh_command,
    subgroup_command,
    regress_command,
    multilevel_command,
    bias_command,
    convert_group,
    report,
    batch,
    simulate,
):
    cli.add_command(command)

__all__ = ["cli", "main"]
