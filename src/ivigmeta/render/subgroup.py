"""Renderers for ``ivigmeta subgroup``: table, json, csv and md.

One row per group (each with its own tau²), then the tests for subgroup differences under
separate and common tau². Groups of a measure with a back-transformation are shown on the
natural scale in the table and Markdown (as in ``ivigmeta sensitivity``); JSON keeps the model
scale; CSV keeps it and adds the natural scale in ``effect``, ``effect_ci_low`` and
``effect_ci_high`` (empty for measures read on their own scale).
"""

from __future__ import annotations

from ivigmeta.analyses.subgroup import SubgroupAnalysis
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

HEADER = ("group", "k", "estimate", "se", "ci.lb", "ci.ub", "pval", "tau^2", "I^2")
NATURAL_HEADER = ("group", "k", "estimate", "ci.lb", "ci.ub", "pval", "tau^2", "I^2")
CSV_HEADER = ("name", "k", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "df2", "p",
              "tau2", "i2", "effect", "effect_ci_low", "effect_ci_high")  # fmt: skip


def _tests(result: SubgroupAnalysis) -> list[str]:
    lines = [
        f"Test for subgroup differences, separate tau² per group: "
        f"Q(df = {result.q_between_df}) = {num(result.q_between)}, "
        f"{p_clause(result.q_between_p, 'p-val')}"
    ]
    if result.common_qm is None:
        lines.append("Test for subgroup differences, common tau²: not available (see notes)")
    elif result.common_qm_df2 is None:
        lines.append(
            f"Test for subgroup differences, common tau² = {num(result.common_tau2)}: "
            f"QM(df = {result.common_qm_df}) = {num(result.common_qm)}, "
            f"{p_clause(result.common_qm_p, 'p-val')}"
        )
    else:
        lines.append(
            f"Test for subgroup differences, common tau² = {num(result.common_tau2)}: "
            f"F(df1 = {result.common_qm_df}, df2 = {result.common_qm_df2}) = "
            f"{num(result.common_qm)}, {p_clause(result.common_qm_p, 'p-val')}"
        )
    return lines


def render_subgroup(result: SubgroupAnalysis, output_format: str = "table") -> str:
    """The result as text in ``output_format`` (table, json, csv or md)."""
    if output_format == "json":
        return json_text(result)
    from ivigmeta.render.sensitivity import natural_columns, natural_values

    if output_format == "csv":
        _, shown = natural_values(result.measure)
        rows = [
            [g.name, g.k, g.estimate, g.se, g.ci_low, g.ci_high, g.statistic, None, None, g.p,
             g.tau2, g.i2, *natural_columns(shown, g.estimate, g.ci_low, g.ci_high)]
            for g in result.groups
        ]  # fmt: skip
        rows.append(["between (separate tau2)", result.k, None, None, None, None,
                     result.q_between, result.q_between_df, None, result.q_between_p, None,
                     None, None, None, None])  # fmt: skip
        rows.append(["between (common tau2)", result.k, None, None, None, None, result.common_qm,
                     result.common_qm_df, result.common_qm_df2, result.common_qm_p,
                     result.common_tau2, None, None, None, None])  # fmt: skip
        return csv_text(CSV_HEADER, rows)

    transform, shown = natural_values(result.measure)
    printed = [
        [g.name, str(g.k), num(g.estimate), num(g.se), num(g.ci_low), num(g.ci_high), pval(g.p),
         num(g.tau2), f"{num(g.i2, 2)}%"]
        if transform is None else
        [g.name, str(g.k), num(shown(g.estimate)), num(shown(g.ci_low)), num(shown(g.ci_high)),
         pval(g.p), num(g.tau2), f"{num(g.i2, 2)}%"]
        for g in result.groups
    ]  # fmt: skip
    heading = title(result, f"subgroups by {result.by}")
    if transform is not None:
        heading += f"; estimates on the {transform.quantity} scale, {transform.function}"
    table = markdown_table if output_format == "md" else text_table
    lines = [f"# {heading}" if output_format == "md" else heading, ""]
    lines += [*table(HEADER if transform is None else NATURAL_HEADER, printed), ""]
    lines += [f"- {t}" if output_format == "md" else t for t in _tests(result)]
    lines.append("")
    if result.cautions:
        lines += ["## Cautions" if output_format == "md" else "Cautions:", ""]
        lines += [f"- {caution}" for caution in result.cautions]
        lines.append("")
    if result.notes:
        lines += ["## Notes" if output_format == "md" else "Notes:", ""]
        lines += [f"- {note}" for note in result.notes]
        lines.append("")
    return "\n".join(lines)
