"""``ivigmeta pool``: pool an outcome (or a CSV table) with metafor's ``rma()``."""

from __future__ import annotations

import click

from ivigmeta.cli.options import SELECTION_OPTIONS, format_option, shared_options, studies_option

POOL_HELP = {
    "outcome": "Outcome to pool from the study records (e.g. mrss).",
    "timepoint": "Months (e.g. 6) or 'latest'. Default: per study, the timepoint closest to 12 "
    "months.",
    "design": "Keep only studies of this design (e.g. rct).",
    "csv": "Pool the rows of a CSV table with metafor escalc column names instead of the records.",
    "measure": "Effect size (metafor escalc). Default from records: MC for before/after "
    "outcomes, MD for two-arm comparisons.",
    "test": "Tests and CIs: z, t(k-1), Knapp-Hartung (knha) or its ad hoc variant.",
    "r": "Pre-post correlation assumed where a study prints neither the SD of change nor an "
    "exact paired p. Default: the mean r of the entries printing all three SDs.",
}


@click.command("pool")
@shared_options(*SELECTION_OPTIONS, "method", "test", **POOL_HELP)
@click.option(
    "--pi",
    type=click.Choice(("auto", "z", "t", "hts")),
    default="auto",
    show_default=True,
    help="Prediction interval quantile: auto (metafor predict(): z, or t(k-1) under t/knha), "
    "z, t (k-1 df, R meta >= 8.0) or hts (t, k-2 df; Higgins et al. 2009).",
)
@shared_options("level", "r", **POOL_HELP)
@click.option("--r-sweep", is_flag=True, help="Also pool with r = 0.0, 0.1, ..., 0.9.")
@click.option(
    "--forest",
    "forest_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw a forest plot to FILE (.svg, .png or .pdf).",
)
@click.option(
    "--by",
    type=click.Choice(("design",)),
    default=None,
    help="With --forest: subgroup blocks, each pooled on its own with its own diamond.",
)
@studies_option
@format_option()
def pool(
    outcome: str | None,
    design: str | None,
    r_sweep: bool,
    forest_path: str | None,
    by: str | None,
    output_format: str,
    **options,
) -> None:
    """Pool an outcome across the IVIG studies (or a CSV table) with metafor's rma()."""
    from ivigmeta.analyses.pool import pool as pool_function
    from ivigmeta.render.pool import render_pool

    result = pool_function(outcome, design=design, r_sweep=r_sweep, **options)
    click.echo(render_pool(result, output_format), nl=False)
    if forest_path:
        from ivigmeta.render.figures.forest_from_pool import save_pool_forest

        save_pool_forest(result, forest_path, by=by, **options)
