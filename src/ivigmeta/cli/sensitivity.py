"""``ivigmeta sensitivity``, ``subgroup`` and ``regress``: the same study selection as
``pool``, then one analysis each."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import analysis_options, emit_r_option


@click.command(
    "sensitivity",
    epilog=examples(
        "ivigmeta sensitivity --outcome mrss",
        "ivigmeta sensitivity --csv examples/bcg.csv --measure RR --format json",
    ),
)
@emit_r_option("sensitivity")
@click.option("--order", default=None,
              help="Field to order the cumulative meta-analysis by, or 'input'. "
              "Default: year when every study has one, else the input order.")  # fmt: skip
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw the influence panel and the leave-one-out forest to FILE.",
)
@click.option(
    "--baujat",
    "baujat_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw the Baujat plot (metafor baujat()) to FILE (.svg, .png, .pdf).",
)
@analysis_options
def sensitivity_command(
    output_format: str, baujat_path: str | None, plot_path: str | None, **options
) -> None:
    """Leave-one-out, cumulative meta-analysis and influence diagnostics (metafor)."""
    from ivigmeta.analyses.sensitivity import sensitivity
    from ivigmeta.render.sensitivity import render_sensitivity

    for path in (baujat_path, plot_path):
        if path:
            from ivigmeta.render.figures.paths import check_figure_path

            check_figure_path(path)
    result = sensitivity(**options)
    if plot_path:
        from ivigmeta.render.figures.influence import influence_plot
        from ivigmeta.render.figures.style import save_figure

        save_figure(influence_plot(result), plot_path)
    if baujat_path:
        from ivigmeta.analyses.sensitivity import baujat_coordinates
        from ivigmeta.render.figures.diagnostics import baujat_plot
        from ivigmeta.render.figures.style import save_figure

        b = baujat_coordinates(**{k: v for k, v in options.items() if k != "order"})
        figure = baujat_plot(b.x, b.y, b.ids, equal_effects=b.method == "EE")
        save_figure(figure, baujat_path)
    click.echo(render_sensitivity(result, output_format), nl=False)


@click.command(
    "subgroup",
    epilog=examples(
        "ivigmeta subgroup --outcome mrss --by design",
    ),
)
@emit_r_option("subgroup")
@click.option("--by", required=True,
              help="Record field (design, subtype, addon, year, ...) or CSV column.")  # fmt: skip
@analysis_options
def subgroup_command(by: str, output_format: str, **options) -> None:
    """Pooled results per subgroup and tests for subgroup differences."""
    from ivigmeta.analyses.subgroup import subgroup
    from ivigmeta.render.subgroup import render_subgroup

    result = subgroup(by, **options)
    click.echo(render_subgroup(result, output_format), nl=False)


@click.command(
    "regress",
    epilog=examples(
        "ivigmeta regress --csv examples/bcg.csv --measure RR --mods ablat",
    ),
)
@emit_r_option("regress")
@click.option("--mods", required=True,
              help="Numeric moderators, comma-separated record fields or CSV columns.")  # fmt: skip
@click.option(
    "--bubble",
    "bubble_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw the bubble plot (metafor regplot(); one moderator) to FILE.",
)
@analysis_options
def regress_command(mods: str, output_format: str, bubble_path: str | None, **options) -> None:
    """Mixed-effects meta-regression (metafor rma with mods)."""
    from ivigmeta.analyses.regress import regress
    from ivigmeta.render.regress import render_regress

    if bubble_path:
        from ivigmeta.errors import InputError
        from ivigmeta.render.figures.paths import check_figure_path

        check_figure_path(bubble_path)
        if "," in mods:
            raise InputError("the bubble plot takes one moderator", field="bubble")
    result = regress(mods, **options)
    if bubble_path:
        from ivigmeta.analyses.regress import bubble
        from ivigmeta.render.figures.diagnostics import bubble_plot
        from ivigmeta.render.figures.style import save_figure

        data = bubble(mods, **options)
        save_figure(bubble_plot(data, moderator=mods.strip(), measure=result.measure,
                                level=result.level), bubble_path)  # fmt: skip
    click.echo(render_regress(result, output_format), nl=False)
