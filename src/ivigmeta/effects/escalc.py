"""One entry point for every effect size: ``escalc(measure, **columns)``, as metafor's ``escalc``.

Column names are metafor's argument names, so a table prepared for R works unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.effects import pre_post, proportions, two_by_two, two_group
from ivigmeta.effects.checks import as_column, finish
from ivigmeta.errors import InputError
from ivigmeta.results import Result

# measure -> alternative sets of required columns (the first set is the usual one)
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "GEN": (("yi", "vi"), ("yi", "sei")),
    "MD": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "SMD": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "SMDH": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "ROM": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "MC": (("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"),),
    "SMCC": (("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"),),
    "SMCR": (("m1i", "m2i", "sd1i", "ni", "ri"),),
    "SMCRH": (("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"),),
    "PR": (("xi", "ni"),),
    "PLO": (("xi", "ni"),),
    "PAS": (("xi", "ni"),),
    "PFT": (("xi", "ni"),),
    "RR": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "OR": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "RD": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
}

MEASURES = tuple(REQUIRED_COLUMNS)

DESCRIPTIONS = {
    "GEN": "generic effect size",
    "MD": "raw mean difference",
    "SMD": "standardized mean difference (Hedges' g)",
    "SMDH": "standardized mean difference, heteroscedastic (Bonett)",
    "ROM": "log ratio of means",
    "MC": "raw mean change",
    "SMCC": "standardized mean change, change-score standardization",
    "SMCR": "standardized mean change, raw-score standardization",
    "SMCRH": "standardized mean change, raw-score standardization, heteroscedastic",
    "PR": "raw proportion",
    "PLO": "logit proportion",
    "PAS": "arcsine square-root proportion",
    "PFT": "Freeman-Tukey double arcsine proportion",
    "RR": "log risk ratio",
    "OR": "log odds ratio",
    "RD": "risk difference",
}

_COUNT_MEASURES = ("PR", "PLO", "PAS", "PFT", "RR", "OR", "RD")
_NO_CORRECTION = ("PAS", "PFT")  # metafor's default add is 0 for these


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
    measure: str, *, vtype: str = "LS", add: float | None = None, to: str = "only0", **columns
) -> EffectSizes:
    """Compute effect sizes and sampling variances, as metafor's ``escalc(measure, ...)``.

    ``measure`` is one of :data:`MEASURES`; ``columns`` are metafor's argument names
    (``m1i``, ``sd1i``, ``n1i``, ``ai``, ``xi``, ``ri``, ``yi``, ``vi``, ``sei`` ...), each a
    scalar or sequence. ``add``/``to`` control the continuity correction for count measures
    (default: add 1/2 to every cell of rows with a zero cell; add 0 for PAS and PFT).
    ``vtype`` selects the variance estimator where metafor offers several (default ``LS``).
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
        add = 0.0 if measure in _NO_CORRECTION else 0.5
    options = {"add": add, "to": to} if measure in _COUNT_MEASURES else {}
    if vtype != "LS":
        options["vtype"] = vtype
    c = given
    if measure == "GEN":
        yi = as_column("yi", c["yi"])
        vi = as_column("vi", c["vi"]) if "vi" in c else as_column("sei", c["sei"]) ** 2
        yi, vi = finish(*np.broadcast_arrays(yi, vi))
    elif measure in ("MD", "SMD", "SMDH", "ROM"):
        function = {
            "MD": two_group.mean_difference,
            "SMD": two_group.standardized_mean_difference,
            "SMDH": two_group.standardized_mean_difference_heteroscedastic,
            "ROM": two_group.ratio_of_means,
        }[measure]
        yi, vi = function(c["m1i"], c["m2i"], c["sd1i"], c["sd2i"], c["n1i"], c["n2i"], **options)
    elif measure == "SMCR":
        yi, vi = pre_post.standardized_mean_change_raw_score(
            c["m1i"], c["m2i"], c["sd1i"], c["ni"], c["ri"], **options
        )
    elif measure in ("MC", "SMCC", "SMCRH"):
        function = {
            "MC": pre_post.mean_change,
            "SMCC": pre_post.standardized_mean_change_change_score,
            "SMCRH": pre_post.standardized_mean_change_raw_score_heteroscedastic,
        }[measure]
        yi, vi = function(c["m1i"], c["m2i"], c["sd1i"], c["sd2i"], c["ni"], c["ri"], **options)
    elif measure in ("PR", "PLO", "PAS", "PFT"):
        function = {
            "PR": proportions.proportion,
            "PLO": proportions.logit_proportion,
            "PAS": proportions.arcsine_proportion,
            "PFT": proportions.freeman_tukey_proportion,
        }[measure]
        yi, vi = function(c["xi"], c["ni"], **options)
    else:
        ai, bi, ci, di = two_by_two.table_cells(
            c["ai"], c.get("bi"), c.get("ci"), c.get("di"), c.get("n1i"), c.get("n2i")
        )
        function = {
            "RR": two_by_two.risk_ratio,
            "OR": two_by_two.odds_ratio,
            "RD": two_by_two.risk_difference,
        }[measure]
        yi, vi = function(ai, bi, ci, di, **options)
    return EffectSizes(measure=measure, yi=yi, vi=vi, vtype=vtype)
