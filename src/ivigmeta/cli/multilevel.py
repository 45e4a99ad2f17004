"""``ivigmeta multilevel``: dependent effect sizes, metafor's three-level ``rma.mv``."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import CSV_OPTIONS, UpperCaseChoice, shared_options


@click.command(
    "multilevel",
    epilog=examples(
        "ivigmeta multilevel --outcome mrss --all-timepoints --cluster study --struct AR "
        "--time month --rho 0.6",
    ),
)
@click.option("--cluster", "cluster", multiple=True, required=True,
              help="Column naming the cluster (study) of each effect size; repeat for more "
              "levels, outermost first (--cluster district --cluster school).")  # fmt: skip
@click.option("--within", default=None,
              help="Column naming the effect size within its cluster (metafor "
              "random = ~ 1 | cluster/within). Default: every row its own.")  # fmt: skip
@click.option("--mods", default=None, help="Numeric moderator columns, comma-separated.")
@click.option("--method", type=UpperCaseChoice(("REML", "ML")), default="REML",
              show_default=True, help="Estimator of the variance components.")  # fmt: skip
@click.option("--rho", type=click.FloatRange(-1, 1, min_open=True, max_open=True), default=None,
              help="Correlation assumed between the sampling errors of effect sizes in the "
              "same (innermost) cluster (metafor vcalc). Default: independent.")  # fmt: skip
@click.option("--robust", type=UpperCaseChoice(("CR2", "CR1")), default=None,
              help="Add cluster-robust tests clustered by the outermost --cluster: CR2 with "
              "Satterthwaite df (clubSandwich) or CR1 with J - p df (metafor robust).")  # fmt: skip
@click.option("--struct", type=UpperCaseChoice(("CS", "AR")), default=None,
              help="Instead of nested levels: random effects of one --cluster correlated "
              "over --time, compound symmetry (CS) or AR(1) (metafor random = ~ time | "
              "cluster).")  # fmt: skip
@click.option("--time", default=None, help="Column with each effect size's time (for --struct).")
@click.option(
    "--profile-ci",
    is_flag=True,
    help="Profile-likelihood CIs of the variance components (metafor confint).",
)
@click.option("--all-timepoints", is_flag=True,
              help="With --outcome: every usable timepoint of every study record, one row "
              "each (columns study, month, timepoint).")  # fmt: skip
@shared_options(
    *("outcome", "design", *CSV_OPTIONS, "measure", "r", "level", "studies", "format"),
    csv="CSV table, one row per effect size (metafor escalc column names).",
)
def multilevel_command(output_format: str, csv: str | None, **options) -> None:
    """Multilevel model for several effect sizes per study (metafor rma.mv)."""
    from ivigmeta.analyses.multilevel import multilevel
    from ivigmeta.render.multilevel import render_multilevel

    result = multilevel(options.pop("cluster"), csv=csv, **options)
    click.echo(render_multilevel(result, output_format), nl=False)
