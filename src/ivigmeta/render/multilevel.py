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
    *("name", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "p"),
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
            rows.append([c.name, c.estimate, c.se, c.ci_low, c.ci_high, c.statistic, c.df, c.p,
                         *robust])  # fmt: skip
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
        lines += _struct_components(result, table)
        names = tuple(f"tau^2.{i + 1}" for i in range(len(result.tau2))) if len(
            result.tau2) > 1 else ("tau^2",)  # fmt: skip
    i2 = ", ".join(
        f"{name} {num(value, 2)}%" for name, value in zip(names, result.i2_levels, strict=True)
    )
    total = f"total {num(result.i2, 2)}% " if result.i2 is not None else ""
    lines += [f"I^2 (multilevel, Cheung 2014): {total}({i2})", ""]
    q_name = "Test for Residual Heterogeneity" if len(result.coefficients) > 1 else (
        "Test for Heterogeneity")  # fmt: skip
    lines += heading(q_name)
    lines += [f"QE(df = {result.q_e_df}) = {num(result.q_e)}, {p_clause(result.q_e_p, 'p-val')}",
              ""]  # fmt: skip
    if result.qm is not None:
        lines += heading("Test of Moderators")
        statistic = (f"F(df1 = {result.qm_df}, df2 = {result.qm_df2})" if result.test == "T"
                     else f"QM(df = {result.qm_df})")  # fmt: skip
        lines += [f"{statistic} = {num(result.qm)}, {p_clause(result.qm_p, 'p-val')}", ""]
    lines += heading("Model Results")
    t = result.test == "T"
    rows = [
        [c.name, num(c.estimate), num(c.se), num(c.statistic), *([str(c.df)] if t else []),
         pval(c.p), num(c.ci_low), num(c.ci_high), _stars(c.p)]
        for c in result.coefficients
    ]  # fmt: skip
    header = ("", "estimate", "se", *(("tval", "df") if t else ("zval",)), "pval", "ci.lb",
              "ci.ub", "")  # fmt: skip
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


def _struct_components(result: MultilevelResult, table) -> list[str]:
    """metafor's ``~ inner | outer`` block: tau^2 per time (HCS/HAR/UN) or one, then rho."""
    levels = result.time_levels
    lines = [f"outer factor: {result.levels[0]} (nlvls = {result.n_levels[0]})",
             f"inner factor: {result.time} (nlvls = {len(levels)}; struct {result.struct})",
             ""]  # fmt: skip
    several = len(result.tau2) > 1
    rows = [[f"tau^2.{i + 1}" if several else "tau^2", num(t), num(math.sqrt(t)),
             *([levels[i]] if several else [])] for i, t in enumerate(result.tau2)]  # fmt: skip
    if result.struct == "UN":
        pairs = [(i, j) for j in range(len(levels)) for i in range(j + 1, len(levels))]
        names = [f"rho.{levels[j]}.{levels[i]}" for i, j in pairs]
    else:
        names = ["rho"]
    rows += [[name, num(r), "", *([""] if several else [])]
             for name, r in zip(names, result.rho, strict=True)]  # fmt: skip
    header = ("", "estim", "sqrt", *(("level",) if several else ()))
    if result.tau2_ci is not None:
        header += ("ci.lb", "ci.ub")
        bounds = [*result.tau2_ci, *result.rho_ci]
        rows = [[*row, num(lo) if lo is not None else "<", num(hi) if hi is not None else ">"]
                for row, (lo, hi) in zip(rows, bounds, strict=True)]  # fmt: skip
    lines += [*table(header, rows), ""]
    if result.tau2_ci is not None:
        lines += [f"({num(result.level, 0)}% profile-likelihood CIs, metafor confint)", ""]
    return lines
