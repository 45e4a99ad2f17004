"""``ivigmeta sensitivity``, ``subgroup`` and ``regress``: the same study selection as
``pool``, then one analysis each."""

from __future__ import annotations

import click

from ivigmeta.cli.options import analysis_options


@click.command("sensitivity")
@click.option("--order", default=None,
              help="Field to order the cumulative meta-analysis by, or 'input'. "
              "Default: year when every study has one, else the input order.")  # fmt: skip
@analysis_options
def sensitivity_command(output_format: str, **options) -> None:
    """Leave-one-out, cumulative meta-analysis and influence diagnostics (metafor)."""
    from ivigmeta.analyses.sensitivity import sensitivity
    from ivigmeta.render.sensitivity import render_sensitivity

    result = sensitivity(**options)
    click.echo(render_sensitivity(result, output_format), nl=False)


@click.command("subgroup")
@click.option("--by", required=True,
              help="Record field (design, subtype, addon, year, ...) or CSV column.")  # fmt: skip
@analysis_options
def subgroup_command(by: str, output_format: str, **options) -> None:
    """Pooled results per subgroup and tests for subgroup differences."""
    from ivigmeta.analyses.subgroup import subgroup
    from ivigmeta.render.subgroup import render_subgroup

    result = subgroup(by, **options)
    click.echo(render_subgroup(result, output_format), nl=False)


@click.command("regress")
@click.option("--mods", required=True,
              help="Numeric moderators, comma-separated record fields or CSV columns.")  # fmt: skip
@analysis_options
def regress_command(mods: str, output_format: str, **options) -> None:
    """Mixed-effects meta-regression (metafor rma with mods)."""
    from ivigmeta.analyses.regress import regress
    from ivigmeta.render.regress import render_regress

    result = regress(mods, **options)
    click.echo(render_regress(result, output_format), nl=False)
