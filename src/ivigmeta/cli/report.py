"""``ivigmeta report``: one self-contained HTML or Markdown report."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples
from ivigmeta.cli.options import CSV_OPTIONS, shared_options


@click.command(
    "report",
    epilog=examples(
        "ivigmeta report --all --out report.html",
        "ivigmeta report --csv examples/bcg.csv --measure RR --out bcg.md",
    ),
)
@click.option("--outcome", "outcomes", multiple=True,
              help="Outcome to report (repeatable); with --csv, the table's name.")  # fmt: skip
@click.option("--all", "all_outcomes", is_flag=True, help="Every outcome in the records.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    required=True,
    help="Report file: .html (self-contained, inline figures) or .md.",
)
@shared_options(
    *("timepoint", *CSV_OPTIONS, "measure", "agent", "method", "test", "pi", "level", "studies"),
    csv="Report the rows of a CSV table (metafor escalc column names; - reads standard input) "
    "instead of the records.",
    measure="Effect size (metafor escalc), as for `pool`.",
    method="tau² estimator for every pooled outcome.",
    test="Tests and CIs.",
)
def report(outcomes, all_outcomes, out_path, studies_path, **options) -> None:
    """One self-contained HTML (or Markdown) report: studies, pooled results, figures,
    sensitivity and bias analyses, reproduced p-values and a methods paragraph."""
    from ivigmeta.analyses.report import report as build_report
    from ivigmeta.output import check_target
    from ivigmeta.render.report_html import report_format, write_report

    report_format(out_path)  # an unknown suffix or folder fails before the analyses run
    check_target(out_path)
    options["method"] = options["method"].upper()
    result = build_report(list(outcomes), all=all_outcomes, studies=studies_path, **options)
    write_report(result, out_path)
    click.echo(f"wrote {out_path}", err=True)


# ------------------------------------------------------------------ batch
