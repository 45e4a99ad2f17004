"""``ivigmeta test ...``, ``reproduce`` and ``grim``: checks of reported results."""

from __future__ import annotations

import click

from ivigmeta.cli.app import Group, examples
from ivigmeta.cli.options import (
    BoundedFloat,
    CountParam,
    format_option,
    shared_options,
    studies_option,
)


class PrintedNumberParam(click.ParamType):
    """A number that keeps its printed text (``7.90`` stands for [7.895, 7.905])."""

    name = "number"

    def convert(self, value, param, ctx):
        from ivigmeta.printed import PrintedNumber
        from ivigmeta.stats.numerics.limits import number_problem, typed_number_problem

        if isinstance(value, PrintedNumber):
            return value
        problem = typed_number_problem(str(value))
        if problem:
            self.fail(problem, param, ctx)
        number = PrintedNumber(value)
        problem = number_problem(number)
        if problem:
            self.fail(problem, param, ctx)
        return number


PRINTED = PrintedNumberParam()
#: patients (n >= 1), events (>= 0) and sizes that need n >= 2, up to 10^9
PATIENTS = CountParam(1)
EVENTS = CountParam(0)


def record_options(command):
    """``--study/--outcome/--timepoint`` (take the numbers from a record) and ``--studies``."""
    for option in reversed(
        (
            click.option("--study", default=None, help="Take the numbers from this study record."),
            click.option("--outcome", default=None, help="Outcome of the record (e.g. mrss)."),
            click.option("--timepoint", default=None, help="Timepoint: 6 (months), 6mo, 12wk."),
            studies_option,
        )
    ):
        command = option(command)
    return command


@click.group(
    "test",
    cls=Group,
    epilog=examples(
        "ivigmeta test paired --mean-change -5.3 --sd-change 7.9 --n 29",
        "ivigmeta test paired --study poelman2015 --outcome mrss --timepoint 6",
    ),
)
def test_group() -> None:
    """Significance tests from summary statistics, allowing for the rounding of printed numbers.

    Numbers keep their printed precision: `--sd 7.9` stands for [7.85, 7.95], and p_min/p_max
    give the range of p over every such input.
    """


@test_group.command(
    "paired",
    epilog=examples(
        "ivigmeta test paired --mean-change -5.3 --sd-change 7.9 --n 29",
        "ivigmeta test paired --study poelman2015 --outcome mrss --timepoint 6",
    ),
)
@click.option("--mean-change", type=PRINTED, help="Mean of the change scores.")
@click.option("--sd-change", type=PRINTED, help="SD of the change scores.")
@click.option("--n", type=PATIENTS, help="Patients with both measurements.")
@click.option("--mean-before", type=PRINTED, help="Baseline mean (with --r instead of change).")
@click.option("--sd-before", type=PRINTED, help="Baseline SD.")
@click.option("--mean-after", type=PRINTED, help="Follow-up mean.")
@click.option("--sd-after", type=PRINTED, help="Follow-up SD.")
@click.option("--r", type=PRINTED, help="Baseline-follow-up correlation.")
@click.option(
    "--solve",
    type=click.Choice(("r", "sd-change")),
    help="Back-calculate the change SD and correlation implied by the reported p.",
)
@click.option("--p", "p", default=None, help="Reported p for --solve, e.g. 0.0011 or '<0.0001'.")
@record_options
@shared_options("level")
@format_option()
def test_paired(output_format: str, **options) -> None:
    """Paired t test from change mean/SD/n, or from baseline/follow-up and --r."""
    from ivigmeta.analyses.cautions import test_cautions
    from ivigmeta.analyses.tests_from_records import paired_t
    from ivigmeta.render.reproduce import render_results

    results = paired_t(**options)
    click.echo(render_results(results, output_format, test_cautions(results)), nl=False)


@test_group.command(
    "two-sample",
    epilog=examples(
        "ivigmeta test two-sample --mean1 -8.0 --sd1 8.3 --n1 25 --mean2 -2.47 --sd2 8.6 --n2 25",
        "ivigmeta test two-sample --study poelman2015 --outcome mrss_change --timepoint 12 "
        "--solve n2 --n2-max 300",
    ),
)
@click.option("--mean1", type=PRINTED, help="Mean of arm 1 (e.g. treatment).")
@click.option("--sd1", type=PRINTED, help="SD of arm 1.")
@click.option("--n1", type=PATIENTS, help="n of arm 1.")
@click.option("--mean2", type=PRINTED, help="Mean of arm 2 (e.g. control).")
@click.option("--sd2", type=PRINTED, help="SD of arm 2.")
@click.option("--n2", type=PATIENTS, help="n of arm 2.")
@click.option("--welch", is_flag=True, help="Welch's unequal-variance t test (default Student).")
@click.option(
    "--solve",
    type=click.Choice(("n2",)),
    help="List the arm-2 sizes n2 consistent with the reported p.",
)
@click.option("--p", "p", default=None, help="Reported p for --solve.")
@click.option("--n2-max", type=PATIENTS, default=1000, show_default=True, help="Largest n2 tried.")
@record_options
@shared_options("level")
@format_option()
def test_two_sample(output_format: str, **options) -> None:
    """Student (or Welch) t test of two independent means from mean, SD and n."""
    from ivigmeta.analyses.cautions import test_cautions
    from ivigmeta.analyses.tests_from_records import two_sample_t
    from ivigmeta.render.reproduce import render_results

    results = two_sample_t(**options)
    click.echo(render_results(results, output_format, test_cautions(results)), nl=False)


@test_group.command(
    "one-sample",
    epilog=examples(
        "ivigmeta test one-sample --mean 2.1 --sd 1.4 --n 20",
        "ivigmeta test one-sample --mean 2.1 --sd 1.4 --n 20 --mu 1.5 --format json",
    ),
)
@click.option("--mean", type=PRINTED, required=True, help="Sample mean.")
@click.option("--sd", type=PRINTED, required=True, help="Sample SD.")
@click.option("--n", type=PATIENTS, required=True, help="Sample size.")
@click.option("--mu", type=BoundedFloat(), default=0.0, show_default=True, help="Mean under H0.")
@shared_options("level")
@format_option()
def test_one_sample(output_format: str, **options) -> None:
    """One-sample t test of H0: mean = mu."""
    from ivigmeta.analyses.cautions import test_cautions
    from ivigmeta.analyses.tests_from_records import one_sample_t
    from ivigmeta.render.reproduce import render_results

    results = one_sample_t(**options)
    click.echo(render_results(results, output_format, test_cautions(results)), nl=False)


@test_group.command(
    "proportions",
    epilog=examples(
        "ivigmeta test proportions --x1 12 --n1 30 --x2 5 --n2 30",
        "ivigmeta test proportions --percent1 40 --n1 30 --percent2 17 --n2 30",
    ),
)
@click.option("--x1", type=EVENTS, help="Events in group 1.")
@click.option("--n1", type=PATIENTS, required=True, help="Size of group 1.")
@click.option("--x2", type=EVENTS, help="Events in group 2.")
@click.option("--n2", type=PATIENTS, required=True, help="Size of group 2.")
@click.option("--percent1", type=PRINTED, help="Printed percentage of group 1 (instead of --x1).")
@click.option("--percent2", type=PRINTED, help="Printed percentage of group 2 (instead of --x2).")
@shared_options("level")
@format_option()
def test_proportions(output_format: str, **options) -> None:
    """Two independent proportions: z, chi-square with and without Yates, Fisher exact."""
    from ivigmeta.analyses.cautions import test_cautions
    from ivigmeta.analyses.tests_from_records import two_proportions
    from ivigmeta.render.reproduce import render_results

    results = two_proportions(**options)
    click.echo(render_results(results, output_format, test_cautions(results)), nl=False)


@test_group.command(
    "paired-proportions",
    epilog=examples(
        "ivigmeta test paired-proportions --n 46 --percent-before 74 --percent-after 20"
    ),
)
@click.option("--n", type=PATIENTS, help="Patients assessed before and after.")
@click.option("--before", type=EVENTS, help="Patients positive before.")
@click.option("--after", type=EVENTS, help="Patients positive after.")
@click.option("--percent-before", type=PRINTED, help="Printed % positive before.")
@click.option("--percent-after", type=PRINTED, help="Printed % positive after.")
@record_options
@format_option()
def test_paired_proportions(output_format: str, **options) -> None:
    """McNemar p range over every paired table with these margins (discordant pairs unknown)."""
    from ivigmeta.analyses.cautions import test_cautions
    from ivigmeta.analyses.tests_from_records import paired_proportions
    from ivigmeta.render.reproduce import render_results

    results = paired_proportions(**options)
    click.echo(render_results(results, output_format, test_cautions(results)), nl=False)


@click.command(
    "reproduce",
    epilog=examples(
        "ivigmeta reproduce",
        "ivigmeta reproduce --format csv",
    ),
)
@studies_option
@format_option()
def reproduce(studies_path: str | None, output_format: str) -> None:
    """Recompute every reported p-value from the printed summaries; exit 1 if any fails.

    Also checks percentages, SE vs SD, patient numbers, DEBIT, baseline balance and CI-p
    where the records allow. Verdicts: consistent, inconsistent, decision-error (the recomputed
    range lies wholly on the other side of 0.05), unexplained (the paper names no test and none
    tried gives its p), not-checkable (a needed number is missing; the note says which). Exit 1
    only for inconsistent or decision-error.
    """
    from ivigmeta.analyses.cautions import reproduce_cautions
    from ivigmeta.analyses.reproduce import has_problems
    from ivigmeta.analyses.reproduce import reproduce as reproduce_rows
    from ivigmeta.render.reproduce import render_reproduce

    rows = reproduce_rows(studies_path)
    click.echo(render_reproduce(rows, output_format, reproduce_cautions(rows)), nl=False)
    if has_problems(rows):
        raise SystemExit(1)


@click.command(
    "grim",
    epilog=examples(
        "ivigmeta grim --mean 5.19 --n 28",
        "ivigmeta grim --mean 5.19 --n 28 --sd 2.1 --format json",
    ),
)
@click.option("--mean", type=PRINTED, required=True, help="Printed mean, e.g. 5.19.")
@click.option("--n", type=PATIENTS, required=True, help="Number of patients.")
@click.option("--sd", type=PRINTED, default=None, help="Printed SD (adds the GRIMMER test).")
@click.option(
    "--items", type=PATIENTS, default=1, show_default=True, help="Integer items averaged."
)
@format_option()
def grim(mean, n: int, sd, items: int, output_format: str) -> None:
    """GRIM (and GRIMMER) check: can n integer scores have this mean (and SD)? Exit 1 if not."""
    from ivigmeta.analyses.cautions import grim_cautions
    from ivigmeta.render.reproduce import render_results
    from ivigmeta.stats.checks.grim import grim as grim_check

    result = grim_check(mean, n, sd, items)
    click.echo(render_results([result], output_format, grim_cautions(result)), nl=False)
    if "inconsistent" in (result.grim, result.grimmer):
        raise SystemExit(1)


def _report_check(results, output_format: str) -> None:
    """Print report-check results with their cautions; exit 1 if any is inconsistent."""
    from ivigmeta.analyses.cautions import test_cautions
    from ivigmeta.render.reproduce import render_results

    click.echo(render_results(results, output_format, test_cautions(results)), nl=False)
    if any(r.verdict in ("inconsistent", "decision-error") for r in results):
        raise SystemExit(1)


@test_group.command(
    "debit",
    epilog=examples("ivigmeta test debit --mean 0.35 --sd 0.49 --n 20"),
)
@click.option("--mean", type=PRINTED, required=True, help="Printed mean of the 0/1 variable.")
@click.option("--sd", type=PRINTED, required=True, help="Printed (sample) SD.")
@click.option("--n", type=CountParam(2), required=True, help="Number of patients.")
@format_option()
def test_debit(mean, sd, n: int, output_format: str) -> None:
    """DEBIT (Heathers & Brown 2019): can a binary variable have this mean and SD? Exit 1 if not."""
    from ivigmeta.stats.checks.debit import debit

    _report_check([debit(mean, sd, n)], output_format)


@test_group.command(
    "ci-p",
    epilog=examples(
        "ivigmeta test ci-p --estimate 17 --ci-low 1.4 --ci-high 32.6 --p 0.032",
        "ivigmeta test ci-p --estimate 0.30 --ci-low 0.10 --ci-high 0.90 --p 0.034 --ratio",
    ),
)
@click.option("--estimate", type=PRINTED, required=True, help="Printed estimate.")
@click.option("--ci-low", type=PRINTED, required=True, help="Printed lower CI limit.")
@click.option("--ci-high", type=PRINTED, required=True, help="Printed upper CI limit.")
@click.option("--p", "p", default=None, help="Printed p, e.g. 0.032 or '<0.001'.")
@click.option("--ratio", is_flag=True, help="A ratio (RR, OR, HR): work on the log scale.")
@click.option("--df", type=BoundedFloat(), default=None, help="t-based CI with these df.")
@shared_options("level")
@format_option()
def test_ci_p(output_format: str, **options) -> None:
    """Does the CI imply the printed p? (Altman & Bland, BMJ 2011;343:d2304). Exit 1 if not."""
    from ivigmeta.stats.checks.ci_p import ci_p_check

    _report_check([ci_p_check(**options)], output_format)


@test_group.command("se-sd", epilog=examples("ivigmeta test se-sd --sd 7.9 --se 1.47 --n 29"))
@click.option("--sd", type=PRINTED, required=True, help="Printed SD.")
@click.option("--se", type=PRINTED, required=True, help="Printed SE.")
@click.option("--n", type=PATIENTS, required=True, help="Number of patients.")
@format_option()
def test_se_sd(sd, se, n: int, output_format: str) -> None:
    """Is the SE the SD over the square root of n? Exit 1 if not."""
    from ivigmeta.stats.checks.arithmetic import se_sd_check

    _report_check([se_sd_check(sd, se, n)], output_format)


@test_group.command(
    "percent",
    epilog=examples(
        "ivigmeta test percent --count 18 --percent 34.6 --n 52",
        "ivigmeta test percent --count 18 --percent 34.6 --n-max 100",
    ),
)
@click.option("--count", type=EVENTS, default=None, help="Printed count.")
@click.option("--percent", type=PRINTED, required=True, help="Printed percent.")
@click.option("--n", type=PATIENTS, default=None, help="Printed n (leave out to search it).")
@click.option("--n-max", type=PATIENTS, default=1000, show_default=True,
              help="Largest n tried without --n.")  # fmt: skip
@format_option()
def test_percent(count, percent, n, n_max: int, output_format: str) -> None:
    """Does 100·count/n round to the printed percent? Exit 1 if not."""
    from ivigmeta.stats.checks.arithmetic import percent_check

    _report_check([percent_check(count, percent, n, n_max)], output_format)


class BaselineParam(click.ParamType):
    """``NAME:MEAN1,SD1,N1,MEAN2,SD2,N2`` (printed numbers keep their precision)."""

    name = "variable"

    def convert(self, value, param, ctx):
        from ivigmeta.stats.checks.baseline import BaselineVariable

        name, _, numbers = str(value).rpartition(":")
        parts = [p.strip() for p in numbers.split(",")]
        if len(parts) != 6:
            self.fail(f"expected NAME:MEAN1,SD1,N1,MEAN2,SD2,N2, got {value!r}", param, ctx)
        m1, s1, n1, m2, s2, n2 = parts
        means = [PRINTED.convert(v, param, ctx) for v in (m1, s1, m2, s2)]
        sizes = [CountParam(2).convert(v, param, ctx) for v in (n1, n2)]
        for sd in (means[1], means[3]):
            if not float(sd) > 0:
                self.fail(f"expected positive SDs, got {value!r}", param, ctx)
        return BaselineVariable(name or "variable", means[0], means[1], sizes[0], means[2],
                                means[3], sizes[1])  # fmt: skip


@test_group.command(
    "baseline",
    epilog=examples(
        "ivigmeta test baseline --variable age:54.1,11.2,31,53.8,10.9,31 "
        "--variable mrss:27.3,6.9,31,26.9,7.1,31"
    ),
)
@click.option("--variable", "variables", type=BaselineParam(), multiple=True, required=True,
              help="NAME:MEAN1,SD1,N1,MEAN2,SD2,N2 of one baseline variable (repeat).")  # fmt: skip
@format_option()
def test_baseline(variables, output_format: str) -> None:
    """Baseline balance of two randomised arms (Carlisle 2017, Stouffer). Exit 1 if flagged."""
    from ivigmeta.stats.checks.baseline import baseline_balance

    _report_check([baseline_balance(list(variables))], output_format)


class LabelledCount(click.ParamType):
    """``LABEL=N`` (or just ``N``)."""

    name = "label=n"

    def convert(self, value, param, ctx):
        label, _, number = str(value).rpartition("=")
        try:
            count = PATIENTS.convert(number, param, ctx)
        except click.BadParameter:
            self.fail(f"expected LABEL=N with N a whole number (e.g. baseline=30), got {value!r}",
                      param, ctx)  # fmt: skip
        return (label or str(number), count)


@test_group.command(
    "n-flow",
    epilog=examples(
        "ivigmeta test n-flow --n baseline=30 --n 6mo=29 --n 12mo=25",
        "ivigmeta test n-flow --arm IVIG=31 --arm placebo=31 --total 63",
    ),
)
@click.option("--n", "sequence", type=LabelledCount(), multiple=True,
              help="LABEL=N in time order (each at most the one before).")  # fmt: skip
@click.option("--arm", "arms", type=LabelledCount(), multiple=True, help="LABEL=N of an arm.")
@click.option("--total", type=PATIENTS, default=None, help="Patients enrolled (with --arm).")
@click.option("--randomised", is_flag=True, help="--total is the randomised n: arms equal it.")
@format_option()
def test_n_flow(sequence, arms, total, randomised: bool, output_format: str) -> None:
    """Patient numbers: no later n above an earlier one, arms adding up to the total."""
    from ivigmeta.stats.checks.arithmetic import n_flow_check

    _report_check([n_flow_check(list(sequence), list(arms), total, randomised)], output_format)
