"""``ivigmeta bayes``: Bayesian random-effects meta-analysis as R's bayesmeta computes it."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import (
    POOL_HELP,
    SELECTION_OPTIONS,
    emit_r_option,
    format_option,
    shared_options,
    studies_option,
)

TAU_PRIOR_HELP = (
    "Prior for tau, NAME[:ARGS]: half-normal:S, half-cauchy:S, half-t:DF,S, half-logistic:S, "
    "exponential:RATE, lomax:SHAPE,S, uniform[:MAX], log-normal:MU,SIGMA, jeffreys, dumouchel, "
    "shrinkage, i2, turner[:OUTCOME,C1,C2] (Turner et al. 2015, log odds ratios), "
    "rhodes[:OUTCOME,C1,C2[,AREA]] (Rhodes et al. 2015, SMD). Default: half-normal:0.5 on "
    "log-ratio and standardised measures, else half-normal with scale 0.5 x the "
    "unit-information SD."
)


@click.command(
    "bayes",
    epilog=examples(
        "ivigmeta bayes --outcome mrss --forest shrinkage.svg",
        "ivigmeta bayes --csv examples/bcg.csv --measure RR --mu-prior normal:0,4 --format json",
    ),
)
@emit_r_option("bayes")
@shared_options(*SELECTION_OPTIONS, **POOL_HELP)
@click.option("--tau-prior", "tau_prior", default=None, metavar="NAME[:ARGS]", help=TAU_PRIOR_HELP)
@click.option(
    "--mu-prior",
    "mu_prior",
    default="uniform",
    show_default=True,
    metavar="uniform|normal:MEAN,SD",
    help="Prior for mu: uniform (improper) or normal:MEAN,SD.",
)
@click.option("--level", type=float, default=95.0, show_default=True, help="Credible level (%).")
@shared_options("r", **POOL_HELP)
@click.option(
    "--forest",
    "forest_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw a shrinkage forest plot to FILE (.svg, .png or .pdf).",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw the posterior densities of tau and mu and their joint density to FILE.",
)
@studies_option
@format_option()
def bayes(
    outcome: str | None,
    forest_path: str | None,
    plot_path: str | None,
    output_format: str,
    **options,
) -> None:
    """Bayesian random-effects meta-analysis (normal-normal model, as R's bayesmeta).

    The posterior is computed by numerical integration, no sampling: tau's marginal posterior
    by adaptive quadrature, mu, the effect in a new study (theta_new) and each study's
    shrinkage estimate as normal mixtures over tau.
    """
    from ivigmeta.analyses.bayes import bayes as bayes_function
    from ivigmeta.render.bayes import render_bayes

    result = bayes_function(outcome, **options)
    click.echo(render_bayes(result, output_format), nl=False)
    if forest_path or plot_path:
        from ivigmeta.render.figures.bayes_plots import save_bayes_figures

        save_bayes_figures(result, forest_path=forest_path, plot_path=plot_path, **options)
