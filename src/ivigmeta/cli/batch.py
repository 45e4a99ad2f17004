"""``ivigmeta batch``: every analysis of a plan file, one row each."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples


@click.command(
    "batch",
    epilog=examples(
        "ivigmeta batch examples/plan-mrss.yaml --out mrss-sensitivity.jsonl",
        "ivigmeta batch examples/plan-tables.yaml --out tables.csv",
    ),
)
@click.argument("plan_path", metavar="PLAN.yaml", type=click.Path())
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the rows to FILE: .jsonl (JSON Lines) or .csv. Default: JSON Lines on stdout.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes computing effect sizes, started only when that work takes over 0.5 s "
    "(pooling is vectorised either way).",
)
def batch(plan_path: str, out_path: str | None, jobs: int) -> None:
    """Run every analysis of a plan file; one row per analysis (pool's fields + the plan entry).

    Lists in a plan entry expand to their cross product (see examples/plan-mrss.yaml), at most
    100,000 analyses per plan. Rows are written as they are computed. A failing analysis
    becomes a row with "error" set and the batch goes on; the exit code is then 1.
    """
    from ivigmeta.analyses.batch import iter_batch, refuse_input_as_output
    from ivigmeta.analyses.plan import read_plan
    from ivigmeta.output import atomic_write, check_target
    from ivigmeta.render.batch import output_kind, render_rows
    from ivigmeta.render.progress import progress_bar
    from ivigmeta.wording import count

    kind = output_kind(out_path)
    plan = read_plan(plan_path)
    if out_path is not None:
        check_target(out_path)
        refuse_input_as_output(plan, out_path)
    counts = {"rows": 0, "failed": 0}

    def counted(rows):
        for row in rows:
            counts["rows"] += 1
            counts["failed"] += row.error is not None
            yield row

    with progress_bar() as update:
        pieces = render_rows(counted(iter_batch(plan, jobs=jobs, progress=update)), kind, plan.keys)
        if out_path is None:
            for piece in pieces:
                click.echo(piece, nl=False)
        else:
            atomic_write(out_path, pieces)
    where = f" -> {out_path}" if out_path else ""
    summary = f"{count(counts['rows'], 'analysis')}, {counts['failed']} failed"
    click.echo(f"ivigmeta: {summary}{where}", err=True)
    if counts["failed"]:
        raise SystemExit(1)
