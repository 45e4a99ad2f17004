"""Prediction interval for the effect in a new study (intercept-only random-effects model).

PI = mu ± crit * sqrt(SE(mu)² + tau²), with crit from one of:

- ``"z"``: the normal quantile — metafor ``predict()`` under ``test="z"``;
- ``"t"``: t with k - 1 df — R's ``meta`` since version 8.0 (Schwarzer et al.);
- ``"hts"``: t with k - 2 df — Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of
  random-effects meta-analysis. J R Stat Soc A 2009;172:137-159 (needs k >= 3);
- ``"auto"``: what metafor's ``predict()`` uses: z under ``test="z"``, t with k - p df under
  ``t``/``knha``/``adhoc``.

SE(mu) is the model's standard error (Knapp-Hartung-scaled under ``knha``), as in metafor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.stats.numerics.distributions import t_crit, z_crit

PI_CHOICES = ("auto", "z", "t", "hts")


@dataclass(frozen=True)
class PredictionInterval:
    """Bounds, the reference distribution (``"z"`` or ``"t"``) and its df (None for z)."""

    low: float
    high: float
    dist: str
    df: int | None


def prediction_interval(
    estimate: float, se: float, tau2: float, *, k: int, p: int, test: str, level: float, pi: str
) -> PredictionInterval:
    """Prediction interval by the rule named ``pi`` (see the module docstring)."""
    if pi not in PI_CHOICES:
        raise InputError(f"expected one of {', '.join(PI_CHOICES)}, got {pi!r}", field="pi")
    if pi == "z" or (pi == "auto" and test == "z"):
        dist, df, crit = "z", None, z_crit(level)
    else:
        df = {"auto": k - p, "t": k - 1, "hts": k - 2}[pi]
        dist = "t"
        crit = float(t_crit(df, level)) if df > 0 else math.nan
    half = crit * math.sqrt(se**2 + tau2)
    return PredictionInterval(estimate - half, estimate + half, dist, df)
