"""Back-transformations from the model scale of a measure to the scale a reader reads: one
registry, measure -> :class:`BackTransform` (a new measure registers its own with
:func:`register`).

| measure          | shown as    | function (metafor name)                                 |
|------------------|-------------|---------------------------------------------------------|
| OR, PETO, RR, HR | ratio       | ``exp``                                                 |
| ROM, IRR         |             |                                                         |
| PLO              | proportion  | ``transf.ilogit``: 1/(1 + exp(-x))                      |
| PAS              | proportion  | ``transf.iarcsin``: sin(x)², 0 below 0, 1 above pi/2    |
| PFT              | proportion  | ``transf.ipft.hm``: Miller's (1978) inverse at n = the  |
|                  |             | harmonic mean of the studies' n                         |
| ZCOR             | correlation | ``transf.ztor``: tanh(x)                                |
| IRLN             | rate        | ``exp``                                                 |
| IRS              | rate        | ``x²`` (metafor: ``transf = function(x) x^2``)          |
| MNLN             | mean        | ``exp``                                                 |
| CVLN             | CV          | ``exp``                                                 |
| CVR, VR          | ratio       | ``exp`` (ratio of CVs, of variances)                    |

Measures without an entry (MD, SMD, RD, PR, COR, UCOR, IR, IRD, MN, ...) are read on their own
scale. IRFT has none yet: metafor's ``transf.iirft`` needs a person-time to invert at.

Reference: Miller JJ. The inverse of the Freeman-Tukey double arcsine transformation. Am Stat
1978;32:138. Viechtbauer W, metafor ``transf`` functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BackTransform:
    """``function`` is metafor's name for it; ``apply(values, ni)`` maps model-scale values to
    the natural scale (``ni``: the studies' sample sizes, used by PFT only); ``quantity``
    names what the natural-scale value is ("ratio", "proportion", "correlation"); ``log_axis``
    whether figures draw it on a log axis."""

    function: str
    quantity: str
    apply: Callable[[np.ndarray, np.ndarray | None], np.ndarray]
    log_axis: bool = False

    def __call__(self, values, ni=None):
        return self.apply(np.asarray(values, dtype=float), ni)


_REGISTRY: dict[str, BackTransform] = {}

#: Measures of a single proportion, whose study intervals come from the counts (exact by default).
PROPORTION_MEASURES = frozenset({"PR", "PLO", "PAS", "PFT"})


def register(measure: str, transform: BackTransform) -> None:
    """Register the back-transformation of ``measure`` (upper-case metafor name)."""
    _REGISTRY[measure.upper()] = transform


def back_transform(measure: str) -> BackTransform | None:
    """The registered back-transformation of ``measure``, or None (read on the model scale)."""
    return _REGISTRY.get(measure.upper())


def log_axis_measures() -> frozenset[str]:
    """The registered measures drawn on a log axis (ratios)."""
    return frozenset(m for m, t in _REGISTRY.items() if t.log_axis)


def _exp(values, ni=None):
    with np.errstate(over="ignore"):
        return np.exp(values)


def inverse_logit(values, ni=None):
    """transf.ilogit: 1/(1 + exp(-x))."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-values))


def inverse_arcsine(values, ni=None):
    """transf.iarcsin: sin(x)², 0 for x < 0, 1 for x > pi/2."""
    out = np.sin(values) ** 2
    out = np.where(values < 0, 0.0, out)
    return np.where(values > math.asin(1), 1.0, out)


def freeman_tukey(p, n):
    """transf.pft: the Freeman-Tukey double arcsine of a proportion p at sample size n."""
    x = p * n
    return 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))


def inverse_freeman_tukey(values, ni):
    """transf.ipft.hm: Miller's (1978) inverse of the double arcsine at n = the harmonic mean
    of ``ni``: p = 1/2 (1 - sign(cos 2x) sqrt(1 - (sin 2x + (sin 2x - 1/sin 2x)/n)²)); 0 below
    the transform of p = 0 and 1 above that of p = 1 at that n; NaN where the root is
    undefined (as metafor's NA)."""
    if ni is None:
        raise ValueError("the inverse Freeman-Tukey transformation needs the sample sizes")
    ni = np.asarray(ni, dtype=float)
    n = 1 / np.mean(1 / ni[np.isfinite(ni)])
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sin(2 * values)
        out = 0.5 * (1 - np.sign(np.cos(2 * values)) * np.sqrt(1 - (s + (s - 1 / s) / n) ** 2))
    out = np.where(values > freeman_tukey(1.0, n), 1.0, out)
    return np.where(values < freeman_tukey(0.0, n), 0.0, out)


def tanh(values, ni=None):
    """transf.ztor: tanh(x)."""
    return np.tanh(values)


def square(values, ni=None):
    """The inverse of the square-root transformation (IRS): x²."""
    return np.square(values)


for _measure in ("OR", "PETO", "RR", "ROM", "IRR", "CVR", "VR", "HR"):
    register(_measure, BackTransform("exp", "ratio", _exp, log_axis=True))
register("IRLN", BackTransform("exp", "rate", _exp, log_axis=True))
register("MNLN", BackTransform("exp", "mean", _exp, log_axis=True))
register("CVLN", BackTransform("exp", "CV", _exp, log_axis=True))
register("IRS", BackTransform("square", "rate", square))
register("PLO", BackTransform("transf.ilogit", "proportion", inverse_logit))
register("PAS", BackTransform("transf.iarcsin", "proportion", inverse_arcsine))
register("PFT", BackTransform("transf.ipft.hm", "proportion", inverse_freeman_tukey))
register("ZCOR", BackTransform("transf.ztor", "correlation", tanh))
