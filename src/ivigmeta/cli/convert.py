"""``ivigmeta convert fivenum|wald|2x2``: summaries a paper prints, converted as metafor 5.0-1."""

from __future__ import annotations

import click

from ivigmeta.cli.app import Group, examples
from ivigmeta.cli.options import BoundedFloat, format_option

OPTION_NAMES = {"ni": "n", "n1i": "n1", "n2i": "n2", "ori": "odds-ratio", "ri": "phi",
                "x2i": "chi2", "ci_low": "ci-low", "ci_high": "ci-high"}  # fmt: skip


def _one_study(function, *args, **kwargs):
    """``function(...)`` for one study; its errors name the option (``--n1``), not the row."""
    from ivigmeta.errors import InputError

    try:
        return function(*args, **kwargs)
    except InputError as error:
        message = error.message.removeprefix("row 1: ")
        raise InputError(message, field=f"--{OPTION_NAMES.get(error.field, error.field)}") from None


@click.group(
    "convert",
    cls=Group,
    epilog=examples(
        "ivigmeta convert fivenum --q1 7 --median 10 --q3 14 --n 30",
        "ivigmeta convert wald --estimate 0.5 --ci-low 0.25 --ci-high 1 --transf log",
    ),
)
def convert_group() -> None:
    """Convert printed summaries to what a meta-analysis needs (metafor's conv.* functions).

    In a `pool --csv` table the same conversions happen column by column: `q1i mdi q3i` and/or
    `min max` (with `ni`, or suffixed 1/2 for two groups) fill empty means and SDs, and
    `ci_low ci_high` fill an empty `vi` (see the README).
    """


@convert_group.command(
    "fivenum",
    epilog=examples(
        "ivigmeta convert fivenum --q1 7 --median 10 --q3 14 --n 30",
        "ivigmeta convert fivenum --min 2 --median 10 --max 25 --n 30 --format csv",
    ),
)
@click.option("--min", "minimum", type=BoundedFloat(), help="Smallest value.")
@click.option("--q1", type=BoundedFloat(), help="First quartile.")
@click.option("--median", type=BoundedFloat(), required=True, help="Median.")
@click.option("--q3", type=BoundedFloat(), help="Third quartile.")
@click.option("--max", "maximum", type=BoundedFloat(), help="Largest value.")
@click.option("--n", type=BoundedFloat(), required=True, help="Number of patients (at least 5).")
@click.option(
    "--test/--no-test",
    default=True,
    show_default=True,
    help="Give no estimate when the numbers are too skewed for a normal distribution "
    "(Shi et al. 2023), as metafor.",
)
@format_option()
def convert_fivenum_command(minimum, q1, median, q3, maximum, n, test, output_format) -> None:
    """Mean and SD from the median with the range and/or quartiles (conv.fivenum).

    Mean: Luo et al. 2018; SD: Wan et al. 2014 (range or quartiles) or Shi et al. 2020 (both).
    """
    from ivigmeta.effects.conversions import convert_fivenum
    from ivigmeta.render.conversions import render_conversion

    result = _one_study(convert_fivenum, minimum, q1, median, q3, maximum, n, test=test)
    click.echo(render_conversion(result, "conv.fivenum", output_format), nl=False)


@convert_group.command(
    "wald",
    epilog=examples(
        "ivigmeta convert wald --estimate 0.5 --ci-low 0.25 --ci-high 1 --transf log",
        "ivigmeta convert wald --estimate 1.2 --p 0.03 --format csv",
    ),
)
@click.option("--estimate", type=BoundedFloat(), help="Point estimate (a ratio with --transf log).")
@click.option("--ci-low", type=BoundedFloat(), help="Lower bound of the CI.")
@click.option("--ci-high", type=BoundedFloat(), help="Upper bound of the CI.")
@click.option("--p", "p", type=BoundedFloat(), help="Two-sided p-value (used when no CI is given).")
@click.option("--level", type=BoundedFloat(), default=95.0, show_default=True, help="CI level (%).")
@click.option(
    "--transf",
    type=click.Choice(("none", "log")),
    default="none",
    show_default=True,
    help="log: the estimate and CI are ratios (OR, RR, HR); yi is the log ratio.",
)
@format_option()
def convert_wald_command(estimate, ci_low, ci_high, p, level, transf, output_format) -> None:
    """Standard error and sampling variance from a Wald-type CI or a p-value (conv.wald)."""
    from ivigmeta.effects.conversions import convert_wald
    from ivigmeta.render.conversions import render_conversion

    result = _one_study(convert_wald, estimate, ci_low, ci_high, p, level=level, transf=transf)
    click.echo(render_conversion(result, "conv.wald", output_format), nl=False)


@convert_group.command(
    "2x2", epilog=examples("ivigmeta convert 2x2 --n 100 --n1 50 --n2 40 --odds-ratio 6")
)
@click.option("--n", type=BoundedFloat(), required=True, help="Total number of patients.")
@click.option("--n1", type=BoundedFloat(), required=True, help="Patients with X = 1 (row margin).")
@click.option(
    "--n2", type=BoundedFloat(), required=True, help="Patients with Y = 1 (column margin)."
)
@click.option("--odds-ratio", type=BoundedFloat(), help="Odds ratio of the table.")
@click.option("--phi", type=BoundedFloat(), help="Phi coefficient (when no odds ratio is given).")
@click.option("--chi2", type=BoundedFloat(), help="Chi-square statistic, signed by the direction.")
@click.option(
    "--correct/--no-correct",
    default=True,
    show_default=True,
    help="The chi-square has Yates' continuity correction.",
)
@format_option()
def convert_2x2_command(n, n1, n2, odds_ratio, phi, chi2, correct, output_format) -> None:
    """The 2x2 table (ai bi ci di) from an odds ratio, phi or chi-square and the margins
    (conv.2x2)."""
    from ivigmeta.effects.conversions import convert_2x2
    from ivigmeta.errors import InputError
    from ivigmeta.render.conversions import render_conversion

    if odds_ratio is None and phi is None and chi2 is None:
        raise InputError("expected --odds-ratio, --phi or --chi2", field="--odds-ratio")
    result = _one_study(convert_2x2, n, n1, n2, ori=odds_ratio, ri=phi, x2i=chi2, correct=correct)
    click.echo(render_conversion(result, "conv.2x2", output_format), nl=False)
