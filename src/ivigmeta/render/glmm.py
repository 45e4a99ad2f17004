"""Renderers for ``ivigmeta pool --method GLMM``: table (laid out like metafor's
``print.rma.glmm``), json, csv and md. Numbers print with 4 decimals, p-values below 0.0001 as
``<.0001``; JSON and CSV keep full precision."""

from __future__ import annotations

from ivigmeta.analyses.glmm_pool import GlmmPoolResult
from ivigmeta.render.analysis_tables import csv_text, json_text, markdown_table, num, p_clause, pval

SUMMARY = ("measure", "model", "k", "estimate", "se", "ci_low", "ci_high", "statistic", "p")
SUMMARY += ("tau2", "tau", "sigma2", "i2", "h2", "q", "q_df", "q_p", "q_lrt", "q_lrt_p", "loglik")


def render_glmm(result: GlmmPoolResult, output_format: str = "table") -> str:
    """The result as text in ``output_format`` (table, json, csv or md)."""
    if output_format == "json":
        return json_text(result)
    values = result.to_dict()
    if output_format == "csv":
        return csv_text(SUMMARY, [[values[name] for name in SUMMARY]])
    if output_format == "md":
        header = ("estimate", "se", "ci.lb", "ci.ub", "zval", "pval", "tau^2", "I^2", "QE.Wld",
                  "QE.LRT")  # fmt: skip
        row = [num(result.estimate), num(result.se), num(result.ci_low), num(result.ci_high),
               num(result.statistic), pval(result.p), num(result.tau2), f"{num(result.i2, 2)}%",
               num(result.q), num(result.q_lrt)]  # fmt: skip
        title = f"**{_title(result)}**"
        notes = "".join(f"- {note}\n" for note in result.notes)
        return f"{title}\n\n" + "\n".join(markdown_table(header, [row])) + f"\n\n{notes}"
    return _table(result)


def _title(result: GlmmPoolResult) -> str:
    model = f" ({result.model})" if result.model else ""
    return f"{result.measure}: random-effects GLMM{model}, ML, z test, k = {result.k}"


def _table(result: GlmmPoolResult) -> str:
    lines = [_title(result), f"integration: {result.integration}", ""]
    lines.append(f"tau^2 (estimated amount of total heterogeneity): {num(result.tau2)}")
    lines.append(f"tau (square root of estimated tau^2 value):      {num(result.tau)}")
    if result.sigma2 is not None:
        lines.append(f"sigma^2 (variance of the random study effects):  {num(result.sigma2)}")
    lines.append(f"I^2 (total heterogeneity / total variability):   {num(result.i2, 2)}%")
    lines.append(f"H^2 (total variability / sampling variability):  {num(result.h2, 2)}")
    lines.append(f"log-likelihood:                                  {num(result.loglik)}")
    lines += ["", "Tests for Heterogeneity:"]
    for name, q, p in (("Wld", result.q, result.q_p), ("LRT", result.q_lrt, result.q_lrt_p)):
        lines.append(f"{name}(df = {result.q_df}) = {num(q)}, {p_clause(p, 'p-val')}")
    lines += ["", "Model Results:", "estimate      se     zval    pval    ci.lb    ci.ub"]
    cells = (num(result.estimate), num(result.se), num(result.statistic), pval(result.p),
             num(result.ci_low), num(result.ci_high))  # fmt: skip
    widths = (8, 7, 8, 7, 8, 8)
    lines.append(" ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)))
    t = result.transformed
    if t is not None and t["estimate"] is not None:
        lines += ["", f"On the natural scale ({t['function']}): {num(t['estimate'])} "
                  f"[{num(t['ci_low'])}, {num(t['ci_high'])}]"]  # fmt: skip
    lines += ["", "Notes:", *(f"- {note}" for note in result.notes)]
    return "\n".join(lines) + "\n"
