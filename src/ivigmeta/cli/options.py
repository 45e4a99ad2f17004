"""Options shared by several commands, defined once: the study selection, model options,
``--studies`` and ``--format``. A command lists the ones it takes with ``shared_options(...)``,
in help order, and may word a help text for itself."""

from __future__ import annotations

from typing import ClassVar

import click


class UpperCaseChoice(click.Choice):
    """A choice of upper-case names (metafor's spelling: REML, SMD) that accepts any case."""

    def convert(self, value, param, ctx):
        return super().convert(value.upper() if isinstance(value, str) else value, param, ctx)


class LevelParam(click.ParamType):
    """A confidence level in percent: finite, 1 <= level < 100 (as ``pool`` and metafor)."""

    name = "level"

    def convert(self, value, param, ctx):
        from ivigmeta.stats.numerics.limits import level_problem

        problem = level_problem(value)
        if problem:
            self.fail(problem, param, ctx)
        return float(value)


class BoundedFloat(click.ParamType):
    """A finite number of magnitude at most 10^15, optionally within [low, high] (ranges:
    :mod:`ivigmeta.stats.numerics.limits`). ``nan`` and ``inf`` are refused."""

    name = "number"

    def __init__(self, low: float | None = None, high: float | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx):
        from ivigmeta.stats.numerics.limits import number_problem

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"expected a number, got {value!r}", param, ctx)
        problem = number_problem(number)
        if problem:
            self.fail(problem, param, ctx)
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            self.fail(
                f"expected a number from {self.low:g} to {self.high:g}, got {value}", param, ctx
            )
        return number


class CountParam(click.ParamType):
    """A whole number from ``minimum`` to 10^9 (``ivigmeta.stats.numerics.limits.MAX_COUNT``)."""

    name = "integer"

    def __init__(self, minimum: int = 0) -> None:
        self.minimum = minimum

    def convert(self, value, param, ctx):
        from ivigmeta.stats.numerics.limits import count_problem

        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            digits = text.lstrip("+-")
            if not digits.isdigit():
                self.fail(f"expected a whole number, got {_clip(text)!r}", param, ctx)
            if len(digits) > 30:  # int() of thousands of digits is refused by Python itself
                self.fail(
                    f"expected a whole number <= 1,000,000,000, got one of {len(digits)} digits",
                    param,
                    ctx,
                )
            number = int(text)
        problem = count_problem(number, self.minimum)
        if problem:
            self.fail(problem, param, ctx)
        return number


class DelimiterParam(click.ParamType):
    """A CSV delimiter: ``,`` ``;`` or a tab (written ``tab``, ``\\t`` or as the character)."""

    name = "delimiter"
    NAMES: ClassVar[dict[str, str]] = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t"}

    def convert(self, value, param, ctx):
        delimiter = self.NAMES.get(value.lower() if isinstance(value, str) else value)
        if delimiter is None:
            self.fail(f"expected ',', ';' or 'tab', got {_clip(str(value))!r}", param, ctx)
        return delimiter


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:20] + "..." + text[-10:]


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


MEASURES = (  # ivigmeta.effects.escalc.MEASURES, written out so --help loads no numpy
    *("GEN", "MD", "SMD", "SMDH", "ROM", "CVR", "VR", "MC", "SMCC", "SMCR", "SMCRH"),
    *("MN", "MNLN", "CVLN", "COR", "UCOR", "ZCOR", "PR", "PLO", "PAS", "PFT"),
    *("IR", "IRLN", "IRS", "IRFT", "IRR", "IRD", "RR", "OR", "RD", "PETO"),
)
METHODS = ("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
#: ``pool`` also pools 2x2 tables by Mantel-Haenszel and Peto, and counts by GLMMs.
POOL_METHODS = (*METHODS, "MH", "PETO", "GLMM")
TESTS = ("z", "t", "knha", "adhoc")

_SHARED_OPTIONS: dict[str, tuple[tuple[str, ...], dict]] = {
    "outcome": (("--outcome",), {"help": "Outcome from the study records (e.g. mrss)."}),
    "timepoint": (
        ("--timepoint",),
        {"help": "Months (e.g. 6) or 'latest'. Default: closest to 12 months."},
    ),
    "design": (("--design",), {"help": "Keep only studies of this design."}),
    "csv": (
        ("--csv",),
        {
            "type": click.Path(dir_okay=False),
            "help": "Analyse the rows of a CSV table (metafor escalc column names; - reads "
            "standard input).",
        },
    ),
    "delimiter": (
        ("--delimiter",),
        {
            "type": DelimiterParam(),
            "default": None,
            "help": "With --csv: the cell delimiter, ',' ';' or 'tab'. Default: sniffed from "
            "the header line.",
        },
    ),
    "decimal": (
        ("--decimal",),
        {
            "type": click.Choice((".", ",")),
            "default": None,
            "help": "With --csv: the decimal mark of the numbers ('.' or ','; ',' needs ';' or "
            "tab between the cells). Default: '.'.",
        },
    ),
    "measure": (
        ("--measure",),
        {
            "type": UpperCaseChoice(MEASURES),
            "help": "Effect size (metafor escalc), as for `pool`.",
        },
    ),
    "addon": (
        ("--addon/--no-addon",),
        {
            "default": None,
            "help": "Keep only studies where IVIG was added to other treatment (--addon) or "
            "was not (--no-addon). Records that do not say are left out by either.",
        },
    ),
    "agent": (
        ("--agent",),
        {
            "metavar": "NAME",
            "help": "Keep the studies of this intervention agent (any case). Default: IVIG when "
            "the records hold an IVIG study, else every record.",
        },
    ),
    "r": (
        ("--r", "r"),
        {
            "type": BoundedFloat(-1, 1),
            "help": "Pre-post correlation assumed where needed, as for `pool`.",
        },
    ),
    "method": (
        ("--method",),
        {
            "type": UpperCaseChoice(METHODS),
            "default": "REML",
            "show_default": True,
            "help": "tau² estimator (EE: equal-effects model).",
        },
    ),
    "pool_method": (
        ("--method",),
        {
            "type": UpperCaseChoice(POOL_METHODS),
            "default": "REML",
            "show_default": True,
            "help": "tau² estimator (EE: equal-effects model), or MH (Mantel-Haenszel: OR, RR, "
            "RD) or PETO (Peto's odds ratio) on 2x2 tables (--csv, or a binary outcome of the "
            "records), or GLMM (metafor rma.glmm, ML) on counts (--csv with --measure PLO, IRLN "
            "or OR; a binary outcome of the records: OR).",
        },
    ),
    "pi": (
        ("--pi",),
        {
            "type": click.Choice(("auto", "z", "t", "hts")),
            "default": "auto",
            "show_default": True,
            "help": "Prediction interval quantile: auto (metafor predict(): z, or t(k-1) under "
            "t/knha), z, t (k-1 df, R meta >= 8.0) or hts (t, k-2 df; Higgins et al. 2009).",
        },
    ),
    "test": (
        ("--test",),
        {
            "type": click.Choice(TESTS),
            "default": "z",
            "show_default": True,
            "help": "Tests and CIs: z, t, Knapp-Hartung or ad hoc.",
        },
    ),
    "level": (
        ("--level",),
        {
            "type": LevelParam(),
            "default": 95.0,
            "show_default": True,
            "help": "Confidence level (%), 1 <= level < 100.",
        },
    ),
}
#: ``delimiter`` and ``decimal`` say how a ``--csv`` table is written (every command with --csv)
CSV_OPTIONS = ("csv", "delimiter", "decimal")
SELECTION_OPTIONS = ("outcome", "timepoint", "design", *CSV_OPTIONS, "measure", "addon", "agent")


def shared_options(*names: str, **help_texts: str):
    """Decorator adding the shared options ``names`` in this order (``studies`` and ``format``
    included); ``help_texts`` words an option's help for one command."""

    def decorate(function):
        for name in reversed(names):
            if name == "studies":
                option = studies_option
            elif name == "format":
                option = format_option()
            else:
                declarations, attributes = _SHARED_OPTIONS[name]
                help_text = help_texts.get(name, attributes["help"])
                option = click.option(*declarations, **{**attributes, "help": help_text})
            function = option(function)
        return function

    return decorate


analysis_options = shared_options(
    *SELECTION_OPTIONS, "r", "method", "test", "level", "studies", "format"
)

POOL_HELP = {
    "outcome": "Outcome to pool from the study records (e.g. mrss).",
    "timepoint": "Months (e.g. 6) or 'latest'. Default: per study, the timepoint closest to 12 "
    "months.",
    "design": "Keep only studies of this design (e.g. rct).",
    "csv": "Pool the rows of a CSV table with metafor escalc column names instead of the records "
    "(- reads standard input).",
    "measure": "Effect size (metafor escalc). Default from records: MC for before/after "
    "outcomes, MD for two-arm comparisons.",
    "test": "Tests and CIs: z, t(k-1), Knapp-Hartung (knha) or its ad hoc variant.",
    "r": "Pre-post correlation assumed where a study prints neither the SD of change nor an "
    "exact paired p. Default: the mean r of the entries printing all three SDs.",
}


# --------------------------------------------------------------------------- --emit-r FILE.R
def emit_r_option(command: str):
    """Decorator adding ``--emit-r FILE.R`` to ``command`` (place it right under
    ``@click.command``): the R script (:func:`ivigmeta.render.r_script.emit_r`) is made before
    the analysis runs (so bad input fails before anything is printed) and written, atomically,
    after it succeeded."""
    import functools

    def decorate(function):
        @functools.wraps(function)
        def run(emit_r: str | None = None, **options):
            if emit_r is None:
                return function(**options)
            from ivigmeta.output import atomic_write, check_output_folder
            from ivigmeta.render.r_script import emit_r as r_script

            check_output_folder(emit_r, field="emit-r")
            text = r_script(command, command_line=_command_line(), **options)
            function(**options)
            atomic_write(emit_r, text)

        return click.option(
            "--emit-r",
            "emit_r",
            type=click.Path(dir_okay=False),
            metavar="FILE.R",
            help="Also write an R script that recomputes this analysis with metafor (bayesmeta "
            "for bayes) and prints the JSON of --format json.",
        )(run)

    return decorate


def _command_line() -> str:
    """The command as given, options in canonical spelling, without --emit-r and with
    ``--format json`` (the output the script reproduces)."""
    import shlex

    from click.core import ParameterSource

    context = click.get_current_context()
    words = ["ivigmeta", *context.command_path.split()[1:]]
    for param in context.command.params:
        if param.name in ("emit_r", "output_format") or not isinstance(param, click.Option):
            continue
        if context.get_parameter_source(param.name) is not ParameterSource.COMMANDLINE:
            continue
        value = context.params[param.name]
        if param.is_flag or param.secondary_opts:
            words.append(param.opts[0] if value else param.secondary_opts[0])
        else:
            words += [param.opts[0], shlex.quote(str(value))]
    return " ".join([*words, "--format", "json"])
