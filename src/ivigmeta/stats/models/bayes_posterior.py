"""Posterior of the normal-normal hierarchical model by numerical integration (no sampling).

Model (Röver 2020, J Stat Softw 93(6), section 2): y_i | theta_i ~ N(theta_i, s_i^2),
theta_i | mu, tau ~ N(mu, tau^2), priors p(tau) and p(mu) = 1 (improper) or N(m0, s0^2).

* Given tau the model is conjugate: with v_i = tau^2 + s_i^2 (and the prior as one more
  "study" y_0 = m0, v_0 = s0^2 when proper), mu | tau, y ~ N(M(tau), V(tau)), V = 1/sum(1/v_i),
  M = V sum(y_i/v_i); theta_new | tau, y ~ N(M, V + tau^2); study i's true effect
  theta_i | tau, y ~ N((y_i/s_i^2 + M/tau^2) B_i, B_i + (V B_i/tau^2)^2),
  B_i = 1/(1/s_i^2 + 1/tau^2).
* tau's marginal likelihood (mu integrated out) is
  log L(tau) = -1/2 [(n - 1) log 2 pi + sum log v_i + sum (y_i - M)^2/v_i + log sum 1/v_i]
  (n terms, the prior included), and p(tau | y) ∝ p(tau) L(tau) is integrated by adaptive
  21-point Gauss-Kronrod quadrature on u in [0, 1) with tau = c u/(1 - u) (or tau = MAX u on a
  bounded support), to a relative 1e-12 (:mod:`ivigmeta.stats.numerics.quadrature`).
* The marginals of mu, theta_new and theta_i are mixtures of those normals over tau, discretised
  as bayesmeta does: the DIRECT grid of Röver & Friede 2017 (J Comput Graph Stat 26(1):217-222),
  bins in tau whose conditionals differ by at most ``delta`` in symmetrised Kullback-Leibler
  divergence, up to tau's 1 - ``epsilon`` quantile, each weighted by its posterior probability.
"""

from __future__ import annotations

import math

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.numerics.quadrature import adaptive_partition, gauss_kronrod
from ivigmeta.stats.numerics.uniroot import uniroot

_LOG_2PI = math.log(2.0 * math.pi)
UNIROOT_TOL = 2.0**16 * np.finfo(float).eps
"""bayesmeta's ``tol.uniroot`` (= ``rel.tol.integrate``), 2^16 machine epsilon."""
MAX_GRID = 20_000
"""More DIRECT support points than this is refused (pathological data, e.g. SEs 1e15 apart)."""
_HEAD = 1e-12  # below tau = _HEAD * c a singular prior's mass is taken from its CDF


class TauPosterior:
    """p(tau | y) for effects ``y``, variances ``s2`` (all > 0), a tau prior and mu prior
    N(``mu_mean``, ``mu_sd``^2) (``mu_sd`` None: uniform).

    ``pdf``, ``cdf`` and ``ppf`` are normalised; ``log_likelihood(tau)`` is log L(tau) above.
    """

    def __init__(self, y, s2, prior, mu_mean=None, mu_sd=None):
        self.y = np.asarray(y, dtype=float)
        self.s2 = np.asarray(s2, dtype=float)
        self.prior = prior
        self.mu_mean, self.mu_sd = mu_mean, mu_sd
        self.k = self.y.size
        self.proper_mu = mu_sd is not None
        decay = prior.tail - (self.k if self.proper_mu else self.k - 1)
        self.decay = decay
        if not prior.proper and decay >= -1:
            raise AnalysisError(
                f"the posterior is improper: the {prior.label} with k = {self.k} and a "
                f"{'normal' if self.proper_mu else 'uniform'} mu prior does not integrate; "
                "choose a proper tau prior"
            )
        w = 1.0 / self.s2
        self.scale = math.sqrt(self.k / w.sum()) if self.k else 1.0
        self.bounded = math.isfinite(prior.upper)
        self._build()

    # --- the conditional model -----------------------------------------------------------
    def _terms(self, tau):
        tau = np.atleast_1d(np.asarray(tau, dtype=float))
        v = tau[:, None] ** 2 + self.s2[None, :]
        y = np.broadcast_to(self.y, v.shape)
        if self.proper_mu:
            v = np.hstack([v, np.full((tau.size, 1), self.mu_sd**2)])
            y = np.hstack([y, np.full((tau.size, 1), self.mu_mean)])
        return tau, v, y

    def conditional(self, tau):
        """M(tau), sqrt(V(tau)): mean and sd of mu given tau."""
        _, v, y = self._terms(tau)
        w = 1.0 / v
        var = 1.0 / w.sum(axis=1)
        return (w * y).sum(axis=1) * var, np.sqrt(var)

    def log_likelihood(self, tau):
        tau, v, y = self._terms(tau)
        w = 1.0 / v
        sw = w.sum(axis=1)
        m = (w * y).sum(axis=1) / sw
        n = v.shape[1]
        value = -0.5 * ((n - 1) * _LOG_2PI + np.log(v).sum(axis=1)
                        + (w * (y - m[:, None]) ** 2).sum(axis=1) + np.log(sw))  # fmt: skip
        return np.where(tau >= 0, value, -np.inf)

    def log_joint_likelihood(self, tau, mu):
        """log p(y | tau, mu) (mu fixed, no mu prior)."""
        tau = np.atleast_1d(np.asarray(tau, dtype=float))
        v = tau[:, None] ** 2 + self.s2[None, :]
        return -0.5 * (self.k * _LOG_2PI + np.log(v).sum(axis=1)
                       + ((self.y - mu) ** 2 / v).sum(axis=1))  # fmt: skip

    # --- quadrature of the marginal posterior ---------------------------------------------
    def _tau_of(self, u):
        if self.bounded:
            return self.prior.upper * u, np.full_like(u, self.prior.upper)
        with np.errstate(divide="ignore"):
            return self.scale * u / (1.0 - u), self.scale / (1.0 - u) ** 2

    def u_of(self, tau):
        tau = np.asarray(tau, dtype=float)
        if self.bounded:
            return tau / self.prior.upper
        return tau / (self.scale + tau)

    def _log_unnormalised(self, tau):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.prior.log_pdf(tau) + self.log_likelihood(tau)
        return np.where(np.isnan(value), -np.inf, value)

    def _integrand(self, moments):
        def f(u):
            tau, jac = self._tau_of(u)
            inside = u < 1.0
            t = np.where(inside, tau, 0.0)
            d = np.where(inside, np.exp(self._log_unnormalised(t) - self.offset) * jac, 0.0)
            rows = [d]
            if moments:
                rows += [d * np.where(inside, tau, 0.0), d * np.where(inside, tau, 0.0) ** 2]
            return np.vstack(rows[: 1 + moments])

        return f

    def _build(self):
        grid = np.linspace(0.0, 1.0, 257)[1:-1]
        tau, _ = self._tau_of(grid)
        self.offset = float(np.max(self._log_unnormalised(tau)))
        if not math.isfinite(self.offset):
            raise AnalysisError("the posterior of tau could not be evaluated (density zero or "
                                "infinite everywhere)")  # fmt: skip
        self.moments = 2 if self.decay < -3 else (1 if self.decay < -2 else 0)
        self.head_tau = _HEAD * self.scale if self.prior.cdf is not None else 0.0
        self.head = 0.0
        if self.head_tau:
            lik0 = math.exp(float(self.log_likelihood(0.0)[0]) - self.offset)
            self.head = lik0 * self.prior.cdf(self.head_tau)
        a = float(self.u_of(self.head_tau))
        part = adaptive_partition(self._integrand(self.moments), a, 1.0, rel_tol=1e-12)
        self.lo, self.hi = part.lo, part.hi
        self.mass = part.integrals[0]
        self.cum = np.concatenate([[0.0], np.cumsum(self.mass)])
        self.total = self.head + self.cum[-1]
        totals = part.totals / self.total
        self.mean = float(totals[1]) if self.moments >= 1 else math.inf
        self.var = float(totals[2] - totals[1] ** 2) if self.moments >= 2 else math.inf
        self.log_evidence = math.log(self.total) + self.offset

    def pdf(self, tau):
        tau = np.atleast_1d(np.asarray(tau, dtype=float))
        return np.exp(self._log_unnormalised(tau) - self.offset) / self.total

    def cdf(self, tau):
        """P(tau' <= tau | y), vectorised."""
        x = np.atleast_1d(np.asarray(tau, dtype=float))
        out = np.zeros_like(x)
        top = x >= self.prior.upper
        out[top] = 1.0
        mid = (x > 0) & ~top
        if self.head_tau:
            low = mid & (x <= self.head_tau)
            lik0 = math.exp(float(self.log_likelihood(0.0)[0]) - self.offset)
            out[low] = [lik0 * self.prior.cdf(t) / self.total for t in x[low]]
            mid &= ~low
        if mid.any():
            u = self.u_of(x[mid])
            j = np.clip(np.searchsorted(self.hi, u), 0, self.hi.size - 1)
            partial, _ = gauss_kronrod(self._integrand(0), self.lo[j], u)
            out[mid] = np.minimum((self.head + self.cum[j] + partial[0]) / self.total, 1.0)
        return out

    def cdf1(self, tau: float) -> float:
        """cdf at one point, remembered: the quantile and shortest-interval searches ask for
        the same points again (the doubling bracket 1, 2, 4, ...)."""
        memo = self.__dict__.setdefault("_cdf_memo", {})
        value = memo.get(tau)
        if value is None:
            value = memo[tau] = float(self.cdf(tau)[0])
        return value

    def ppf(self, p: float) -> float:
        """tau's p-quantile.

        The quadrature's own partition holds the cumulative mass, so the interval holding the
        quantile is found without integrating; inside it, Newton steps on the partial integral
        (whose derivative is the integrand itself), safeguarded by bisection, solve
        F(tau) = p to below ``UNIROOT_TOL`` in tau, in about three short quadratures: the root
        bayesmeta's ``uniroot`` on the CDF (bracket doubling from 1) finds within its
        tolerance, at a quarter of the CDF evaluations. Quantiles inside a singular prior's
        head (below ``_HEAD`` times the scale) are found the way bayesmeta does.
        """
        if p <= 0:
            return 0.0
        if p >= 1:
            return math.inf
        target = p * self.total - self.head
        if target <= 0:
            return self._ppf_uniroot(p)
        j = min(int(np.searchsorted(self.cum[1:], target)), self.mass.size - 1)
        need = target - self.cum[j]
        if not (self.mass[j] > 0 and math.isfinite(need)):  # an interval without mass
            return self._ppf_uniroot(p)
        start = float(self.lo[j])
        a, b = start, float(self.hi[j])
        f = self._integrand(0)

        def tau(u: float) -> float:
            return float(self._tau_of(np.array([u]))[0][0])

        u = a + (b - a) * min(max(need / self.mass[j], 0.0), 1.0)
        for _ in range(100):
            partial, _ = gauss_kronrod(f, np.array([start]), np.array([u]))
            diff = float(partial[0, 0]) - need
            if not math.isfinite(diff):
                return self._ppf_uniroot(p)
            if diff == 0.0:
                return tau(u)
            if diff < 0:
                a = u
            else:
                b = u
            density = float(f(np.array([u]))[0, 0])
            new = u - diff / density if density > 0 else math.nan
            # the Newton correction is below the tolerance (the partial integrals carry
            # quadrature noise of about 1e-11 of the mass, so the bracket cannot shrink further)
            if math.isfinite(new) and abs(tau(new) - tau(u)) <= 0.25 * UNIROOT_TOL:
                value = tau(min(max(new, a), b))
                return value if math.isfinite(value) else self._ppf_uniroot(p)
            if not a < new < b:
                new = 0.5 * (a + b)
            if tau(b) - tau(a) <= 0.25 * UNIROOT_TOL:
                return tau(new)
            u = new
        value = tau(u)
        return value if math.isfinite(value) else self._ppf_uniroot(p)

    def _ppf_uniroot(self, p: float) -> float:
        """bayesmeta's own quantile search: bracket doubling from 1, ``uniroot`` on the CDF."""
        upper = 1.0
        while self.cdf1(upper) < p:
            upper *= 2.0
        return uniroot(lambda t: self.cdf1(t) - p, 0.0, upper, tol=UNIROOT_TOL).root

    def integrate(self, g) -> float:
        """∫ g(tau) p(tau | y) dtau with this posterior's own partition refined for g."""

        def f(u):
            tau, jac = self._tau_of(u)
            inside = u < 1.0
            t = np.where(inside, tau, 0.0)
            d = np.exp(self._log_unnormalised(t) - self.offset) * jac
            return np.where(inside, d * g(t), 0.0)[None, :]

        part = adaptive_partition(f, float(self.u_of(self.head_tau)), 1.0, rel_tol=1e-12)
        head = self.head * float(np.atleast_1d(g(np.array([0.0])))[0]) if self.head else 0.0
        return float((part.totals[0] + head) / self.total)


def direct_grid(post: TauPosterior, delta: float, epsilon: float):
    """bayesmeta's DIRECT discretisation: support points tau_j and weights (Röver & Friede 2017).

    Divergence between two tau values = the largest symmetrised KL divergence among the
    conditionals of mu, theta_new and every theta_i, as bayesmeta's ``alldivs = TRUE``.
    """
    pairs = list(zip(post.y.tolist(), post.s2.tolist(), strict=True))
    prior_w = 1.0 / post.mu_sd**2 if post.proper_mu else 0.0
    prior_wy = post.mu_mean * prior_w if post.proper_mu else 0.0

    def moments(t: float):
        # pure Python: this runs thousands of times on k + 2 numbers
        t2 = t * t
        sw, swy = prior_w, prior_wy
        for yi, vi in pairs:
            w = 1.0 / (t2 + vi)
            sw += w
            swy += w * yi
        var = 1.0 / sw
        m = swy * var
        means, variances = [m, m], [var, var + t2]
        if t > 0:
            inv_t2 = 1.0 / t2
            for yi, vi in pairs:
                b = 1.0 / (1.0 / vi + inv_t2)
                means.append((yi / vi + m * inv_t2) * b)
                variances.append(b + (math.sqrt(var) * inv_t2 * b) ** 2)
        else:
            means += [m] * len(pairs)
            variances += [var] * len(pairs)
        return means, variances

    def divergence(ref, t2):
        m2, v2 = moments(t2)
        return max(
            (a - b) ** 2 * 0.5 * (1 / va + 1 / vb) + (va - vb) ** 2 / (2 * va * vb)
            for a, va, b, vb in zip(ref[0], ref[1], m2, v2, strict=True)
        )

    maxtau = post.ppf(1.0 - min(epsilon, 1.0 - epsilon))
    root_delta = math.sqrt(delta)
    step = [1.0]

    def next_point(t):
        # bayesmeta: uniroot(divergence(t, .) - delta) on [t, upper]; the same root is found
        # with fewer evaluations on sqrt(divergence), nearly linear in the step, bracketed from
        # a secant guess based on the previous step's length.
        ref = moments(t)

        def g(x):
            return math.sqrt(divergence(ref, x)) - root_delta

        h = step[0]
        g1 = g(t + h)
        guess = t + h * root_delta / (g1 + root_delta)
        g2 = g(guess)
        a, fa, b, fb = t, -root_delta, guess, g2
        if g2 > 0 and g1 < 0:
            a, fa = t + h, g1
        elif g2 < 0:
            a, fa = guess, g2
            if g1 > 0 and t + h > guess:
                b, fb = t + h, g1
            else:
                b = guess + (guess - t)
                fb = g(b)
                while fb <= 0:
                    a, fa = b, fb
                    b = t + 2.0 * (b - t)
                    fb = g(b)
        root = b if fb == 0.0 else uniroot(g, a, b, f_lower=fa, f_upper=fb, tol=UNIROOT_TOL).root
        step[0] = root - t
        return root

    points = [0.0]
    edges = [next_point(0.0)]
    tau = edges[0]
    while tau <= maxtau or len(points) < 2:
        ref_point = next_point(tau)
        tau = next_point(ref_point)
        if ref_point <= points[-1]:
            break
        if len(points) >= MAX_GRID:
            raise AnalysisError(
                f"the DIRECT grid needs more than {MAX_GRID} points (tau's posterior spans "
                f"0 to {maxtau:.3g}); the standard errors are too far apart for this method"
            )
        points.append(ref_point)
        edges.append(tau)
    probs = post.cdf(np.array(edges))
    weights = np.maximum(np.diff(np.concatenate([[0.0], probs])), 0.0)
    if weights.sum() <= 0:
        weights = np.full(len(points), 1.0 / len(points))
    return np.array(points), weights / weights.sum()
