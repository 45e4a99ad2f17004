"""Results on the scale a reader reads (ratios, proportions, correlations), next to the model
scale the numbers are computed on.

- Pooled: ``transformed = {function, estimate, ci_low, ci_high, pi_low, pi_high}``, the
  measure's back-transformation (:mod:`ivigmeta.effects.transforms`) of the model-scale
  estimate, CI and PI (as metafor's ``predict(res, transf=...)``; PFT uses the harmonic mean
  of the pooled studies' n, ``transf.ipft.hm``); None for a measure read on its own scale.
- Per study: ``effect``, ``effect_ci_low``, ``effect_ci_high``. Single proportions (PR, PLO,
  PAS, PFT): the observed proportion x/n with an interval from the counts (``study_ci``:
  Clopper-Pearson by default, Wilson or Wald; :mod:`ivigmeta.effects.study_intervals`), as
  R's meta. Other measures: the back-transformed yi and Wald interval yi ± z sqrt(vi) (as
  metafor's ``forest()``), or yi itself for measures without a transformation.
"""

from __future__ import annotations

import math

import numpy as np

from ivigmeta.effects.study_intervals import STUDY_CI_CHOICES, proportion_ci
from ivigmeta.effects.transforms import PROPORTION_MEASURES, back_transform
from ivigmeta.errors import InputError


def check_study_ci(study_ci: str) -> None:
    if study_ci not in STUDY_CI_CHOICES:
        raise InputError(
            f"expected one of {', '.join(STUDY_CI_CHOICES)}, got {study_ci!r}", field="study-ci"
        )


def transformed_fields(measure: str, fields: dict, ni=None) -> dict | None:
    """The ``transformed`` object of a pooled result (see module docstring), or None."""
    transform = back_transform(measure)
    if transform is None:
        return None
    out = {"function": transform.function}
    for name in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
        value = fields.get(name)
        if value is None or not math.isfinite(value):
            out[name] = None
        else:
            out[name] = float(transform(np.array([value]), ni)[0])
    return out


def study_effects(
    measure: str, yi, vi, level: float, counts: dict, study_ci: str = "exact"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(effect, effect_ci_low, effect_ci_high) per study on the natural scale."""
    from ivigmeta.stats.numerics.distributions import z_crit

    yi, vi = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    if measure in PROPORTION_MEASURES and "xi" in counts:
        x, n = counts["xi"], counts["ni"]
        low, high = proportion_ci(x, n, level, study_ci)
        return x / n, low, high
    half = z_crit(level) * np.sqrt(vi)
    values = (yi, yi - half, yi + half)
    transform = back_transform(measure)
    if transform is None:
        return values
    ni = counts.get("ni")
    return tuple(transform(v, ni) for v in values)
