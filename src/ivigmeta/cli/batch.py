"""``ivigmeta batch``: every analysis of a plan file, one row each."""

from __future__ import annotations

import click


@click.command("batch")
@click.argument("plan_path", metavar="PLAN.yaml", type=click.Path(dir_okay=False))
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
    help="Processes computing effect sizes (pooling is vectorised either way).",
)
def batch(plan_path: str, out_path: str | None, jobs: int) -> None:
    """Run every analysis of a plan file; one row per analysis (pool's fields + the plan entry).

    Lists in a plan entry expand to their cross product (see examples/plan-mrss.yaml). A
    failing analysis becomes a row with "error" set and the batch goes on; the exit code is
    then 1.
    """
    from ivigmeta.analyses.batch import batch as batch_function
    from ivigmeta.output import atomic_write
    from ivigmeta.render.batch import renderer_for
    from ivigmeta.render.progress import progress_bar

    render = renderer_for(out_path)
    with progress_bar() as update:
        result = batch_function(plan_path, jobs=jobs, progress=update)
    text = render(result)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        atomic_write(out_path, text)
    where = f" -> {out_path}" if out_path else ""
    click.echo(f"ivigmeta: {len(result.rows)} analyses, {result.failed} failed{where}", err=True)
    if result.failed:
        raise SystemExit(1)
