"""The report as one self-contained Markdown file: the same content as the HTML report, figures
embedded as ``data:image/svg+xml;base64`` images (no separate files, no network requests)."""

from __future__ import annotations

import base64
from collections.abc import Iterable

from ivigmeta.analyses.report import OutcomeReport, Report, Section
from ivigmeta.render import report_content as content


def render_markdown(report: Report) -> str:
    """The whole report as Markdown text."""
    labels = {s.id: s.label for s in report.studies}
    parts = [
        f"# {report.title}",
        content.generated_line(report),
        "## Summary",
        _summary(report),
        content.SUMMARY_NOTE,
        *(_outcome(o, labels) for o in report.outcomes),
        *(
            _input_table(report.table)
            if report.table is not None
            else (
                f"## Studies ({len(report.studies)})",
                content.studies_note(
                    len(report.studies), sum(1 for s in report.studies if s.flags)
                ),
                _studies(report),
            )
        ),
        "## Reported p-values: do they add up?",
        _reproduce(report.reproduce),
        "## Methods",
        report.methods,
        f"*{report.software}*",
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: Iterable[Iterable[object]], numeric=()) -> str:
    align = ["---:" if i in numeric else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _image(alt: str, svg: str | None) -> str:
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"![{alt}](data:image/svg+xml;base64,{data})"


def _summary(report: Report) -> str:
    rows = [
        [content.outcome_title(o), *content.summary_cells(o)]
        for o in report.outcomes
        if o.pool.available
    ]
    table = (
        _table(content.SUMMARY_HEADERS, rows, numeric={2, 3, 4, 5, 6})
        if rows
        else ("*No outcome could be pooled.*")
    )
    missing = content.not_pooled_sentence(report.outcomes)
    return table + (f"\n\n{missing}" if missing else "")


def _studies(report: Report) -> str:
    rows = [
        [
            f"**{s.label}** ({s.id})",
            f"{s.citation} Numbers read from: {s.source}",
            s.design,
            s.n if s.n is not None else "not reported",
            ", ".join(s.outcomes) or "—",
            "<br>".join(s.flags) or "—",
        ]
        for s in report.studies
    ]
    return _table(["Study", "Citation and source", "Design", "n", "Outcomes", "⚠ Flags"], rows,
                  numeric={3})  # fmt: skip


def _input_table(table) -> tuple[str, str, str]:
    rows = ([line, *row] for line, row in zip(table.lines, table.rows, strict=True))
    return (f"## {content.table_heading(table)}", content.TABLE_NOTE,
            _table([content.TABLE_LINE, *table.header], rows, numeric={0}))  # fmt: skip


def _notice(section: Section) -> str:
    return f"*{section.message}*"


def _outcome(o: OutcomeReport, labels: dict[str, str]) -> str:
    parts = [f"## {content.outcome_title(o)}", content.definition(o)]
    if not o.pool.available:
        return "\n\n".join([*parts, _notice(o.pool)])
    result = o.pool.result
    parts += [
        f"> {content.headline(o)}",
        _table(["Quantity", "Value"], content.pool_rows(result, o.treatment), numeric={1}),
        _image(f"Forest plot, {o.outcome}", content.forest_svg(o, labels)),
        f"*{content.forest_caption(o)}*",
        "How the studies were chosen and derived:\n\n"
        + "\n".join(f"- {_cell(n)}" for n in result.notes)
        if result.notes
        else "",
        "### Sensitivity",
        _analysis(o.sensitivity, o, "leave-one-out", labels),
        "### Small-study effects and publication bias",
        _analysis(o.bias, o, "funnel", labels),
    ]
    return "\n\n".join(p for p in parts if p)


def _analysis(section: Section, o: OutcomeReport, figure_kind: str, labels) -> str:
    if not section.available:
        return _notice(section)
    parts = []
    for title, rows in content.analysis_tables(section.result, o.pool.result, labels):
        if title:
            parts.append(f"**{title}**")
        if rows:
            parts.append(_table(rows[0], rows[1:], numeric=set(range(1, len(rows[0])))))
    svg, caption = content.analysis_figure(figure_kind, section.result, o, labels)
    if svg:
        parts += [_image(f"{figure_kind} plot, {o.outcome}", svg), f"*{caption}*"]
    parts += [f"*{s}*" for s in content.analysis_sentences(section.result, labels)]
    return "\n\n".join(parts)


def _reproduce(section: Section) -> str:
    if not section.available:
        return _notice(section)
    counts, rows = content.reproduce_rows(section.result)
    keys = ("study", "outcome", "timepoint", "comparison", "test", "reported_p", "computed",
            "verdict", "note")  # fmt: skip
    table = _table(["Study", "Outcome", "Time", "Comparison", "Test", "Reported p",
                    "Recomputed p", "Verdict", "Note"],
                   ([row[k] for k in keys] for row in rows), numeric={5, 6})  # fmt: skip
    return f"{counts}\n\n{table}"
