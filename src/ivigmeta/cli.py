"""The ``ivigmeta`` command line: a thin mirror of the Python API.

Each command parses its options, calls the library function of the same name and hands the
result to a renderer. Heavy modules are imported inside the commands, so ``--help`` stays fast.
Errors the project raises on purpose (:class:`~ivigmeta.errors.IvigmetaError`) become a
one-line message and exit code 2; ``reproduce`` and ``batch`` exit 1 when they find problems.
"""

from __future__ import annotations

import click

from ivigmeta import __version__
from ivigmeta.errors import IvigmetaError


class InputProblem(click.ClickException):
    """A clean, one-line error with exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"ivigmeta: error: {self.format_message()}", err=True)


class Group(click.Group):
    """A click group that turns the project's errors into :class:`InputProblem`."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IvigmetaError as error:
            raise InputProblem(str(error)) from None
        except OSError as error:  # unreadable input, unwritable output
            raise InputProblem(f"{error.filename or ''}: {error.strerror or error}") from None


class UpperCaseChoice(click.Choice):
    """A choice of upper-case names (metafor's spelling: REML, SMD) that accepts any case."""

    def convert(self, value, param, ctx):
        return super().convert(value.upper() if isinstance(value, str) else value, param, ctx)


studies_option = click.option(
    "--studies",
    "studies_path",
    type=click.Path(),
    default=None,
    help="Folder (or file) of YAML study records. Default: ./data/studies if present, "
    "else the copy bundled with ivigmeta.",
)

FORMATS = ("table", "json", "csv", "md")


def format_option(choices: tuple[str, ...] = FORMATS):
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ivigmeta")
def cli() -> None:
    """Meta-analysis of summary statistics, checked against R's metafor.

    Starts from one question: does intravenous immunoglobulin (IVIG) help people with
    systemic sclerosis? Try `ivigmeta studies list` and `ivigmeta pool --outcome mrss`.
    """


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="ivigmeta")


@cli.group(cls=Group)
def studies() -> None:
    """List, show and validate the YAML study records."""


@studies.command("list")
@studies_option
@format_option()
def studies_list(studies_path: str | None, output_format: str) -> None:
    """One line per study: id, year, design, agent, n, outcomes, flags."""
    from ivigmeta.analyses.studies import list_studies
    from ivigmeta.render.studies import render_study_list

    click.echo(render_study_list(list_studies(studies_path), output_format), nl=False)


@studies.command("show")
@click.argument("study_id", metavar="ID")
@studies_option
@format_option(("table", "json"))
def studies_show(study_id: str, studies_path: str | None, output_format: str) -> None:
    """Every number of one study record, as printed in its source."""
    from ivigmeta.analyses.studies import show_study
    from ivigmeta.render.studies import render_study

    click.echo(render_study(show_study(study_id, studies_path), output_format), nl=False)


@studies.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
def studies_validate(paths: tuple[str, ...]) -> None:
    """Check record files or folders (default: the studies folder); exit 2 on any error."""
    from ivigmeta.analyses.studies import validate_studies

    result = validate_studies(paths)
    if not result.ok:
        for message in result.errors:
            click.echo(f"ivigmeta: error: {message}", err=True)
        raise SystemExit(2)
    click.echo(f"{result.records} records OK")


@cli.command("outcomes")
@studies_option
@format_option()
def outcomes(studies_path: str | None, output_format: str) -> None:
    """The outcome vocabulary, with how many studies and timepoints carry each outcome."""
    from ivigmeta.analyses.studies import outcome_usage
    from ivigmeta.render.studies import render_outcomes

    click.echo(render_outcomes(outcome_usage(studies_path), output_format), nl=False)


# --------------------------------------------------------------------------- shared options
# The study selection and model options of pool, sensitivity, subgroup, regress, bias and report,
# defined once. A command lists the ones it takes with `shared_options(...)`, in help order,
# and may word a help text for itself.

MEASURES = (
    *("GEN", "MD", "SMD", "SMDH", "ROM", "MC", "SMCC", "SMCR", "SMCRH"),
    *("PR", "PLO", "PAS", "PFT", "RR", "OR", "RD"),
)
METHODS = ("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
TESTS = ("z", "t", "knha", "adhoc")

_SHARED_OPTIONS: dict[str, tuple[tuple[str, ...], dict]] = {
    "outcome": (("--outcome",), {"help": "Outcome from the study records (e.g. mrss)."}),
    "timepoint": (
        ("--timepoint",),
        {"help": "Months (e.g. 6) or 'latest'. Default: closest to 12 months."},
    ),
    "design": (("--design",), {"help": "Keep only studies of this design."}),
    "csv": (
        ("--csv",),
        {
            "type": click.Path(dir_okay=False),
            "help": "Analyse the rows of a CSV table (metafor escalc column names).",
        },
    ),
    "measure": (
        ("--measure",),
        {
            "type": UpperCaseChoice(MEASURES),
            "help": "Effect size (metafor escalc), as for `pool`.",
        },
    ),
    "addon": (
        ("--addon/--no-addon",),
        {
            "default": None,
            "help": "Keep only studies where IVIG was added to other treatment (--addon) or "
            "was not (--no-addon). Records that do not say are left out by either.",
        },
    ),
    "r": (
        ("--r", "r"),
        {
            "type": click.FloatRange(-1, 1),
            "help": "Pre-post correlation assumed where needed, as for `pool`.",
        },
    ),
    "method": (
        ("--method",),
        {
            "type": UpperCaseChoice(METHODS),
            "default": "REML",
            "show_default": True,
            "help": "tau² estimator (EE: equal-effects model).",
        },
    ),
    "test": (
        ("--test",),
        {
            "type": click.Choice(TESTS),
            "default": "z",
            "show_default": True,
            "help": "Tests and CIs: z, t, Knapp-Hartung or ad hoc.",
        },
    ),
    "level": (
        ("--level",),
        {"type": float, "default": 95.0, "show_default": True, "help": "Confidence level (%)."},
    ),
}
SELECTION_OPTIONS = ("outcome", "timepoint", "design", "csv", "measure", "addon")


def shared_options(*names: str, **help_texts: str):
    """Decorator adding the shared options ``names`` in this order (``studies`` and ``format``
    included); ``help_texts`` words an option's help for one command."""

    def decorate(function):
        for name in reversed(names):
            if name == "studies":
                option = studies_option
            elif name == "format":
                option = format_option()
            else:
                declarations, attributes = _SHARED_OPTIONS[name]
                help_text = help_texts.get(name, attributes["help"])
                option = click.option(*declarations, **{**attributes, "help": help_text})
            function = option(function)
        return function

    return decorate


analysis_options = shared_options(
    *SELECTION_OPTIONS, "r", "method", "test", "level", "studies", "format"
)

POOL_HELP = {
    "outcome": "Outcome to pool from the study records (e.g. mrss).",
    "timepoint": "Months (e.g. 6) or 'latest'. Default: per study, the timepoint closest to 12 "
    "months.",
    "design": "Keep only studies of this design (e.g. rct).",
    "csv": "Pool the rows of a CSV table with metafor escalc column names instead of the records.",
    "measure": "Effect size (metafor escalc). Default from records: MC for before/after "
    "outcomes, MD for two-arm comparisons.",
    "test": "Tests and CIs: z, t(k-1), Knapp-Hartung (knha) or its ad hoc variant.",
    "r": "Pre-post correlation assumed where a study prints neither the SD of change nor an "
    "exact paired p. Default: the mean r of the entries printing all three SDs.",
}


@cli.command("pool")
@shared_options(*SELECTION_OPTIONS, "method", "test", **POOL_HELP)
@click.option(
    "--pi",
    type=click.Choice(("auto", "z", "t", "hts")),
    default="auto",
    show_default=True,
    help="Prediction interval quantile: auto (metafor predict(): z, or t(k-1) under t/knha), "
    "z, t (k-1 df, R meta >= 8.0) or hts (t, k-2 df; Higgins et al. 2009).",
)
@shared_options("level", "r", **POOL_HELP)
@click.option("--r-sweep", is_flag=True, help="Also pool with r = 0.0, 0.1, ..., 0.9.")
@click.option(
    "--forest",
    "forest_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw a forest plot to FILE (.svg, .png or .pdf).",
)
@click.option(
    "--by",
    type=click.Choice(("design",)),
    default=None,
    help="With --forest: subgroup blocks, each pooled on its own with its own diamond.",
)
@studies_option
@format_option()
def pool(
    outcome: str | None,
    design: str | None,
    r_sweep: bool,
    forest_path: str | None,
    by: str | None,
    output_format: str,
    **options,
) -> None:
    """Pool an outcome across the IVIG studies (or a CSV table) with metafor's rma()."""
    from ivigmeta.analyses.pool import pool as pool_function
    from ivigmeta.render.pool import render_pool

    result = pool_function(outcome, design=design, r_sweep=r_sweep, **options)
    click.echo(render_pool(result, output_format), nl=False)
    if forest_path:
        from ivigmeta.render.figures.forest import save_pool_forest

        save_pool_forest(result, forest_path, by=by, **options)


# ------------------------------------------------------------------ test / reproduce / grim


class PrintedNumberParam(click.ParamType):
    """A number that keeps its printed text (``7.90`` stands for [7.895, 7.905])."""

    name = "number"

    def convert(self, value, param, ctx):
        from ivigmeta.printed import PrintedNumber

        if isinstance(value, PrintedNumber):
            return value
        try:
            return PrintedNumber(value)
        except ValueError:
            self.fail(f"expected a number, got {value!r}", param, ctx)


PRINTED = PrintedNumberParam()


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


@cli.group("test", cls=Group)
def test_group() -> None:
    """Significance tests from summary statistics, allowing for the rounding of printed numbers.

    Numbers keep their printed precision: `--sd 7.9` stands for [7.85, 7.95], and p_min/p_max
    give the range of p over every such input.
    """


@test_group.command("paired")
@click.option("--mean-change", type=PRINTED, help="Mean of the change scores.")
@click.option("--sd-change", type=PRINTED, help="SD of the change scores.")
@click.option("--n", type=int, help="Patients with both measurements.")
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
    from ivigmeta.analyses.tests_from_records import paired_t
    from ivigmeta.render.reproduce import render_results

    click.echo(render_results(paired_t(**options), output_format), nl=False)


@test_group.command("two-sample")
@click.option("--mean1", type=PRINTED, help="Mean of arm 1 (e.g. treatment).")
@click.option("--sd1", type=PRINTED, help="SD of arm 1.")
@click.option("--n1", type=int, help="n of arm 1.")
@click.option("--mean2", type=PRINTED, help="Mean of arm 2 (e.g. control).")
@click.option("--sd2", type=PRINTED, help="SD of arm 2.")
@click.option("--n2", type=int, help="n of arm 2.")
@click.option("--welch", is_flag=True, help="Welch's unequal-variance t test (default Student).")
@click.option(
    "--solve",
    type=click.Choice(("n2",)),
    help="List the arm-2 sizes n2 consistent with the reported p.",
)
@click.option("--p", "p", default=None, help="Reported p for --solve.")
@click.option("--n2-max", type=int, default=1000, show_default=True, help="Largest n2 tried.")
@record_options
@shared_options("level")
@format_option()
def test_two_sample(output_format: str, **options) -> None:
    """Student (or Welch) t test of two independent means from mean, SD and n."""
    from ivigmeta.analyses.tests_from_records import two_sample_t
    from ivigmeta.render.reproduce import render_results

    click.echo(render_results(two_sample_t(**options), output_format), nl=False)


@test_group.command("one-sample")
@click.option("--mean", type=PRINTED, required=True, help="Sample mean.")
@click.option("--sd", type=PRINTED, required=True, help="Sample SD.")
@click.option("--n", type=int, required=True, help="Sample size.")
@click.option("--mu", type=float, default=0.0, show_default=True, help="Mean under H0.")
@shared_options("level")
@format_option()
def test_one_sample(output_format: str, **options) -> None:
    """One-sample t test of H0: mean = mu."""
    from ivigmeta.analyses.tests_from_records import one_sample_t
    from ivigmeta.render.reproduce import render_results

    click.echo(render_results(one_sample_t(**options), output_format), nl=False)


@test_group.command("proportions")
@click.option("--x1", type=int, help="Events in group 1.")
@click.option("--n1", type=int, required=True, help="Size of group 1.")
@click.option("--x2", type=int, help="Events in group 2.")
@click.option("--n2", type=int, required=True, help="Size of group 2.")
@click.option("--percent1", type=PRINTED, help="Printed percentage of group 1 (instead of --x1).")
@click.option("--percent2", type=PRINTED, help="Printed percentage of group 2 (instead of --x2).")
@shared_options("level")
@format_option()
def test_proportions(output_format: str, **options) -> None:
    """Two independent proportions: z, chi-square with and without Yates, Fisher exact."""
    from ivigmeta.analyses.tests_from_records import two_proportions
    from ivigmeta.render.reproduce import render_results

    click.echo(render_results(two_proportions(**options), output_format), nl=False)


@test_group.command("paired-proportions")
@click.option("--n", type=int, help="Patients assessed before and after.")
@click.option("--before", type=int, help="Patients positive before.")
@click.option("--after", type=int, help="Patients positive after.")
@click.option("--percent-before", type=PRINTED, help="Printed % positive before.")
@click.option("--percent-after", type=PRINTED, help="Printed % positive after.")
@record_options
@format_option()
def test_paired_proportions(output_format: str, **options) -> None:
    """McNemar p range over every paired table with these margins (discordant pairs unknown)."""
    from ivigmeta.analyses.tests_from_records import paired_proportions
    from ivigmeta.render.reproduce import render_results

    click.echo(render_results(paired_proportions(**options), output_format), nl=False)


@cli.command("reproduce")
@studies_option
@format_option()
def reproduce(studies_path: str | None, output_format: str) -> None:
    """Recompute every reported p-value from the printed summaries; exit 1 if any fails.

    Verdicts: consistent, inconsistent, decision-error (the recomputed range lies wholly on
    the other side of 0.05), not-checkable (a needed number is missing; the note says which).
    """
    from ivigmeta.analyses.reproduce import has_problems
    from ivigmeta.analyses.reproduce import reproduce as reproduce_rows
    from ivigmeta.render.reproduce import render_reproduce

    rows = reproduce_rows(studies_path)
    click.echo(render_reproduce(rows, output_format), nl=False)
    if has_problems(rows):
        raise SystemExit(1)


@cli.command("grim")
@click.option("--mean", type=PRINTED, required=True, help="Printed mean, e.g. 5.19.")
@click.option("--n", type=int, required=True, help="Number of patients.")
@click.option("--sd", type=PRINTED, default=None, help="Printed SD (adds the GRIMMER test).")
@click.option("--items", type=int, default=1, show_default=True, help="Integer items averaged.")
@format_option()
def grim(mean, n: int, sd, items: int, output_format: str) -> None:
    """GRIM (and GRIMMER) check: can n integer scores have this mean (and SD)? Exit 1 if not."""
    from ivigmeta.render.reproduce import render_results
    from ivigmeta.stats.checks.grim import grim as grim_check

    result = grim_check(mean, n, sd, items)
    click.echo(render_results([result], output_format), nl=False)
    if "inconsistent" in (result.grim, result.grimmer):
        raise SystemExit(1)


# --------------------------------------------------------------------------- sensitivity,
# subgroup, regress, bias: the same study selection as `pool`, then one analysis each.


@cli.command("sensitivity")
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


@cli.command("subgroup")
@click.option("--by", required=True,
              help="Record field (design, subtype, addon, year, ...) or CSV column.")  # fmt: skip
@analysis_options
def subgroup_command(by: str, output_format: str, **options) -> None:
    """Pooled results per subgroup and tests for subgroup differences."""
    from ivigmeta.analyses.subgroup import subgroup
    from ivigmeta.render.subgroup import render_subgroup

    result = subgroup(by, **options)
    click.echo(render_subgroup(result, output_format), nl=False)


@cli.command("regress")
@click.option("--mods", required=True,
              help="Numeric moderators, comma-separated record fields or CSV columns.")  # fmt: skip
@analysis_options
def regress_command(mods: str, output_format: str, **options) -> None:
    """Mixed-effects meta-regression (metafor rma with mods)."""
    from ivigmeta.analyses.regress import regress
    from ivigmeta.render.regress import render_regress

    result = regress(mods, **options)
    click.echo(render_regress(result, output_format), nl=False)


@cli.command("bias")
@click.option("--egger-model", type=click.Choice(("rma", "lm")), default="rma", show_default=True,
              help="Egger's test as metafor's default meta-regression (rma) or Egger's "
              "weighted regression (lm).")  # fmt: skip
@click.option("--estimator", type=click.Choice(("L0", "R0")), default="L0", show_default=True,
              help="Trim-and-fill estimator of the number of missing studies.")  # fmt: skip
@click.option("--side", type=click.Choice(("left", "right")), default=None,
              help="Side of the funnel plot where studies are missing. Default: as metafor "
              "(sign of Egger's slope).")  # fmt: skip
@click.option("--funnel", "funnel_path", type=click.Path(dir_okay=False), default=None,
              help="Also draw a funnel plot to FILE (.svg, .png or .pdf).")  # fmt: skip
@click.option("--contours", is_flag=True,
              help="With --funnel: contour-enhanced (significance bands around 0).")  # fmt: skip
@analysis_options
def bias_command(output_format: str, funnel_path: str | None, contours: bool, **options) -> None:
    """Small-study effects: Egger, Begg's rank test, trim-and-fill, fail-safe N."""
    from ivigmeta.analyses.bias import bias
    from ivigmeta.render.bias import render_bias

    result = bias(**options)
    click.echo(render_bias(result, output_format), nl=False)
    if funnel_path:
        from ivigmeta.render.figures.funnel import save_bias_funnel

        save_bias_funnel(result, funnel_path, contours=contours, **options)


@cli.command("report")
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
    from ivigmeta.render.report_html import report_format, write_report

    report_format(out_path)  # an unknown suffix fails before the analyses run
    result = build_report(
        list(outcomes), all=all_outcomes, studies=studies_path, method=method.upper(),
        test=test, level=level,
    )  # fmt: skip
    write_report(result, out_path)
    click.echo(f"wrote {out_path}", err=True)


# ------------------------------------------------------------------ batch


@cli.command("batch")
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
