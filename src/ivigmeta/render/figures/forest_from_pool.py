"""Forest plots of pool results: the rows, summaries, labels and "favours" sides that
:func:`ivigmeta.render.figures.forest.forest_plot` draws, taken from ``ivigmeta.pool()``."""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure

from ivigmeta.render.figures.forest import (
    ForestBlock,
    ForestStudy,
    ForestSummary,
    forest_plot,
)
from ivigmeta.render.figures.style import RATIO_MEASURES

#: Outcomes where a lower value is better for the patient (skin score, symptoms, markers).
LOWER_IS_BETTER = frozenset({
    "mrss", "mrss_change", "dermal_thickness_change", "creatine_kinase", "crp",
    "corticosteroid_dose", "ucla_git_total", "reflux_frequency", "reflux_intensity",
    "joint_pain_vas", "haq", "muscle_pain", "muscle_weakness", "joint_pain", "gerd",
    "bowel_symptoms",
})  # fmt: skip
HIGHER_IS_BETTER = frozenset({"mrc_sum_score"})
TWO_GROUP = frozenset({"MD", "SMD", "SMDH", "ROM", "RR", "OR", "RD"})


def favours_labels(outcome: str | None, measure: str) -> tuple[str, str]:
    """Labels for the two sides of the null line.

    Two-group measures (IVIG minus control): "favours IVIG" on the side where the outcome
    improves. Change measures (follow-up minus baseline): "improvement"/"worsening". When the
    outcome's direction is unknown: "lower/higher with IVIG" (or "decrease"/"increase"); for a
    CSV table (no outcome): "lower"/"higher".
    """
    two_group = measure.upper() in TWO_GROUP
    if outcome in LOWER_IS_BETTER or outcome in HIGHER_IS_BETTER:
        better, worse = (
            ("favours IVIG", "favours control") if two_group else ("improvement", "worsening")
        )
        return (better, worse) if outcome in LOWER_IS_BETTER else (worse, better)
    if outcome is None:  # a CSV table: neither the direction nor the treatment is known
        return ("lower", "higher")
    return ("lower with IVIG", "higher with IVIG") if two_group else ("decrease", "increase")


SUBGROUP_TITLES = {"rct": "Randomised controlled trials", "open-label": "Open-label trials"}
MEASURE_AXIS = {
    "MC": "Mean change from baseline",
    "SMCC": "Standardized mean change (change-score SD)",
    "SMCR": "Standardized mean change (baseline SD)",
    "SMCRH": "Standardized mean change (baseline SD)",
    "MD": "Mean difference, IVIG − control",
    "SMD": "Standardized mean difference (Hedges' g), IVIG − control",
    "SMDH": "Standardized mean difference, IVIG − control",
    "ROM": "Ratio of means, IVIG / control",
    "RR": "Risk ratio",
    "OR": "Odds ratio",
    "PETO": "Odds ratio (Peto)",
    "IRR": "Incidence rate ratio",
    "RD": "Risk difference",
    "PR": "Proportion",
    "PLO": "Proportion",
    "PAS": "Proportion",
    "PFT": "Proportion",
    "ZCOR": "Correlation",
}
#: Axis labels on the model scale (``--transf none``).
MODEL_SCALE_AXIS = {
    "RR": "Log risk ratio",
    "OR": "Log odds ratio",
    "PETO": "Log odds ratio (Peto)",
    "ROM": "Log ratio of means, IVIG / control",
    "IRR": "Log incidence rate ratio",
    "PLO": "Logit of the proportion",
    "PAS": "Arcsine square root of the proportion",
    "PFT": "Freeman-Tukey double arcsine of the proportion",
    "ZCOR": "Fisher's z of the correlation",
}
SHORT_OUTCOME_NAMES = {"mrss": "mRSS", "mrss_change": "mRSS change", "crp": "CRP", "haq": "HAQ",
                       "gerd": "GERD", "ucla_git_total": "UCLA GIT 2.0 total"}  # fmt: skip


def effect_label_for(outcome: str | None, measure: str, natural: bool = True) -> str:
    """Axis label: ``Mean change from baseline in mRSS (points)``; ``natural=False`` names the
    model scale of a transformed measure (``Log risk ratio``)."""
    from ivigmeta.records.vocabulary import OUTCOMES

    measure = measure.upper()
    text = MEASURE_AXIS.get(measure, measure)
    if not natural:
        text = MODEL_SCALE_AXIS.get(measure, text)
    if outcome:
        text += f" in {SHORT_OUTCOME_NAMES.get(outcome, outcome.replace('_', ' '))}"
        definition = OUTCOMES.get(outcome)
        if definition is not None and definition.unit and measure in ("MC", "MD"):
            text += f" ({definition.unit})"
    return text


MODEL_LABELS = {
    "EE": "Equal-effects model",
    "MH": "Mantel-Haenszel method",
    "PETO": "Peto's method",
}


def model_label(result) -> str:
    if result.method in MODEL_LABELS:
        return MODEL_LABELS[result.method]
    return f"Random-effects model ({result.method})"


def linear_natural(result, natural: bool = True) -> bool:
    """Whether the plot shows natural-scale values on a linear axis (single proportions,
    correlations): rows and diamonds then carry the natural-scale numbers themselves."""
    from ivigmeta.effects.transforms import back_transform

    if not natural:
        return False
    transform = back_transform(result.measure)
    if transform is None:
        return getattr(result, "study_ci", None) is not None
    return not transform.log_axis


def summary_from_pool(result, label: str | None = None, natural: bool = True) -> ForestSummary:
    """A :class:`ForestSummary` from a :class:`~ivigmeta.analyses.pool.PoolResult` (natural
    -scale numbers for :func:`linear_natural` results)."""
    values = [result.estimate, result.ci_low, result.ci_high, result.pi_low, result.pi_high]
    transformed = getattr(result, "transformed", None)
    if linear_natural(result, natural) and transformed is not None:
        names = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")
        values = [transformed[name] for name in names]
    estimate, ci_low, ci_high, pi_low, pi_high = values
    return ForestSummary(
        k=result.k,
        label=label or model_label(result),
        estimate=estimate,
        ci_low=ci_low,
        ci_high=ci_high,
        pi_low=pi_low,
        pi_high=pi_high,
        tau2=None if result.method in MODEL_LABELS else result.tau2,
        i2=result.i2,
        q=result.q,
        q_df=result.q_df,
        q_p=result.q_p,
        test=result.test,
        statistic=result.statistic,
        df=result.df,
        p=result.p,
    )


def rows_from_pool(
    result,
    labels: dict[str, str] | None = None,
    weights: dict[str, float] | None = None,
    natural: bool = True,
) -> tuple[ForestStudy, ...]:
    """Study rows: yi ± z·√vi (normal CIs for single studies, as metafor's ``forest()``), or
    for :func:`linear_natural` results the natural-scale effect and interval (single
    proportions: x/n with the exact interval).

    ``weights`` (id -> percent) replaces the result's own weights (subgroups show each study's
    weight in the overall model, as RevMan does).
    """
    from ivigmeta.stats.numerics.distributions import z_crit

    z = z_crit(result.level)
    rows = []
    for study in result.studies:
        weight = (weights or {}).get(study.id, study.weight)
        label = (labels or {}).get(study.id, study.id)
        timepoint = getattr(study, "timepoint", None)
        if timepoint:
            label = f"{label} ({_short_timepoint(timepoint)})"
        if linear_natural(result, natural) and study.effect is not None:
            row = (study.effect, study.effect_ci_low, study.effect_ci_high)
        else:
            half = z * math.sqrt(study.vi)
            row = (study.yi, study.yi - half, study.yi + half)
        rows.append(ForestStudy(label, *row, weight))
    return tuple(rows)


def _short_timepoint(text: str) -> str:
    return text.replace(" months", " mo").replace(" weeks", " wk").split(",")[0]


def forest_from_pool(
    result,
    *,
    labels: dict[str, str] | None = None,
    subgroups: Sequence[tuple[str, object]] = (),
    effect_label: str | None = None,
    natural: bool = True,
) -> Figure:
    """Forest plot of a pool result; ``subgroups`` as (title, pool result of the subgroup).

    ``labels`` maps study ids to display names ("Poelman 2015"). Ratios are drawn on a log
    axis; single proportions and correlations on their natural scale (``natural=False``: the
    model scale, e.g. log risk ratios on a linear axis).
    """
    if subgroups:
        weights = {study.id: study.weight for study in result.studies}
        blocks = [
            ForestBlock(
                SUBGROUP_TITLES.get(title, title.capitalize()),
                rows_from_pool(sub, labels, weights, natural),
                summary_from_pool(sub, f"Subgroup (k = {sub.k})", natural),
            )
            for title, sub in subgroups
        ]
    else:
        blocks = [ForestBlock(None, rows_from_pool(result, labels, natural=natural))]
    measure, head, favours = result.measure, None, favours_labels(result.outcome, result.measure)
    if linear_natural(result, natural):  # the numbers are already natural: no exp, no null
        measure, head, favours = "natural", MEASURE_AXIS.get(result.measure), None
    elif not natural and result.measure in RATIO_MEASURES:
        measure, head = f"log {result.measure}", f"log {result.measure}"
    return forest_plot(
        blocks,
        measure,
        overall=summary_from_pool(result, natural=natural),
        level=result.level,
        favours=favours,
        effect_label=effect_label or effect_label_for(result.outcome, result.measure, natural),
        column_head=head,
        null_line=measure != "natural",
    )


def save_pool_forest(
    result, path, *, by: str | None = None, natural: bool = True, **pool_options
) -> None:
    """Write the forest plot of ``result`` (from :func:`ivigmeta.pool`) to ``path``.

    Study labels come from the records ("Poelman 2015"); with ``by`` the outcome is pooled
    again within each subgroup (``pool_options`` are the options of the original pool).
    """
    from ivigmeta.analyses.subgroup_pools import pool_subgroups, study_labels
    from ivigmeta.render.figures.style import format_for, save_figure

    format_for(path)  # unknown extension: fail before any work
    from_records = pool_options.get("csv") is None
    labels = study_labels(pool_options.get("studies_path")) if from_records else None
    subgroups = pool_subgroups(result.outcome, by, **pool_options) if by else ()
    figure = forest_from_pool(result, labels=labels, subgroups=subgroups, natural=natural)
    save_figure(figure, path)
