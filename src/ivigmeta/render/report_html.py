"""The report as one self-contained HTML file: inline CSS and SVG, no scripts, no fonts, no
network requests. Figures are inlined SVG with their ids prefixed per figure (so several SVGs
in one page do not share ids); each sits in a ``<figure id="forest-mrss">`` (``funnel-``,
``leave-one-out-``) so tests and readers can find it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ivigmeta.analyses.report import OutcomeReport, Report, Section
from ivigmeta.render import report_content as content

CSS = """
:root { --ink: #1a1a1a; --muted: #5f6368; --line: #d0d4d9; --accent: #1f4e79;
        --warn: #8a4b00; --warn-bg: #fff6e5; --ok: #1e6b35; --bad: #a2261b; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 40px 0 8px; padding-bottom: 4px;
     border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.02rem; margin: 24px 0 6px; }
p.meta, .muted { color: var(--muted); }
nav ul { columns: 2; padding-left: 18px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
         border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.headline { background: #f3f7fb; border-left: 4px solid var(--accent); padding: 10px 14px;
            margin: 12px 0; }
.flag { color: var(--warn); background: var(--warn-bg); display: block; padding: 1px 4px;
        margin: 2px 0; border-radius: 3px; font-size: 0.85rem; }
.notice { color: var(--muted); font-style: italic; }
.verdict-consistent { color: var(--ok); font-weight: 600; }
.verdict-inconsistent, .verdict-decision-error { color: var(--bad); font-weight: 600; }
.verdict-not-checkable { color: var(--muted); }
figure { margin: 12px 0 20px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 4px; }
ul.notes { font-size: 0.88rem; color: var(--muted); padding-left: 20px; }
details > summary { cursor: pointer; color: var(--accent); }
table.kv { max-width: 620px; } table.kv td:first-child { white-space: nowrap; }
.source { color: var(--muted); font-size: 0.8rem; }
table.studies { table-layout: fixed; }
table.studies th:nth-child(1) { width: 13%; } table.studies th:nth-child(2) { width: 30%; }
table.studies th:nth-child(3) { width: 11%; } table.studies th:nth-child(4) { width: 8%; }
table.studies th:nth-child(5) { width: 14%; } table.studies th:nth-child(6) { width: 24%; }
table.studies td:nth-child(1), table.studies td:nth-child(5) { overflow-wrap: anywhere; }
#reproduce table { table-layout: fixed; font-size: 0.8rem; }
#reproduce td, #reproduce th { overflow-wrap: anywhere; white-space: normal; padding: 4px 5px; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.85rem; }
"""


def render_html(report: Report) -> str:
    """The whole report as an HTML document (a string)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(report.title)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<header><h1>{_e(report.title)}</h1>",
        f'<p class="meta">{_e(content.generated_line(report))}</p></header>',
        _contents(report),
        _summary(report),
        *(_outcome(o, {s.id: s.label for s in report.studies}) for o in report.outcomes),
        _studies(report) if report.table is None else _input_table(report.table),
        _reproduce(report.reproduce),
        '<section id="methods"><h2>Methods</h2>',
        f"<p>{_e(report.methods)}</p></section>",
        f"<footer>{_e(report.software)}</footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], numeric=()) -> str:
    """A table; cells are already-escaped HTML; columns listed in ``numeric`` align right."""
    headers = list(headers)
    head = "".join(
        f'<th class="num">{h}</th>' if i in numeric else f"<th>{h}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _notice(section: Section) -> str:
    return f'<p class="notice">{_e(section.message)}</p>'


def _contents(report: Report) -> str:
    items = ['<li><a href="#summary">Summary</a></li>']
    items += [
        f'<li><a href="#outcome-{_e(o.outcome)}">{_e(content.outcome_title(o))}</a></li>'
        for o in report.outcomes
    ]
    studies = "Studies" if report.table is None else _e(content.table_heading(report.table))
    items += [
        f'<li><a href="#studies">{studies}</a></li>',
        '<li><a href="#reproduce">Reported p-values</a></li>',
        '<li><a href="#methods">Methods</a></li>',
    ]
    return f"<nav><strong>Contents</strong><ul>{''.join(items)}</ul></nav>"


def _summary(report: Report) -> str:
    rows = [
        [
            f'<a href="#outcome-{_e(o.outcome)}">{_e(content.outcome_title(o))}</a>',
            *(_e(c) for c in content.summary_cells(o)),
        ]
        for o in report.outcomes
        if o.pool.available
    ]
    table = (
        _table(content.SUMMARY_HEADERS, rows, numeric={2, 3, 4, 5, 6})
        if rows
        else ('<p class="notice">No outcome could be pooled.</p>')
    )
    missing = content.not_pooled_sentence(report.outcomes)
    return (
        '<section id="summary"><h2>Summary</h2>'
        + table
        + f'<p class="muted">{_e(content.SUMMARY_NOTE)}</p>'
        + (f'<p class="muted">{_e(missing)}</p>' if missing else "")
        + "</section>"
    )


def _studies(report: Report) -> str:
    rows = []
    for s in report.studies:
        flags = "".join(f'<span class="flag">{_e(f)}</span>' for f in s.flags) or "—"
        rows.append([
            f"<strong>{_e(s.label)}</strong><br><span class=\"muted\">{_e(s.id)}</span>",
            f'{_e(s.citation)}<br><span class="source">Numbers read from: {_e(s.source)}</span>',
            _e(s.design),
            _e(s.n) if s.n is not None else '<span title="not reported">—</span>',
            "<br>".join(_e(name) for name in s.outcomes) or "—",
            flags,
        ])  # fmt: skip
    flagged = sum(1 for s in report.studies if s.flags)
    return (
        f'<section id="studies"><h2>Studies ({len(report.studies)})</h2>'
        f'<p class="muted">{_e(content.studies_note(len(report.studies), flagged))}</p>'
        + _table(
            ["Study", "Citation and source", "Design", "n", "Outcomes", "⚠ Flags"],
            rows,
            numeric={3},
        ).replace("<table>", '<table class="studies">', 1)
        + "</section>"
    )


def _input_table(table) -> str:
    rows = [[_e(line), *(_e(cell) for cell in row)]
            for line, row in zip(table.lines, table.rows, strict=True)]  # fmt: skip
    return (
        f'<section id="studies"><h2>{_e(content.table_heading(table))}</h2>'
        f'<p class="muted">{_e(content.TABLE_NOTE)}</p>'
        + _table([content.TABLE_LINE, *(_e(h) for h in table.header)], rows, numeric={0})
        + "</section>"
    )


def _outcome(o: OutcomeReport, labels: dict[str, str]) -> str:
    parts = [
        f'<section id="outcome-{_e(o.outcome)}"><h2>{_e(content.outcome_title(o))}</h2>',
        f'<p class="muted">{_e(content.definition(o))}</p>',
    ]
    if not o.pool.available:
        parts.append(_notice(o.pool))
        parts.append("</section>")
        return "\n".join(parts)
    result = o.pool.result
    parts.append(f'<p class="headline">{_e(content.headline(o))}</p>')
    parts.append(_figure(f"forest-{o.outcome}", content.forest_svg(o, labels),
                         content.forest_caption(o)))  # fmt: skip
    rows = [[_e(a), _e(b)] for a, b in content.pool_rows(result, o.treatment)]
    table = _table(["Quantity", "Value"], rows, numeric={1})
    parts.append(table.replace("<table>", '<table class="kv">', 1))
    parts.append(_notes_list("How the studies were chosen and derived", result.notes))
    parts.append("<h3>Sensitivity</h3>")
    parts.append(_analysis(o.sensitivity, o, "leave-one-out", labels))
    for figure_id, svg, caption in content.diagnostic_figures(o, labels):
        parts.append(_figure(figure_id, svg, caption))
    parts.append("<h3>Small-study effects and publication bias</h3>")
    parts.append(_analysis(o.bias, o, "funnel", labels))
    parts.append("</section>")
    return "\n".join(parts)


def _analysis(section: Section, o: OutcomeReport, figure_kind: str, labels) -> str:
    if not section.available:
        return _notice(section)
    parts = []
    for title, rows in content.analysis_tables(section.result, o.pool.result, labels):
        if title:
            parts.append(f"<p><strong>{_e(title)}</strong></p>")
        if rows:
            parts.append(_table(rows[0], ([_e(c) for c in row] for row in rows[1:]),
                                numeric=set(range(1, len(rows[0])))))  # fmt: skip
    svg, caption = content.analysis_figure(figure_kind, section.result, o, labels)
    if svg:
        parts.append(_figure(f"{figure_kind}-{o.outcome}", svg, caption))
    for sentence in content.analysis_sentences(section.result, labels):
        parts.append(f'<p class="notice">{_e(sentence)}</p>')
    return "\n".join(parts)


def _reproduce(section: Section) -> str:
    parts = ['<section id="reproduce"><h2>Reported p-values: do they add up?</h2>']
    if not section.available:
        parts.append(_notice(section))
    else:
        counts, rows = content.reproduce_rows(section.result)
        parts.append(f"<p>{_e(counts)}</p>")
        headers = ["Study", "Outcome", "Time", "Comparison", "Test", "Reported p",
                   "Recomputed p", "Verdict", "Note"]  # fmt: skip
        checked = [_reproduce_cells(r) for r in rows if r["verdict"] != "not-checkable"]
        unchecked = [_reproduce_cells(r) for r in rows if r["verdict"] == "not-checkable"]
        if checked:
            parts.append(_table(headers, checked, numeric={5, 6}))
        if unchecked:
            parts.append(
                f"<details><summary>Not checkable: a number the test needs is not printed "
                f"({len(unchecked)})</summary>{_table(headers, unchecked, numeric={5, 6})}"
                "</details>"
            )
    parts.append("</section>")
    return "\n".join(parts)


def _reproduce_cells(row: dict[str, str]) -> list[str]:
    verdict = row["verdict"]
    cells = [_e(row[key]) for key in ("study", "outcome", "timepoint", "comparison", "test",
                                      "reported_p", "computed")]  # fmt: skip
    return [*cells, f'<span class="verdict-{_e(verdict)}">{_e(verdict)}</span>', _e(row["note"])]


def _notes_list(title: str, notes: Iterable[str]) -> str:
    notes = list(notes)
    if not notes:
        return ""
    items = "".join(f"<li>{_e(n)}</li>" for n in notes)
    summary = f"<summary>{_e(title)} ({len(notes)})</summary>"
    return f'<details>{summary}<ul class="notes">{items}</ul></details>'


def _figure(figure_id: str, svg: str | None, caption: str) -> str:
    if not svg:
        return ""
    return (
        f'<figure id="{_e(figure_id)}">{inline_svg(svg, re.sub(r"[^A-Za-z0-9_-]", "-", figure_id))}'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG document made ready to inline: no XML prolog, ids prefixed (and the references
    to them), fixed width/height replaced by the viewBox so it scales with the page."""
    svg = svg[svg.index("<svg") :]
    ids = set(_ID.findall(svg))

    def rename(match: re.Match) -> str:
        return f"{match.group(1)}{prefix}-{match.group(2)}{match.group(3)}"

    svg = re.sub(r'(\bid=")([^"]+)(")', rename, svg)
    svg = re.sub(
        r'((?:xlink:)?href="#)([^"]+)(")',
        lambda m: rename(m) if m.group(2) in ids else m.group(0),
        svg,
    )
    svg = re.sub(
        r"(url\(#)([^)]+)(\))", lambda m: rename(m) if m.group(2) in ids else m.group(0), svg
    )
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 role="img"', svg, count=1)
    return svg


REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


def report_format(path) -> str:
    """``"html"`` or ``"md"`` by the suffix of ``path``; InputError for any other suffix."""
    from pathlib import Path

    from ivigmeta.errors import InputError

    kind = REPORT_FORMATS.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError("unknown report format; expected .html or .md", file=str(path))
    return kind


def write_report(report: Report, path) -> None:
    """Write ``report`` atomically to ``path``: HTML, or Markdown for ``.md``."""
    from ivigmeta.output import atomic_write
    from ivigmeta.render.report_markdown import render_markdown

    kind = report_format(path)
    atomic_write(path, render_html(report) if kind == "html" else render_markdown(report))
