"""Conversions a data extractor needs, as metafor 5.0-1 defines them.

- :func:`convert_fivenum`: median with quartiles and/or range to a mean and SD
  (``conv.fivenum`` with its defaults: ``method="default"``, ``dist="norm"``, ``test=TRUE``);
- :func:`convert_wald`: a confidence interval (or a two-sided p) to a sampling variance
  (``conv.wald``);
- :func:`convert_2x2`: a 2x2 table from an odds ratio (or phi, or chi-square) and the margins
  (``conv.2x2``).

Inputs are scalars or sequences (one value per study); missing values are NaN/None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.effects import checks
from ivigmeta.errors import InputError
from ivigmeta.results import Result
from ivigmeta.stats.numerics.distributions import norm_ppf

FIVENUM_METHODS = {
    "range": "mean: Luo et al. 2018; SD: Wan et al. 2014 (min, median, max)",
    "iqr": "mean: Luo et al. 2018; SD: Wan et al. 2014 (q1, median, q3)",
    "both": "mean: Luo et al. 2018; SD: Shi et al. 2020 (min, q1, median, q3, max)",
}


def _column(name, values, k=None):
    if values is None:
        return np.full(k or 1, np.nan)
    return checks.as_column(name, [np.nan if v is None else v for v in np.atleast_1d(values)])


@dataclass(frozen=True)
class FivenumConversion(Result):
    """Estimated ``mean`` and ``sd`` per study; ``case`` says which numbers were used
    (``range``, ``iqr``, ``both`` or None), ``skewness``/``critical`` the Shi et al. (2023)
    statistic and its critical value; ``skewed`` studies get no estimate (metafor's
    ``test=TRUE``); ``method`` names the estimators."""

    mean: np.ndarray
    sd: np.ndarray
    case: tuple[str | None, ...]
    skewness: np.ndarray
    critical: np.ndarray
    skewed: tuple[bool | None, ...]
    method: tuple[str | None, ...]


def convert_fivenum(
    min=None, q1=None, median=None, q3=None, max=None, n=None, *, test: bool = True
) -> FivenumConversion:
    """Mean and SD from the median and the range and/or quartiles (metafor ``conv.fivenum``).

    Three cases, as metafor's default method ``"luo/wan/shi"`` with ``dist="norm"``, with
    xi = 2 Phi^-1((n - 0.375)/(n + 0.25)) and eta = 2 Phi^-1((0.75 n - 0.125)/(n + 0.25)):

    - min, median, max (no quartiles): mean = w (min + max)/2 + (1 - w) median with
      w = 4/(4 + n^0.75) (Luo 2018); SD = (max - min)/xi (Wan 2014);
    - q1, median, q3 (no range): mean = w (q1 + q3)/2 + (1 - w) median, w = 0.7 + 0.39/n;
      SD = (q3 - q1)/eta (Wan 2014);
    - all five: mean = w1 (min + max)/2 + w2 (q1 + q3)/2 + (1 - w1 - w2) median with
      w1 = 2.2/(2.2 + n^0.75), w2 = 0.7 - 0.72/n^0.55 (Luo 2018); SD = w (max - min)/xi +
      (1 - w)(q3 - q1)/eta with w = 1/(1 + 0.07 n^0.6) (Shi 2020).

    With ``test=True`` (metafor's default) a study whose numbers are too skewed for a normal
    distribution by the test of Shi et al. (2023) gets no estimate: T = |(min + max -
    2 median)/(max - min)| >= 1/log(n + 9) + 2.5/(n + 1) (range), T = |(q1 + q3 - 2 median)/
    (q3 - q1)| >= 2.65/sqrt(n) - 6/n^2 (quartiles), or T = max(2.65 log(0.6 n)/sqrt(n) times
    the range statistic, the quartile statistic) >= 3/sqrt(n) - 40/n^3 (both). Studies with
    n < 5 get no estimate (as metafor). The five numbers must be in order.

    References: Wan X, et al. (2014). BMC Med Res Methodol 14:135; Luo D, et al. (2018). Stat
    Methods Med Res 27:1785-1805; Shi J, et al. (2020). Res Synth Methods 11:641-654; Shi J,
    et al. (2023). Stat Methods Med Res 32:1338-1360.
    """
    given = [v for v in (min, q1, median, q3, max, n) if v is not None]
    if not any(v is not None for v in (min, q1, median, q3, max)):
        raise InputError("expected some of min, q1, median, q3, max", field="median")
    k = len(np.atleast_1d(given[0]))
    lo, a, m, b, hi = (
        _column(name, values, k)
        for name, values in (("min", min), ("q1", q1), ("median", median), ("q3", q3), ("max", max))
    )
    n = _column("n", n, k)
    lo, a, m, b, hi, n = np.broadcast_arrays(lo, a, m, b, hi, n)
    checks.positive("n", n)
    means, sds = np.full(lo.shape, np.nan), np.full(lo.shape, np.nan)
    tvals, crits = np.full(lo.shape, np.nan), np.full(lo.shape, np.nan)
    cases: list[str | None] = []
    skewed: list[bool | None] = []
    for i in range(lo.size):
        values = [v for v in (lo[i], a[i], m[i], b[i], hi[i]) if not math.isnan(v)]
        if values != sorted(values):
            error = InputError(
                f"row {i + 1}: expected min <= q1 <= median <= q3 <= max", field="median"
            )
            error.row = i
            raise error
        has_range = not (math.isnan(lo[i]) or math.isnan(hi[i]))
        has_iqr = not (math.isnan(a[i]) or math.isnan(b[i]))
        case = {(True, False): "range", (False, True): "iqr", (True, True): "both"}.get(
            (has_range, has_iqr)
        )
        if n[i] < 5 or math.isnan(n[i]) or case is None:
            cases.append(None if case is None else case)
            skewed.append(None)
            continue
        cases.append(case)
        ni = float(n[i])
        xi = 2 * float(norm_ppf((ni - 0.375) / (ni + 0.25)))
        eta = 2 * float(norm_ppf((0.75 * ni - 0.125) / (ni + 0.25)))
        with np.errstate(divide="ignore", invalid="ignore"):
            t_range = abs((lo[i] + hi[i] - 2 * m[i]) / (hi[i] - lo[i]))
            t_iqr = abs((a[i] + b[i] - 2 * m[i]) / (b[i] - a[i]))
        if case == "range":
            tvals[i], crits[i] = t_range, 1 / math.log(ni + 9) + 2.5 / (ni + 1)
            w = 4 / (4 + ni**0.75)
            mean = w * (lo[i] + hi[i]) / 2 + (1 - w) * m[i]
            sd = (hi[i] - lo[i]) / xi
        elif case == "iqr":
            tvals[i], crits[i] = t_iqr, 2.65 / math.sqrt(ni) - 6 / ni**2
            w = 0.7 + 0.39 / ni
            mean = w * (a[i] + b[i]) / 2 + (1 - w) * m[i]
            sd = (b[i] - a[i]) / eta
        else:
            tvals[i] = np.max([2.65 * math.log(0.6 * ni) / math.sqrt(ni) * t_range, t_iqr])
            crits[i] = 3 / math.sqrt(ni) - 40 / ni**3
            w1, w2 = 2.2 / (2.2 + ni**0.75), 0.7 - 0.72 / ni**0.55
            mean = w1 * (lo[i] + hi[i]) / 2 + w2 * (a[i] + b[i]) / 2 + (1 - w1 - w2) * m[i]
            w = 1 / (1 + 0.07 * ni**0.6)
            sd = w * (hi[i] - lo[i]) / xi + (1 - w) * (b[i] - a[i]) / eta
        is_skewed = bool(tvals[i] >= crits[i])  # NaN statistic: not skewed (R's isTRUE)
        skewed.append(is_skewed)
        if not (test and is_skewed):
            means[i], sds[i] = mean, sd
    return FivenumConversion(
        mean=means,
        sd=sds,
        case=tuple(cases),
        skewness=tvals,
        critical=crits,
        skewed=tuple(skewed),
        method=tuple(FIVENUM_METHODS.get(c) if c else None for c in cases),
    )


@dataclass(frozen=True)
class WaldConversion(Result):
    """``yi`` (the estimate, transformed), ``vi`` and ``sei`` from a CI or p-value; ``level``
    of the CI in percent; ``asymmetric`` flags CIs whose midpoint is more than 10% of their
    width away from the estimate (metafor warns about them)."""

    yi: np.ndarray
    vi: np.ndarray
    sei: np.ndarray
    level: float
    asymmetric: tuple[bool | None, ...]


TRANSFORMS = ("none", "log")


def convert_wald(
    estimate=None, ci_low=None, ci_high=None, p=None, *, level: float = 95.0, transf="none"
) -> WaldConversion:
    """Sampling variance from a Wald-type CI or a two-sided p-value (metafor ``conv.wald``).

    With crit = Phi^-1(1 - (1 - level/100)/2) and the estimate and bounds transformed first
    (``transf="log"`` for a ratio and its CI, as ``transf=log`` in metafor):
    vi = ((ci_high - ci_low)/(2 crit))^2, or ((ci_high - estimate)/crit)^2 when only the upper
    bound is given; without a CI, vi = (yi/z)^2 with z = Phi^-1(1 - p/2).
    """
    if transf not in TRANSFORMS:
        raise InputError(f"expected one of {', '.join(TRANSFORMS)}, got {transf!r}", field="transf")
    if not 0 < level < 100:
        raise InputError(f"expected a level between 0 and 100, got {level:g}", field="level")
    given = [v for v in (estimate, ci_low, ci_high, p) if v is not None]
    if not given:
        raise InputError("expected an estimate with ci_low/ci_high or p", field="ci_low")
    k = len(np.atleast_1d(given[0]))
    out, lb, ub, pval = (
        _column(name, values, k)
        for name, values in (
            ("estimate", estimate),
            ("ci_low", ci_low),
            ("ci_high", ci_high),
            ("p", p),
        )
    )
    out, lb, ub, pval = np.broadcast_arrays(out, lb, ub, pval)
    with np.errstate(invalid="ignore"):
        checks.require((pval < 0) | (pval > 1), "p", "a p-value between 0 and 1")
        checks.require(lb > ub, "ci_low", "ci_low <= ci_high")
        if transf == "log":
            for name, values in (("estimate", out), ("ci_low", lb), ("ci_high", ub)):
                checks.positive(name, values)
    if transf == "log":
        out, lb, ub = np.log(out), np.log(lb), np.log(ub)
    crit = float(norm_ppf(1 - (1 - level / 100) / 2))
    vi = np.where(np.isnan(lb), ((ub - out) / crit) ** 2, ((ub - lb) / (2 * crit)) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.asarray(norm_ppf(1 - pval / 2), dtype=float)
        vi = np.where(np.isnan(vi), (out / z) ** 2, vi)
        off = np.abs((ub + lb) / 2 - out) / (ub - lb)
    asymmetric = tuple(None if math.isnan(d) else bool(d > 0.1) for d in off)
    vi = np.where(np.isfinite(vi), vi, np.nan)
    return WaldConversion(yi=out, vi=vi, sei=np.sqrt(vi), level=level, asymmetric=asymmetric)


@dataclass(frozen=True)
class TwoByTwoConversion(Result):
    """Cells ``ai`` (X = 1, Y = 1), ``bi`` (X = 1, Y = 0), ``ci`` (X = 0, Y = 1), ``di``."""

    ai: np.ndarray
    bi: np.ndarray
    ci: np.ndarray
    di: np.ndarray


def convert_2x2(
    ni, n1i, n2i, *, ori=None, ri=None, x2i=None, correct: bool = True
) -> TwoByTwoConversion:
    """A 2x2 table from an odds ratio, a phi coefficient or a chi-square and the margins
    (metafor ``conv.2x2``).

    ``ni`` is the total, ``n1i`` the number with X = 1 (row margin), ``n2i`` the number with
    Y = 1 (column margin), all rounded first. With p1 = n1/n, p2 = n2/n the cell proportion
    p11 comes from the odds ratio (the root of OR = p11 (1 - p1 - p2 + p11)/((p1 - p11)
    (p2 - p11)): x = OR (p1 + p2) + 1 - p1 - p2, y = sqrt(x^2 - 4 p1 p2 OR (OR - 1)),
    p11 = (x - y)/(2 (OR - 1)); p11 = p1 p2 when OR = 1), else from phi,
    p11 = p1 p2 + phi sqrt(p1 (1 - p1) p2 (1 - p2)), where phi = sign(X2) (sqrt(|X2|/n) +
    n/(2 sqrt(n1 (n - n1) n2 (n - n2)))) from a (continuity-corrected) chi-square X2
    (``correct=False``: without the correction term). ai = round(n p11), bi = n1 - ai,
    ci = n2 - ai, di = n - ai - bi - ci; a table with a negative cell is NaN (metafor warns).

    Reference: Viechtbauer W. conv.2x2, metafor 5.0-1 documentation, and the references
    therein (Bonett DG, Price RM (2005). J Educ Behav Stat 30:213-225).
    """
    ni, n1i, n2i = (
        np.round(_column(name, v)) for name, v in (("ni", ni), ("n1i", n1i), ("n2i", n2i))
    )
    k = max(len(ni), len(n1i), len(n2i))
    ori, ri, x2i = (_column(name, v, k) for name, v in (("ori", ori), ("ri", ri), ("x2i", x2i)))
    ni, n1i, n2i, ori, ri, x2i = np.broadcast_arrays(ni, n1i, n2i, ori, ri, x2i)
    with np.errstate(invalid="ignore"):
        for name, values in (("ni", ni), ("n1i", n1i), ("n2i", n2i)):
            checks.nonnegative(name, values)
        checks.require(n1i > ni, "n1i", "a margin no larger than ni")
        checks.require(n2i > ni, "n2i", "a margin no larger than ni")
        checks.require(np.abs(ri) > 1, "ri", "a phi coefficient between -1 and 1")
        checks.require(ori <= 0, "ori", "an odds ratio > 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = n1i / ni, n2i / ni
        x = ori * (p1 + p2) + (1 - p1) - p2
        y = np.sqrt(x**2 - 4 * p1 * p2 * ori * (ori - 1))
        p11 = np.where(ori == 1, n1i * n2i / ni**2, (x - y) / (2 * (ori - 1)))
        correction = ni / (2 * np.sqrt(n1i * (ni - n1i) * n2i * (ni - n2i))) if correct else 0.0
        phi = np.where(np.isnan(ri), np.sign(x2i) * (np.sqrt(np.abs(x2i) / ni) + correction), ri)
        p11 = np.where(np.isnan(p11), p1 * p2 + phi * np.sqrt(p1 * (1 - p1) * p2 * (1 - p2)), p11)
    ai = np.round(ni * p11)
    bi, ci = n1i - ai, n2i - ai
    di = ni - ai - bi - ci
    with np.errstate(invalid="ignore"):
        negative = (ai < 0) | (bi < 0) | (ci < 0) | (di < 0)
    ai, bi, ci, di = (np.where(negative, np.nan, cell) for cell in (ai, bi, ci, di))
    return TwoByTwoConversion(ai=ai, bi=bi, ci=ci, di=di)
