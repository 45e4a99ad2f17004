"""Renderers for ``ivigmeta pool``: table (plain text), json, csv and md.

The table shows each study's effect, its CI at ``level`` and weight, on the natural scale
(``natural=True``, ``--transf auto``: ratios, proportions, correlations; see
:mod:`ivigmeta.analyses.natural_scale`) or the model scale (Wald yi ± z sqrt(vi), as in
metafor's ``forest()``); then a summary block laid out like metafor's ``print.rma`` (model
scale, followed by the back-transformed estimate as ``print.rma.mh`` shows it), and the
Q-profile CI of tau², tau, I² and H² laid out like ``print(confint(res))`` (a bound that is
only the end of the searched interval is printed with ``<``/``>``, as metafor does).
Numbers are printed with 4 decimals, p-values below 0.0001 as ``<.0001`` (as metafor does).
The table is plain aligned text rather than rich: importing rich costs ~0.1 s, and
``ivigmeta pool`` must finish in under 0.5 s. About 450 lines: the four formats of one command
share their row builders, so they stay in one module (the small-k blocks are in
:mod:`ivigmeta.render.few_studies`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import textwrap

from ivigmeta.analyses.pool import PoolResult
from ivigmeta.render.analysis_tables import num, p_clause, pval
from ivigmeta.render.few_studies import (
    caution_lines,
    few_studies_lines,
    single_study_lines,
    single_study_markdown,
)

WIDTH = 100
STUDY_COLUMNS = ("id", "timepoint", "yi", "vi", "sei", "ci_low", "ci_high", "weight")
NATURAL_COLUMNS = ("effect", "effect_ci_low", "effect_ci_high")


def _csv_cell(value):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return value


NO_TAU2_METHODS = ("EE", "MH", "PETO")
MODEL_NAMES = {
    "EE": "equal-effects model",
    "MH": "Mantel-Haenszel method (equal-effects)",
    "PETO": "Peto's method (equal-effects)",
}
QUANTITY_HEADERS = {"proportion": "proportion", "correlation": "r", "rate": "rate", "mean": "mean",
                    "CV": "CV"}  # fmt: skip


def render_pool(result: PoolResult, output_format: str = "table", natural: bool = True) -> str:
    """The result as text in ``output_format`` (table, json, csv or md); ``natural`` prints
    effects on the natural scale (JSON always has both scales)."""
    if output_format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        return _csv(result, natural)
    if output_format == "md":
        return _markdown(result, natural)
    return _table(result, natural)


def _shows_natural(result: PoolResult, natural: bool) -> bool:
    """Whether the study and pooled columns differ from the model scale's Wald intervals."""
    return natural and (result.transformed is not None or result.study_ci is not None)


def _effect_header(result: PoolResult, natural: bool) -> str:
    from ivigmeta.effects.transforms import back_transform

    transform = back_transform(result.measure)
    if natural and transform is not None:
        return QUANTITY_HEADERS.get(transform.quantity, result.measure)
    return result.measure


def _pooled_values(result: PoolResult, natural: bool) -> tuple[float, float, float]:
    if natural and result.transformed is not None:
        t = result.transformed
        return t["estimate"], t["ci_low"], t["ci_high"]
    return result.estimate, result.ci_low, result.ci_high


def _heterogeneity_ci(result: PoolResult) -> list[tuple[str, float, str, str]]:
    """(metafor row name, estimate, ci.lb, ci.ub) of ``confint(res)``, bounds as text with
    their ``<``/``>`` sign and full precision; [] when there is no CI."""
    if result.tau2_ci_low is None and result.tau2_ci_high is None:
        return []
    low_sign, high_sign = result.tau2_ci_low_sign or "", result.tau2_ci_high_sign or ""
    rows = []
    for label, name in (("tau^2", "tau2"), ("tau", "tau"), ("I^2(%)", "i2"), ("H^2", "h2")):
        low, high = getattr(result, f"{name}_ci_low"), getattr(result, f"{name}_ci_high")
        rows.append(
            (
                label,
                getattr(result, name),
                low_sign + repr(float(low)),
                high_sign + repr(float(high)),
            )
        )
    return rows


def _rounded_bound(text: str) -> str:
    """A bound from :func:`_heterogeneity_ci` with 4 decimals, keeping its sign."""
    sign = text[0] if text[0] in "<>" else ""
    return sign + num(float(text[len(sign) :]))


def _heterogeneity_ci_lines(result: PoolResult) -> list[str]:
    rows = [
        [label, num(value), _rounded_bound(low), _rounded_bound(high)]
        for label, value, low, high in _heterogeneity_ci(result)
    ]
    if not rows:
        return []
    title = f"{result.level:g}% CI of the heterogeneity (Q-profile, as metafor confint):"
    table = _aligned(["", "estimate", "ci.lb", "ci.ub"], rows, right={1, 2, 3})
    return ["", title, *table]


def _study_rows(result: PoolResult, natural: bool = True) -> list[dict]:
    """Per study: the model-scale yi, vi, sei, Wald CI, weight, and the ``shown`` effect
    with CI (natural scale where ``natural`` and the measure has one; PR always from the
    counts, so that its intervals stay within [0, 1])."""
    from ivigmeta.stats.numerics.distributions import z_crit

    crit = z_crit(result.level)
    use_effect = natural or result.transformed is None
    rows = []
    for s in result.studies:
        sei = math.sqrt(s.vi) if math.isfinite(s.vi) else math.nan
        row = {
            "id": s.id,
            "timepoint": s.timepoint,
            "yi": s.yi,
            "vi": s.vi,
            "sei": sei,
            "ci_low": s.yi - crit * sei,
            "ci_high": s.yi + crit * sei,
            "weight": s.weight,
        }
        if use_effect and s.effect is not None:
            shown = (s.effect, s.effect_ci_low, s.effect_ci_high)
        else:
            shown = (s.yi, row["ci_low"], row["ci_high"])
        row["shown"] = shown
        rows.append(row)
    return rows


def _shown_text(values) -> tuple[str, str]:
    """(effect, "[low, high]") as printed; a study without an effect size says why."""
    estimate, low, high = values
    if not math.isfinite(estimate):
        return "NA", "(no effect size)"
    return num(estimate), f"[{num(low)}, {num(high)}]"


def _title(result: PoolResult) -> str:
    what = f"{result.outcome}: " if result.outcome else ""
    if result.k == 1:
        return f"{what}{result.measure}, one study (nothing pooled)"
    model = MODEL_NAMES.get(result.method, f"random-effects model, tau² estimator {result.method}")
    return f"{what}{result.measure}, {model}, {result.test} test, k = {result.k}"


def _test_label(result: PoolResult) -> str:
    return "zval" if result.df is None else "tval"


def _pi_label(result: PoolResult) -> str:
    if result.pi_df is None:
        return "normal quantile"
    return f"t quantile, df = {result.pi_df}"


def _summary_lines(result: PoolResult, natural: bool = True) -> list[str]:
    level = f"{result.level:g}%"
    lines = []
    if result.method not in NO_TAU2_METHODS:
        se = result.se_tau2
        se_tau2 = "" if se is None or not math.isfinite(se) else f" (SE = {num(se)})"
        lines += [
            f"tau^2 (estimated amount of total heterogeneity): {num(result.tau2)}{se_tau2}",
            f"tau (square root of estimated tau^2 value):      {num(result.tau)}",
        ]
    lines += [
        f"I^2 (total heterogeneity / total variability):   {result.i2:.2f}%",
        f"H^2 (total variability / sampling variability):  {result.h2:.2f}",
        "",
        "Test for Heterogeneity:",
        f"Q(df = {result.q_df}) = {num(result.q)}, {p_clause(result.q_p, 'p-val')}",
        "",
        f"Model Results{_model_scale(result)}:",
    ]
    stat = _test_label(result)
    header = ["estimate", "se", stat]
    values = [num(result.estimate), num(result.se), num(result.statistic)]
    if result.df is not None:
        header.append("df")
        values.append(str(result.df))
    header += ["pval", "ci.lb", "ci.ub"]
    values += [pval(result.p), num(result.ci_low), num(result.ci_high)]
    widths = [max(len(h), len(v)) for h, v in zip(header, values, strict=True)]
    lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    lines.append("  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)))
    lines += _natural_lines(result, natural) + _table_test_lines(result)
    if result.pi_low is not None:  # an equal-effects model has none (as metafor's predict())
        lines += [
            "",
            f"{level} prediction interval{_model_scale(result)}: "
            f"[{num(result.pi_low)}, {num(result.pi_high)}] "
            f"({_pi_label(result)}; --pi {result.pi})",
        ]
    return lines + _heterogeneity_ci_lines(result)


def _model_scale(result: PoolResult) -> str:
    """`` (log scale)`` and the like for measures with a back-transformation."""
    from ivigmeta.effects.transforms import back_transform

    transform = back_transform(result.measure)
    if transform is None:
        return ""
    names = {"exp": "log", "transf.ilogit": "logit", "transf.iarcsin": "arcsine",
             "transf.ipft.hm": "Freeman-Tukey", "transf.ztor": "Fisher z"}  # fmt: skip
    return f" ({names.get(transform.function, 'model')} scale)"


def _natural_lines(result: PoolResult, natural: bool) -> list[str]:
    """The back-transformed estimate, CI and PI (metafor ``predict(res, transf=...)``)."""
    t = result.transformed
    if not natural or t is None:
        return []
    header, values = ["estimate", "ci.lb", "ci.ub"], [t["estimate"], t["ci_low"], t["ci_high"]]
    if t["pi_low"] is not None:
        header += ["pi.lb", "pi.ub"]
        values += [t["pi_low"], t["pi_high"]]
    cells = [num(v) for v in values]
    widths = [max(len(h), len(c)) for h, c in zip(header, cells, strict=True)]
    return [
        "",
        f"Model Results ({_effect_header(result, True)} scale, {t['function']}):",
        "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)),
        "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)),
    ]


def _table_test_lines(result: PoolResult) -> list[str]:
    """The Cochran-Mantel-Haenszel and Tarone tests of a Mantel-Haenszel odds ratio."""
    if result.cmh is None and result.tarone is None:
        return []
    lines = [""]
    if result.cmh is not None:
        lines.append(f"Cochran-Mantel-Haenszel Test:    CMH = {num(result.cmh)}, df = 1, "
                     f"{p_clause(result.cmh_p, 'p-val')}")  # fmt: skip
    if result.tarone is not None:
        df = "NA" if result.tarone_df is None else result.tarone_df
        lines.append(f"Tarone's Test for Heterogeneity: X^2 = {num(result.tarone)}, df = {df}, "
                     f"{p_clause(result.tarone_p, 'p-val')}")  # fmt: skip
    return lines


def _sweep_lines(result: PoolResult) -> list[str]:
    if result.sweep is None:
        return []
    header = (
        "r",
        "k",
        "estimate",
        "se",
        "ci.lb",
        "ci.ub",
        "pval",
        "tau^2",
        "I^2",
        "pi.lb",
        "pi.ub",
    )
    rows = [
        (
            f"{row.r:.1f}",
            str(row.k),
            num(row.estimate),
            num(row.se),
            num(row.ci_low),
            num(row.ci_high),
            pval(row.p),
            num(row.tau2),
            f"{row.i2:.2f}%",
            num(row.pi_low),
            num(row.pi_high),
        )
        for row in result.sweep
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["", "Sensitivity to the assumed pre-post correlation r:"]
    lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return lines


def _note_lines(result: PoolResult) -> list[str]:
    if not result.notes:
        return []
    lines = ["", "Notes:"]
    for note in result.notes:
        lines += textwrap.wrap(note, WIDTH, initial_indent="- ", subsequent_indent="  ")
    return lines


def _aligned(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """Plain-text columns: left-aligned text, right-aligned numbers, two spaces apart."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells):
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _weight_text(weight: float) -> str:
    return f"{weight:.2f}%" if math.isfinite(weight) else ""


def _table(result: PoolResult, natural: bool = True) -> str:
    level = f"{result.level:g}%"
    rows = [
        [row["id"], row["timepoint"] or "", *_shown_text(row["shown"]), _weight_text(row["weight"])]
        for row in _study_rows(result, natural)
    ]
    if result.k > 1:
        rows.append(["pooled", "", *_shown_text(_pooled_values(result, natural)), "100.00%"])
    header = ["study", "timepoint", _effect_header(result, natural), f"{level} CI", "weight"]
    if not any(s.timepoint for s in result.studies):
        header.pop(1)
        rows = [[row[0], *row[2:]] for row in rows]
    right = set(range(len(header) - 3, len(header)))
    lines = [_title(result), *caution_lines(result), "", *_aligned(header, rows, right=right), ""]
    summary = single_study_lines(result) if result.k == 1 else _summary_lines(result, natural)
    lines += [*summary, *few_studies_lines(result), *_sweep_lines(result), *_note_lines(result)]
    return "\n".join(lines) + "\n"


def _csv(result: PoolResult, natural: bool = True) -> str:
    """Model-scale columns (yi ... ci_high) as metafor; with a natural scale that differs,
    ``effect, effect_ci_low, effect_ci_high`` follow."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    extra = _shows_natural(result, natural)
    writer.writerow(STUDY_COLUMNS + (NATURAL_COLUMNS if extra else ()))
    for row in _study_rows(result, natural):
        cells = [_csv_cell(row[c]) for c in STUDY_COLUMNS]
        writer.writerow(cells + ([_csv_cell(v) for v in row["shown"]] if extra else []))
    pooled = [
        "pooled", "", result.estimate, result.se**2, result.se, result.ci_low, result.ci_high,
        100.0,
    ]  # fmt: skip
    natural_cells = [_csv_cell(v) for v in _pooled_values(result, True)] if extra else []
    writer.writerow(pooled + natural_cells)
    for label, value, low, high in _heterogeneity_ci(result):
        se = result.se_tau2 if label == "tau^2" and result.se_tau2 is not None else ""
        writer.writerow([label, "", value, "" if se == "" else se**2, se, low, high, ""])
    return buffer.getvalue()


def _heterogeneity_ci_markdown(result: PoolResult) -> list[str]:
    rows = _heterogeneity_ci(result)
    if not rows:
        return []
    cis = ", ".join(
        f"{label} [{_rounded_bound(low)}, {_rounded_bound(high)}]" for label, _, low, high in rows
    )
    return [f"- {result.level:g}% CI (Q-profile): {cis}"]


def _markdown(result: PoolResult, natural: bool = True) -> str:
    level = f"{result.level:g}%"
    lines = [
        f"**{_title(result)}**",
        *caution_lines(result, markdown=True),
        "",
        f"| study | timepoint | {_effect_header(result, natural)} | {level} CI | weight |",
        "|---|---|---:|---:|---:|",
    ]
    for row in _study_rows(result, natural):
        effect, ci = _shown_text(row["shown"])
        lines.append(
            f"| {row['id']} | {row['timepoint'] or ''} | {effect} | {ci} | "
            f"{_weight_text(row['weight'])} |"
        )
    if result.k == 1:
        return "\n".join([*lines, *single_study_markdown(result)]) + "\n"
    effect, ci = _shown_text(_pooled_values(result, natural))
    lines.append(f"| **pooled** | | **{effect}** | **{ci}** | 100.00% |")
    stat = "z" if result.df is None else f"t({result.df})"
    lines += [
        "",
        f"- estimate{_model_scale(result)} {num(result.estimate)} (SE {num(result.se)}), {stat} = "
        f"{num(result.statistic)}, {p_clause(result.p)}",
        *_natural_markdown(result, natural),
        (
            f"- tau² = {num(result.tau2)}, tau = {num(result.tau)}, "
            if result.method not in NO_TAU2_METHODS
            else "- "
        )
        + f"I² = {result.i2:.2f}%, H² = {result.h2:.2f}",
        *_heterogeneity_ci_markdown(result),
        f"- Q({result.q_df}) = {num(result.q)}, {p_clause(result.q_p)}",
        *(f"- {line.strip()}" for line in _table_test_lines(result) if line),
    ]
    if result.pi_low is not None:
        lines.append(
            f"- {level} prediction interval [{num(result.pi_low)}, {num(result.pi_high)}] "
            f"({_pi_label(result)})"
        )
    lines += few_studies_lines(result, markdown=True)
    if result.sweep is not None:
        lines += [
            "",
            "| r | k | estimate | ci.lb | ci.ub | tau² | I² |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {row.r:.1f} | {row.k} | {num(row.estimate)} | {num(row.ci_low)} | "
            f"{num(row.ci_high)} | {num(row.tau2)} | {row.i2:.2f}% |"
            for row in result.sweep
        ]
    if result.notes:
        lines += ["", "Notes:", *(f"- {note}" for note in result.notes)]
    return "\n".join(lines) + "\n"


def _natural_markdown(result: PoolResult, natural: bool) -> list[str]:
    t = result.transformed
    if not natural or t is None:
        return []
    text = (f"- {_effect_header(result, True)} ({t['function']}): {num(t['estimate'])} "
            f"[{num(t['ci_low'])}, {num(t['ci_high'])}]")  # fmt: skip
    if t["pi_low"] is not None:
        text += f", prediction interval [{num(t['pi_low'])}, {num(t['pi_high'])}]"
    return [text]
