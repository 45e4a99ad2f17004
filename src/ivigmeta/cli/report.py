"""``ivigmeta report``: one self-contained HTML or Markdown report."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import shared_options


@click.command(
    "report",
    epilog=examples(
        "ivigmeta report --all --out report.html",
        "ivigmeta report --outcome mrss --out report.md",
    ),
)
@click.option("--outcome", "outcomes", multiple=True, help="Outcome to report (repeatable).")
@click.option("--all", "all_outcomes", is_flag=True, help="Every outcome in the records.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    required=True,
    help="Report file: .html (self-contained, inline figures) or .md.",
)
@shared_options(
    "method",
    "test",
    "level",
    "studies",
    method="tau² estimator for every pooled outcome.",
    test="Tests and CIs.",
)
def report(outcomes, all_outcomes, out_path, method, test, level, studies_path) -> None:
    """One self-contained HTML (or Markdown) report: studies, pooled results, figures,
    sensitivity and bias analyses, reproduced p-values and a methods paragraph."""
    from ivigmeta.analyses.report import report as build_report
    from ivigmeta.output import check_target
    from ivigmeta.render.report_html import report_format, write_report

    report_format(out_path)  # an unknown suffix or folder fails before the analyses run
    check_target(out_path)
    result = build_report(
        list(outcomes), all=all_outcomes, studies=studies_path, method=method.upper(),
        test=test, level=level,
    )  # fmt: skip
    write_report(result, out_path)
    click.echo(f"wrote {out_path}", err=True)


# ------------------------------------------------------------------ batch
