"""One entry point for every effect size: ``escalc(measure, **columns)``, as metafor's ``escalc``.

Column names are metafor's argument names, so a table prepared for R works unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.effects import (
    correlations,
    incidence,
    peto,
    pre_post,
    proportions,
    single_group,
    two_by_two,
    two_group,
    variability,
)
from ivigmeta.effects.checks import as_column, finish, nonnegative, require
from ivigmeta.errors import InputError
from ivigmeta.results import Result
from ivigmeta.stats.numerics.limits import MIN_POSITIVE

_TWO_GROUPS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
_PRE_POST = ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri")
_TABLE = (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i"))

# measure -> alternative sets of required columns (the first set is the usual one)
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "GEN": (("yi", "vi"), ("yi", "sei")),
    "MD": (_TWO_GROUPS,),
    "SMD": (_TWO_GROUPS,),
    "SMDH": (_TWO_GROUPS,),
    "ROM": (_TWO_GROUPS,),
    "CVR": (_TWO_GROUPS,),
    "VR": (("sd1i", "n1i", "sd2i", "n2i"),),
    "MC": (_PRE_POST,),
    "SMCC": (_PRE_POST,),
    "SMCR": (("m1i", "m2i", "sd1i", "ni", "ri"),),
    "SMCRH": (_PRE_POST,),
    "MN": (("mi", "sdi", "ni"),),
    "MNLN": (("mi", "sdi", "ni"),),
    "CVLN": (("mi", "sdi", "ni"),),
    "COR": (("ri", "ni"),),
    "UCOR": (("ri", "ni"),),
    "ZCOR": (("ri", "ni"),),
    "PR": (("xi", "ni"),),
    "PLO": (("xi", "ni"),),
    "PAS": (("xi", "ni"),),
    "PFT": (("xi", "ni"),),
    "IR": (("xi", "ti"),),
    "IRLN": (("xi", "ti"),),
    "IRS": (("xi", "ti"),),
    "IRFT": (("xi", "ti"),),
    "IRR": (("x1i", "t1i", "x2i", "t2i"),),
    "IRD": (("x1i", "t1i", "x2i", "t2i"),),
    "RR": _TABLE,
    "OR": _TABLE,
    "RD": _TABLE,
    "PETO": _TABLE,
}

MEASURES = tuple(REQUIRED_COLUMNS)

DESCRIPTIONS = {
    "GEN": "generic effect size",
    "MD": "raw mean difference",
    "SMD": "standardized mean difference (Hedges' g)",
    "SMDH": "standardized mean difference, heteroscedastic (Bonett)",
    "ROM": "log ratio of means",
    "CVR": "log coefficient of variation ratio",
    "VR": "log variability ratio",
    "MC": "raw mean change",
    "SMCC": "standardized mean change, change-score standardization",
    "SMCR": "standardized mean change, raw-score standardization",
    "SMCRH": "standardized mean change, raw-score standardization, heteroscedastic",
    "MN": "raw mean",
    "MNLN": "log mean",
    "CVLN": "log coefficient of variation",
    "COR": "raw correlation coefficient",
    "UCOR": "bias-corrected correlation coefficient",
    "ZCOR": "Fisher's z-transformed correlation",
    "PR": "raw proportion",
    "PLO": "logit proportion",
    "PAS": "arcsine square-root proportion",
    "PFT": "Freeman-Tukey double arcsine proportion",
    "IR": "raw incidence rate",
    "IRLN": "log incidence rate",
    "IRS": "square-root incidence rate",
    "IRFT": "Freeman-Tukey incidence rate",
    "IRR": "log incidence rate ratio",
    "IRD": "incidence rate difference",
    "RR": "log risk ratio",
    "OR": "log odds ratio",
    "RD": "risk difference",
    "PETO": "Peto log odds ratio",
}

# measure -> (function, its column arguments in order); the table measures take the cells
_FUNCTIONS = {
    "MD": (two_group.mean_difference, ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i")),
    "SMD": (two_group.standardized_mean_difference, ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i")),
    "SMDH": (
        two_group.standardized_mean_difference_heteroscedastic,
        ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i"),
    ),
    "ROM": (two_group.ratio_of_means, ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i")),
    "CVR": (
        variability.coefficient_of_variation_ratio,
        ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i"),
    ),
    "VR": (variability.variability_ratio, ("sd1i", "sd2i", "n1i", "n2i")),
    "MC": (pre_post.mean_change, _PRE_POST),
    "SMCC": (pre_post.standardized_mean_change_change_score, _PRE_POST),
    "SMCR": (pre_post.standardized_mean_change_raw_score, ("m1i", "m2i", "sd1i", "ni", "ri")),
    "SMCRH": (pre_post.standardized_mean_change_raw_score_heteroscedastic, _PRE_POST),
    "MN": (single_group.mean, ("mi", "sdi", "ni")),
    "MNLN": (single_group.log_mean, ("mi", "sdi", "ni")),
    "CVLN": (single_group.log_coefficient_of_variation, ("mi", "sdi", "ni")),
    "COR": (correlations.raw_correlation, ("ri", "ni")),
    "UCOR": (correlations.unbiased_correlation, ("ri", "ni")),
    "ZCOR": (correlations.fisher_z_correlation, ("ri", "ni")),
    "PR": (proportions.proportion, ("xi", "ni")),
    "PLO": (proportions.logit_proportion, ("xi", "ni")),
    "PAS": (proportions.arcsine_proportion, ("xi", "ni")),
    "PFT": (proportions.freeman_tukey_proportion, ("xi", "ni")),
    "IR": (incidence.incidence_rate, ("xi", "ti")),
    "IRLN": (incidence.log_incidence_rate, ("xi", "ti")),
    "IRS": (incidence.sqrt_incidence_rate, ("xi", "ti")),
    "IRFT": (incidence.freeman_tukey_incidence_rate, ("xi", "ti")),
    "IRR": (incidence.incidence_rate_ratio, ("x1i", "t1i", "x2i", "t2i")),
    "IRD": (incidence.incidence_rate_difference, ("x1i", "t1i", "x2i", "t2i")),
    "RR": (two_by_two.risk_ratio, ()),
    "OR": (two_by_two.odds_ratio, ()),
    "RD": (two_by_two.risk_difference, ()),
    "PETO": (peto.peto_odds_ratio, ()),
}

_COUNT_MEASURES = (
    *("PR", "PLO", "PAS", "PFT", "RR", "OR", "RD", "PETO"),
    *("IR", "IRLN", "IRS", "IRFT", "IRR", "IRD"),
)
_NO_CORRECTION = ("PAS", "PFT", "IRS", "IRFT")  # metafor's default add is 0 for these
# measures with a bias correction that metafor's ``correct`` switches off
_CORRECTED = ("SMD", "SMDH", "ROM", "CVR", "VR", "SMCC", "SMCR", "SMCRH", "CVLN")
# measures with a choice of variance estimator (``vtype``)
_VTYPES = ("MD", "SMD", "SMDH", "ROM", "CVR", "VR", "SMCC", "SMCR", "SMCRH", "MN", "COR", "UCOR")
_VTYPES += ("PR", "PLO", "RD")


@dataclass(frozen=True)
class EffectSizes(Result):
    """Effect sizes ``yi`` and sampling variances ``vi`` (numpy arrays) of one measure."""

    measure: str
    yi: np.ndarray
    vi: np.ndarray
    vtype: str = "LS"

    @property
    def sei(self) -> np.ndarray:
        return np.sqrt(self.vi)

    def __len__(self) -> int:
        return len(self.yi)


def escalc_default_add(measure: str) -> float:
    """metafor's default ``add``: 1/2, but 0 for PAS, PFT, IRS and IRFT (which need none)."""
    return 0.0 if measure.upper() in _NO_CORRECTION else 0.5


def missing_columns(measure: str, available) -> tuple[str, ...]:
    """Columns still needed for ``measure`` (empty if one required set is complete)."""
    options = REQUIRED_COLUMNS[measure]
    have = set(available)
    gaps = [tuple(c for c in option if c not in have) for option in options]
    return min(gaps, key=len)


def required_columns_text(measure: str) -> str:
    """'m1i sd1i n1i m2i sd2i n2i' or 'ai bi ci di (or ai n1i ci n2i)'."""
    first, *others = REQUIRED_COLUMNS[measure]
    text = " ".join(first)
    for option in others:
        text += f" (or {' '.join(option)})"
    return text


def escalc(
    measure: str,
    *,
    vtype: str = "LS",
    add: float | None = None,
    to: str = "only0",
    correct: bool = True,
    drop00: bool = False,
    **columns,
) -> EffectSizes:
    """Compute effect sizes and sampling variances, as metafor 5.0-1's ``escalc(measure, ...)``.

    ``measure`` is one of :data:`MEASURES`; ``columns`` are metafor's argument names
    (``m1i``, ``sd1i``, ``n1i``, ``ai``, ``xi``, ``ti``, ``ri``, ``mi``, ``yi``, ``vi``, ``sei``
    ...), each a scalar or sequence. ``add``/``to`` control the continuity correction for count
    measures (default: add 1/2 to every cell of rows with a zero cell; add 0 for PAS, PFT, IRS
    and IRFT); ``drop00`` leaves yi/vi of 2x2 tables with no events (or only events) in both
    groups NaN. ``vtype`` selects the variance estimator where metafor offers several (default
    ``LS``); ``correct=False`` drops the bias corrections (Hedges' c(m) of the standardized
    measures, the second-order terms of ROM and CVR, those of VR and CVLN), as metafor.
    Raises :class:`~ivigmeta.errors.InputError` naming the missing or invalid column.
    """
    measure = measure.upper()
    if measure not in REQUIRED_COLUMNS:
        raise InputError(f"expected one of {', '.join(MEASURES)}, got {measure!r}", field="measure")
    given = {name: value for name, value in columns.items() if value is not None}
    missing = missing_columns(measure, given)
    if missing:
        raise InputError(
            f"{measure} needs columns {required_columns_text(measure)}; "
            f"missing {', '.join(missing)}",
            field="measure",
        )
    if add is None:
        add = escalc_default_add(measure)
    options: dict = {"add": add, "to": to} if measure in _COUNT_MEASURES else {}
    if vtype != "LS":
        if measure not in _VTYPES:
            raise InputError(f"{measure} has no vtype choice; got {vtype!r}", field="vtype")
        options["vtype"] = vtype
    if not correct and measure in _CORRECTED:
        options["correct"] = False
    c = given
    if measure == "GEN":
        yi = as_column("yi", c["yi"])
        spread = "vi" if "vi" in c else "sei"
        vi = as_column(spread, c[spread])
        nonnegative(spread, vi)  # metafor: sampling variances and SEs are >= 0
        with np.errstate(invalid="ignore"):  # 1/v must stay finite (stats.numerics.limits)
            require((vi > 0) & (vi < MIN_POSITIVE), spread, f"0 or a value >= {MIN_POSITIVE:g}")
        vi = vi if spread == "vi" else vi**2
        yi, vi = finish(*np.broadcast_arrays(yi, vi))
        return EffectSizes(measure=measure, yi=yi, vi=vi, vtype=vtype)
    function, names = _FUNCTIONS[measure]
    if names:
        yi, vi = function(*(c[name] for name in names), **options)
    else:
        cells = two_by_two.table_cells(
            c["ai"], c.get("bi"), c.get("ci"), c.get("di"), c.get("n1i"), c.get("n2i")
        )
        yi, vi = function(*cells, drop00=drop00, **options)
    return EffectSizes(measure=measure, yi=yi, vi=vi, vtype=vtype)
