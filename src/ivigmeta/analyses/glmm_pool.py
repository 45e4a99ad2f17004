"""``ivigmeta pool --csv FILE --method GLMM``: metafor's ``rma.glmm`` on the counts of a CSV
table (PLO: ``xi ni``; IRLN: ``xi ti``; OR: ``ai bi ci di`` or ``ai n1i ci n2i``).

The counts are read here (not through escalc: the GLMM models the counts themselves, with no
continuity correction); every problem names the file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.results import Result

GLMM_MEASURES = ("PLO", "IRLN", "OR")
GLMM_COLUMNS = {
    "PLO": (("xi", "ni"),),
    "IRLN": (("xi", "ti"),),
    "OR": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
}


@dataclass(frozen=True)
class GlmmStudy(Result):
    """One study's counts as read (``n`` is trials, ``t`` person-time; OR: both groups)."""

    id: str
    counts: dict


@dataclass(frozen=True)
class GlmmPoolResult(Result):
    """A GLMM pool (:class:`ivigmeta.stats.models.glmm.GlmmFit`, same field names as
    ``ivigmeta pool``): ``q``/``q_p`` the Wald-type test of heterogeneity (metafor
    ``QE.Wld``), ``q_lrt``/``q_lrt_p`` the likelihood-ratio test (``QE.LRT``); ``transformed``
    the estimate and CI on the natural scale, as for ``pool`` (inverse logit for PLO, exp for
    IRLN and OR; no prediction interval)."""

    outcome: str | None
    measure: str
    method: str
    model: str | None
    integration: str
    test: str
    level: float
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    df: None
    p: float
    tau2: float
    tau: float
    se_tau2: float | None
    sigma2: float | None
    i2: float
    h2: float
    q: float | None
    q_df: int
    q_p: float | None
    q_lrt: float | None
    q_lrt_p: float | None
    loglik: float
    transformed: dict | None
    studies: tuple[GlmmStudy, ...]
    notes: tuple[str, ...]


def pool_glmm(
    csv,
    measure: str | None,
    *,
    model: str = "UM.FS",
    level: float = 95.0,
    delimiter: str | None = None,
    decimal: str = ".",
):
    """Fit ``rma.glmm(measure, model, method = "ML")`` to the rows of the CSV table ``csv``
    (written with ``delimiter``, None: sniffed, and ``decimal``); rows missing a count are
    left out, as metafor's ``na.omit``."""
    if csv is None:
        raise InputError("--method GLMM needs --csv (a table of counts)", field="method")
    if measure is None or measure.upper() not in GLMM_MEASURES:
        raise InputError(f"--method GLMM needs --measure {', '.join(GLMM_MEASURES)}, got "
                         f"{measure}", field="measure")  # fmt: skip
    measure = measure.upper()
    ids, counts, omitted = _read_counts(csv, measure, delimiter, decimal)
    return _fit(ids, counts, measure, model, level, [], None, f"{len(ids)} rows read from {csv}; ",
                [omitted] if omitted else [])  # fmt: skip


def pool_glmm_records(outcome: str, *, model: str = "UM.FS", level: float = 95.0, r=None,
                      **selection):  # fmt: skip
    """Fit ``rma.glmm("OR", model, method = "ML")`` to the two-arm 2x2 tables of a binary
    ``outcome`` of the study records (``selection`` as for ``pool``; measure OR, the default
    here: the only GLMM measure of two-arm tables)."""
    from ivigmeta.analyses.csv_effects import ZeroCells
    from ivigmeta.analyses.effect_data import effect_data_builder
    from ivigmeta.records.loader import default_studies_path
    from ivigmeta.records.outcomes_file import folder_vocabulary
    from ivigmeta.records.vocabulary import outcome_name

    vocabulary = folder_vocabulary([selection.get("studies_path") or default_studies_path()])
    kind = vocabulary[outcome_name(outcome, outcomes=vocabulary)].kind
    if kind != "binary":
        raise InputError(f"--method GLMM needs --csv (a table of counts) or a binary outcome of "
                         f"the records (counts per arm); {outcome!r} is {kind}",
                         field="method")  # fmt: skip
    measure = (selection.pop("measure", None) or "OR").upper()
    if measure != "OR":
        raise InputError(f"--method GLMM on the 2x2 tables of records needs --measure OR, got "
                         f"{measure}", field="measure")  # fmt: skip
    uncorrected = ZeroCells(add=0, to="none", keep_undefined=True)  # the GLMM models counts
    data = effect_data_builder(outcome, measure="OR", zero_cells=uncorrected, **selection)(r)
    counts = {name: [float(v) for v in data.counts[name]] for name in ("ai", "bi", "ci", "di")}
    notes = [n for n in data.notes if "--add" not in n and not n.startswith("no OR effect")]
    return _fit(data.ids, counts, measure, model, level, notes, data.outcome, "")


def _fit(ids, counts, measure, model, level, notes, outcome, lead, after=()):
    from ivigmeta.analyses.natural_scale import transformed_fields
    from ivigmeta.stats.models.glmm import rma_glmm

    fit = rma_glmm(measure, model=model, level=level, **counts)
    notes = [*notes, f"{lead}measure {measure}, GLMM (ML), {fit.integration}; no continuity "
             "correction", *after]  # fmt: skip
    if fit.dropped:
        names = ", ".join(ids[i] for i in fit.dropped)
        notes.append(f"left out (no events or only events in both groups, as metafor drop00): "
                     f"{names}")  # fmt: skip
    if measure != "OR" and model != "UM.FS":
        notes.append(f"--glmm-model {model} ignored: only OR has models")
    studies = tuple(
        GlmmStudy(i, {name: float(values[row]) for name, values in counts.items()})
        for row, i in enumerate(ids)
    )
    fields = {**fit.to_dict(), "studies": studies, "notes": tuple(notes)}
    fields["transformed"] = transformed_fields(measure, fields)
    return GlmmPoolResult.from_mapping(fields, outcome=outcome, method="GLMM", test="z", df=None)


def _read_counts(path, measure: str, delimiter: str | None = None, decimal: str = "."):
    """Study ids, the measure's count columns (floats; ``n1i n2i`` become ``bi di``) and the
    note on the rows left out for a missing count (or None), read with the same CSV reader
    as ``pool --csv`` (RFC 4180, size limits, file:line messages)."""
    from dataclasses import replace

    import numpy as np

    from ivigmeta.analyses.csv_effects import complete_rows
    from ivigmeta.records.csv_reader import read_effect_table

    table = read_effect_table(path, delimiter=delimiter, decimal=decimal)
    columns = {name: np.array(values) for name, values in table.columns.items()}
    keep, omitted = complete_rows(measure, columns, table)
    table = replace(table, columns={name: list(values) for name, values in columns.items()})
    table = table.subset(np.flatnonzero(keep))
    name = table.file
    options = GLMM_COLUMNS[measure]
    chosen = next((cols for cols in options if all(c in table.columns for c in cols)), None)
    if chosen is None:
        wanted = " or ".join(" ".join(cols) for cols in options)
        closest = max(options, key=lambda cols: sum(c in table.columns for c in cols))
        missing = [c for c in closest if c not in table.columns]
        raise InputError(f"{measure} with --method GLMM needs the columns {wanted}",
                         file=name, line=1, field=missing[0])  # fmt: skip
    ids, lines = list(table.studies), list(table.lines)
    values: dict[str, list[float]] = {c: [] for c in chosen}
    for row, line in enumerate(lines):
        for column in chosen:
            value = table.columns[column][row]
            if value != value:
                raise InputError("expected a number, got an empty cell", file=name, line=line,
                                 field=column)  # fmt: skip
            _check_count(value, column, name, line)
            values[column].append(value)
    if not ids:
        raise InputError("expected at least one study row below the header", file=name)
    for row, line in enumerate(lines):
        _check_row(values, row, name, line)
    if "n1i" in values:
        values["bi"] = [n - a for n, a in zip(values.pop("n1i"), values["ai"], strict=True)]
        values["di"] = [n - c for n, c in zip(values.pop("n2i"), values["ci"], strict=True)]
    return tuple(ids), values, omitted


def _check_count(value: float, column: str, file: str, line: int) -> None:
    if column == "ti":
        if not value > 0:
            raise InputError(f"expected a positive person-time, got {value:g}", file=file,
                             line=line, field=column)  # fmt: skip
        return
    if value < 0 or value != int(value):
        raise InputError(f"expected a count (a whole number >= 0), got {value:g}", file=file,
                         line=line, field=column)  # fmt: skip


def _check_row(values: dict, row: int, file: str, line: int) -> None:
    """Events above the number of trials, and groups of size 0."""
    for events, total in (("xi", "ni"), ("ai", "n1i"), ("ci", "n2i")):
        if events in values and total in values and values[events][row] > values[total][row]:
            raise InputError(f"expected at most {total} = {values[total][row]:g} events, got "
                             f"{values[events][row]:g}", file=file, line=line,
                             field=events)  # fmt: skip
    for total in ("ni", "n1i", "n2i"):
        if total in values and values[total][row] == 0:
            raise InputError("expected a group size above 0, got 0", file=file, line=line,
                             field=total)  # fmt: skip
    if "bi" in values and values["ai"][row] + values["bi"][row] == 0:
        raise InputError("expected a group size above 0 (ai + bi = 0)", file=file, line=line,
                         field="bi")  # fmt: skip
    if "di" in values and values["ci"][row] + values["di"][row] == 0:
        raise InputError("expected a group size above 0 (ci + di = 0)", file=file, line=line,
                         field="di")  # fmt: skip
