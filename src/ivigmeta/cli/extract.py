"""``ivigmeta extract``: reported statistics in a text, and a draft study record."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples


@click.command(
    "extract",
    epilog=examples(
        "ivigmeta extract examples/poelman2015_abstract.txt",
        "ivigmeta extract examples/poelman2015_abstract.txt --out poelman_draft.yaml",
    ),
)
@click.argument("file", metavar="FILE.txt|-")
@click.option(
    "--out",
    default=None,
    metavar="DRAFT.yaml",
    help="Write the draft record here (its id is the file name stem).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("table", "json", "yaml")),
    default="table",
    show_default=True,
    help="table: the statistics found; json: statistics and draft; yaml: the draft record.",
)
def extract_command(file: str, out: str | None, output_format: str) -> None:
    """Find reported statistics in a text (an abstract, a results paragraph) and draft a record.

    Recognises mean ± SD and mean (SD) with their n, n = ..., percentages (and pairs such as
    74% vs. 20%), p-values with their comparator and 95% CIs in the common spellings. The
    draft keeps every number as printed, pairs only what a sentence spells out (baseline and
    follow-up means, a group against its comparators), leaves the rest null, and lists in
    `confirm:` what a person must check, with quotes and character offsets. `reproduce
    --studies DRAFT.yaml` runs on it.
    """
    from ivigmeta.analyses.extract import extract
    from ivigmeta.output import atomic_write
    from ivigmeta.render.extract import render_extraction

    result = extract(file, out)
    if out is not None:
        atomic_write(out, result.draft_yaml)
    click.echo(render_extraction(result, output_format), nl=False)
