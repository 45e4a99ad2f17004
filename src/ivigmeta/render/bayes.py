"""Renderers for ``ivigmeta bayes``: table (plain text), json, csv and md.

The table reads like bayesmeta's ``print``/``summary``: the priors (proper or improper), the
marginal posterior summary of tau, mu and theta_new (mode, median, mean, sd and the shortest
credible interval), then the Bayes factors and each study's shrinkage estimate. Numbers print
with 4 decimals; JSON and CSV keep full precision.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap

from ivigmeta.render.analysis_tables import markdown_table, num, text_table

WIDTH = 100
ROWS = ("mode", "median", "mean", "sd", "ci_low", "ci_high")
COLUMNS = ("tau", "mu", "theta_new")


def render_bayes(result, output_format: str = "table") -> str:
    """``result`` (a :class:`~ivigmeta.analyses.bayes.BayesResult`) in ``output_format``."""
    if output_format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        return _csv(result)
    return _text(result, markdown=output_format == "md")


def _row_labels(level: float) -> list[str]:
    return ["mode", "median", "mean", "sd", f"{level:g}% lower", f"{level:g}% upper"]


def _mu_prior_text(result) -> str:
    if result.mu_prior_proper:
        mean, sd = result.mu_prior.split(":")[1].split(",")
        return f"normal(mean={mean}, sd={sd})"
    return "uniform(min=-Inf, max=Inf)"


def summary_rows(result) -> list[list[str]]:
    """The rows of bayesmeta's 'marginal posterior summary' (tau, mu, theta_new columns)."""
    return [
        [label, *(num(getattr(getattr(result, c), field)) for c in COLUMNS)]
        for label, field in zip(_row_labels(result.level), ROWS, strict=True)
    ]


def evidence_lines(result) -> list[str]:
    """Central interval, P(mu < 0), I², marginal likelihood and Bayes factors as sentences."""
    level = f"{result.level:g}%"
    low, high = result.mu_central
    lines = [
        f"mu: {level} central interval [{num(low)}, {num(high)}]; "
        f"P(mu < 0 | data) = {num(result.p_mu_below_0)}",
    ]
    if result.i2_median is not None:
        lines.append(f"I² at tau's posterior median: {result.i2_median:.1f}%")
    if result.marginal_likelihood is None:
        why = "mu" if not result.mu_prior_proper else "tau"
        lines.append(f"marginal likelihood and Bayes factors: not defined (improper {why} prior)")
    else:
        lines.append(
            f"marginal likelihood {result.marginal_likelihood:.6g}; Bayes factors "
            f"BF(tau = 0) = {result.bayes_factor_tau0:.4g}, "
            f"BF(mu = 0) = {result.bayes_factor_mu0:.4g}"
        )
    return lines


def _study_rows(result) -> list[list[str]]:
    return [
        [s.id, num(s.yi), num(s.sei), num(s.shrinkage.mean), num(s.shrinkage.median),
         num(s.shrinkage.sd), num(s.shrinkage.ci_low), num(s.shrinkage.ci_high)]
        for s in result.studies
    ]  # fmt: skip


def _bullets(title: str, items, markdown: bool) -> list[str]:
    if not items:
        return []
    if markdown:
        return ["", f"**{title}**", "", *(f"- {item}" for item in items)]
    lines = ["", f"{title}:"]
    for item in items:
        lines += textwrap.wrap(item, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return lines


def _text(result, markdown: bool) -> str:
    what = f"{result.outcome}: " if result.outcome else ""
    title = (f"{what}{result.measure}, Bayesian random-effects model (normal-normal, as R "
             f"bayesmeta), k = {result.k}")  # fmt: skip
    table = markdown_table if markdown else text_table
    level = f"{result.level:g}%"
    tau_kind = "proper" if result.tau_prior_proper else "improper"
    mu_kind = "proper" if result.mu_prior_proper else "improper"
    lines = [f"## {title}" if markdown else title, ""]
    lines += [
        f"tau prior ({tau_kind}): {result.tau_prior_label}  [--tau-prior {result.tau_prior}]",
        f"mu prior ({mu_kind}): {_mu_prior_text(result)}",
    ]
    lines += _bullets("Cautions", result.cautions, markdown)
    lines += (
        ["", "Marginal posterior summary:", ""] if markdown else ["", "Marginal posterior summary:"]
    )
    lines += table(["", "tau", "mu", "theta_new"], summary_rows(result))
    lines += ["", f"(quoted intervals are shortest {level} credible intervals; theta_new is the "
              "effect in a new study)"]  # fmt: skip
    lines += [""] + [f"- {x}" if markdown else x for x in evidence_lines(result)]
    header = ["study", "yi", "sei", "mean", "median", "sd", f"{level} lower", f"{level} upper"]
    lines += ["", "Shrinkage estimates (each study's true effect given all studies):"]
    lines += [""] if markdown else []
    lines += table(header, _study_rows(result))
    lines += _bullets("Notes", result.notes, markdown)
    lines += ["", *textwrap.wrap(
        f"(posterior by numerical integration, no sampling; mixtures over tau on bayesmeta's "
        f"DIRECT grid, delta = {result.delta:g}, epsilon = {result.epsilon:g}, "
        f"{result.grid_size} points)", WIDTH)]  # fmt: skip
    return "\n".join(lines) + "\n"


def _csv(result) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["parameter", *ROWS])
    for name in COLUMNS:
        summary = getattr(result, name)
        writer.writerow([name, *(_cell(getattr(summary, f)) for f in ROWS)])
    for s in result.studies:
        sh = s.shrinkage
        writer.writerow([f"theta[{s.id}]", "", *(_cell(getattr(sh, f)) for f in ROWS[1:])])
    return out.getvalue()


def _cell(value) -> str:
    return "" if value is None else repr(float(value))
