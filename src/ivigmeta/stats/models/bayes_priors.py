"""Heterogeneity (tau) priors of the normal-normal hierarchical model, as R's bayesmeta has them.

``--tau-prior NAME[:ARGS]`` strings are parsed by :func:`parse_tau_prior` into a
:class:`TauPrior` with a vectorised log density. Densities (t >= 0):

* ``half-normal:S``    2 phi(t/S)/S;  ``half-cauchy:S``  2/(pi S (1 + (t/S)^2));
  ``half-t:DF,S``      2 f_t(t/S; DF)/S;  ``half-logistic:S``  2 e^(-t/S)/(S (1 + e^(-t/S))^2);
  ``exponential:R``    R e^(-R t);  ``lomax:A,S``  (A/S)(1 + t/S)^-(A+1);
  ``uniform:MAX``      1/MAX on [0, MAX];  ``log-normal:M,SD``  log t ~ N(M, SD^2).
* ``uniform`` (improper, bayesmeta's default) 1;  ``jeffreys`` (improper; Bodnar et al. 2017)
  sqrt(sum_i (t/(s_i^2 + t^2))^2);  ``dumouchel`` s0/(s0 + t)^2 and ``shrinkage``
  2 t s0^2/(s0^2 + t^2)^2 with s0^2 = k/sum(1/s_i^2) (DuMouchel 1994; Daniels 1999);
  ``i2`` (uniform on I^2) 2 s^2 t/(s^2 + t^2)^2 with Higgins & Thompson's typical within-study
  variance s^2 = (k - 1) sum w / ((sum w)^2 - sum w^2).
* ``turner[:OUTCOME,C1,C2]``: log tau^2 ~ N(mu, sigma^2) from Turner et al. 2015, Stat Med
  34(6):984-998, Table IV (log odds ratios; bayesmeta's ``TurnerEtAlPrior``), so tau is
  log-normal(mu/2, sigma/2); without arguments the marginal N(-2.56, 1.74^2) (p. 993).
* ``rhodes[:OUTCOME,C1,C2[,AREA]]``: log tau^2 ~ t_5(location, scale) from Rhodes et al. 2015,
  J Clin Epidemiol 68(1):52-60, Tables 3, A.3.1, A.3.2 (SMD; bayesmeta's ``RhodesEtAlPrior``);
  without arguments the marginal t_5(-3.44, 2.59).

Comparators C1, C2 are ``pharma``, ``non-pharma`` or ``placebo``; the outcome and area keys are
in :data:`TURNER_OUTCOMES`, :data:`RHODES_OUTCOMES` and :data:`RHODES_AREAS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import InputError

OPTION = "--tau-prior"
_LOG2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)

TURNER_OUTCOMES = (
    "all-cause-mortality", "obstetric", "cause-specific-mortality", "resource-use", "surgical",
    "withdrawals", "internal-structure", "general-physical-health", "adverse-events",
    "infection", "signs-symptoms", "pain", "quality-of-life", "mental-health",
    "biological-markers", "subjective",
)  # fmt: skip
# Turner et al. 2015, Table IV: mean of log tau^2 per outcome (rows) and comparison type
# (columns: pharma vs placebo, pharma vs pharma, non-pharma vs placebo, non-pharma vs pharma,
# non-pharma vs non-pharma), then the standard deviations.
_TURNER_MU = (
    (3.95, 3.52, 3.71, 2.34, 2.14, 2.99, 2.71, 2.29,
     1.87, 2.49, 2.06, 1.83, 2.54, 2.12, 1.77, 2.70),
    (4.18, 3.75, 3.95, 2.58, 2.37, 3.23, 2.94, 2.53,
     2.10, 2.73, 2.29, 2.06, 2.78, 2.35, 2.00, 2.93),
    (4.17, 3.74, 3.93, 2.56, 2.36, 3.21, 2.93, 2.51,
     2.10, 2.71, 2.28, 2.05, 2.77, 2.34, 1.99, 2.92),
    (2.92, 2.49, 2.68, 1.31, 1.11, 1.96, 1.67, 1.26,
     0.84, 1.46, 1.03, 0.80, 1.51, 1.09, 0.74, 1.67),
    (3.50, 3.08, 3.27, 1.90, 1.69, 2.55, 2.26, 1.85,
     1.43, 2.05, 1.61, 1.38, 2.10, 1.67, 1.33, 2.26),
)  # fmt: skip
_TURNER_SD = (
    (1.34, 1.74, 1.74, 1.74, 1.74, 1.74, 1.74, 1.53,
     1.52, 1.52, 1.51, 1.52, 1.54, 1.53, 1.52, 1.52),
    (1.41, 1.79, 1.79, 1.79, 1.79, 1.79, 1.79, 1.58,
     1.58, 1.58, 1.58, 1.58, 1.60, 1.60, 1.58, 1.58),
    (1.55, 1.91, 1.91, 1.91, 1.91, 1.91, 1.92, 1.72,
     1.71, 1.71, 1.71, 1.71, 1.73, 1.72, 1.71, 1.71),
    (1.02, 1.50, 1.51, 1.50, 1.50, 1.51, 1.51, 1.25,
     1.24, 1.24, 1.24, 1.25, 1.27, 1.27, 1.24, 1.25),
    (1.26, 1.68, 1.68, 1.68, 1.68, 1.68, 1.68, 1.46,
     1.45, 1.45, 1.45, 1.45, 1.47, 1.47, 1.45, 1.45),
)  # fmt: skip
COMPARATORS = ("pharma", "non-pharma", "placebo")
# Comparison type (column above) of each comparator pair, as bayesmeta's `cmatrix`.
_TURNER_PAIR = {("pharma", "pharma"): 1, ("pharma", "placebo"): 0, ("non-pharma", "placebo"): 2,
                ("non-pharma", "pharma"): 3, ("non-pharma", "non-pharma"): 4}  # fmt: skip

RHODES_OUTCOMES = (
    "obstetric", "resource-use", "internal-structure", "general-health", "signs-symptoms",
    "mental-health", "biological-marker", "subjective",
)  # fmt: skip
RHODES_AREAS = ("other", "respiratory", "cancer")
# Rhodes et al. 2015, Tables 3, A.3.1 (respiratory), A.3.2 (cancer): location (negated) and
# scale of log tau^2 per area, comparison type (pharma vs placebo, pharma vs pharma,
# non-pharma any) and outcome.
_RHODES_LOCATION = {
    "other": ((4.13, 2.55, 2.43, 3.16, 3.00, 2.99, 3.41, 2.76),
              (4.40, 2.83, 2.70, 3.44, 3.27, 3.27, 3.68, 3.03),
              (3.99, 2.41, 2.29, 3.02, 2.86, 3.85, 3.27, 2.62)),
    "respiratory": ((6.03, 4.46, 4.33, 5.07, 4.90, 4.90, 5.31, 4.66),
                    (6.31, 4.73, 4.61, 5.34, 5.18, 5.17, 5.59, 4.94),
                    (5.89, 4.32, 4.19, 4.93, 4.76, 4.76, 5.17, 4.52)),
    "cancer": ((1.57, -0.01, 0.13, 0.60, 0.44, 0.43, 0.85, 0.20),
               (1.85, 0.27, 0.14, 0.88, 0.71, 0.71, 1.13, 0.48),
               (1.43, -0.15, -0.27, 0.46, 0.30, 0.29, 0.71, 0.06)),
}  # fmt: skip
_RHODES_SCALE = {
    "other": ((2.34, 2.73, 2.50, 2.50, 2.50, 2.16, 2.83, 2.58),
              (2.31, 2.70, 2.46, 2.44, 2.47, 2.14, 2.78, 2.59),
              (2.11, 2.57, 2.32, 2.27, 2.33, 1.93, 2.66, 2.41)),
    "respiratory": ((2.36, 2.74, 2.51, 2.51, 2.50, 2.17, 2.83, 2.59),
                    (2.31, 2.70, 2.46, 2.45, 2.47, 2.14, 2.78, 2.59),
                    (2.21, 2.57, 2.33, 2.28, 2.33, 1.94, 2.66, 2.41)),
    "cancer": ((2.45, 2.83, 2.61, 2.61, 2.60, 2.28, 2.93, 2.68),
               (2.41, 2.79, 2.56, 2.55, 2.57, 2.25, 2.87, 2.68),
               (2.24, 2.68, 2.45, 2.40, 2.46, 2.08, 2.78, 2.53)),
}  # fmt: skip
_RHODES_PAIR = {("pharma", "pharma"): 1, ("pharma", "placebo"): 0, ("non-pharma", "placebo"): 2,
                ("non-pharma", "pharma"): 2, ("non-pharma", "non-pharma"): 2}  # fmt: skip


@dataclass(frozen=True)
class TauPrior:
    """A prior density for tau >= 0.

    ``name`` is the canonical ``NAME[:ARGS]`` string, ``label`` reads like bayesmeta's;
    ``log_pdf`` maps an array of tau >= 0 to log densities (normalised when ``proper``);
    ``tail`` is the exponent a of the density's decay t^a as t -> inf (``-inf`` when faster
    than any power); ``upper`` the end of the support; ``cdf`` (log-t prior only) is used for the
    mass next to 0, where that density is unbounded.
    """

    name: str
    label: str
    log_pdf: Callable[[np.ndarray], np.ndarray]
    proper: bool
    tail: float
    upper: float = math.inf
    cdf: Callable[[float], float] | None = None

    def pdf(self, tau):
        return np.exp(self.log_pdf(np.asarray(tau, dtype=float)))


def _error(text: str, expected: str) -> InputError:
    return InputError(f"expected {expected}, got {text!r}", field=OPTION)


def _numbers(text: str, args: list[str], count: int, what: str) -> list[float]:
    if len(args) != count:
        raise _error(text, f"{what} ({count} number{'s' if count > 1 else ''} after ':')")
    try:
        values = [float(a) for a in args]
    except ValueError:
        raise _error(text, f"{what} (numbers)") from None
    if not all(math.isfinite(v) for v in values):
        raise _error(text, f"{what} (finite numbers)")
    return values


def _positive(text, args, count, what):
    values = _numbers(text, args, count, what)
    if any(v <= 0 for v in values):
        raise _error(text, f"{what} (positive numbers)")
    return values


def _fmt(x: float) -> str:
    return f"{x:g}"


def _ge0(t):
    return np.where(t >= 0, 0.0, -np.inf)


def _t_log_pdf(x, df):
    return (math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
            - (df + 1) / 2 * np.log1p(x * x / df))  # fmt: skip


def _log_t5_cdf(z: float) -> float:
    """P(T <= z) for Student t with 5 df (closed form, A&S 26.7.3)."""
    theta = math.atan(z / math.sqrt(5.0))
    c = math.cos(theta)
    s = math.sin(theta)
    a = theta + s * c * (1 + 2.0 / 3.0 * c * c)
    return 0.5 + a / math.pi


def parse_tau_prior(text: str, sei: np.ndarray) -> TauPrior:
    """The :class:`TauPrior` named by ``text`` (``NAME[:ARGS]``) for standard errors ``sei``."""
    name, _, rest = text.strip().partition(":")
    name = name.strip().lower()
    args = [a.strip() for a in rest.split(",")] if rest.strip() else []
    s2 = np.asarray(sei, dtype=float) ** 2
    k = s2.size
    if name == "half-normal":
        (s,) = _positive(text, args, 1, "half-normal:SCALE")
        return TauPrior(
            f"half-normal:{_fmt(s)}",
            f"half-normal(scale={_fmt(s)})",
            lambda t: _ge0(t) + _LOG2 - _HALF_LOG_2PI - math.log(s) - 0.5 * (t / s) ** 2,
            True,
            -math.inf,
        )
    if name == "half-cauchy":
        (s,) = _positive(text, args, 1, "half-cauchy:SCALE")
        return TauPrior(
            f"half-cauchy:{_fmt(s)}",
            f"half-Cauchy(scale={_fmt(s)})",
            lambda t: _ge0(t) + _LOG2 - math.log(math.pi * s) - np.log1p((t / s) ** 2),
            True,
            -2.0,
        )
    if name == "half-t":
        df, s = _positive(text, args, 2, "half-t:DF,SCALE")
        return TauPrior(
            f"half-t:{_fmt(df)},{_fmt(s)}",
            f"half-Student-t(df={_fmt(df)}, scale={_fmt(s)})",
            lambda t: _ge0(t) + _LOG2 - math.log(s) + _t_log_pdf(t / s, df),
            True,
            -(df + 1.0),
        )
    if name == "half-logistic":
        (s,) = _positive(text, args, 1, "half-logistic:SCALE")
        return TauPrior(
            f"half-logistic:{_fmt(s)}",
            f"half-logistic(scale={_fmt(s)})",
            lambda t: _ge0(t) + _LOG2 - math.log(s) - t / s - 2 * np.log1p(np.exp(-t / s)),
            True,
            -math.inf,
        )
    if name == "exponential":
        (rate,) = _positive(text, args, 1, "exponential:RATE")
        return TauPrior(
            f"exponential:{_fmt(rate)}",
            f"exponential(rate={_fmt(rate)})",
            lambda t: _ge0(t) + math.log(rate) - rate * t,
            True,
            -math.inf,
        )
    if name == "lomax":
        a, s = _positive(text, args, 2, "lomax:SHAPE,SCALE")
        return TauPrior(
            f"lomax:{_fmt(a)},{_fmt(s)}",
            f"Lomax(shape={_fmt(a)}, scale={_fmt(s)})",
            lambda t: _ge0(t) + math.log(a / s) - (a + 1) * np.log1p(np.maximum(t, 0) / s),
            True,
            -(a + 1.0),
        )
    if name == "uniform":
        if not args:
            return TauPrior("uniform", "uniform(min=0, max=Inf)", _ge0, False, 0.0)
        (top,) = _positive(text, args, 1, "uniform:MAX")
        return TauPrior(
            f"uniform:{_fmt(top)}",
            f"uniform(min=0, max={_fmt(top)})",
            lambda t: np.where((t >= 0) & (t <= top), -math.log(top), -np.inf),
            True,
            -math.inf,
            upper=top,
        )
    if name == "log-normal":
        m, sd = _numbers(text, args, 2, "log-normal:MU,SIGMA")
        if sd <= 0:
            raise _error(text, "log-normal:MU,SIGMA with SIGMA > 0")
        return _log_normal(f"log-normal:{_fmt(m)},{_fmt(sd)}", m, sd)
    if name in ("jeffreys", "dumouchel", "shrinkage", "i2"):
        if args:
            raise _error(text, f"{name} without arguments")
        return _data_prior(name, s2, k)
    if name == "turner":
        return _turner(text, args)
    if name == "rhodes":
        return _rhodes(text, args)
    raise _error(
        text,
        "one of half-normal:S, half-cauchy:S, half-t:DF,S, half-logistic:S, "
        "exponential:R, lomax:A,S, uniform[:MAX], log-normal:M,SD, jeffreys, dumouchel, "
        "shrinkage, i2, turner[:OUTCOME,C1,C2], rhodes[:OUTCOME,C1,C2[,AREA]]",
    )


def _log_normal(name: str, m: float, sd: float, label: str | None = None) -> TauPrior:
    def log_pdf(t):
        with np.errstate(divide="ignore", invalid="ignore"):
            lt = np.log(np.where(t > 0, t, 1.0))
            value = -_HALF_LOG_2PI - math.log(sd) - lt - 0.5 * ((lt - m) / sd) ** 2
        return np.where(t > 0, value, -np.inf)

    label = label or f"log-normal(mu={m:.3f}, sigma={sd:.3f})"
    return TauPrior(name, label, log_pdf, True, -math.inf)


def _data_prior(name: str, s2: np.ndarray, k: int) -> TauPrior:
    if name == "jeffreys":

        def log_pdf(t):
            t = np.atleast_1d(t)
            ratio = t[:, None] / (s2[None, :] + t[:, None] ** 2)
            with np.errstate(divide="ignore"):
                return np.log(np.sqrt((ratio**2).sum(axis=1))) + _ge0(t)

        return TauPrior("jeffreys", "Jeffreys prior", log_pdf, False, -1.0)
    if name == "i2":
        if k < 2:
            raise InputError("expected at least 2 studies for the I² prior (I² is undefined for "
                             "k = 1)", field=OPTION)  # fmt: skip
        w = 1.0 / s2
        v = (k - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum())

        def log_pdf(t):
            with np.errstate(divide="ignore"):
                return _LOG2 + math.log(v) + np.log(t) - 2 * np.log(v + t * t) + _ge0(t)

        return TauPrior("i2", "uniform prior on I-squared", log_pdf, True, -3.0)
    s02 = k / (1.0 / s2).sum()
    if name == "dumouchel":
        s0 = math.sqrt(s02)
        return TauPrior(
            "dumouchel",
            "DuMouchel prior",
            lambda t: _ge0(t) + math.log(s0) - 2 * np.log(s0 + np.maximum(t, 0)),
            True,
            -2.0,
        )

    def log_shrink(t):
        with np.errstate(divide="ignore"):
            return _LOG2 + np.log(t) + math.log(s02) - 2 * np.log(s02 + t * t) + _ge0(t)

    return TauPrior("shrinkage", "uniform shrinkage prior", log_shrink, True, -3.0)


def _pick(text, value, choices, what):
    if value not in choices:
        raise _error(text, f"{what} one of {', '.join(choices)}")
    return choices.index(value)


def _turner(text: str, args: list[str]) -> TauPrior:
    if not args:
        return _log_normal(
            "turner",
            -2.56 / 2,
            1.74 / 2,
            "Turner et al. (2015) marginal: log-normal(mu=-1.280, sigma=0.870)",
        )
    if len(args) != 3:
        raise _error(text, "turner or turner:OUTCOME,C1,C2")
    row = _pick(text, args[0], TURNER_OUTCOMES, "OUTCOME")
    pair = tuple(args[1:])
    for c in pair:
        _pick(text, c, COMPARATORS, "C1, C2")
    col = _TURNER_PAIR.get(pair, _TURNER_PAIR.get(pair[::-1]))
    if col is None:
        raise _error(text, "a comparison other than placebo vs placebo")
    m, sd = -_TURNER_MU[col][row] / 2, _TURNER_SD[col][row] / 2
    return _log_normal(
        f"turner:{','.join(args)}",
        m,
        sd,
        f"Turner et al. (2015) {','.join(args)}: log-normal(mu={m:.3f}, sigma={sd:.3f})",
    )


def _rhodes(text: str, args: list[str]) -> TauPrior:
    if not args:
        location, scale, key = -3.44, 2.59, "rhodes"
    else:
        if len(args) not in (3, 4):
            raise _error(text, "rhodes or rhodes:OUTCOME,C1,C2[,AREA]")
        row = _pick(text, args[0], RHODES_OUTCOMES, "OUTCOME")
        pair = tuple(args[1:3])
        for c in pair:
            _pick(text, c, COMPARATORS, "C1, C2")
        col = _RHODES_PAIR.get(pair, _RHODES_PAIR.get(pair[::-1]))
        if col is None:
            raise _error(text, "a comparison other than placebo vs placebo")
        area = args[3] if len(args) == 4 else "other"
        _pick(text, area, RHODES_AREAS, "AREA")
        location, scale = -_RHODES_LOCATION[area][col][row], _RHODES_SCALE[area][col][row]
        key = f"rhodes:{','.join((*args[:3], area))}"
    loc, sc = location / 2, scale / 2
    const = math.lgamma(3.0) - math.lgamma(2.5) - 0.5 * math.log(5 * math.pi) - math.log(sc)

    def log_pdf(t):
        with np.errstate(divide="ignore", invalid="ignore"):
            lt = np.log(np.where(t > 0, t, 1.0))
            value = const - 3.0 * np.log1p(((lt - loc) / sc) ** 2 / 5.0) - lt
        return np.where(t > 0, value, -np.inf)

    def cdf(t: float) -> float:
        return _log_t5_cdf((math.log(t) - loc) / sc) if t > 0 else 0.0

    label = f"Rhodes et al. (2015): log-Student-t(location={loc:.3f}, scale={sc:.3f}, d.f.=5)"
    return TauPrior(key, label, log_pdf, True, -1.0, cdf=cdf)
