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
@shared_options(*SELECTION_OPTIONS, "pool_method", "test", **POOL_HELP)
@click.option(
    "--glmm-model",
    type=click.Choice(("UM.FS", "UM.RS", "CM.EL", "CM.AL")),
    default="UM.FS",
    show_default=True,
    help="With --method GLMM --measure OR: unconditional model with fixed (UM.FS) or random "
    "(UM.RS) study effects, or conditional model, exact (CM.EL) or approximate (CM.AL).",
)
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
    "--add",
    type=click.FloatRange(min=0),
    default=None,
    help="Zero cells (count measures of --csv): add this to the cells of the tables chosen by "
    "--to, as metafor escalc. Default 0.5 (0 for PAS, PFT).",
)
@click.option(
    "--to",
    type=click.Choice(("only0", "all", "if0all", "none")),
    default=None,
    help="Which tables get --add: only0 (those with a zero cell; default), all, if0all (all "
    "if any has a zero cell), none.",
)
@click.option(
    "--drop00/--no-drop00",
    default=None,
    help="Leave 2x2 tables with no events (or only events) in both groups without an effect "
    "size. Default: on under --method MH/PETO (as rma.mh/rma.peto), else off.",
)
@click.option(
    "--study-ci",
    type=click.Choice(("exact", "wilson", "wald")),
    default="exact",
    show_default=True,
    help="Study intervals of single proportions (PR, PLO, PAS, PFT): Clopper-Pearson (exact), "
    "Wilson score or Wald, as R's meta.",
)
@click.option(
    "--transf",
    type=click.Choice(("auto", "none")),
    default="auto",
    show_default=True,
    help="auto: print ratios, proportions and correlations on their natural scale (exp, "
    "inverse logit, ...); none: on the model scale (log, logit, ...). JSON has both.",
)
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
    transf: str,
    **options,
) -> None:
    """Pool an outcome across the IVIG studies (or a CSV table) with metafor's rma()."""
    from ivigmeta.analyses.pool import pool as pool_function

    if options["method"] == "GLMM":
        from ivigmeta.render.glmm import render_glmm

        if r_sweep or forest_path:
            raise click.UsageError("--r-sweep and --forest do not apply to --method GLMM")
        result = pool_function(outcome, design=design, **options)
        click.echo(render_glmm(result, output_format), nl=False)
        return
    from ivigmeta.render.pool import render_pool

    options.pop("glmm_model")
    result = pool_function(outcome, design=design, r_sweep=r_sweep, **options)
    click.echo(render_pool(result, output_format, natural=transf == "auto"), nl=False)
    if forest_path:
        from ivigmeta.render.figures.forest_from_pool import save_pool_forest

        save_pool_forest(result, forest_path, by=by, natural=transf == "auto", **options)
