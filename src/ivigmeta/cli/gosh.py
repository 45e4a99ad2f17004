"""``ivigmeta gosh``: refit the model on every subset of the studies (metafor ``gosh()``)."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import SELECTION_OPTIONS, shared_options


@click.command(
    "gosh",
    epilog=examples(
        "ivigmeta gosh --csv examples/bcg.csv --measure RR --out gosh.csv --plot gosh.png",
        "ivigmeta gosh --outcome mrss",
    ),
)
@shared_options(*SELECTION_OPTIONS, "r", "method", "studies")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the CSV (subset,k,q,i2,h2,tau2,estimate) to FILE instead of stdout.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Draw the GOSH plot (estimate against I², as metafor plot.gosh) to FILE "
    "(.svg, .png or .pdf).",
)
@click.option("--max-subsets", type=int, default=1_000_000, show_default=True,
              help="Fit all 2^k - 1 subsets up to this many, else this many random subsets "
              "(seeded).")  # fmt: skip
def gosh_command(out: str | None, plot_path: str | None, max_subsets: int, **options) -> None:
    """GOSH: the model refitted on every subset of the studies (metafor gosh())."""
    from ivigmeta.errors import InputError
    from ivigmeta.output import atomic_write_chunks, check_output_folder

    if max_subsets < 1:
        raise InputError(f"expected a whole number >= 1, got {max_subsets}", field="max-subsets")
    if out:
        check_output_folder(out, field="out")
    if plot_path:
        from ivigmeta.render.figures.paths import check_figure_path

        check_figure_path(plot_path)
    from ivigmeta.analyses.gosh import gosh
    from ivigmeta.render.gosh import gosh_csv_chunks, gosh_summary

    result = gosh(max_subsets=max_subsets, **options)
    if plot_path:
        from ivigmeta.render.figures.gosh import gosh_plot
        from ivigmeta.render.figures.style import save_figure

        save_figure(gosh_plot(result.fits.estimate, result.fits.i2, result.measure), plot_path)
    if out:
        atomic_write_chunks(out, gosh_csv_chunks(result))
        click.echo(gosh_summary(result, out), nl=False)
    else:
        for chunk in gosh_csv_chunks(result):
            click.echo(chunk, nl=False)
