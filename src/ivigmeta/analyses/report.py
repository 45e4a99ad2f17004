"""The report: every analysis of the bundled evidence (or of a CSV table) in one result object.

:func:`report` loads the study records, then for each outcome runs :func:`ivigmeta.pool`,
:func:`ivigmeta.sensitivity` and :func:`ivigmeta.bias`, and once :func:`ivigmeta.reproduce`.
With ``csv`` it reports the rows of that table instead (one outcome, no reproduced p-values:
a table of effect-size inputs holds none); the study section then lists the rows as typed.
An analysis that cannot run (too few studies, a value not reported, or a part of ivigmeta that
this version lacks) does not stop the report: its section carries a one-sentence reason
instead. Rendering (HTML, Markdown, figures) is done by ``ivigmeta.render.report_html`` and
``ivigmeta.render.report_markdown``; this module does no I/O beyond reading the records.
"""

from __future__ import annotations

import importlib
import platform
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ivigmeta import __version__
from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result

WARNING_SIGN = "⚠"


@dataclass(frozen=True)
class StudyEntry(Result):
    """One row of the study table: citation, design, size, where the numbers were read, flags.

    ``flags`` are the record's ⚠ flags (disagreements between sources, values not reported),
    from the study and from each of its outcomes and comparisons.
    """

    id: str
    label: str
    citation: str
    year: int
    design: str
    n: int | None
    source: str
    outcomes: tuple[str, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Section(Result):
    """One analysis in the report: its result, or the sentence saying why there is none."""

    name: str
    result: Any = None
    message: str | None = None

    @property
    def available(self) -> bool:
        return self.result is not None


@dataclass(frozen=True)
class OutcomeReport(Result):
    """Pooled result, sensitivity and bias analyses of one outcome; ``treatment`` names the
    intervention in the texts and ``definition`` is the outcome's vocabulary entry."""

    outcome: str
    description: str
    unit: str | None
    pool: Section
    sensitivity: Section
    bias: Section
    treatment: str = "IVIG"
    definition: Any = None


@dataclass(frozen=True)
class InputTable(Result):
    """The CSV table a report analyses: its name, header and every row's cells as typed."""

    file: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Report(Result):
    """Everything the HTML/Markdown report shows; ``table`` is set for a CSV table's report
    (then ``studies`` is empty)."""

    title: str
    version: str
    software: str
    studies: tuple[StudyEntry, ...]
    outcomes: tuple[OutcomeReport, ...]
    reproduce: Section
    methods: str
    options: dict
    table: InputTable | None = None


def report(
    outcome: str | Sequence[str] | None = None,
    *,
    all: bool = False,
    studies: str | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    pi: str = "auto",
    timepoint: str | float | None = None,
    measure: str | None = None,
    csv: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    agent: str | None = None,
) -> Report:
    """Gather the report for ``outcome`` (one name or several) or, with ``all=True``, for every
    outcome the records contain (in the order of the outcome vocabulary).

    ``studies`` is a record folder or file (default: the bundled records; an ``outcomes.yaml``
    beside them declares more outcomes); ``agent`` selects the intervention as for ``pool``;
    ``method``, ``test``, ``level`` and ``pi`` are passed to the pooling, ``timepoint`` and
    ``measure`` to the study selection (as for ``ivigmeta pool``). ``csv`` (with ``measure``,
    ``delimiter``, ``decimal``) reports the rows of that CSV table instead; ``outcome`` then
    only names it (default: the file name).
    """
    from ivigmeta.stats.numerics.limits import check_level

    level = check_level(level)
    fit = {"method": method, "test": test, "level": level}
    if csv is not None:
        if agent is not None:
            raise InputError("--agent selects study records, not CSV rows", field="agent")
        return _table_report(outcome, all, studies, fit, pi, timepoint, measure, csv,
                             delimiter, decimal)  # fmt: skip
    from ivigmeta.analyses.record_effects import select_agent
    from ivigmeta.records.loader import load_record_set
    from ivigmeta.records.vocabulary import outcome_name

    if delimiter is not None or decimal is not None:
        raise InputError("--delimiter and --decimal describe a CSV table (--csv)",
                         field="delimiter" if delimiter is not None else "decimal")  # fmt: skip
    record_set = load_record_set(studies)
    vocabulary = record_set.outcomes
    _, agent_name, _ = select_agent(record_set.studies, agent)
    records = record_set.studies
    present = _outcomes_present(records)
    if all:
        if outcome:
            raise InputError("give either --outcome or --all, not both", field="outcome")
        names = [name for name in vocabulary if name in present]
        names += sorted(name for name in present if name not in vocabulary)
    elif outcome:
        given = [outcome] if isinstance(outcome, str) else list(outcome)
        names = [outcome_name(name, outcomes=vocabulary) for name in given]
    else:
        raise InputError("name an outcome (--outcome mrss) or ask for --all", field="outcome")

    options = {"studies_path": studies, **fit, "agent": agent}
    selection = {k: v for k, v in (("timepoint", timepoint), ("measure", measure)) if v}
    sections = []
    for name in names:
        definition = vocabulary.get(name)
        pooled = _run("pool", "Pooling", outcome=name, pi=pi, **options, **selection)
        sections.append(
            OutcomeReport(
                outcome=name,
                description=definition.description if definition else name,
                unit=definition.unit if definition else None,
                pool=pooled,
                sensitivity=_after(
                    pooled, "sensitivity", "Sensitivity analysis", name, {**options, **selection}
                ),
                bias=_after(
                    pooled,
                    "bias",
                    "Small-study (publication bias) analysis",
                    name,
                    {**options, **selection},
                ),
                treatment=agent_name or "treatment",
                definition=definition,
            )
        )
    reproduced = _run("reproduce", "Reproduction of reported p-values", studies_path=studies)
    outcome_reports = tuple(sections)
    return Report(
        title=_title(studies, agent_name),
        version=__version__,
        software=software_versions(),
        studies=tuple(study_entry(s) for s in records),
        outcomes=outcome_reports,
        reproduce=reproduced,
        methods=methods_paragraph(outcome_reports, method=method, test=test, level=level),
        options=options,
    )


def _table_report(outcome, all_outcomes, studies, fit, pi, timepoint, measure, csv, delimiter,
                  decimal) -> Report:  # fmt: skip
    """The report of one CSV table (see :func:`report`)."""
    from pathlib import Path

    from ivigmeta.effects.escalc import DESCRIPTIONS
    from ivigmeta.records.csv_reader import STDIN, read_effect_table

    for given, flag in (
        (all_outcomes, "--all"),
        (studies, "--studies"),
        (timepoint, "--timepoint"),
    ):
        if given:
            raise InputError(f"{flag} selects study records, not the rows of --csv",
                             field=flag.removeprefix("--"))  # fmt: skip
    if outcome is not None and not isinstance(outcome, str):
        if len(outcome) > 1:
            raise InputError("a CSV table is one outcome: give --outcome once (its name)",
                             field="outcome")  # fmt: skip
        outcome = outcome[0] if outcome else None
    table = read_effect_table(csv, delimiter=delimiter, decimal=decimal or ".")
    name = outcome or ("table" if str(csv) == STDIN else Path(csv).stem) or "table"
    options = {"csv": csv, "measure": measure, "delimiter": delimiter, "decimal": decimal, **fit}
    pooled = _run("pool", "Pooling", outcome=name, pi=pi, **options)
    used = pooled.result.measure if pooled.available else (measure or "").upper()
    kind = f"{DESCRIPTIONS[used]} ({used})" if used in DESCRIPTIONS else "effect sizes"
    outcome_report = OutcomeReport(
        outcome=re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "table",  # ids, anchors
        description=f"{name}: {kind} from the rows of {table.file}",
        unit=None,
        pool=pooled,
        sensitivity=_after(pooled, "sensitivity", "Sensitivity analysis", name, options),
        bias=_after(pooled, "bias", "Small-study (publication bias) analysis", name, options),
    )
    header = tuple(table.text)
    input_table = InputTable(
        file=table.file,
        header=header,
        rows=tuple(tuple(table.text[c][i] for c in header) for i in range(len(table.studies))),
        lines=table.lines,
    )
    title = "Reproduction of reported p-values"
    return Report(
        title=f"Meta-analysis report: {name}",
        version=__version__,
        software=software_versions(),
        studies=(),
        outcomes=(outcome_report,),
        reproduce=Section(
            title,
            message=f"{title} not run: a CSV table of effect-size inputs "
            "holds no reported p-values (the study records do).",
        ),
        methods=methods_paragraph((outcome_report,), **fit),
        options={"csv": table.file, "measure": used, **fit, "pi": pi},
        table=input_table,
    )


def _title(studies, agent: str | None) -> str:
    """The bundled evidence's title for the bundled records, else the agent's."""
    from pathlib import Path

    from ivigmeta.records.loader import default_studies_path

    if studies is None or Path(studies).resolve() == default_studies_path().resolve():
        return "IVIG in systemic sclerosis: meta-analysis report"
    return f"{agent or 'Study records'}: meta-analysis report"


def _outcomes_present(records) -> set[str]:
    return {o.outcome for s in records for o in (*s.outcomes, *s.comparisons)}


def _after(pooled: Section, name: str, title: str, outcome: str, options: dict) -> Section:
    if not pooled.available:
        return Section(title, message=f"{title} not run: the outcome could not be pooled.")
    return _run(name, title, outcome=outcome, **options)


def _lookup(name: str) -> Callable[..., Any] | None:
    """``ivigmeta.<name>``, else ``ivigmeta.analyses.<name>.<name>``; None if neither exists."""
    import ivigmeta

    try:
        return getattr(ivigmeta, name)
    except (AttributeError, ImportError):
        pass
    try:
        return getattr(importlib.import_module(f"ivigmeta.analyses.{name}"), name)
    except (AttributeError, ImportError):
        return None


def _run(name: str, title: str, **options) -> Section:
    """Call ``ivigmeta.<name>(**options)``; a reason sentence instead of an exception."""
    function = _lookup(name)
    if function is None:
        return Section(title, message=f"{title} is not available in ivigmeta {__version__}.")
    try:
        return Section(title, result=function(**options))
    except (AnalysisError, InputError) as error:
        return Section(title, message=f"{title} not possible: {error}.".replace("..", "."))


def study_label(study) -> str:
    """``Poelman 2015``: first author's surname (from the citation) and year."""
    author = study.citation.split(",")[0].split()[0] if study.citation else study.id
    return f"{author} {study.year}"


def study_entry(study) -> StudyEntry:
    flags = [f for f in study.flags if WARNING_SIGN in f]
    for entry in (*study.outcomes, *study.comparisons):
        where = entry.outcome
        months = getattr(entry, "timepoint_months", None)
        if months is not None:
            where += f", {months} months"
        flags += [
            f"{WARNING_SIGN} {where}: {f.replace(WARNING_SIGN, '').strip()}"
            for f in entry.flags
            if WARNING_SIGN in f
        ]
    names = tuple(dict.fromkeys(o.outcome for o in (*study.outcomes, *study.comparisons)))
    return StudyEntry(
        id=study.id,
        label=study_label(study),
        citation=study.citation,
        year=study.year,
        design=study.design,
        n=study.population.n,
        source=study.source,
        outcomes=names,
        flags=tuple(dict.fromkeys(flags)),
    )


def software_versions() -> str:
    """``ivigmeta 0.2.0 (Python 3.11.2, numpy 1.26.4, scipy 1.11.4, matplotlib 3.8.2)``."""
    parts = [f"Python {platform.python_version()}"]
    for module in ("numpy", "scipy", "matplotlib"):
        parts.append(f"{module} {importlib.import_module(module).__version__}")
    return f"ivigmeta {__version__} ({', '.join(parts)})"


METHOD_NAMES = {
    "EE": "an equal-effects (common-effect) model",
    "DL": "a random-effects model with the DerSimonian-Laird estimator of τ²",
    "HE": "a random-effects model with the Hedges estimator of τ²",
    "HS": "a random-effects model with the Hunter-Schmidt estimator of τ²",
    "SJ": "a random-effects model with the Sidik-Jonkman estimator of τ²",
    "ML": "a random-effects model with the maximum-likelihood estimator of τ²",
    "REML": "a random-effects model with the restricted maximum-likelihood (REML) estimator of τ²",
    "EB": "a random-effects model with the empirical Bayes estimator of τ²",
    "PM": "a random-effects model with the Paule-Mandel estimator of τ²",
}
TEST_NAMES = {
    "z": "Wald-type z tests and normal-theory confidence intervals",
    "t": "t tests with k − 1 degrees of freedom",
    "knha": "the Knapp-Hartung adjustment (t distribution with k − 1 degrees of freedom)",
    "adhoc": "the Knapp-Hartung adjustment with its ad hoc floor (scale factor at least 1)",
}


def methods_paragraph(
    outcomes: Sequence[OutcomeReport], *, method: str, test: str, level: float
) -> str:
    """The generated methods text: model, estimator, test, PI convention, imputations, software."""
    method_text = METHOD_NAMES.get(method.upper(), f"the {method} estimator")
    test_text = TEST_NAMES.get(test, test)
    sentences = [
        f"Effect sizes were pooled with {method_text}, using {test_text} at the {level:g}% level.",
    ]
    pi_rules = sorted({rule for o in outcomes if (rule := _pi_rule(o.pool.result))})
    if pi_rules:
        sentences.append(f"Prediction intervals are {'; '.join(pi_rules)}.")
    imputed = [
        f"{o.outcome}: {note}" for o in outcomes if o.pool.available
        for note in _notes(o.pool.result) if re.search(r"correlation|\br = ", note)
    ]  # fmt: skip
    if imputed:
        sentences.append("Imputed pre-post correlations: " + "; ".join(imputed) + ".")
    else:
        sentences.append("No pre-post correlation was imputed.")
    derived = [
        f"{o.outcome}: {note}" for o in outcomes if o.pool.available
        for note in _notes(o.pool.result) if "back-calculated" in note
    ]  # fmt: skip
    if derived:
        sentences.append("Derived from printed statistics: " + "; ".join(derived) + ".")
    rules = sorted({
        note.removeprefix("timepoint: ") for o in outcomes if o.pool.available
        for note in _notes(o.pool.result) if note.startswith("timepoint: ")
    })  # fmt: skip
    if rules:
        sentences.append(f"One timepoint per study: {'; '.join(rules)}.")
    sentences.append(
        "Heterogeneity is summarised by τ², I² (from the typical within-study variance, as in "
        "metafor) and Cochran's Q. Numbers were computed with "
        f"{software_versions()} and are checked against R's metafor in its test suite."
    )
    return " ".join(sentences)


PI_CONVENTIONS = {
    "auto": "metafor's predict() convention",
    "z": "normal quantile",
    "t": "t quantile with k − 1 df, as R's meta 8.0",
    "hts": "Higgins-Thompson-Spiegelhalter, t with k − 2 df",
}


def _pi_rule(result) -> str | None:
    """``μ̂ ± z·√(SE² + τ̂²) (metafor's predict() convention)`` from a pool result."""
    if result is None or getattr(result, "pi_low", None) is None:
        return None
    quantile = "z" if getattr(result, "pi_df", None) is None else f"t({result.pi_df})"
    convention = PI_CONVENTIONS.get(getattr(result, "pi", "auto"), "")
    return f"μ̂ ± {quantile}·√(SE² + τ̂²)" + (f" ({convention})" if convention else "")


def _notes(result) -> tuple[str, ...]:
    return tuple(getattr(result, "notes", ()) or ())
