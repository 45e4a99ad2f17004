"""Forest plots of pool results: the rows, summaries, labels and "favours" sides that
:func:`ivigmeta.render.figures.forest.forest_plot` draws, from ``ivigmeta.pool()`` and
:func:`ivigmeta.analyses.forest_data.forest_data`.

Text as RevMan prints it: ``Heterogeneity: Tau² = 0.31; Chi² = 152.23, df = 12
(P < 0.00001); I² = 92%`` (no Tau² under the common-effect model), ``Test for overall effect:
Z = 3.97 (P < 0.0001)`` (|Z|; ``t = …, df = …`` under t/Knapp-Hartung), ``Test for subgroup
differences: Chi² = 1.86, df = 2 (P = 0.39), I² = 0%``. Weights are those of the overall model
(RevMan's convention, also inside subgroups).
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from ivigmeta.render.figures.forest import (
    ForestBlock,
    ForestColumns,
    ForestStudy,
    ForestSummary,
    forest_plot,
    format_revman_p,
)
from ivigmeta.render.figures.style import RATIO_MEASURES, format_number

TWO_GROUP = frozenset({"MD", "SMD", "SMDH", "ROM", "RR", "OR", "RD", "PETO", "HR"})


def favours_labels(
    outcome: str | None, measure: str, definition=None, agent: str | None = "IVIG"
) -> tuple[str, str]:
    """Labels for the two sides of the null line.

    Two-group measures (``agent`` minus or versus control): "favours IVIG" on the side where
    the outcome improves, by the outcome's ``better`` direction (``definition``, its vocabulary
    entry; default: the bundled one). Change measures (follow-up minus baseline):
    "improvement"/"worsening". When the outcome's direction is unknown: "lower/higher with
    IVIG" (or "decrease"/"increase"); for a CSV table (no outcome): "lower"/"higher".
    """
    from ivigmeta.records.vocabulary import OUTCOMES

    agent = agent or "treatment"
    two_group = measure.upper() in TWO_GROUP
    if definition is None and outcome is not None:
        definition = OUTCOMES.get(outcome)
    better = definition.better if definition is not None else None
    if better is not None:
        good, bad = (
            (f"favours {agent}", "favours control") if two_group else ("improvement", "worsening")
        )
        return (good, bad) if better == "lower" else (bad, good)
    if outcome is None:  # a CSV table: neither the direction nor the treatment is known
        return ("lower", "higher")
    return (
        (f"lower with {agent}", f"higher with {agent}") if two_group else ("decrease", "increase")
    )


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
    "HR": "Hazard ratio",
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
    "HR": "Log hazard ratio",
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


def effect_label_for(
    outcome: str | None, measure: str, natural: bool = True, definition=None, agent=None
) -> str:
    """Axis label: ``Mean change from baseline in mRSS (points)``; ``natural=False`` names the
    model scale of a transformed measure (``Log risk ratio``). ``definition`` is the outcome's
    vocabulary entry (default: the bundled one) and ``agent`` the treatment arm (IVIG)."""
    from ivigmeta.records.vocabulary import OUTCOMES

    measure = measure.upper()
    text = MEASURE_AXIS.get(measure, measure)
    if not natural:
        text = MODEL_SCALE_AXIS.get(measure, text)
    if agent and agent != "IVIG":
        text = text.replace("IVIG", agent)
    if outcome:
        text += f" in {SHORT_OUTCOME_NAMES.get(outcome, outcome.replace('_', ' '))}"
        if definition is None:
            definition = OUTCOMES.get(outcome)
        if definition is not None and definition.unit and measure in ("MC", "MD"):
            text += f" ({definition.unit})"
    return text


EFFECT_NAMES = {
    "RR": "Risk Ratio", "OR": "Odds Ratio", "RD": "Risk Difference", "PETO": "Peto Odds Ratio",
    "MD": "Mean Difference", "SMD": "Std. Mean Difference", "SMDH": "Std. Mean Difference",
    "ROM": "Ratio of Means", "MC": "Mean Change", "SMCC": "Std. Mean Change",
    "SMCR": "Std. Mean Change", "SMCRH": "Std. Mean Change", "PR": "Proportion",
    "PLO": "Proportion", "PAS": "Proportion", "PFT": "Proportion", "ZCOR": "Correlation",
    "IRR": "Rate Ratio", "HR": "Hazard Ratio", "GEN": "Effect",
}  # fmt: skip
MODEL_WORDS = {"random": "random effects", "common": "common effect"}
METHOD_WORDS = {"MH": "M-H", "PETO": "Peto"}


class ResultFit:
    """A pool result (:class:`~ivigmeta.analyses.pool.PoolResult`) read as the fit the forest
    plot draws for the pool's own model (so its numbers are exactly the pooled ones)."""

    def __init__(self, result):
        self.result = result
        for name in ("k", "method", "tau2", "q", "q_df", "q_p", "i2", "df", "pi_low", "pi_high",
                     "estimate"):  # fmt: skip
            setattr(self, name, getattr(result, name))
        self.estimate_ci = (result.ci_low, result.ci_high)
        self.estimate_statistic = result.statistic
        self.estimate_p = result.p
        self.estimate_se = result.se
        self.weights = [s.weight for s in result.studies]


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


def heterogeneity_line(fit) -> str:
    """RevMan's heterogeneity line of an :class:`~ivigmeta.stats.models.rma.RmaFit`."""
    if fit.k < 2:
        return "Heterogeneity: Not applicable"
    tau = "" if fit.method in ("EE", "MH", "PETO") else f"Tau² = {format_number(fit.tau2)}; "
    return (f"Heterogeneity: {tau}Chi² = {format_number(fit.q)}, df = {fit.q_df} "
            f"({format_revman_p(fit.q_p)}); I² = {fit.i2:.0f}%")  # fmt: skip


def effect_test_line(fit, which: str | None = None) -> str:
    """``Test for overall effect: Z = 3.97 (P < 0.0001)`` (t with its df under t/knha)."""
    name = f" ({MODEL_WORDS[which]})" if which else ""
    statistic = format_number(abs(fit.estimate_statistic))
    if fit.df is not None:
        df = format_number(fit.df, 0 if float(fit.df).is_integer() else 2)
        return (f"Test for overall effect{name}: t = {statistic}, df = {df} "
                f"({format_revman_p(fit.estimate_p)})")  # fmt: skip
    return f"Test for overall effect{name}: Z = {statistic} ({format_revman_p(fit.estimate_p)})"


def subgroup_test_line(q: float, df: int, p: float) -> str:
    i2 = max(0.0, 100.0 * (q - df) / q) if q > 0 else 0.0
    return (f"Test for subgroup differences: Chi² = {format_number(q)}, df = {df} "
            f"({format_revman_p(p)}), I² = {i2:.1f}%")  # fmt: skip


def _summaries(forest, group, label, weights, convert=None) -> tuple[ForestSummary, ...]:
    cells, events = forest.totals(group.members)
    both = len(forest.models) > 1
    weight = sum(weights[i] for i in group.members)
    out = []
    for which, fit in zip(forest.models, group.fits, strict=True):
        words = f"{MODEL_WORDS[which]}, " if both else ""
        last = which == forest.models[-1]
        notes = (heterogeneity_line(fit),) if last else ()
        notes += (
            tuple(
                effect_test_line(f, w if both else None)
                for w, f in zip(forest.models, group.fits, strict=True)
            )
            if last
            else ()
        )
        has_pi = (which == "random" and group.name is None and fit.k >= 2
                  and fit.pi_low is not None and math.isfinite(fit.pi_low))  # fmt: skip
        values = [fit.estimate, *fit.estimate_ci, fit.pi_low, fit.pi_high]
        if convert is not None:
            values = convert(fit, values, group.members)
        out.append(ForestSummary(
            f"{label} ({words}{forest.level:g}% CI)", *values[:3],
            weight=weight, cells=cells if last else (), events=events if last else (),
            pi_low=values[3] if has_pi else None, pi_high=values[4] if has_pi else None,
            notes=notes))  # fmt: skip
    return tuple(out)


def forest_figure(forest, *, labels: dict[str, str] | None = None, layout: str = "revman",
                  favours: tuple[str, str] | None = None, effect_label: str | None = None,
                  xlim: tuple[float, float] | None = None, digits: int = 2,
                  natural: bool = True, result=None) -> Figure:  # fmt: skip
    """The forest plot of a :class:`~ivigmeta.analyses.forest_data.ForestData`.

    ``xlim`` is on the natural scale (ratios as ratios); ``labels`` maps ids to names.
    Ratios are drawn on a log axis; single proportions and correlations (``result``, the pool
    result, says which) on their natural scale with the pool's study intervals (exact for
    proportions); ``natural=False`` draws the model scale (log ratios on a linear axis).
    """
    from ivigmeta.effects.transforms import back_transform
    from ivigmeta.stats.numerics.distributions import z_crit

    z = z_crit(forest.level)
    weights = list(forest.overall[-1].weights)
    measure = forest.measure.upper()
    linear = result is not None and linear_natural(result, natural)
    transform = back_transform(measure) if linear else None
    effects = {s.id: s for s in result.studies} if result is not None else {}
    ni = _sample_sizes(forest) if transform is not None else None

    def natural_values(fit, values, members):
        if isinstance(fit, ResultFit) and fit.result.transformed is not None:
            t = fit.result.transformed
            return [t.get(k) for k in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")]
        if transform is None:
            return values
        n = None if ni is None else ni[list(members)]
        return [None if v is None else float(transform([v], n)[0]) for v in values]

    convert = natural_values if linear else None
    blocks = []
    for group in forest.groups:
        rows = []
        for i in group.members:
            half = z * math.sqrt(forest.vi[i])
            label = (labels or {}).get(forest.ids[i], forest.ids[i])
            row = (forest.yi[i], forest.yi[i] - half, forest.yi[i] + half)
            study = effects.get(forest.ids[i])
            if linear and study is not None and study.effect is not None:
                row = (study.effect, study.effect_ci_low, study.effect_ci_high)
            rows.append(ForestStudy(label, *row, weights[i], forest.cells[i]))
        summaries = _summaries(forest, group, "Subtotal", weights, convert) if group.name else ()
        title = SUBGROUP_TITLES.get(group.name, group.name) if group.name else None
        blocks.append(ForestBlock(title, tuple(rows), summaries))
    everyone = type(forest.groups[0])(None, tuple(range(len(forest.ids))), forest.overall)
    overall = _summaries(forest, everyone, "Total", weights, convert)
    notes = tuple(subgroup_test_line(*row) for row in forest.subgroup_test[-1:])
    model = {("random",): "Random", ("common",): "Fixed"}.get(forest.models, "")
    head = ", ".join(p for p in (METHOD_WORDS.get(forest.method, "IV"), model,
                                 f"{forest.level:g}% CI") if p)  # fmt: skip
    name = EFFECT_NAMES.get(measure, measure)
    ratio = measure in RATIO_MEASURES
    drawn = measure
    if linear:
        drawn, favours = "natural", None
    elif not natural and ratio:
        drawn, name = f"log {measure}", f"Log {name}"
    if xlim is not None and ratio and natural:
        if min(xlim) <= 0:
            from ivigmeta.errors import InputError

            raise InputError("ratio axes need limits > 0", field="xlim")
        xlim = (math.log(xlim[0]), math.log(xlim[1]))
    return forest_plot(blocks, drawn, overall=overall, notes=notes,
                       columns=ForestColumns(forest.arms), layout=layout,
                       effect_head=(name, head), favours=favours, effect_label=effect_label,
                       xlim=xlim, digits=digits, null_line=drawn != "natural")  # fmt: skip


def _sample_sizes(forest):
    """Each study's n (the Total column of a one-arm table), for PFT's back-transformation."""
    import numpy as np

    headers = [h for _, hs in forest.arms for h in hs]
    if "Total" not in headers:
        return None
    column = headers.index("Total")
    try:
        return np.array([float(cells[column]) for cells in forest.cells])
    except ValueError:
        return None


def forest_from_pool(result, *, labels: dict[str, str] | None = None,
                     effect_label: str | None = None, natural: bool = True, definition=None,
                     agent: str = "IVIG") -> Figure:  # fmt: skip
    """Forest plot of a pool result alone (no data columns): the report's figure.
    ``definition`` (the outcome's vocabulary entry) and ``agent`` word the favours labels."""
    import numpy as np

    from ivigmeta.analyses.effect_data import EffectData
    from ivigmeta.analyses.forest_data import forest_data

    data = EffectData(result.outcome, result.measure, tuple(s.id for s in result.studies),
                      tuple(s.timepoint for s in result.studies),
                      np.array([s.yi for s in result.studies]),
                      np.array([s.vi for s in result.studies]), (), False, None)  # fmt: skip
    forest = forest_data(data, method=result.method, test=result.test, level=result.level,
                         primary=ResultFit(result))  # fmt: skip
    label = effect_label or effect_label_for(result.outcome, result.measure, natural)
    favours = _favours(result.outcome, result.measure, definition=definition, agent=agent)
    return forest_figure(forest, labels=labels, favours=favours,
                         effect_label=label, natural=natural, result=result)  # fmt: skip


def _favours(outcome, measure, given: str | None = None, csv: bool = False, definition=None,
             agent="IVIG"):  # fmt: skip
    """ "Favours …" labels: ``given`` ("A,B"), else from the outcome's direction (records),
    else RevMan's "Favours experimental" / "Favours control" for two-group CSV data."""
    if given:
        a, b = (part.strip() for part in given.split(",", 1))
        return f"Favours {a}", f"Favours {b}"
    if csv:
        if measure.upper() in TWO_GROUP or measure.upper() == "PETO":
            return "Favours experimental", "Favours control"
        return None
    left, right = favours_labels(outcome, measure, definition, agent)
    return left[0].upper() + left[1:], right[0].upper() + right[1:]


def save_pool_forest(result, path, *, by: str | None = None, layout: str = "revman",
                     model: str = "random", favours: str | None = None, digits: int = 2,
                     sort_by: str | None = None, xlim: tuple[float, float] | None = None,
                     label: str | None = None, natural: bool = True,
                     **pool_options) -> None:  # fmt: skip
    """Write the forest plot of ``result`` (from :func:`ivigmeta.pool`) to ``path``.

    The studies are selected again with ``pool_options`` (the options of the pool) to get
    their data columns and the ``by`` field; study labels come from the records.
    """
    from ivigmeta.analyses.effect_data import SELECTION_KEYS, load_effect_data
    from ivigmeta.analyses.forest_data import forest_data
    from ivigmeta.analyses.subgroup_pools import study_labels
    from ivigmeta.render.figures.paths import check_figure_path
    from ivigmeta.render.figures.style import save_figure

    check_figure_path(path)
    selection = {k: v for k, v in pool_options.items() if k in SELECTION_KEYS}
    data = pooled_data(load_effect_data(result.outcome, r=pool_options.get("r"), **selection),
                       result)  # fmt: skip
    from_records = data.source is None
    arms = _arm_names(favours, from_records, data.agent)
    forest = forest_data(data, method=result.method, test=result.test, level=result.level,
                         by=by, model=model, sort_by=sort_by, arm_names=arms,
                         primary=ResultFit(result))  # fmt: skip
    labels = study_labels(pool_options.get("studies_path")) if from_records else None
    figure = forest_figure(
        forest,
        labels=labels,
        layout=layout,
        digits=digits,
        xlim=xlim,
        natural=natural,
        result=result,
        favours=_favours(
            result.outcome,
            result.measure,
            favours,
            csv=not from_records,
            definition=data.definition,
            agent=data.agent or "treatment",
        ),
        effect_label=label
        or effect_label_for(result.outcome, result.measure, natural, data.definition, data.agent),
    )
    save_figure(figure, path)


def pooled_data(data, result):
    """``data`` with the pool's own yi and vi (its zero-cell corrections), without the studies
    the pool left without an effect size (double zeros under ``drop00``)."""
    from dataclasses import replace

    import numpy as np

    yi = np.array([s.yi for s in result.studies])
    vi = np.array([s.vi for s in result.studies])
    if tuple(s.id for s in result.studies) != data.ids:
        return data
    keep = np.isfinite(yi) & np.isfinite(vi)
    data = replace(data, yi=yi, vi=vi)
    if keep.all():
        return data
    index = np.flatnonzero(keep)
    columns = {k: [v[i] for i in index] for k, v in data._columns.items()}
    inputs = {k: [v[i] for i in index] for k, v in data._inputs.items()}
    return replace(data, ids=tuple(data.ids[i] for i in index),
                   timepoints=tuple(data.timepoints[i] for i in index), yi=yi[keep],
                   vi=vi[keep], _columns=columns, _inputs=inputs,
                   _records=tuple(data._records[i] for i in index) if data._records else (),
                   _lines=tuple(data._lines[i] for i in index) if data._lines else ())  # fmt: skip


def _arm_names(favours: str | None, from_records: bool, agent: str | None) -> tuple[str, str]:
    if favours:
        a, b = (part.strip() for part in favours.split(",", 1))
        return a, b
    return (agent or "Treatment", "Control") if from_records else ("Experimental", "Control")
