"""The ``ivigmeta`` command line: a thin mirror of the Python API.

Each command parses its options, calls the library function of the same name and hands the
result to a renderer. Heavy modules are imported inside the commands, so ``--help`` stays fast.
Errors the project raises on purpose (:class:`~ivigmeta.errors.IvigmetaError`) become a
one-line message and exit code 2; ``reproduce`` and ``batch`` exit 1 when they find problems.
"""

from __future__ import annotations

import click

from ivigmeta import __version__
from ivigmeta.errors import IvigmetaError


class InputProblem(click.ClickException):
    """A clean, one-line error with exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"ivigmeta: error: {self.format_message()}", err=True)


class Group(click.Group):
    """A click group that turns the project's errors into :class:`InputProblem`."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IvigmetaError as error:
            raise InputProblem(str(error)) from None
        except OSError as error:  # unreadable input, unwritable output
            raise InputProblem(f"{error.filename or ''}: {error.strerror or error}") from None


studies_option = click.option(
    "--studies",
    "studies_path",
    type=click.Path(),
    default=None,
    help="Folder (or file) of YAML study records. Default: ./data/studies if present, "
    "else the copy bundled with ivigmeta.",
)

FORMATS = ("table", "json", "csv", "md")


def format_option(choices: tuple[str, ...] = FORMATS):
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ivigmeta")
def cli() -> None:
    """Meta-analysis of summary statistics, checked against R's metafor.

    Starts from one question: does intravenous immunoglobulin (IVIG) help people with
    systemic sclerosis? Try `ivigmeta studies list` and `ivigmeta pool --outcome mrss`.
    """


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="ivigmeta")
