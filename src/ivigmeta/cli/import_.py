"""``ivigmeta import rm5``: a RevMan review's outcomes as CSV tables for ``pool --csv``."""

from __future__ import annotations

import click

from ivigmeta.cli.app import Group, examples
from ivigmeta.cli.options import format_option


@click.group("import", cls=Group, epilog=examples(
    "ivigmeta import rm5 examples/fleiss1993.rm5 --out .",
))  # fmt: skip
def import_group() -> None:
    """Read other programs' files into tables that ivigmeta analyses."""


@import_group.command(
    "rm5",
    epilog=examples(
        "ivigmeta import rm5 examples/fleiss1993.rm5 --out .",
        "ivigmeta import rm5 examples/fleiss1993-revman-export.csv --out . --format json",
    ),
)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    required=True,
    type=click.Path(),
    help="Existing folder for the tables: comparison-N_outcome-M.csv (metafor escalc "
    "columns) and .json (RevMan's measure, method, model and stored results).",
)
@format_option(("table", "json"))
def rm5(file: str, out: str, output_format: str) -> None:
    """Write each dichotomous and continuous outcome of a RevMan review as a CSV table that
    `pool --csv` reads. FILE: a RevMan 5 .rm5, RevMan 5's CSV export of its data and analyses,
    or a RevMan Web data package (.zip, or its ...-data-rows.csv)."""
    from ivigmeta.analyses.revman_import import import_rm5
    from ivigmeta.render.revman import render_import

    click.echo(render_import(import_rm5(file, out), output_format), nl=False)


#: pool's options that apply to --rm5 (the others must keep their defaults)
RM5_POOL_OPTIONS = {"rm5", "comparison", "outcome", "method", "measure", "level", "test", "pi",
                    "output_format", "transf"}  # fmt: skip


def pool_rm5_cli(outcome: str | None, output_format: str, transf: str, options: dict) -> None:
    """``pool --rm5 FILE --comparison N --outcome M``: RevMan's method unless --method,
    --measure or --level are given (:func:`ivigmeta.analyses.revman_pool.pool_rm5`)."""
    from click.core import ParameterSource

    from ivigmeta.analyses.revman_pool import pool_rm5
    from ivigmeta.render.pool import render_pool

    ctx = click.get_current_context()
    given = {name for name in ctx.params
             if ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)}  # fmt: skip
    extra = sorted(given - RM5_POOL_OPTIONS)
    if extra:
        raise click.UsageError(f"--{extra[0].replace('_', '-')} does not apply to --rm5")
    if options["rm5"] is None:
        raise click.UsageError("--comparison needs --rm5 FILE")
    if options["comparison"] is None or outcome is None:
        raise click.UsageError("--rm5 needs --comparison N and --outcome M (RevMan's numbers)")
    result = pool_rm5(
        options["rm5"],
        options["comparison"],
        outcome,
        method=options["method"] if "method" in given else None,
        measure=options.get("measure"),
        level=options["level"] if "level" in given else None,
        test=options["test"],
        pi=options["pi"],
    )
    click.echo(render_pool(result, output_format, natural=transf == "auto"), nl=False)
