"""Baseline balance of randomised arms: Carlisle's distribution of baseline p-values.

Carlisle JB. Data fabrication and other reasons for non-random sampling in 5087 randomised,
controlled trials in anaesthetic and general medical journals. Anaesthesia 2017;72:944-952.

Under randomisation the arms are samples of one population, so the p-value comparing the arms'
means of each baseline variable is uniform on (0, 1). Carlisle computed one p per continuous
baseline variable from the printed means, SDs and n (ANOVA; for two arms the Student t test),
and combined a trial's p-values with Stouffer's method:

    Z = Σ Φ⁻¹(p_i) / √k,      p_trial = Φ(Z)

p_trial near 0 means the arms differ more than chance allows; near 1 that they are more alike
than chance allows (too-similar means are the commoner sign of fabricated baselines). Fisher's
method, X = -2 Σ ln p_i against χ²(2k), is given too (it looks only for too-different arms).
Carlisle also simulated the rounding of the printed means; here each p_i is the exact range
of the Student p over the rounding box of the printed means and SDs
(:func:`~ivigmeta.stats.checks.t_tests.two_sample_p_bounds`), and Z rises with every p_i, so
p_trial ranges over [Φ(Z(p_min)), Φ(Z(p_max))].

Verdict (our threshold, a screen and not proof: Carlisle's own caution): ``inconsistent`` when
the whole p_trial range lies below ``ALPHA`` = 0.001 or above 1 - ALPHA, else ``consistent``.
Variables are assumed independent (correlated variables such as height and weight make the
combined p more extreme than it should be: the note says how many were combined).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import CONSISTENT, INCONSISTENT
from ivigmeta.stats.numerics.distributions import chi2_sf, norm_cdf, norm_ppf

ALPHA = 0.001
_P_FLOOR = 1e-300  # Φ⁻¹(0) is -inf: p-values are clipped to (1e-300, 1 - 1e-16)


@dataclass(frozen=True)
class BaselineVariable(Result):
    """One baseline variable of two arms: printed mean, SD and n of each."""

    name: str
    mean1: object
    sd1: object
    n1: int
    mean2: object
    sd2: object
    n2: int


@dataclass(frozen=True)
class BaselineBalance(Result):
    """Carlisle's combined baseline p: ``p_trial`` at the printed values, ``p_trial_min``/
    ``p_trial_max`` over their rounding, Stouffer's ``z``, Fisher's ``fisher_p``, each variable's
    Student p (``p_values``: name, p, p_min, p_max)."""

    check: str
    k: int
    z: float
    p_trial: float
    p_trial_min: float
    p_trial_max: float
    fisher_p: float
    p_values: tuple[tuple[str, float, float, float], ...]
    verdict: str
    note: str


def _clip(p: float) -> float:
    return min(max(p, _P_FLOOR), 1.0 - 1e-16)


def stouffer(p_values) -> float:
    """Z = Σ Φ⁻¹(p_i) / √k (p-values clipped away from 0 and 1)."""
    p_values = list(p_values)
    return sum(float(norm_ppf(_clip(p))) for p in p_values) / math.sqrt(len(p_values))


def fisher(p_values) -> float:
    """Fisher's combined p: P(χ²(2k) > -2 Σ ln p_i)."""
    p_values = list(p_values)
    return float(chi2_sf(-2.0 * sum(math.log(_clip(p)) for p in p_values), 2 * len(p_values)))


def baseline_balance(variables: list[BaselineVariable], alpha: float = ALPHA) -> BaselineBalance:
    """Carlisle's test of a trial's baseline table (module doc)."""
    from ivigmeta.stats.checks.t_tests import two_sample_p_bounds, two_sample_t_test

    if not variables:
        raise InputError("expected at least one baseline variable", field="variables")
    rows = []
    for v in variables:
        args = (_printed(v.mean1), _printed(v.sd1), v.n1, _printed(v.mean2), _printed(v.sd2), v.n2)
        result = two_sample_t_test(*args)
        low, high = two_sample_p_bounds(*args)
        rows.append((v.name, result.p, float(low), float(high)))
    z = stouffer(r[1] for r in rows)
    p_trial = float(norm_cdf(z))
    p_min = float(norm_cdf(stouffer(r[2] for r in rows)))
    p_max = float(norm_cdf(stouffer(r[3] for r in rows)))
    fisher_p = fisher(r[1] for r in rows)
    k = len(rows)
    shown = "; ".join(f"{name}: p {_fmt(p)}" for name, p, _, _ in rows)
    note = (
        f"{k} variable(s) ({shown}); Stouffer Z = {z:.3f}, p_trial = Φ(Z) = {_fmt(p_trial)} "
        f"(over rounding {_fmt(p_min)}–{_fmt(p_max)}); Fisher p = {_fmt(fisher_p)}"
    )
    if p_max < alpha:
        verdict = INCONSISTENT
        note += f": the arms differ more than randomisation allows (p_trial < {alpha})"
    elif p_min > 1 - alpha:
        verdict = INCONSISTENT
        note += f": the arms are more alike than randomisation allows (p_trial > {1 - alpha})"
    else:
        verdict = CONSISTENT
        note += f": within {alpha}–{1 - alpha}"
    if k == 1:
        note += "; one variable only: a weak screen (Carlisle combined many)"
    return BaselineBalance(
        "baseline-balance", k, z, p_trial, p_min, p_max, fisher_p, tuple(rows), verdict, note
    )


def _printed(value):
    if isinstance(value, (PrintedNumber, int, float)):
        return value
    try:
        return PrintedNumber(str(value))
    except ValueError:
        raise InputError(f"expected a finite number, got {value!r}", field="variables") from None


def _fmt(p: float) -> str:
    if p == 0:
        return "0"
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.2e}"
