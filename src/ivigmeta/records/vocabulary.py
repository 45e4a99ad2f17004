"""Controlled vocabularies of the study records: outcomes, designs, outcome types and test names.

Each outcome names what was measured, its kind (``continuous``; ``binary``: patients with or
without something; ``time-to-event``: hazard ratios), its unit, which direction is ``better``
(``lower`` or ``higher``; None when the sources or the instrument do not fix it) and, where the
instrument fixes it, its scale: ``integer`` means every patient's value is a whole number (so
means of n patients are multiples of 1/n, which GRIM checks) and ``minimum``/``maximum`` bound
the possible values. ``None`` means the scale is not fixed or the sources do not say which
version of an instrument was used.

:data:`OUTCOMES` is the bundled vocabulary, the default set: a folder of records may declare
more outcomes in an ``outcomes.yaml`` beside them (:mod:`ivigmeta.records.outcomes_file`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutcomeDefinition:
    """One outcome of the vocabulary."""

    name: str
    description: str
    kind: str  # one of KINDS
    unit: str | None = None
    integer: bool = False
    minimum: float | None = None
    maximum: float | None = None
    better: str | None = None  # "lower" | "higher" | None (not fixed)
    declared: str | None = None  # "file:line" of an outcomes.yaml declaration; None: bundled


#: Kinds of outcome: measured on a scale, patients with or without something, time to an event.
KINDS = ("continuous", "binary", "time-to-event")
#: Which direction of an outcome is better.
DIRECTIONS = ("lower", "higher")


def _define(*definitions: OutcomeDefinition) -> dict[str, OutcomeDefinition]:
    return {d.name: d for d in definitions}


OUTCOMES: dict[str, OutcomeDefinition] = _define(
    OutcomeDefinition(
        "mrss",
        "modified Rodnan skin score: skin thickness scored 0-3 at 17 body areas",
        "continuous",
        "points",
        integer=True,
        minimum=0,
        maximum=51,
        better="lower",
    ),
    OutcomeDefinition(
        "mrss_change",
        "change in mRSS from baseline (follow-up minus baseline; negative = improvement)",
        "continuous",
        "points",
        integer=True,
        minimum=-51,
        maximum=51,
        better="lower",
    ),
    OutcomeDefinition(
        "dermal_thickness_change",
        "percent change in dermal fibrotic thickness (histological evaluation)",
        "continuous",
        "%",
        better="lower",
    ),
    OutcomeDefinition(
        "creatine_kinase",
        "serum creatine kinase (CK)",
        "continuous",
        "UI (as printed)",
        minimum=0,
        better="lower",
    ),
    OutcomeDefinition(
        "crp", "serum C-reactive protein", "continuous", "mg/L", minimum=0, better="lower"
    ),
    OutcomeDefinition(
        "corticosteroid_dose",
        "daily corticosteroid dose",
        "continuous",
        "mg/day",
        minimum=0,
        better="lower",
    ),
    OutcomeDefinition(
        "ucla_git_total",
        "UCLA SCTC GIT 2.0 total score (gastrointestinal symptoms; higher = worse)",
        "continuous",
        "points",
        minimum=0,
        maximum=3,
        better="lower",
    ),
    OutcomeDefinition(
        "reflux_frequency",
        "frequency of gastro-oesophageal reflux symptoms",
        "continuous",
        better="lower",
    ),
    OutcomeDefinition(
        "reflux_intensity",
        "intensity of gastro-oesophageal reflux symptoms",
        "continuous",
        better="lower",
    ),
    OutcomeDefinition(
        "mrc_sum_score",
        "Medical Research Council sum score of muscle strength (higher = stronger)",
        "continuous",
        "points",
        integer=True,
        better="higher",
    ),
    OutcomeDefinition(
        "joint_pain_vas", "joint pain on a visual analogue scale", "continuous", better="lower"
    ),
    OutcomeDefinition("hand_function", "hand function score", "continuous"),
    OutcomeDefinition(
        "haq",
        "Health Assessment Questionnaire disability index (higher = more disabled)",
        "continuous",
        "points",
        minimum=0,
        maximum=3,
        better="lower",
    ),
    OutcomeDefinition("muscle_pain", "patients with muscle pain", "binary", "%", better="lower"),
    OutcomeDefinition(
        "muscle_weakness", "patients with muscle weakness", "binary", "%", better="lower"
    ),
    OutcomeDefinition("joint_pain", "patients with joint pain", "binary", "%", better="lower"),
    OutcomeDefinition(
        "gerd",
        "patients with gastro-oesophageal reflux disease symptoms",
        "binary",
        "%",
        better="lower",
    ),
    OutcomeDefinition(
        "bowel_symptoms", "patients with bowel symptoms", "binary", "%", better="lower"
    ),
)

#: Outcome types of ``outcomes:`` entries and the kind of outcome each takes.
OUTCOME_TYPES: dict[str, str] = {
    "paired-continuous": "continuous",
    "paired-proportion": "binary",
}

#: Study designs (``design:``).
DESIGNS: tuple[str, ...] = (
    "rct",
    "retrospective",
    "prospective",
    "open-label",
    "pilot",
    "case-control",
    "cohort",
    "systematic-review",
)

#: Names of statistical tests (``reported.test``); null means the paper does not say.
TESTS: dict[str, str] = {
    "paired-t": "paired Student t test",
    "one-sample-t": "one-sample t test",
    "two-sample-t": "two-sample Student t test (pooled variance)",
    "welch-t": "Welch t test (unequal variances)",
    "mcnemar": "McNemar test for paired proportions",
    "chi-square": "Pearson chi-square test",
    "fisher-exact": "Fisher exact test",
    "wilcoxon": "Wilcoxon signed-rank test",
    "mann-whitney": "Mann-Whitney U test",
    "ancova": "analysis of covariance",
}

#: Adverse-event categories (``adverse_events[].serious`` and ``.severe``): not synonyms.
#: Each flag is set only when the source uses that word; otherwise it stays null.
ADVERSE_EVENT_CATEGORIES: dict[str, str] = {
    "serious": (
        "a serious adverse event, the regulatory category (an outcome such as death, a "
        "life-threatening event or hospitalisation), whatever its intensity"
    ),
    "severe": (
        "an adverse event of severe intensity (a grade of how bad it was), whether or not it "
        "was serious"
    ),
}


def outcome_name(
    name: str, field: str = "outcome", outcomes: dict[str, OutcomeDefinition] | None = None
) -> str:
    """The vocabulary's spelling of the outcome ``name`` (matched regardless of case), or an
    InputError naming the closest outcome (``unknown outcome 'mrs' (did you mean 'mrss'?)``).
    ``outcomes`` is the vocabulary of a record folder (default: the bundled :data:`OUTCOMES`)."""
    import difflib

    from ivigmeta.errors import InputError

    outcomes = OUTCOMES if outcomes is None else outcomes
    lowered = {key.lower(): key for key in outcomes}
    if isinstance(name, str) and name.strip().lower() in lowered:
        return lowered[name.strip().lower()]
    close = difflib.get_close_matches(str(name).lower(), list(outcomes), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "see `ivigmeta outcomes`"
    raise InputError(f"unknown outcome {name!r} ({hint})", field=field)
