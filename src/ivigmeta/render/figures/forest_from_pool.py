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
    "RD": "Risk difference",
    "PR": "Proportion",
    "PLO": "Proportion (logit)",
}
SHORT_OUTCOME_NAMES = {"mrss": "mRSS", "mrss_change": "mRSS change", "crp": "CRP", "haq": "HAQ",
                       "gerd": "GERD", "ucla_git_total": "UCLA GIT 2.0 total"}  # fmt: skip


def effect_label_for(outcome: str | None, measure: str) -> str:
    """Axis label: ``Mean change from baseline in mRSS (points)``."""
    from ivigmeta.records.vocabulary import OUTCOMES

    measure = measure.upper()
    text = MEASURE_AXIS.get(measure, measure)
    if outcome:
        text += f" in {SHORT_OUTCOME_NAMES.get(outcome, outcome.replace('_', ' '))}"
        definition = OUTCOMES.get(outcome)
        if definition is not None and definition.unit and measure in ("MC", "MD"):
            text += f" ({definition.unit})"
    return text


def model_label(result) -> str:
    if result.method == "EE":
        return "Equal-effects model"
    return f"Random-effects model ({result.method})"


def summary_from_pool(result, label: str | None = None) -> ForestSummary:
    """A :class:`ForestSummary` from a :class:`~ivigmeta.analyses.pool.PoolResult`."""
    return ForestSummary(
        k=result.k,
        label=label or model_label(result),
        estimate=result.estimate,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        pi_low=result.pi_low,
        pi_high=result.pi_high,
        tau2=None if result.method == "EE" else result.tau2,
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
    result, labels: dict[str, str] | None = None, weights: dict[str, float] | None = None
) -> tuple[ForestStudy, ...]:
    """Study rows: yi ± z·√vi (normal CIs for single studies, as metafor's ``forest()``).

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
        half = z * math.sqrt(study.vi)
        rows.append(ForestStudy(label, study.yi, study.yi - half, study.yi + half, weight))
    return tuple(rows)


def _short_timepoint(text: str) -> str:
    return text.replace(" months", " mo").replace(" weeks", " wk").split(",")[0]


def forest_from_pool(
    result,
    *,
    labels: dict[str, str] | None = None,
    subgroups: Sequence[tuple[str, object]] = (),
    effect_label: str | None = None,
) -> Figure:
    """Forest plot of a pool result; ``subgroups`` as (title, pool result of the subgroup).

    ``labels`` maps study ids to display names ("Poelman 2015").
    """
    if subgroups:
        weights = {study.id: study.weight for study in result.studies}
        blocks = [
            ForestBlock(
                SUBGROUP_TITLES.get(title, title.capitalize()),
                rows_from_pool(sub, labels, weights),
                summary_from_pool(sub, f"Subgroup (k = {sub.k})"),
            )
            for title, sub in subgroups
        ]
    else:
        blocks = [ForestBlock(None, rows_from_pool(result, labels))]
    return forest_plot(
        blocks,
        result.measure,
        overall=summary_from_pool(result),
        level=result.level,
        favours=favours_labels(result.outcome, result.measure),
        effect_label=effect_label or effect_label_for(result.outcome, result.measure),
    )


def save_pool_forest(result, path, *, by: str | None = None, **pool_options) -> None:
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
    save_figure(forest_from_pool(result, labels=labels, subgroups=subgroups), path)
