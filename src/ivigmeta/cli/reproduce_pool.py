"""``ivigmeta reproduce-pool``: find the model that gives a printed pooled result."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import format_option


@click.command(
    "reproduce-pool",
    epilog=examples(
        "ivigmeta reproduce-pool examples/reproduce-pool.yaml",
        "ivigmeta reproduce-pool examples/reproduce-pool.yaml --format json",
    ),
)
@click.argument("path", metavar="FILE.yaml", type=click.Path(dir_okay=False))
@format_option()
def reproduce_pool(path: str, output_format: str) -> None:
    """Which model (tau² estimator and test) gives a pooled line as a paper prints it?

    FILE.yaml gives the measure, the studies (raw data, or printed estimates with their CIs)
    and the printed pooled line; every printed number stands for its rounding interval.
    Exit 0 when some model reproduces every printed number, 1 when none does.
    """
    from ivigmeta.analyses.reproduce_pool import reproduce_pool as run
    from ivigmeta.render.reproduce_pool import render_reproduce_pool

    result = run(path)
    click.echo(render_reproduce_pool(result, output_format), nl=False)
    if not result.reproduced_by:
        raise SystemExit(1)
