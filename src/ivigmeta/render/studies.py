"""Renderers for study records: ``studies list``, ``studies show``, ``outcomes``.

Every function returns text; the CLI prints it. Tables are drawn by rich without colour, so
they read the same in a terminal and in a pipe. Numbers are shown as printed in the source.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence

from ivigmeta.analyses.studies import OutcomeUsage, StudyRow, timepoint_label
from ivigmeta.printed import ReportedP
from ivigmeta.records.model import Arm, Proportion, Study, Summary
from ivigmeta.results import plain
from ivigmeta.wording import count

STUDY_COLUMNS = ("id", "year", "design", "agent", "n", "outcomes", "flags")
OUTCOME_COLUMNS = ("name", "kind", "unit", "scale", "better", "studies", "agents", "timepoints")


# --------------------------------------------------------------------------- generic tables


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _rich(renderable) -> str:
    from rich.console import Console

    width = max(100, shutil.get_terminal_size((120, 24)).columns)
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(renderable)
    return console.file.getvalue()


def render_rows(
    rows: Sequence[dict], columns: Sequence[str], output_format: str, title: str | None = None
) -> str:
    """Render dict rows as a rich table, CSV or a Markdown pipe table (JSON: see callers)."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return buffer.getvalue()
    if output_format == "md":
        escape = [[c.replace("|", "\\|") for c in line] for line in cells]
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(line) + " |" for line in escape]
        return "\n".join(lines) + "\n"
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for line in cells:
        table.add_row(*line)
    return _rich(table)


def _json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- studies list


def render_study_list(rows: Sequence[StudyRow], output_format: str = "table") -> str:
    """JSON: ``{"studies": [...], "cautions": [...]}`` (:func:`record_cautions`)."""
    if output_format == "json":
        from ivigmeta.analyses.cautions import record_cautions

        cautions = record_cautions([(row.id, row.design, row.flags) for row in rows])
        return _json({"studies": [row.to_dict() for row in rows], "cautions": cautions})
    return render_rows(
        [row.to_dict() for row in rows], STUDY_COLUMNS, output_format, count(len(rows), "study")
    )


# --------------------------------------------------------------------------- outcomes


def _scale(usage: OutcomeUsage) -> str:
    parts = ["integer" if usage.integer else ""]
    if usage.minimum is not None or usage.maximum is not None:
        low = "" if usage.minimum is None else f"{usage.minimum:g}"
        high = "" if usage.maximum is None else f"{usage.maximum:g}"
        parts.append(f"{low}–{high}")
    return " ".join(p for p in parts if p)


def render_outcomes(usages: Sequence[OutcomeUsage], output_format: str = "table") -> str:
    if output_format == "json":
        return _json([u.to_dict() for u in usages])
    rows = [{**u.to_dict(), "scale": _scale(u)} for u in usages]
    return render_rows(rows, OUTCOME_COLUMNS, output_format, "Outcome vocabulary")


# --------------------------------------------------------------------------- studies show


def study_to_dict(study: Study) -> dict:
    """The record as JSON-ready values: p-values as printed text, locations as ``file:line``."""

    def convert(value):
        if isinstance(value, ReportedP):
            return value.text
        if hasattr(value, "__dataclass_fields__"):
            return {
                name: str(v) if name == "location" and v is not None else convert(v)
                for name, v in ((f, getattr(value, f)) for f in value.__dataclass_fields__)
            }
        if isinstance(value, tuple):
            return [convert(v) for v in value]
        return plain(value)

    return convert(study)


def _summary(s: Summary | Proportion | None) -> str:
    if s is None:
        return ""
    if isinstance(s, Proportion):
        count = f"{s.count}" if s.count is not None else ""
        percent = f"{s.percent}%" if s.percent is not None else ""
        both = f"{count} ({percent})" if count and percent else count or percent
        return f"{both} of {s.n if s.n is not None else '?'}"
    text = "?" if s.mean is None else str(s.mean)
    if s.sd is not None:
        text += f" ± {s.sd} SD"
    if s.se is not None:
        text += f" ± {s.se} SE"
    return f"{text} (n={s.n if s.n is not None else '?'})"


_YES_NO = {True: "yes", False: "no", None: ""}


def _arm(arm: Arm) -> str:
    if arm.count is not None or arm.percent is not None:
        numbers = _summary(Proportion(arm.count, arm.percent, arm.n))
    elif arm.mean is None and arm.sd is None and arm.se is None:
        numbers = f"n={arm.n if arm.n is not None else '?'}"
    else:
        numbers = _summary(Summary(arm.mean, arm.sd, arm.se, arm.n))
    text = f"{arm.label}: {numbers}"
    return f"{text} [{arm.study}]" if arm.study else text


def _hazard_ratio(comparison) -> str:
    hr = comparison.hazard_ratio
    if hr is None:
        return ""
    level = "95" if hr.level is None else hr.level.text
    return f"HR {hr.estimate.text} ({level}% CI {hr.ci_low.text} to {hr.ci_high.text})"


def _p(reported) -> tuple[str, str]:
    if reported is None:
        return "", ""
    return (str(reported.p) if reported.p else ""), (reported.test or "")


def render_study(study: Study, output_format: str = "table") -> str:
    """One record in full: metadata, then tables of outcomes, comparisons, events, cohort."""
    if output_format == "json":
        from ivigmeta.analyses.cautions import record_cautions

        flags = len(study.flags) + sum(len(x.flags) for x in (*study.outcomes, *study.comparisons))
        cautions = record_cautions([(study.id, study.design, flags)])
        return _json({**study_to_dict(study), "cautions": cautions})
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    pop = study.population
    population = ", ".join(
        x
        for x in (
            f"n={pop.n}" if pop.n is not None else "",
            pop.subtype or "",
            "refractory" if pop.refractory else "",
            pop.description or "",
        )
        if x
    )
    lines = [
        f"{study.id} ({study.year or 'year ?'}, {study.design or 'design ?'})",
        f"Citation: {study.citation or '?'}",
        f"Source: {study.source}",
    ]
    if study.confirm:  # a draft from `ivigmeta extract`
        lines.append(f"Draft: {len(study.confirm)} items to confirm (the record's confirm: list)")
    if population:
        lines.append(f"Population: {population}")
    if study.intervention:
        i = study.intervention
        dose = f", {i.dose}" if i.dose else ""
        addon = " (add-on)" if i.addon else ""
        lines.append(f"Intervention: {i.agent}{dose}{addon}")
    if study.concomitant:
        lines.append(
            "Concomitant: " + ", ".join(f"{c.agent} {c.count}/{c.n}" for c in study.concomitant)
        )
    if study.review:
        lines.append("Review: " + ", ".join(f"{k}={v}" for k, v in study.review.items()))
    if study.risk_of_bias:
        lines.append(f"Risk of bias: {study.risk_of_bias}")
    lines += [f"Flag: {flag}" for flag in study.flags]
    if study.notes:
        lines.append(f"Notes: {study.notes}")
    parts: list = [Text("\n".join(lines))]

    def table(title: str, columns: Sequence[str], rows: list[list[str]]) -> None:
        if rows:
            t = Table(title=title, title_justify="left")
            for column in columns:
                t.add_column(column, overflow="fold")
            for row in rows:
                t.add_row(*row)
            parts.append(t)

    table(
        "Outcomes (same patients over time)",
        ("outcome", "timepoint", "baseline/before", "follow-up/after", "change", "p", "test"),
        [
            [
                o.outcome,
                timepoint_label(o),
                _summary(o.baseline or o.before),
                _summary(o.followup or o.after),
                _summary(o.change),
                *_p(o.reported),
            ]
            for o in study.outcomes
        ],
    )
    hazard = any(c.hazard_ratio is not None for c in study.comparisons)
    table(
        "Comparisons (two arms)",
        ("outcome", "timepoint", "arm", "control", *(("hazard ratio",) if hazard else ()), "p",
         "test"),
        [
            [c.outcome, timepoint_label(c), _arm(c.arm), _arm(c.control),
             *((_hazard_ratio(c),) if hazard else ()), *_p(c.reported)]
            for c in study.comparisons
        ],
    )  # fmt: skip
    flagged = [(x.outcome, timepoint_label(x), f) for x in study.outcomes for f in x.flags]
    flagged += [(x.outcome, timepoint_label(x), f) for x in study.comparisons for f in x.flags]
    table("Flags", ("outcome", "timepoint", "flag"), [list(f) for f in flagged])
    table(
        "Adverse events",
        ("event", "arm", "patients", "events", "serious", "severe", "notes"),
        [
            [
                e.event,
                e.arm or "",
                _summary(Proportion(e.count, e.percent, e.n))
                if e.count is not None or e.percent is not None
                else "",
                "" if e.events is None else f"{e.events}" + (f" in {e.n}" if e.n else ""),
                _YES_NO[e.serious],
                _YES_NO[e.severe],
                e.notes or "",
            ]
            for e in study.adverse_events
        ],
    )
    table(
        "Cohort characteristics",
        ("name", "arm", "value", "notes"),
        [
            [
                c.name,
                c.arm or "",
                _summary(Proportion(c.count, c.percent, c.n))
                if c.mean is None
                else _summary(Summary(c.mean, c.sd, None, c.n)),
                c.notes or "",
            ]
            for c in study.characteristics
        ],
    )
    return _rich(Group(*parts))
