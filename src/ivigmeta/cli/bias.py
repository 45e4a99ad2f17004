"""``ivigmeta bias``: small-study effects (Egger, rank test, trim-and-fill, fail-safe N)."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import analysis_options, emit_r_option


@click.command(
    "bias",
    epilog=examples(
        "ivigmeta bias --csv examples/bcg.csv --measure RR",
        "ivigmeta bias --csv examples/bcg.csv --measure RR --funnel funnel.svg --contours",
    ),
)
@emit_r_option("bias")
@click.option("--egger-model", type=click.Choice(("rma", "lm")), default="rma", show_default=True,
              help="Egger's test as metafor's default meta-regression (rma) or Egger's "
              "weighted regression (lm).")  # fmt: skip
@click.option("--estimator", type=click.Choice(("L0", "R0")), default="L0", show_default=True,
              help="Trim-and-fill estimator of the number of missing studies.")  # fmt: skip
@click.option("--side", type=click.Choice(("left", "right")), default=None,
              help="Side of the funnel plot where studies are missing. Default: as metafor "
              "(sign of Egger's slope).")  # fmt: skip
@click.option("--funnel", "funnel_path", type=click.Path(dir_okay=False), default=None,
              help="Also draw a funnel plot to FILE (.svg, .png or .pdf).")  # fmt: skip
@click.option("--contours", is_flag=True,
              help="With --funnel: contour-enhanced (significance bands around 0).")  # fmt: skip
@analysis_options
def bias_command(output_format: str, funnel_path: str | None, contours: bool, **options) -> None:
    """Small-study effects: Egger, Begg's rank test, trim-and-fill, fail-safe N."""
    from ivigmeta.analyses.bias import bias
    from ivigmeta.render.bias import render_bias

    if funnel_path:
        from ivigmeta.render.figures.paths import check_figure_path

        check_figure_path(funnel_path)  # before anything is computed or printed
    result = bias(**options)
    click.echo(render_bias(result, output_format), nl=False)
    if funnel_path:
        from ivigmeta.render.figures.funnel import save_bias_funnel

        save_bias_funnel(result, funnel_path, contours=contours, **options)
