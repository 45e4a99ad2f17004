"""One chunk of replications of one scenario: draw the data, fit every method, keep sums.

The random-effects model of a simulation study (e.g. IntHout et al. 2014, BMC Med Res Methodol
14:25; Langan et al. 2019, Res Synth Methods 10:83-98): for replication r and study i,

    theta_ri ~ N(mu, tau²),   y_ri ~ N(theta_ri, v_ri),   theta_new,r ~ N(mu, tau²),

with the within-study variances v_ri fixed (a design), equal, or drawn uniformly. Each chunk
draws from its own generator, ``numpy.random.Generator(PCG64(seed))`` with ``seed`` a
``SeedSequence`` derived from the plan seed, the scenario and the chunk number, always in the
same order (v, then theta, then the sampling errors, then theta_new), so a chunk's numbers do
not depend on where or with which other chunks it runs. Every (method, test, PI rule) is fitted
to the same data (common random numbers) with the vectorised
:func:`~ivigmeta.stats.models.pool_many.pool_padded`; tau² is estimated once per method.

The chunk keeps sums, not replications: fits that failed (Fisher scoring or Paule-Mandel did
not converge) are counted and left out of every sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.stats.models.pool_many import Padded, estimate_tau2_many, summarise_many

SUM_FIELDS = (
    "fitted",
    "failed",
    "covered",
    "pi_fitted",
    "pi_covered",
    "rejected",
    "width",
    "error",
    "error_sq",
    "tau2_error",
    "tau2_error_sq",
)


@dataclass(frozen=True)
class WithinVariances:
    """How the within-study variances are set: ``equal`` (one value), ``uniform`` (low, high:
    drawn per study and replication) or ``fixed`` (one value per study: a design)."""

    kind: str
    values: tuple[float, ...]

    def draw(self, rng: np.random.Generator, k: int, size: int) -> np.ndarray:
        if self.kind == "uniform":
            low, high = self.values
            return rng.uniform(low, high, size=(k, size))
        if self.kind == "equal":
            return np.full((k, size), self.values[0])
        return np.repeat(np.asarray(self.values, dtype=float)[:, None], size, axis=1)

    def describe(self) -> str:
        if self.kind == "fixed":
            return "fixed(" + ", ".join(f"{v:g}" for v in self.values) + ")"
        return f"{self.kind}(" + ", ".join(f"{v:g}" for v in self.values) + ")"


@dataclass(frozen=True)
class Scenario:
    """One cell of the simulation: k studies, between-study variance tau², mean effect mu."""

    k: int
    tau2: float
    mu: float
    vi: WithinVariances


def simulate_chunk(
    scenario: Scenario,
    fits: tuple[tuple[str, str, str], ...],
    size: int,
    seed: np.random.SeedSequence,
    level: float,
) -> np.ndarray:
    """Sums over ``size`` replications, one row per (method, test, pi) of ``fits``, one column
    per :data:`SUM_FIELDS` entry (float64; counts are exact integers)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    k, tau, mu = scenario.k, np.sqrt(scenario.tau2), scenario.mu
    v = scenario.vi.draw(rng, k, size)
    theta = mu + tau * rng.standard_normal((k, size))
    y = theta + np.sqrt(v) * rng.standard_normal((k, size))
    theta_new = mu + tau * rng.standard_normal(size)
    data = Padded.from_columns(y, v)
    alpha = 1.0 - level / 100.0
    out = np.zeros((len(fits), len(SUM_FIELDS)))
    estimated: dict[str, tuple] = {}
    for row, (method, test, pi) in enumerate(fits):
        if method not in estimated:
            estimated[method] = estimate_tau2_many(data, method)
        tau2, converged, iterations = estimated[method]
        r = summarise_many(data, tau2, converged, iterations, method, test, level, pi)
        ok = converged & np.isfinite(r.estimate)
        n_ok = int(ok.sum())
        est, low, high = r.estimate[ok], r.ci_low[ok], r.ci_high[ok]
        pi_ok = ok & np.isfinite(r.pi_low)
        pi_low, pi_high, new = r.pi_low[pi_ok], r.pi_high[pi_ok], theta_new[pi_ok]
        err = est - mu
        tau2_err = r.tau2[ok] - scenario.tau2
        out[row] = (
            n_ok,
            size - n_ok,
            np.count_nonzero((low <= mu) & (mu <= high)),
            pi_low.size,
            np.count_nonzero((pi_low <= new) & (new <= pi_high)),
            np.count_nonzero(r.p[ok] < alpha),
            float(np.sum(high - low)),
            float(np.sum(err)),
            float(np.sum(err * err)),
            float(np.sum(tau2_err)),
            float(np.sum(tau2_err * tau2_err)),
        )
    return out
