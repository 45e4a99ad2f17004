"""Renderers for ``ivigmeta multilevel``: table and md laid out like metafor's
``print.rma.mv`` (fit statistics, variance components, heterogeneity test, model results),
plus the multilevel I² and the robust tests; json (the result's ``to_dict()``) and csv (one
row per coefficient)."""

from __future__ import annotations

import math

from ivigmeta.analyses.multilevel import MultilevelResult
from ivigmeta.render.analysis_tables import (
    csv_text,
    json_text,
    markdown_table,
    num,
    p_clause,
    pval,
    text_table,
)

CSV_HEADER = (
    *("name", "estimate", "se", "ci_low", "ci_high", "statistic", "p"),
    *("robust_type", "robust_se", "robust_df", "robust_statistic", "robust_p"),
    *("robust_ci_low", "robust_ci_high"),
)


def _stars(p: float) -> str:
    for cut, mark in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p < cut:
            return mark
    return ""


def render_multilevel(result: MultilevelResult, output_format: str = "table") -> str:
    """The result as text in ``output_format`` (table, json, csv or md)."""
    if output_format == "json":
        return json_text(result)
    if output_format == "csv":
        rows = []
        for c in result.coefficients:
            t = c.robust
            robust = (
                [None] * 7
                if t is None
                else [t.type, t.se, t.df, t.statistic, t.p, t.ci_low, t.ci_high]
            )
            rows.append([c.name, c.estimate, c.se, c.ci_low, c.ci_high, c.statistic, c.p, *robust])
        return csv_text(CSV_HEADER, rows)
    md = output_format == "md"
    table = markdown_table if md else text_table

    def heading(text: str) -> list[str]:
        return [f"## {text}" if md else f"{text}:", ""]

    source = result.source or result.outcome or "records"
    lines = [
        f"{'# ' if md else ''}Multivariate Meta-Analysis Model (k = {result.k}; "
        f"method: {result.method}) - {source} ({result.measure})",
        "",
    ]
    fit_header = ("", "logLik", "Deviance", "AIC", "BIC", "AICc")
    fit_row = ["", *(num(v) for v in (result.loglik, result.deviance, result.aic, result.bic,
                                       result.aicc))]  # fmt: skip
    lines += [*table(fit_header, [fit_row]), ""]
    lines += heading("Variance Components")
    if result.struct is None:
        components = [
            [f"sigma^2.{i + 1}", num(s), num(math.sqrt(s)), str(n), "no", name]
            for i, (s, n, name) in enumerate(zip(result.sigma2, result.n_levels, result.levels,
                                                 strict=True))
        ]  # fmt: skip
        header = ("", "estim", "sqrt", "nlvls", "fixed", "factor")
        if result.sigma2_ci is not None:
            header += ("ci.lb", "ci.ub")
            components = [[*row, num(lo), num(hi) if hi is not None else ">"]
                          for row, (lo, hi) in zip(components, result.sigma2_ci,
                                                   strict=True)]  # fmt: skip
        lines += [*table(header, components), ""]
        if result.sigma2_ci is not None:
            lines += [f"({num(result.level, 0)}% profile-likelihood CIs, metafor confint)", ""]
        names = result.levels
    else:
        lines += [f"outer factor: {result.levels[0]} (nlvls = {result.n_levels[0]})",
                  f"inner factor: {result.time} (struct {result.struct})", ""]  # fmt: skip
        rows = [["tau^2", num(result.tau2), num(math.sqrt(result.tau2)), "no"],
                ["rho", num(result.rho), "", "no"]]  # fmt: skip
        lines += [*table(("", "estim", "sqrt", "fixed"), rows), ""]
        names = ("tau^2",)
    i2 = ", ".join(
        f"{name} {num(value, 2)}%" for name, value in zip(names, result.i2_levels, strict=True)
    )
    lines += [f"I^2 (multilevel, Cheung 2014): total {num(result.i2, 2)}% ({i2})", ""]
    q_name = "Test for Residual Heterogeneity" if len(result.coefficients) > 1 else (
        "Test for Heterogeneity")  # fmt: skip
    lines += heading(q_name)
    lines += [f"QE(df = {result.q_e_df}) = {num(result.q_e)}, {p_clause(result.q_e_p, 'p-val')}",
              ""]  # fmt: skip
    if result.qm is not None:
        lines += heading("Test of Moderators")
        lines += [f"QM(df = {result.qm_df}) = {num(result.qm)}, {p_clause(result.qm_p, 'p-val')}",
                  ""]  # fmt: skip
    lines += heading("Model Results")
    rows = [
        [c.name, num(c.estimate), num(c.se), num(c.statistic), pval(c.p), num(c.ci_low),
         num(c.ci_high), _stars(c.p)]
        for c in result.coefficients
    ]  # fmt: skip
    header = ("", "estimate", "se", "zval", "pval", "ci.lb", "ci.ub", "")
    lines += [*table(header, rows), ""]
    if result.robust is not None:
        kind = result.robust.type
        lines += heading(f"Cluster-robust tests ({kind}, {result.robust.clusters} clusters)")
        rows = [
            [c.name, num(c.estimate), num(c.robust.se), num(c.robust.statistic),
             num(c.robust.df, 2), pval(c.robust.p), num(c.robust.ci_low),
             num(c.robust.ci_high), _stars(c.robust.p)]
            for c in result.coefficients
        ]  # fmt: skip
        header = ("", "estimate", "se", "tval", "df", "pval", "ci.lb", "ci.ub", "")
        lines += [*table(header, rows), ""]
    if result.notes:
        lines += heading("Notes")
        lines += [f"- {note}" for note in result.notes]
        lines.append("")
    return "\n".join(lines)
