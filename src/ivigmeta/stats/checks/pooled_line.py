"""A printed pooled line as intervals, and the pooled quantities of a model to judge against it.

The printed quantities are ``estimate``, ``ci_low``, ``ci_high``, ``pi_low``, ``pi_high``
(on the model scale here: the analysis takes the log of ratios printed on their natural
scale), ``tau2``, ``tau``, ``i2`` (percent), ``q`` (Cochran's Q), ``q_p`` (its p) and ``p``
(the test of the pooled effect). Each stands for its rounding interval
(:func:`ivigmeta.stats.checks.rounding.value_interval`, :func:`reported_p_interval`); a model
value is *consistent* with it when it lies in that closed interval (with the relative slack of
:func:`ivigmeta.stats.checks.rounding.overlaps`).

Conventions a paper may have followed besides its method and test, tried for every model:

- prediction interval (``PI_RULES``): mu ± crit sqrt(SE² + tau²) with crit from z (metafor
  ``predict()`` under z tests), t(k - 1) (metafor under t/knha; R's meta >= 8.0), t(k - 2)
  (Higgins, Thompson & Spiegelhalter 2009, J R Stat Soc A 172:137-159; metafor
  ``predtype="riley"``), or ``simple``: mu ± z tau (metafor ``predtype="simple"``);
  none under EE, Mantel-Haenszel and Peto (metafor gives none);
- I² (``I2_RULES``): metafor's 100 tau²/(tau² + s²) with the typical within-study variance
  s² = (k - 1) sum w / ((sum w)² - sum w²) (Higgins & Thompson 2002), or Higgins' Q-based
  max(0, 100 (Q - (k - 1))/Q) as R's meta and RevMan print it (the two agree under DL and EE).
"""

from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass

import numpy as np

from ivigmeta.stats.models.pool_many import PoolManyResult
from ivigmeta.stats.numerics import distributions as dist

QUANTITIES = (
    "estimate", "ci_low", "ci_high", "p", "pi_low", "pi_high", "tau2", "tau", "i2", "q", "q_p",
)  # fmt: skip
PI_RULES = ("z", "t", "hts", "simple")
I2_RULES = ("metafor", "Q")
_SLACK = 1e-9


@dataclass(frozen=True)
class Variant:
    """One way of computing the pooled line: a test and, where printed, a PI and I² rule."""

    test: str
    pi: str | None = None
    i2: str | None = None

    def key(self, name: str) -> str:
        """The column of :func:`model_values` holding quantity ``name`` under this variant."""
        if name in ("pi_low", "pi_high"):
            return f"{name}:{self.pi}"
        if name == "i2":
            return f"i2:{self.i2}"
        return name


@dataclass(frozen=True)
class Targets:
    """The printed quantities' intervals on the model scale (p and q_p as p-value intervals),
    for k studies."""

    intervals: dict[str, tuple[float, float]]
    k: int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in QUANTITIES if n in self.intervals)

    def variants(self, tests) -> list[Variant]:
        """Every test crossed with the PI rules (if a PI is printed) and I² rules (if I² is)."""
        pis = PI_RULES if "pi_low" in self.intervals or "pi_high" in self.intervals else (None,)
        i2s = I2_RULES if "i2" in self.intervals else (None,)
        return [Variant(t, p, i) for t in tests for p in pis for i in i2s]

    def linear_targets(self, variant: Variant, sign: float) -> list[tuple[str, str, float, float]]:
        """(quantity, column, low, high) constraints on quantities that are smooth in the
        data: p as an interval of the test statistic (of the given ``sign``), q_p as one of
        Q."""
        out = []
        for name, (low, high) in self.intervals.items():
            if name == "p":
                df = None if variant.test == "z" or self.k < 2 else self.k - 1.0
                s_low, s_high = _statistic_interval(low, high, df)
                low, high = (s_low, s_high) if sign >= 0 else (-s_high, -s_low)
                if s_low == 0.0:
                    low = -s_high
                out.append((name, "statistic", low, high))
            elif name == "q_p":
                df = self.k - 1.0
                if df >= 1:
                    out.append(
                        (name, "q", _chi2_quantile(1.0 - high, df), _chi2_quantile(1.0 - low, df))
                    )
            else:
                out.append((name, variant.key(name), low, high))
        return [(name, column, _open_at_domain(column, low, -math.inf, 0.0),
                 _open_at_domain(column, high, math.inf, 100.0 if name == "i2" else math.inf))
                for name, column, low, high in out]  # fmt: skip


def _open_at_domain(column: str, bound: float, unbounded: float, edge: float) -> float:
    """A bound at the edge of a quantity's domain (tau², tau, I², Q >= 0; I² <= 100) binds
    nothing: dropped, so a value sitting on the edge (tau² truncated at 0, printed "0.00")
    leaves the other constraints their margin."""
    nonnegative = column in ("tau2", "tau", "q") or column.startswith("i2")
    if nonnegative and ((edge == 0.0 and bound <= 0.0) or (edge == 100.0 and bound >= 100.0)):
        return unbounded
    return bound


@functools.lru_cache(maxsize=1024)
def _statistic_interval(p_low: float, p_high: float, df: float | None) -> tuple[float, float]:
    """|statistic| whose two-sided p lies in [p_low, p_high]."""

    def quantile(p: float) -> float:
        if p <= 0.0:
            return math.inf
        if p >= 1.0:
            return 0.0
        upper = 1.0 - p / 2.0
        return float(dist.norm_ppf(upper) if df is None else dist.t_ppf(upper, df))

    return quantile(p_high), quantile(p_low)


@functools.lru_cache(maxsize=1024)
def _chi2_quantile(q: float, df: float) -> float:
    if q <= 0.0:
        return 0.0
    if q >= 1.0:
        return math.inf
    return float(dist.chi2_ppf(q, df))


def inside(value: np.ndarray, low: float, high: float) -> np.ndarray:
    """Whether each value lies in the closed interval [low, high] (relative slack 1e-9)."""
    finite = [abs(x) for x in (low, high) if math.isfinite(x)]
    slack = _SLACK * max([*finite, 1e-300])
    with np.errstate(invalid="ignore"):
        return (value >= low - slack) & (value <= high + slack)


def model_values(
    fit: PoolManyResult, test: str, rss: np.ndarray, *, with_p: bool = True
) -> dict[str, np.ndarray]:
    """Every pooled quantity under ``test`` and every PI and I² rule, from the z-test fit
    ``fit`` of analyses with one common k and their residual sums rss = sum w_i (y_i - mu)²:
    columns ``estimate``, ``ci_low``, ``ci_high``, ``statistic``, ``p``, ``tau2``, ``tau``,
    ``q``, ``q_p``, ``i2:metafor``, ``i2:Q``, ``pi_low:RULE``, ``pi_high:RULE``.

    The tests as metafor's rma (and :func:`~ivigmeta.stats.models.pool_many.pool_many`):
    ``t`` keeps SE(mu) and uses t(k - 1); ``knha`` scales Var(mu) by s² = rss/(k - 1) (0 when
    rss is below machine epsilon), ``adhoc`` by max(1, s²); one study: z whatever the test.
    The t quantiles are computed once per (df, level), as every analysis shares k;
    ``with_p=False`` leaves ``p`` out (its t tail is the costly part)."""
    k = int(fit.k[0]) if fit.k.size else 1
    values = {name: np.asarray(getattr(fit, name), dtype=float)
              for name in ("estimate", "tau2", "tau", "q", "q_p")}  # fmt: skip
    mu, tau2, q = values["estimate"], values["tau2"], values["q"]
    se = np.asarray(fit.se, dtype=float)
    z = dist.z_crit(fit.level)
    crit = z
    with np.errstate(divide="ignore", invalid="ignore"):
        if test != "z" and k > 1:
            if test in ("knha", "adhoc"):
                s2 = np.where(rss <= sys.float_info.epsilon, 0.0, rss / (k - 1.0))
                se = se * np.sqrt(np.maximum(s2, 1.0) if test == "adhoc" else s2)
            crit = _t_crit(k - 1, fit.level)
        statistic = mu / se
        values["statistic"] = statistic
        if with_p and test != "z" and k > 1:
            values["p"] = np.asarray(dist.two_sided_t_p(statistic, float(k - 1)), dtype=float)
        elif with_p:
            values["p"] = np.asarray(dist.two_sided_z_p(statistic), dtype=float)
        values["ci_low"], values["ci_high"] = mu - crit * se, mu + crit * se
        values["i2:metafor"] = np.asarray(fit.i2, dtype=float)
        i2_q = np.maximum(0.0, 100.0 * (q - (k - 1)) / q)
        values["i2:Q"] = np.where(np.isnan(q), np.nan, np.where(q > 0, i2_q, 0.0))
        spread = np.sqrt(se**2 + tau2)
        for rule in PI_RULES:
            if fit.method == "EE":
                half = np.full(mu.size, np.nan)
            elif rule == "simple":
                half = z * np.sqrt(tau2)
            elif rule == "z" or k == 1 or (rule == "hts" and k < 3):
                half = z * spread if rule == "z" or k == 1 else np.full(mu.size, np.nan)
            else:
                half = _t_crit(k - (1 if rule == "t" else 2), fit.level) * spread
            values[f"pi_low:{rule}"] = mu - half
            values[f"pi_high:{rule}"] = mu + half
    return values


@functools.lru_cache(maxsize=256)
def _t_crit(df: int, level: float) -> float:
    return float(dist.t_crit(float(df), level))


def judge(values: dict[str, np.ndarray], targets: Targets, variant: Variant) -> dict:
    """Per printed quantity, whether each analysis's value is consistent (bool arrays)."""
    return {name: inside(values[variant.key(name)], *targets.intervals[name])
            for name in targets.names}  # fmt: skip
