"""Renderers for ``ivigmeta sensitivity``: table, json, csv and md.

Three tables: leave-one-out (each row: the model without that study), cumulative (each row:
the model up to and including that study) and influence diagnostics (metafor's
``influence()``; ``*`` marks an influential study by metafor's rule). For measures with a
back-transformation (ratios, logit and arcsine proportions, correlations) the table and
Markdown show the leave-one-out and cumulative estimates and CIs on the natural scale, as
metafor's ``leave1out(res, transf=...)`` (no SE column); PFT stays on its model scale (its
inverse needs the studies' n). JSON keeps the model scale; CSV keeps it and adds the natural
scale in ``effect``, ``effect_ci_low`` and ``effect_ci_high`` (as ``pool``'s study rows; empty for
measures read on their own scale).
"""

from __future__ import annotations

from ivigmeta.analyses.sensitivity import SensitivityResult
from ivigmeta.render.analysis_tables import (
    csv_text,
    json_text,
    markdown_table,
    num,
    pval,
    text_table,
    title,
)

POOLED_HEADER = ("study", "k", "estimate", "se", "ci.lb", "ci.ub", "pval", "tau^2", "I^2", "Q")
NATURAL_HEADER = ("study", "k", "estimate", "ci.lb", "ci.ub", "pval", "tau^2", "I^2", "Q")
INFLUENCE_HEADER = ("study", "rstudent", "dffits", "cook.d", "cov.r", "tau2.del", "QE.del",
                    "hat", "weight", "inf")  # fmt: skip
CSV_HEADER = ("analysis", "id", "k", "estimate", "se", "statistic", "df", "p", "ci_low",
              "ci_high", "tau2", "i2", "h2", "q", "q_p", "rstudent", "dffits", "cook_d",
              "cov_r", "tau2_del", "qe_del", "hat", "weight", "dfbetas", "influential", "effect",
              "effect_ci_low", "effect_ci_high")  # fmt: skip


def render_sensitivity(result: SensitivityResult, output_format: str = "table") -> str:
    """The result as text in ``output_format`` (table, json, csv or md)."""
    if output_format == "json":
        return json_text(result)
    if output_format == "csv":
        return _csv(result)
    table = markdown_table if output_format == "md" else text_table
    order = (
        "in the input order"
        if result.cumulative_order == "input"
        else f"by {result.cumulative_order}"
    )
    transform, shown = natural_values(result.measure)
    header = POOLED_HEADER if transform is None else NATURAL_HEADER
    scale = (
        "" if transform is None else f"; on the {transform.quantity} scale, {transform.function}"
    )
    sections = [
        (f"Leave-one-out (each row: the model without that study{scale})", header,
         _pooled_rows(result.leave_one_out, shown)),
        (f"Cumulative meta-analysis, studies added {order} (each row: up to that study{scale})",
         header, _pooled_rows(result.cumulative, shown)),
        ("Influence diagnostics (metafor influence(); * = influential)", INFLUENCE_HEADER,
         _influence_rows(result)),
    ]  # fmt: skip
    heading = title(result, "sensitivity analysis")
    lines = [f"# {heading}" if output_format == "md" else heading, ""]
    for name, header, rows in sections:
        lines += [f"## {name}" if output_format == "md" else name, ""]
        lines += table(header, rows)
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


def natural_values(measure: str):
    """(transform, function value -> natural scale) of ``measure``, or (None, None) for a
    measure read on its own scale and for PFT (its inverse needs the studies' n)."""
    import numpy as np

    from ivigmeta.effects.transforms import back_transform

    transform = back_transform(measure)
    if transform is None or transform.function == "transf.ipft.hm":
        return None, None

    def shown(value):
        return None if value is None else float(transform(np.array([value]))[0])

    return transform, shown


def natural_columns(shown, estimate, ci_low, ci_high) -> list:
    """[estimate, ci_low, ci_high] on the natural scale for a CSV row; Nones without ``shown``."""
    if shown is None:
        return [None, None, None]
    return [shown(estimate), shown(ci_low), shown(ci_high)]


def _pooled_rows(rows, shown=None) -> list[list[str]]:
    if shown is not None:
        return [
            [r.id, str(r.k), num(shown(r.estimate)), num(shown(r.ci_low)), num(shown(r.ci_high)),
             pval(r.p), num(r.tau2), f"{num(r.i2, 2)}%", num(r.q)]
            for r in rows
        ]  # fmt: skip
    return [
        [r.id, str(r.k), num(r.estimate), num(r.se), num(r.ci_low), num(r.ci_high), pval(r.p),
         num(r.tau2), f"{num(r.i2, 2)}%", num(r.q)]
        for r in rows
    ]  # fmt: skip


def _influence_rows(result: SensitivityResult) -> list[list[str]]:
    return [
        [s.id, num(s.rstudent), num(s.dffits), num(s.cook_d), num(s.cov_r), num(s.tau2_del),
         num(s.qe_del), num(s.hat), f"{num(s.weight, 2)}%", "*" if s.influential else ""]
        for s in result.influence
    ]  # fmt: skip


def _csv(result: SensitivityResult) -> str:
    rows = []
    blank_influence = [None] * 10
    _, shown = natural_values(result.measure)
    for analysis, pooled in (("leave_one_out", result.leave_one_out),
                             ("cumulative", result.cumulative)):  # fmt: skip
        for r in pooled:
            rows.append([analysis, r.id, r.k, r.estimate, r.se, r.statistic, r.df, r.p, r.ci_low,
                         r.ci_high, r.tau2, r.i2, r.h2, r.q, r.q_p, *blank_influence,
                         *natural_columns(shown, r.estimate, r.ci_low, r.ci_high)])  # fmt: skip
    for s in result.influence:
        rows.append(["influence", s.id, *[None] * 13, s.rstudent, s.dffits, s.cook_d, s.cov_r,
                     s.tau2_del, s.qe_del, s.hat, s.weight,
                     ";".join(repr(b) for b in s.dfbetas), s.influential, None, None,
                     None])  # fmt: skip
    return csv_text(CSV_HEADER, rows)
