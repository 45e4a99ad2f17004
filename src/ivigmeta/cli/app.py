"""The root ``ivigmeta`` group, its error handling and the console-script entry point.

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
