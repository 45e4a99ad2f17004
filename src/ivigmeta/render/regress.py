"""Renderers for ``ivigmeta regress``: table, json, csv and md (laid out like metafor)."""

from __future__ import annotations

from ivigmeta.analyses.regress import RegressResult
from ivigmeta.render.analysis_tables import (
    csv_text,
    json_text,
    markdown_table,
    num,
    p_clause,
    pval,
    text_table,
    title,
)

CSV_HEADER = ("name", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "p")


def _summary(result: RegressResult) -> list[str]:
    if result.qm_df2 is None:
        qm = f"QM(df = {result.qm_df}) = {num(result.qm)}, {p_clause(result.qm_p, 'p-val')}"
    else:
        qm = (
            f"F(df1 = {result.qm_df}, df2 = {result.qm_df2}) = {num(result.qm)}, "
            f"{p_clause(result.qm_p, 'p-val')}"
        )
    r2 = "NA" if result.r2 is None else f"{num(result.r2, 2)}%"
    return [
        f"tau^2 (estimated amount of residual heterogeneity): {num(result.tau2)}",
        f"I^2 (residual heterogeneity / unaccounted variability): {num(result.i2, 2)}%",
        f"R^2 (amount of heterogeneity accounted for): {r2}",
        f"Test for residual heterogeneity: QE(df = {result.qe_df}) = {num(result.qe)}, "
        f"{p_clause(result.qe_p, 'p-val')}",
        f"Test of moderators: {qm}",
    ]


def render_regress(result: RegressResult, output_format: str = "table") -> str:
    """The result as text in ``output_format`` (table, json, csv or md)."""
    if output_format == "json":
        return json_text(result)
    if output_format == "csv":
        rows = [
            [c.name, c.estimate, c.se, c.ci_low, c.ci_high, c.statistic, result.df, c.p]
            for c in result.coefficients
        ]
        return csv_text(CSV_HEADER, rows)
    stat = "zval" if result.df is None else "tval"
    header = ("coefficient", "estimate", "se", stat, "pval", "ci.lb", "ci.ub")
    printed = [
        [c.name, num(c.estimate), num(c.se), num(c.statistic), pval(c.p), num(c.ci_low),
         num(c.ci_high)]
        for c in result.coefficients
    ]  # fmt: skip
    heading = title(result, f"meta-regression on {', '.join(result.mods)}")
    table = markdown_table if output_format == "md" else text_table
    lines = [f"# {heading}" if output_format == "md" else heading, ""]
    lines += [f"- {line}" if output_format == "md" else line for line in _summary(result)]
    lines += ["", *table(header, printed), ""]
    if result.df is not None:
        lines += [f"t tests on {result.df} df", ""]
    if result.cautions:
        lines += ["## Cautions" if output_format == "md" else "Cautions:", ""]
        lines += [f"- {caution}" for caution in result.cautions]
        lines.append("")
    if result.notes:
        lines += ["## Notes" if output_format == "md" else "Notes:", ""]
        lines += [f"- {note}" for note in result.notes]
        lines.append("")
    return "\n".join(lines)
