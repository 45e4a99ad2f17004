"""The root ``ivigmeta`` group, its error handling and the console-script entry point.

Every failure is one line on stderr, ``ivigmeta: error: ...``:

- errors the project raises on purpose (:class:`~ivigmeta.errors.IvigmetaError`): exit 2;
- click's usage errors, reworded to name the option first
  (``ivigmeta: error: --level: 'abc' is not a valid float (see 'ivigmeta pool --help')``): exit 2;
- a failed write to stdout names stdout (``ivigmeta: error: stdout: No space left on device``):
  exit 2; a closed pipe (``ivigmeta studies list | head -1``) ends the command quietly with
  exit 141 (128 + SIGPIPE), as Unix tools killed by SIGPIPE do.

``reproduce`` and ``batch`` exit 1 when they find problems. numpy's RuntimeWarnings (overflow,
invalid value) never reach the terminal (unless Python's ``-W``/``PYTHONWARNINGS`` asks for
them): what a user needs to know is in the notes and error messages.

Where stdout or stderr cannot encode the symbols ivigmeta prints (``PYTHONIOENCODING=latin-1``,
a C locale), they are written in ASCII (``⚠`` as ``!``, ``−`` as ``-``, ``τ²`` as ``tau^2``,
table rules as ``-|+``, others as ``?``).
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
import unicodedata
import warnings

import click

from ivigmeta import __version__
from ivigmeta.errors import IvigmetaError

SIGPIPE_EXIT = 141
#: click >= 8.2 signals "no arguments: show the help" with a usage error of its own
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())
EXAMPLES_HEADING = "Examples:"

_ASCII = {
    "⚠": "!", "−": "-", "–": "-", "—": "--", "τ": "tau", "²": "^2", "χ": "chi", "α": "alpha",
    "β": "beta", "μ": "mu", "≥": ">=", "≤": "<=", "≠": "!=", "±": "+/-", "×": "x", "·": ".",
    "…": "...", "→": "->", "←": "<-", "✓": "ok", "✗": "x", "“": '"', "”": '"', "‘": "'",
    "’": "'", "•": "*", "√": "sqrt", "Δ": "Delta",
}  # fmt: skip


def _ascii_replace(error: UnicodeError):
    """Codec error handler: characters the stream cannot encode, in ASCII."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    pieces = []
    for char in error.object[error.start : error.end]:
        if char in _ASCII:
            pieces.append(_ASCII[char])
            continue
        name = unicodedata.name(char, "")
        if name.startswith("BOX DRAWINGS"):  # table rules: - | +
            horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
            pieces.append(
                "-" if horizontal and not vertical else "|" if vertical and not horizontal else "+"
            )
            continue
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        pieces.append(plain or "?")
    return "".join(pieces), error.end


codecs.register_error("ivigmeta-ascii", _ascii_replace)


def use_ascii_where_needed() -> None:
    """Switch stdout/stderr to the ASCII fallback when their encoding lacks ivigmeta's symbols."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding or not hasattr(stream, "reconfigure"):
            continue
        try:
            "⚠−τ²─".encode(encoding)
        except UnicodeEncodeError:
            stream.reconfigure(errors="ivigmeta-ascii")
        except LookupError:
            continue


class InputProblem(click.ClickException):
    """A clean, one-line error with exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"ivigmeta: error: {self.format_message()}", err=True)


def usage_message(error: click.UsageError) -> str:
    """A click usage error as one line naming the option (or argument) first."""
    param = getattr(error, "param", None)
    if isinstance(error, click.NoSuchOption):
        hint = f" (did you mean {', '.join(error.possibilities)}?)" if error.possibilities else ""
        text = f"{error.option_name}: no such option{hint}"
    elif isinstance(error, click.MissingParameter) and param is not None:
        kind = "argument" if isinstance(param, click.Argument) else "option"
        text = f"{_param_name(param)}: required {kind} is missing"
    elif isinstance(error, click.BadParameter) and param is not None:
        text = f"{_param_name(param)}: {error.message}"
    elif isinstance(error, click.BadOptionUsage):
        message = error.message.removeprefix(f"Option '{error.option_name}' ")
        text = f"{error.option_name}: {message.replace('requires an argument', 'requires a value')}"
    else:
        message = error.format_message()
        text = message[:1].lower() + message[1:]
    text = " ".join(text.split()).rstrip(".")
    if error.ctx is not None:
        text += f" (see '{error.ctx.command_path} --help')"
    return text


def _param_name(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return param.human_readable_name
    return "/".join(param.opts)


def _quiet_stdout() -> None:
    """After a failed write to stdout, point it at /dev/null so the exit flush stays silent."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (CliRunner)
        pass


class _OutputFailure(Exception):
    """An OSError carried past click's main, which would turn a closed pipe into exit 1."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class Group(click.Group):
    """A click group that turns the project's errors into :class:`InputProblem`, and prints
    usage errors, output errors and closed pipes as described in :mod:`ivigmeta.cli.app`.

    ``lazy`` maps command names to ``"module:attribute"``: a command's module is imported when
    the command is looked up, so ``ivigmeta pool`` imports the pool command alone (the
    pattern of click's documentation, "Lazily Loading Subcommands")."""

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str):
        if name in self.lazy and name not in self.commands:
            import importlib

            module, attribute = self.lazy[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IvigmetaError as error:
            raise InputProblem(str(error)) from None
        except OSError as error:  # click's own handler would exit 1 on a closed pipe
            raise _OutputFailure(error) from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        use_ascii_where_needed()
        if not sys.warnoptions:  # numpy's floating-point warnings are not messages for users
            warnings.filterwarnings("ignore", category=RuntimeWarning)
        try:
            try:
                result = super().main(args, prog_name, complete_var, False, **extra)
            finally:
                sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
        except _NO_ARGS_IS_HELP as error:  # a bare group: its help, as click shows it
            error.show()
            sys.exit(error.exit_code)
        except click.UsageError as error:
            click.echo(f"ivigmeta: error: {usage_message(error)}", err=True)
            sys.exit(2)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("ivigmeta: aborted", err=True)
            sys.exit(1)
        except (OSError, _OutputFailure) as failure:
            error = failure.error if isinstance(failure, _OutputFailure) else failure
            if error.errno == errno.EPIPE:
                _quiet_stdout()
                sys.exit(SIGPIPE_EXIT)
            if error.filename is None:  # every file ivigmeta opens names itself
                _quiet_stdout()
                click.echo(f"ivigmeta: error: stdout: {error.strerror or error}", err=True)
                sys.exit(2)
            click.echo(f"ivigmeta: error: {error.filename}: {error.strerror or error}", err=True)
            sys.exit(2)
        sys.exit(result if isinstance(result, int) else 0)


def examples(*lines: str) -> str:
    """An ``Examples:`` epilog for ``--help``: one command per line, kept unwrapped."""
    return "\b\n" + EXAMPLES_HEADING + "\n" + "\n".join(f"  {line}" for line in lines)


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples("ivigmeta studies list", "ivigmeta pool --outcome mrss --forest mrss.svg"),
)
@click.version_option(__version__, "-V", "--version", prog_name="ivigmeta")
def cli() -> None:
    """Meta-analysis of summary statistics, checked against R's metafor.

    Starts from one question: does intravenous immunoglobulin (IVIG) help people with
    systemic sclerosis? Try `ivigmeta studies list` and `ivigmeta pool --outcome mrss`.
    """


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="ivigmeta")
