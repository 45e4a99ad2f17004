"""``ivigmeta simulate``: a simulation study of meta-analysis methods from a plan file."""

from __future__ import annotations

import click

from ivigmeta.cli.app import examples


@click.command(
    "simulate",
    epilog=examples(
        "ivigmeta simulate examples/simulate-small-k.yaml",
        "ivigmeta simulate examples/simulate-small-k.yaml --shard 2/4 --out part2.csv",
    ),
)
@click.argument("plan_path", metavar="PLAN.yaml", type=click.Path(dir_okay=False))
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Write the rows to FILE: .csv or .jsonl. Default: stdout.")  # fmt: skip
@click.option("--format", "output_format", type=click.Choice(("table", "csv", "jsonl")),
              default=None, help="Output format on stdout (default: table).")  # fmt: skip
@click.option("--shard", default=None, metavar="I/N",
              help="Run only shard I of N (scenarios s with s mod N = I - 1); the shards' rows "
              "together equal the whole run's.")  # fmt: skip
@click.option("--jobs", type=int, default=1, show_default=True,
              help="Processes computing chunks of replications.")  # fmt: skip
@click.option("--dask", default=None, metavar="local|ADDRESS",
              help="Compute on Dask: 'local' (a LocalCluster) or a scheduler address "
              "tcp://HOST:PORT (pip install 'ivigmeta[dask]').")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Override the plan's seed.")
def simulate(plan_path, out_path, output_format, shard, jobs, dask, seed) -> None:
    """Coverage, error rates and accuracy of methods over simulated meta-analyses.

    The output is identical, value for value, run whole, in shards, with --jobs or on Dask.
    """
    from ivigmeta.analyses.simulate import simulate as run
    from ivigmeta.output import atomic_write
    from ivigmeta.render.progress import progress_bar
    from ivigmeta.render.simulate import format_for_path, render_simulation

    chosen = format_for_path(out_path, output_format)
    if out_path is not None:
        from ivigmeta.output import check_target

        check_target(out_path)  # a missing folder fails before the simulation runs
    with progress_bar() as update:
        result = run(plan_path, shard=shard, jobs=jobs, dask=dask, seed=seed, progress=update)
    text = render_simulation(result, chosen)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        atomic_write(out_path, text)
        click.echo(f"ivigmeta: {len(result.rows)} rows -> {out_path}", err=True)
