"""The ``ivigmeta`` command line: a thin mirror of the Python API.

Each command parses its options, calls the library function of the same name and hands the
result to a renderer. One module per command group; a command's module is imported only when
that command runs (or ``--help`` lists it), and heavy modules only inside the commands, so
``--help`` and ``pool`` stay fast. Errors the project raises on purpose become a one-line
message and exit code 2 (:mod:`ivigmeta.cli.app`).
"""

from ivigmeta.cli.app import cli, main

#: command name -> "module:attribute" of its click command, imported when it is looked up
COMMANDS = {
    "studies": "ivigmeta.cli.studies:studies",
    "outcomes": "ivigmeta.cli.studies:outcomes",
    "pool": "ivigmeta.cli.pool:pool",
    "bayes": "ivigmeta.cli.bayes:bayes",
    "test": "ivigmeta.cli.checks:test_group",
    "reproduce": "ivigmeta.cli.checks:reproduce",
    "reproduce-pool": "ivigmeta.cli.reproduce_pool:reproduce_pool",
    "grim": "ivigmeta.cli.checks:grim",
    "sensitivity": "ivigmeta.cli.sensitivity:sensitivity_command",
    "gosh": "ivigmeta.cli.gosh:gosh_command",
    "subgroup": "ivigmeta.cli.sensitivity:subgroup_command",
    "regress": "ivigmeta.cli.sensitivity:regress_command",
    "multilevel": "ivigmeta.cli.multilevel:multilevel_command",
    "bias": "ivigmeta.cli.bias:bias_command",
    "convert": "ivigmeta.cli.convert:convert_group",
    "import": "ivigmeta.cli.import_:import_group",
    "extract": "ivigmeta.cli.extract:extract_command",
    "report": "ivigmeta.cli.report:report",
    "batch": "ivigmeta.cli.batch:batch",
    "simulate": "ivigmeta.cli.simulate:simulate",
}
cli.lazy.update(COMMANDS)

__all__ = ["cli", "main"]
