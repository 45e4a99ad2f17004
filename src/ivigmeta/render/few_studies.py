"""The cautions, the "Few studies" block and the k = 1 summary of ``ivigmeta pool``'s table and
Markdown (:mod:`ivigmeta.analyses.few_studies`)."""

from __future__ import annotations

import textwrap

from ivigmeta.render.analysis_tables import num, p_clause

WIDTH = 100


def caution_lines(result, markdown: bool = False) -> list[str]:
    if not result.cautions:
        return []
    if markdown:
        return ["", "**Cautions**", "", *(f"- {c}" for c in result.cautions)]
    lines = ["", "Cautions:"]
    for caution in result.cautions:
        lines += textwrap.wrap(caution, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return lines


def few_studies_lines(result, markdown: bool = False) -> list[str]:
    """Knapp-Hartung and Bayesian readings under a "Few studies" heading ([] unless k < 5)."""
    few = result.few_studies
    if few is None:
        return []
    level = f"{result.level:g}%"
    k = few.knha
    items = [
        f"Knapp-Hartung ({k.method}, t({k.df})): estimate {num(k.estimate)} (SE {num(k.se)}), "
        f"{level} CI [{num(k.ci_low)}, {num(k.ci_high)}], {p_clause(k.p)}; {level} prediction "
        f"interval [{num(k.pi_low)}, {num(k.pi_high)}] (t quantile, df = {k.df})"
    ]
    b = few.bayes
    if b is not None:
        mu, tau, new = b["mu"], b["tau"], b["theta_new"]
        items.append(
            f"Bayesian (normal-normal model as R bayesmeta; tau prior {b['tau_prior_label']}, "
            f"uniform mu prior): mu median {num(mu['median'])}, {level} shortest credible "
            f"interval [{num(mu['ci_low'])}, {num(mu['ci_high'])}], P(mu < 0) = "
            f"{num(b['p_mu_below_0'])}; new study [{num(new['ci_low'])}, {num(new['ci_high'])}];"
            f" tau median {num(tau['median'])} [{num(tau['ci_low'])}, {num(tau['ci_high'])}]"
        )
    title = f"Few studies (k = {result.k} < 5): cautious readings of the same data"
    if markdown:
        return ["", f"**{title}**", "", *(f"- {item}" for item in items)]
    lines = ["", f"{title}:"]
    for item in items:
        lines += textwrap.wrap(item, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return lines


def single_study_lines(result) -> list[str]:
    """The k = 1 summary: the study's own estimate, CI and test; nothing pooled."""
    level = f"{result.level:g}%"
    stat = "z" if result.df is None else f"t({result.df})"
    return [
        "one study: nothing to pool",
        f"estimate {num(result.estimate)} (SE {num(result.se)}), {level} CI "
        f"[{num(result.ci_low)}, {num(result.ci_high)}], {stat} = {num(result.statistic)}, "
        f"{p_clause(result.p)}",
    ]


def single_study_markdown(result) -> list[str]:
    """The k = 1 summary and the notes as Markdown list items."""
    lines = ["", *(f"- {x}" for x in single_study_lines(result))]
    if result.notes:
        lines += ["", "Notes:", *(f"- {note}" for note in result.notes)]
    return lines
