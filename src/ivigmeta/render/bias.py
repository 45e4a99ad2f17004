"""Renderers for ``ivigmeta bias``: table, json, csv and md (one row per method).

For a measure with a back-transformation (:func:`ivigmeta.render.sensitivity.natural_values`)
the table and Markdown show Egger's limit estimate and the trim-and-fill estimate with their
CIs on the natural scale (as metafor's ``predict(trimfill(res), transf=exp)``); JSON keeps the
model scale; CSV keeps it and adds ``effect``, ``effect_ci_low`` and ``effect_ci_high``.
"""

from __future__ import annotations

from ivigmeta.analyses.bias import BiasResult
from ivigmeta.render.analysis_tables import (
    csv_text,
    json_text,
    markdown_table,
    num,
    pval,
    text_table,
    title,
)
from ivigmeta.wording import count

HEADER = ("method", "statistic", "df", "pval", "estimate", "ci.lb", "ci.ub", "detail")
CSV_HEADER = ("method", "statistic", "df", "p", "estimate", "ci_low", "ci_high", "k0", "side",
              "failsafe_n", "effect", "effect_ci_low", "effect_ci_high")  # fmt: skip


def _rows(result: BiasResult):
    egger, rank, fill, safe = result.egger, result.rank, result.trimfill, result.failsafe
    egger_name = "Egger regression (sei)" + (", weighted lm" if egger.model == "lm" else "")
    return [
        (egger_name, egger.statistic, egger.df, egger.p, egger.limit_estimate,
         egger.limit_ci_low, egger.limit_ci_high, "estimate = limit estimate (se -> 0)"),
        ("Begg rank correlation", rank.tau, None, rank.p, None, None, None,
         "statistic = Kendall's tau" + ("" if rank.exact else "; normal approx. (ties)")),
        (f"Trim-and-fill ({fill.estimator})", None, None, fill.p, fill.estimate, fill.ci_low,
         fill.ci_high, f"{count(fill.k0, 'study')} filled on the {fill.side}; {fill.test} test"),
        ("Fail-safe N (Rosenthal)", None, None, safe.p, None, None, None,
         f"N = {safe.failsafe_n} (one-sided alpha = {safe.alpha:g})"),
    ]  # fmt: skip


def render_bias(result: BiasResult, output_format: str = "table") -> str:
    """The result as text in ``output_format`` (table, json, csv or md)."""
    if output_format == "json":
        return json_text(result)
    from ivigmeta.render.sensitivity import natural_columns, natural_values

    transform, shown = natural_values(result.measure)
    if output_format == "csv":
        fill = result.trimfill
        rows = [[*row[:7], None, None, None, *natural_columns(shown, *row[4:7])]
                for row in _rows(result)]  # fmt: skip
        rows[2][7:9] = [fill.k0, fill.side]
        rows[3][9] = result.failsafe_n
        return csv_text(CSV_HEADER, rows)
    show = shown or (lambda value: value)
    printed = [
        [name, num(stat), "" if df is None else str(df), pval(p), num(show(est)),
         num(show(low)), num(show(high)), detail]
        for name, stat, df, p, est, low, high, detail in _rows(result)
    ]  # fmt: skip
    heading = title(result, "small-study effects")
    if transform is not None:
        heading += f"; estimates on the {transform.quantity} scale, {transform.function}"
    if output_format == "md":
        lines = [f"# {heading}", "", *markdown_table(HEADER, printed), ""]
    else:
        lines = [heading, "", *text_table(HEADER, printed), ""]
    if result.cautions:
        lines += ["## Cautions" if output_format == "md" else "Cautions:", ""]
        lines += [f"- {caution}" for caution in result.cautions]
        lines.append("")
    if result.notes:
        lines += ["## Notes" if output_format == "md" else "Notes:", ""]
        lines += [f"- {note}" for note in result.notes]
        lines.append("")
    return "\n".join(lines)
