"""``ivigmeta studies list|show|validate`` and ``ivigmeta outcomes``: the study records."""

from __future__ import annotations

import click

from ivigmeta.cli.app import Group, examples
from ivigmeta.cli.options import format_option, studies_option
from ivigmeta.wording import count


@click.group(
    cls=Group,
    epilog=examples(
        "ivigmeta studies list",
        "ivigmeta studies show poelman2015",
    ),
)
def studies() -> None:
    """List, show and validate the YAML study records."""


@studies.command(
    "list",
    epilog=examples(
        "ivigmeta studies list",
        "ivigmeta studies list --format csv",
    ),
)
@studies_option
@format_option()
def studies_list(studies_path: str | None, output_format: str) -> None:
    """One line per study: id, year, design, agent, n, outcomes, flags."""
    from ivigmeta.analyses.studies import list_studies
    from ivigmeta.render.studies import render_study_list

    click.echo(render_study_list(list_studies(studies_path), output_format), nl=False)


@studies.command(
    "show",
    epilog=examples(
        "ivigmeta studies show poelman2015",
        "ivigmeta studies show takehara2013 --format json",
    ),
)
@click.argument("study_id", metavar="ID")
@studies_option
@format_option(("table", "json"))
def studies_show(study_id: str, studies_path: str | None, output_format: str) -> None:
    """Every number of one study record, as printed in its source."""
    from ivigmeta.analyses.studies import show_study
    from ivigmeta.render.studies import render_study

    click.echo(render_study(show_study(study_id, studies_path), output_format), nl=False)


@studies.command(
    "validate",
    epilog=examples(
        "ivigmeta studies validate",
        "ivigmeta studies validate data/studies/poelman2015.yaml",
    ),
)
@click.argument("paths", nargs=-1, type=click.Path())
def studies_validate(paths: tuple[str, ...]) -> None:
    """Check record files or folders (default: the studies folder); exit 2 on any error."""
    from ivigmeta.analyses.studies import validate_studies

    result = validate_studies(paths)
    if not result.ok:
        for message in result.errors:
            click.echo(f"ivigmeta: error: {message}", err=True)
        raise SystemExit(2)
    click.echo(f"{count(result.records, 'record')} OK")


@click.command(
    "outcomes",
    epilog=examples(
        "ivigmeta outcomes",
        "ivigmeta outcomes --format json",
    ),
)
@studies_option
@format_option()
def outcomes(studies_path: str | None, output_format: str) -> None:
    """The outcome vocabulary, with how many studies and timepoints carry each outcome."""
    from ivigmeta.analyses.studies import outcome_usage
    from ivigmeta.render.studies import render_outcomes

    click.echo(render_outcomes(outcome_usage(studies_path), output_format), nl=False)
