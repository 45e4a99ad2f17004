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
@click.option("--vcov", default=None,
              help="Columns of sampling covariances within the innermost cluster, "
              "comma-separated (metafor vcalc(vi = 1, cluster, rvars = c(v1i, v2i))): the "
              "j-th column of a cluster's a-th row is the covariance of its effects a and "
              "j.")  # fmt: skip
@click.option("--struct", type=UpperCaseChoice(("CS", "HCS", "AR", "HAR", "UN")), default=None,
              help="Instead of nested levels: random effects of one --cluster correlated "
              "over --time (metafor random = ~ time | cluster, struct =): compound symmetry "
              "(CS), heteroscedastic CS (HCS), AR(1) (AR), heteroscedastic AR(1) (HAR) or "
              "unstructured (UN).")  # fmt: skip
@click.option("--time", default=None, help="Column with each effect size's time (for --struct).")
@click.option("--test", type=click.Choice(("z", "t"), case_sensitive=False), default="z",
              show_default=True,
              help="Model-based tests of the coefficients: normal (z) or t (metafor "
              "test).")  # fmt: skip
@click.option("--dfs", type=click.Choice(("residual", "contain"), case_sensitive=False),
              default="residual", show_default=True,
              help="df of the t tests: k - p (residual) or metafor's containment "
              "rule.")  # fmt: skip
@click.option(
    "--profile-ci",
    is_flag=True,
    help="Profile-likelihood CIs of the variance components (metafor confint): sigma2, "
    "or tau2 and rho with --struct.",
)
@click.option("--all-timepoints", is_flag=True,
              help="With --outcome: every usable timepoint of every study record, one row "
              "each (columns study, month, timepoint).")  # fmt: skip
@shared_options(
    *("outcome", "design", "agent", *CSV_OPTIONS, "measure", "r", "level", "studies", "format"),
    csv="CSV table, one row per effect size (metafor escalc column names).",
)
def multilevel_command(output_format: str, csv: str | None, **options) -> None:
    """Multilevel model for several effect sizes per study (metafor rma.mv)."""
    from ivigmeta.analyses.multilevel import multilevel
    from ivigmeta.render.multilevel import render_multilevel

    result = multilevel(options.pop("cluster"), csv=csv, **options)
    click.echo(render_multilevel(result, output_format), nl=False)
