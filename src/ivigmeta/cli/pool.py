"""``ivigmeta pool``: pool an outcome (or a CSV table) with metafor's ``rma()``."""

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

FIGURE_DEFAULTS = {
    "by": None,
    "model": "random",
    "layout": "revman",
    "favours": None,
    "digits": 2,
    "sort_by": None,
    "xlim": None,
    "label": None,
}


@click.command(
    "pool",
    epilog=examples(
        "ivigmeta pool --outcome mrss --forest mrss.svg",
        "ivigmeta pool --csv examples/bcg.csv --measure RR --method DL --format json",
    ),
)
@emit_r_option("pool")
@shared_options(*SELECTION_OPTIONS, "pool_method", "test", **POOL_HELP)
@click.option(
    "--rm5",
    type=click.Path(dir_okay=False),
    default=None,
    help="Pool an outcome of a RevMan review (.rm5, RevMan 5's CSV export or a RevMan Web "
    "data package) with RevMan's measure, method and model: --comparison N --outcome M.",
)
@click.option(
    "--comparison",
    type=click.IntRange(min=1),
    default=None,
    help="With --rm5: the comparison number.",
)
@click.option(
    "--glmm-model",
    type=click.Choice(("UM.FS", "UM.RS", "CM.EL", "CM.AL")),
    default="UM.FS",
    show_default=True,
    help="With --method GLMM --measure OR: unconditional model with fixed (UM.FS) or random "
    "(UM.RS) study effects, or conditional model, exact (CM.EL) or approximate (CM.AL).",
)
@shared_options("pi", "level", "r", **POOL_HELP)
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
    "--radial",
    "radial_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw the radial (Galbraith) plot to FILE.",
)
@click.option(
    "--drapery",
    "drapery_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw the drapery plot (p-value functions, Rücker & Schwarzer 2021) to FILE.",
)
@click.option(
    "--labbe",
    "labbe_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw the L'Abbé plot of 2x2 data (RR, OR, RD) to FILE.",
)
@click.option(
    "--by",
    default=None,
    help="With --forest: subgroup blocks by this record field or CSV column, each "
    "pooled on its own, then the test for subgroup differences.",
)
@click.option(
    "--model",
    type=click.Choice(("random", "common", "both")),
    default="random",
    show_default=True,
    help="With --forest: the pooled diamond(s) drawn.",
)
@click.option(
    "--layout",
    type=click.Choice(("revman", "metafor")),
    default="revman",
    show_default=True,
    help="With --forest: RevMan's columns or metafor's compact forest().",
)
@click.option(
    "--favours",
    default=None,
    metavar="A,B",
    help='With --forest: the two arms, e.g. "BCG,Control" (Favours BCG | Favours Control).',
)
@click.option(
    "--digits",
    type=click.IntRange(0, 6),
    default=2,
    show_default=True,
    help="With --forest: decimals of the effects and CIs.",
)
@click.option(
    "--sort-by",
    default=None,
    help="With --forest: order the studies by effect, weight, label or a field.",
)
@click.option(
    "--xlim",
    default=None,
    metavar="LOW,HIGH",
    help="With --forest: x-axis limits on the natural scale (ratios as ratios).",
)
@click.option("--label", default=None, help="With --forest: the x-axis label.")
@studies_option
@format_option()
def pool(
    outcome: str | None,
    design: str | None,
    r_sweep: bool,
    forest_path: str | None,
    by: str | None,
    output_format: str,
    model: str,
    layout: str,
    favours: str | None,
    digits: int,
    sort_by: str | None,
    xlim: str | None,
    label: str | None,
    radial_path: str | None,
    labbe_path: str | None,
    drapery_path: str | None,
    transf: str,
    **options,
) -> None:
    """Pool an outcome across the IVIG studies (or a CSV table) with metafor's rma()."""
    if options.get("rm5") is not None or options.get("comparison") is not None:
        from ivigmeta.cli.import_ import pool_rm5_cli

        pool_rm5_cli(outcome, output_format, transf, options)
        return
    options.pop("rm5"), options.pop("comparison")
    from ivigmeta.analyses.pool import pool as pool_function

    if options["method"] == "GLMM":
        from ivigmeta.render.glmm import render_glmm

        if r_sweep or forest_path or radial_path or labbe_path or drapery_path:
            raise click.UsageError("--r-sweep and the figures do not apply to --method GLMM")
        result = pool_function(outcome, design=design, **options)
        click.echo(render_glmm(result, output_format), nl=False)
        return
    options.pop("glmm_model")
    from ivigmeta.errors import InputError
    from ivigmeta.render.pool import render_pool

    figure = {
        "by": by,
        "model": model,
        "layout": layout,
        "favours": favours,
        "digits": digits,
        "sort_by": sort_by,
        "xlim": _pair(xlim),
        "label": label,
    }
    if favours is not None and len([p for p in favours.split(",") if p.strip()]) != 2:
        raise InputError('expected two names, e.g. "BCG,Control"', field="favours")
    if forest_path:
        from ivigmeta.render.figures.paths import check_figure_path

        check_figure_path(forest_path)
        if by is not None:  # an unknown field or column fails before anything is printed
            from ivigmeta.analyses.effect_data import load_effect_data

            load_effect_data(outcome, r=options.get("r"), design=design,
                             **_selection(options)).values(by)  # fmt: skip
    else:
        given = [name for name, value in figure.items() if value != FIGURE_DEFAULTS[name]]
        if given:
            raise InputError("needs --forest FILE", field=given[0].replace("_", "-"))
    labbe_data = None
    for path in (radial_path, labbe_path, drapery_path):
        if path:
            from ivigmeta.render.figures.paths import check_figure_path

            check_figure_path(path)
    if labbe_path:
        from ivigmeta.analyses.effect_data import load_effect_data
        from ivigmeta.render.figures.pool_figures import check_labbe

        labbe_data = load_effect_data(outcome, r=options.get("r"), design=design,
                                      **_selection(options))  # fmt: skip
        check_labbe(labbe_data)
    result = pool_function(outcome, design=design, r_sweep=r_sweep, **options)
    if radial_path:
        from ivigmeta.render.figures.pool_figures import save_radial

        save_radial(result, radial_path)
    if drapery_path:
        from ivigmeta.render.figures.pool_figures import save_drapery

        save_drapery(result, drapery_path)
    if labbe_path:
        from ivigmeta.render.figures.pool_figures import save_labbe

        save_labbe(result, labbe_data, labbe_path)
    if forest_path:
        from ivigmeta.render.figures.forest_from_pool import save_pool_forest

        save_pool_forest(result, forest_path, design=design, natural=transf == "auto",
                         **figure, **options)  # fmt: skip
    click.echo(render_pool(result, output_format, natural=transf == "auto"), nl=False)


def _selection(options: dict) -> dict:
    from ivigmeta.analyses.effect_data import SELECTION_KEYS

    return {k: v for k, v in options.items() if k in SELECTION_KEYS}


def _pair(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    from ivigmeta.errors import InputError

    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"expected two numbers LOW,HIGH, got {text!r}", field="xlim") from None
    if not low < high:
        raise InputError(f"expected LOW < HIGH, got {text!r}", field="xlim")
    return low, high
