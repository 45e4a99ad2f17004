"""Bayesian random-effects meta-analysis as R's ``bayesmeta`` computes it (Röver 2020).

:func:`bayes_fit` returns a :class:`BayesFit`: posterior summaries of tau, mu, the predicted
effect of a new study theta_new and each study's shrinkage estimate theta_i, computed as in
``bayesmeta(y, sigma, tau.prior, mu.prior, delta, epsilon)`` (bayesmeta 3.4):

* tau: mean and sd by quadrature of p(tau | y) (:class:`~.bayes_posterior.TauPosterior`),
  quantiles by ``uniroot`` on its CDF, the mode by ``optimize`` on [0, q(0.9)] and the
  shortest interval [a, q(level + F(a))] by ``optimize`` of its width over a in [0, q(1 - level)],
  or [0, q(level)] when that is shorter.
* mu, theta_new, theta_i: normal mixtures over the DIRECT grid
  (:func:`~.bayes_posterior.direct_grid`):
  mean = sum w_j M_j, variance = sum w_j ((M_j - mean)^2 + S_j^2); median and quantiles by
  ``uniroot`` on the mixture CDF; mode and shortest interval by ``optimize`` (mu and theta_new
  over [q(0.1), q(0.9)] and [q((1 - level)/50), q(1 - level)]).
* Marginal likelihood p(y) = ∫ p(tau) L(tau) dtau and Bayes factors
  BF(tau = 0) = L(0)/p(y), BF(mu = 0) = ∫ p(tau) p(y | tau, mu = 0) dtau / p(y); all three need
  proper priors for tau and mu (None otherwise), as in bayesmeta.

R's ``optimize`` stops within about 1.2e-4 of the optimum, so its Brent steps are reproduced
exactly (:mod:`ivigmeta.stats.numerics.fmin`). ``delta = 1e-4, epsilon = 1e-7`` (the default
here) is 100 times finer than bayesmeta's default grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.models.bayes_posterior import TauPosterior, direct_grid
from ivigmeta.stats.numerics.distributions import norm_ppf
from ivigmeta.stats.numerics.fmin import fmax, fmin

DELTA = 1e-4
EPSILON = 1e-7
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT1_2 = math.sqrt(0.5)
_EPS25 = np.finfo(float).eps ** 0.25


@dataclass(frozen=True)
class PosteriorSummary(Result):
    """Mode, median, mean, sd and shortest credible interval [ci_low, ci_high] at ``level``."""

    mode: float | None
    median: float
    mean: float | None
    sd: float | None
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Shrinkage(Result):
    """A study's true effect theta_i given all studies: mean, median, sd, shortest interval."""

    mean: float
    median: float
    sd: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class BayesFit(Result):
    """Posterior of the normal-normal hierarchical model (see the module docstring).

    ``tau_prior`` is the canonical prior string, ``tau_prior_label`` bayesmeta's wording;
    ``mu_prior`` is ``"uniform"`` or ``"normal:MEAN,SD"``; ``level`` in percent; ``mu_central``
    the equal-tailed interval of mu; ``i2_median`` I² (percent) at tau's posterior median;
    ``shrinkage`` one :class:`Shrinkage` per study; ``grid_size`` the DIRECT support points.
    """

    k: int
    tau_prior: str
    tau_prior_label: str
    tau_prior_proper: bool
    mu_prior: str
    mu_prior_proper: bool
    level: float
    tau: PosteriorSummary
    mu: PosteriorSummary
    theta_new: PosteriorSummary
    mu_central: tuple[float, float]
    p_mu_below_0: float
    i2_median: float | None
    marginal_likelihood: float | None
    bayes_factor_tau0: float | None
    bayes_factor_mu0: float | None
    shrinkage: tuple[Shrinkage, ...]
    delta: float
    epsilon: float
    grid_size: int


class Mixture:
    """A normal mixture sum_j w_j N(m_j, s_j^2).

    Quantiles: bayesmeta brackets the root with Chebyshev's inequality and runs ``uniroot`` at
    tolerance 1.5e-11; here Newton steps from the normal approximation, safeguarded by
    bisection, converge to the same root (to about 1e-13 sd) in a third of the evaluations.
    """

    def __init__(self, weights, means, sds):
        self.w, self.m, self.s = weights, means, sds
        self.wl = weights.tolist()
        self.ws = weights / sds * _INV_SQRT_2PI
        self._mean = float(np.dot(weights, means))
        self._sd = math.sqrt(float(np.dot(weights, (means - self._mean) ** 2 + sds**2)))

    def cdf(self, x: float) -> float:
        # math.erfc per component: faster than any numpy formulation for a few hundred terms
        z = ((self.m - x) / self.s * _SQRT1_2).tolist()
        erfc = math.erfc
        return 0.5 * sum([w * erfc(v) for w, v in zip(self.wl, z, strict=True)])

    def pdf(self, x: float) -> float:
        z = (x - self.m) / self.s
        return float(np.dot(self.ws, np.exp(-0.5 * z * z)))

    def mean(self) -> float:
        return self._mean

    def sd(self) -> float:
        return self._sd

    def ppf(self, p: float) -> float:
        if p <= 0:
            return -math.inf
        if p >= 1:
            return math.inf
        sd = self._sd
        lo, hi = -math.inf, math.inf
        x = self._mean + sd * float(norm_ppf(p))
        for _ in range(200):
            diff = self.cdf(x) - p
            if diff == 0.0:
                return x
            if diff < 0:
                lo = x
            else:
                hi = x
            density = self.pdf(x)
            new = x - diff / density if density > 0 else math.nan
            if not lo < new < hi:  # Newton left the bracket: bisect, or walk out by an sd
                if math.isfinite(lo) and math.isfinite(hi):
                    new = 0.5 * (lo + hi)
                else:
                    new = x + sd if diff < 0 else x - sd
            if abs(new - x) <= 1e-13 * sd or hi - lo <= 1e-13 * sd:
                return new
            x = new
        return x

    def shortest(self, level: float) -> tuple[float, float]:
        def width(left):
            return self.ppf(level + self.cdf(left)) - left

        left = fmin(width, self.ppf((1.0 - level) / 50.0), self.ppf(1.0 - level))
        return left, self.ppf(level + self.cdf(left))

    def mode(self) -> float:
        return fmax(self.pdf, self.ppf(0.1), self.ppf(0.9))


def _tau_summary(post: TauPosterior, level: float) -> PosteriorSummary:
    median = post.ppf(0.5)

    def width(left):
        return post.ppf(level + post.cdf1(left)) - left

    opti = fmin(width, 0.0, post.ppf(1.0 - level))
    if width(0.0) < width(opti):
        low, high = 0.0, post.ppf(level)
    else:
        low, high = opti, post.ppf(level + post.cdf1(opti))
    d0 = float(post.pdf(0.0)[0])
    if not math.isfinite(d0):
        mode = 0.0
    else:
        mode = fmax(lambda t: float(post.pdf(t)[0]), 0.0, post.ppf(0.9))
        if mode <= 2 * _EPS25 and d0 > float(post.pdf(mode)[0]):
            mode = 0.0
    mean = post.mean if math.isfinite(post.mean) else None
    sd = math.sqrt(post.var) if math.isfinite(post.var) and post.var >= 0 else None
    return PosteriorSummary(mode, median, mean, sd, low, high)


def _mixture_summary(mix: Mixture, level: float) -> PosteriorSummary:
    median = mix.ppf(0.5)
    low, high = mix.shortest(level)
    return PosteriorSummary(mix.mode(), median, mix.mean(), mix.sd(), low, high)


def bayes_fit(
    yi,
    sei,
    tau_prior,
    *,
    mu_prior: tuple[float, float] | None = None,
    level: float = 95.0,
    delta: float = DELTA,
    epsilon: float = EPSILON,
    shrinkage: bool = True,
) -> BayesFit:
    """Posterior summaries for effects ``yi`` with standard errors ``sei`` (all > 0).

    ``tau_prior`` is a :class:`~.bayes_priors.TauPrior`; ``mu_prior`` ``(mean, sd)`` of a normal
    prior for mu or None (uniform, improper); ``level`` in percent (0 < level < 100);
    ``shrinkage=False`` leaves the per-study estimates out (``BayesFit.shrinkage`` empty).
    A posterior whose summaries cannot be computed in floating point (a quantile search that
    leaves the finite numbers, as with effects near 1e16 on standard errors of 1e15) is an
    :class:`~ivigmeta.errors.AnalysisError`.
    """
    try:
        return _fit(yi, sei, tau_prior, mu_prior, level, delta, epsilon, shrinkage)
    except ArithmeticError as error:
        raise AnalysisError(
            f"the posterior could not be summarised in floating point ({error}); the effects "
            "or standard errors are out of the range this method handles"
        ) from None


def _fit(yi, sei, tau_prior, mu_prior, level, delta, epsilon, shrinkage) -> BayesFit:
    y = np.asarray(yi, dtype=float)
    se = np.asarray(sei, dtype=float)
    if not (0.0 < level < 100.0):
        raise InputError(
            f"expected a level between 0 and 100 (percent), got {level:g}", field="--level"
        )
    if y.size == 0:
        raise InputError("expected at least one study, got none")
    if not (np.all(np.isfinite(se)) and np.all(se > 0)):
        raise InputError("expected positive, finite sampling variances for every study", field="vi")
    lv = level / 100.0
    mu_mean, mu_sd = mu_prior if mu_prior is not None else (None, None)
    post = TauPosterior(y, se**2, tau_prior, mu_mean, mu_sd)
    taus, weights = direct_grid(post, delta, epsilon)
    m, s = post.conditional(taus)
    mu_mix = Mixture(weights, m, s)
    pred = Mixture(weights, m, np.sqrt(s * s + taus * taus))
    estimates = []
    for i in range(y.size if shrinkage else 0):
        mi, si = _individual(y[i], se[i] ** 2, taus, m, s)
        mix = Mixture(weights, mi, si)
        low, high = mix.shortest(lv)
        estimates.append(Shrinkage(mix.mean(), mix.ppf(0.5), mix.sd(), low, high))
    tau = _tau_summary(post, lv)
    marginal = bf_tau = bf_mu = None
    if tau_prior.proper and mu_prior is not None:
        marginal = math.exp(post.log_evidence)
        bf_tau = math.exp(float(post.log_likelihood(0.0)[0]) - post.log_evidence)
        ll0 = post.log_joint_likelihood
        ratio = post.integrate(lambda t: np.exp(ll0(t, 0.0) - post.log_likelihood(t)))
        bf_mu = ratio
    w = 1.0 / se**2
    i2 = None
    if y.size > 1:
        typical = (y.size - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum())
        i2 = 100.0 * tau.median**2 / (tau.median**2 + typical)
    return BayesFit(
        k=int(y.size),
        tau_prior=tau_prior.name,
        tau_prior_label=tau_prior.label,
        tau_prior_proper=tau_prior.proper,
        mu_prior="uniform" if mu_prior is None else f"normal:{mu_mean:g},{mu_sd:g}",
        mu_prior_proper=mu_prior is not None,
        level=float(level),
        tau=tau,
        mu=_mixture_summary(mu_mix, lv),
        theta_new=_mixture_summary(pred, lv),
        mu_central=(mu_mix.ppf((1 - lv) / 2), mu_mix.ppf(1 - (1 - lv) / 2)),
        p_mu_below_0=mu_mix.cdf(0.0),
        i2_median=i2,
        marginal_likelihood=marginal,
        bayes_factor_tau0=bf_tau,
        bayes_factor_mu0=bf_mu,
        shrinkage=tuple(estimates),
        delta=delta,
        epsilon=epsilon,
        grid_size=int(taus.size),
    )


def _individual(yi: float, vi: float, taus, m, s):
    """Mean and sd of theta_i given tau (bayesmeta's ``conditionalmoment(individual = i)``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_t2 = 1.0 / taus**2
        b = 1.0 / (1.0 / vi + inv_t2)
        mean = np.where(taus > 0, (yi / vi + m * inv_t2) * b, m)
        sd = np.where(taus > 0, np.sqrt(b + (s * inv_t2 * b) ** 2), s)
    return mean, sd
