"""Confidence intervals of single studies' proportions x/n, as R's meta (``method.ci``):

- ``exact`` (default, meta's ``"CP"``): Clopper & Pearson (1934), the beta quantiles
  B(alpha/2; x, n - x + 1) and B(1 - alpha/2; x + 1, n - x) (0 when x = 0, 1 when x = n);
- ``wilson`` (meta's ``"WS"``, R's ``prop.test(correct = FALSE)``): Wilson (1927) score
  interval (x + z²/2 ± z sqrt(x (n - x)/n + z²/4)) / (n + z²);
- ``wald``: p ± z sqrt(p (1 - p)/n), kept within [0, 1].

All bounds lie in [0, 1]. The beta quantile is found on the regularized incomplete beta
function of :mod:`ivigmeta.stats.numerics.special` (no scipy on the pool
path) by safeguarded Newton steps.

References: Clopper CJ, Pearson ES. Biometrika 1934;26:404-413. Wilson EB. J Am Stat Assoc
1927;22:209-212.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.errors import InputError
from ivigmeta.stats.numerics.distributions import z_crit
from ivigmeta.stats.numerics.special import beta_inc, lgamma_array

STUDY_CI_CHOICES = ("exact", "wilson", "wald")


def _beta_cdf(x, a, b):
    with np.errstate(divide="ignore"):
        return beta_inc(a, b, x, 1 - x, np.log(x), np.log1p(-x))


def beta_ppf(q, a, b, start=None) -> np.ndarray:
    """The q quantiles of Beta(a, b) (arrays; a, b > 0): Newton steps on the incomplete beta
    function from ``start`` (default the mean), kept inside a bisection bracket (a step leaving
    it bisects instead), until the step is below 1e-14 relative."""
    q, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q, a, b)))
    log_beta = lgamma_array(a) + lgamma_array(b) - lgamma_array(a + b)
    low, high = np.zeros(a.shape), np.ones(a.shape)
    x = a / (a + b) if start is None else np.clip(start, 1e-300, 1 - 1e-16)
    for _ in range(200):
        f = _beta_cdf(x, a, b) - q
        below = f < 0
        low, high = np.where(below, x, low), np.where(below, high, x)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            density = np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - log_beta)
            step = x - f / density
        converged = (f == 0) | (np.abs(step - x) <= 1e-14 * x)
        if np.all(converged):
            return np.where(f == 0, x, step)
        inside = np.isfinite(step) & (step >= low) & (step <= high)
        x = np.where(converged, x, np.where(inside, step, (low + high) / 2))
    return x


def proportion_ci(xi, ni, level: float = 95.0, method: str = "exact"):
    """(lower, upper) arrays of the proportions xi/ni at ``level`` percent (see module doc)."""
    if method not in STUDY_CI_CHOICES:
        raise InputError(
            f"expected one of {', '.join(STUDY_CI_CHOICES)}, got {method!r}", field="study-ci"
        )
    x, n = np.asarray(xi, dtype=float), np.asarray(ni, dtype=float)
    alpha = 1 - level / 100
    z = z_crit(level)
    centre = (x + z**2 / 2) / (n + z**2)
    half = z * np.sqrt(x * (n - x) / n + z**2 / 4) / (n + z**2)
    # at x = 0 and x = n the score bounds are exactly 0 and 1 (the float sum can miss by 1 ulp)
    wilson = (np.where(x == 0, 0.0, np.clip(centre - half, 0, 1)),
              np.where(x == n, 1.0, np.clip(centre + half, 0, 1)))  # fmt: skip
    if method == "exact":  # both bounds in one root search, started at Wilson's
        low, high = np.zeros(x.shape), np.ones(x.shape)
        some, most = x > 0, x < n
        bounds = beta_ppf(
            np.r_[np.full(some.sum(), alpha / 2), np.full(most.sum(), 1 - alpha / 2)],
            np.r_[x[some], x[most] + 1],
            np.r_[n[some] - x[some] + 1, n[most] - x[most]],
            start=np.r_[wilson[0][some], wilson[1][most]],
        )
        low[some], high[most] = bounds[: some.sum()], bounds[some.sum() :]
        return low, high
    if method == "wilson":
        return wilson
    p = x / n
    half = z * np.sqrt(p * (1 - p) / n)
    return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)
