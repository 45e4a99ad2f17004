"""Does a printed estimate, confidence interval and p-value agree? (Altman & Bland 2011)

Altman DG, Bland JM. How to obtain the P value from a confidence interval. BMJ
2011;343:d2304; and How to obtain the confidence interval from a P value. BMJ 2011;343:d2090.

From the CI to p (d2304), for a difference; for a ratio (RR, OR, HR) the same on the log
scale, with Est and the limits logged:

    SE = (u - l) / (2 · z_{1-α/2}),   z = Est / SE,   p = 2 · (1 - Φ(|z|))

Altman & Bland approximate the normal tail by p = exp(-0.717 z - 0.416 z²) and its inverse
by z = -0.862 + sqrt(0.743 - 2.404 ln p); here both are exact (Φ and Φ⁻¹). With ``df`` the
CI and test are taken as t-based (SE = (u - l) / (2 t_{df}), p from t(df)), as for a mean
difference of small samples, where the normal method gives too small a p.

Every printed number stands for its rounding interval, so the p implied by the CI is a range:
|Est| over its interval and SE over [(u_low - l_high), (u_high - l_low)] / (2 z) bound |z|, and
p falls with |z|. The verdict compares that range with the printed p
(:func:`~ivigmeta.stats.checks.rounding.compare_p`). The CI's symmetry is reported too: the
midpoint of the limits (of the logged limits for a ratio) must be able to equal the estimate
for a Wald-type interval; an asymmetric CI (exact, score or profile) is legitimate but then
the method above is only approximate, and the note says so.

From p to the CI (d2090): SE = |Est| / z with z = Φ⁻¹(1 - p/2), CI = Est ± z_{1-α/2} · SE
(:func:`ci_from_p`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ivigmeta.errors import InputError
from ivigmeta.printed import PrintedNumber, ReportedP
from ivigmeta.results import Result
from ivigmeta.stats.checks.rounding import (
    NOT_CHECKABLE,
    abs_interval,
    compare_p,
    overlaps,
    parse_reported_p,
    printed_value,
    value_interval,
)
from ivigmeta.stats.numerics.distributions import (
    norm_ppf,
    t_crit,
    two_sided_t_p,
    two_sided_z_p,
    z_crit,
)
from ivigmeta.stats.numerics.limits import check_level, check_number


@dataclass(frozen=True)
class CiPCheck(Result):
    """The p implied by a printed estimate and CI, and its agreement with the printed p.

    ``scale`` is ``difference`` or ``ratio`` (log scale); ``se`` and ``statistic`` are at the
    printed values; ``p_min``/``p_max`` over their rounding; ``symmetric`` whether the CI's
    midpoint (on the log scale for a ratio) can equal the estimate; ``verdict`` is
    ``not-checkable`` without a printed p.
    """

    check: str
    estimate: str
    ci_low: str
    ci_high: str
    scale: str
    level: float
    df: float | None
    se: float
    statistic: float
    p: float
    p_min: float
    p_max: float
    reported_p: str | None
    symmetric: bool
    verdict: str
    note: str


def _log_interval(value: PrintedNumber, field: str) -> tuple[float, float, float]:
    low, high = value_interval(value)
    if not low > 0:
        raise InputError(f"a ratio's estimate and limits must be positive, got {value}",
                         field=field)  # fmt: skip
    return math.log(float(value)), math.log(low), math.log(high)


def _p(statistic: float, df: float | None) -> float:
    return float(two_sided_z_p(statistic) if df is None else two_sided_t_p(statistic, df))


def ci_p_check(
    estimate,
    ci_low,
    ci_high,
    p: ReportedP | str | None = None,
    ratio: bool = False,
    level: float = 95.0,
    df: float | None = None,
) -> CiPCheck:
    """The p a printed estimate and CI imply, compared with the printed p (module doc)."""
    level = check_level(level)
    values = [printed_value(v, f) for v, f in ((estimate, "estimate"), (ci_low, "ci_low"),
                                          (ci_high, "ci_high"))]  # fmt: skip
    if df is not None:
        check_number(df, "df", positive=True)
    reported = parse_reported_p(p) if p is not None else None
    if ratio:
        (est, e_low, e_high), (lo, l_low, l_high), (hi, u_low, u_high) = (
            _log_interval(v, f)
            for v, f in zip(values, ("estimate", "ci_low", "ci_high"), strict=True)
        )
    else:
        (est, lo, hi) = (float(v) for v in values)
        (e_low, e_high), (l_low, l_high), (u_low, u_high) = (value_interval(v) for v in values)
    if not hi > lo:
        raise InputError(f"expected ci_low < ci_high, got {values[1]} and {values[2]}",
                         field="ci_high")  # fmt: skip
    crit = float(z_crit(level) if df is None else t_crit(df, level))
    se = (hi - lo) / (2 * crit)
    statistic = est / se
    se_low, se_high = max(u_low - l_high, 0.0) / (2 * crit), (u_high - l_low) / (2 * crit)
    diff_low, diff_high = abs_interval(e_low, e_high)
    z_high = math.inf if se_low == 0 else diff_high / se_low
    z_low = diff_low / se_high
    p_min, p_max = _p(z_high, df), _p(z_low, df)
    symmetric = overlaps((l_low + u_low) / 2, (l_high + u_high) / 2, e_low, e_high)
    scale = "ratio" if ratio else "difference"
    method = "normal (Altman & Bland)" if df is None else f"t({df:g})"
    note = (
        f"SE = (u - l)/(2·{crit:.4g}) = {se:.4g}"
        + (" on the log scale" if ratio else "")
        + f", {'z' if df is None else 't'} = {statistic:.3f}: {method} "
        + f"p = {_fmt(_p(statistic, df))}"
        + f", over rounding {_fmt(p_min)}–{_fmt(p_max)}"
    )
    if not symmetric:
        note += (
            "; the CI is not symmetric about the estimate"
            + (" on the log scale" if ratio else "")
            + " (not a Wald interval, or a mismatch): the implied p is approximate"
        )
    if reported is None:
        verdict = NOT_CHECKABLE
        note += "; no printed p to compare"
    else:
        verdict = compare_p(p_min, p_max, reported)
    return CiPCheck(
        check="ci-p", estimate=values[0].text, ci_low=values[1].text, ci_high=values[2].text,
        scale=scale, level=level, df=df, se=se, statistic=statistic, p=_p(statistic, df),
        p_min=p_min, p_max=p_max, reported_p=None if reported is None else reported.text,
        symmetric=symmetric, verdict=verdict, note=note,
    )  # fmt: skip


@dataclass(frozen=True)
class CiFromP(Result):
    """The CI a printed estimate and p imply (Altman & Bland, BMJ 2011;343:d2090)."""

    estimate: float
    p: float
    scale: str
    level: float
    se: float
    statistic: float
    ci_low: float
    ci_high: float


def ci_from_p(estimate: float, p: float, ratio: bool = False, level: float = 95.0) -> CiFromP:
    """z = Φ⁻¹(1 - p/2), SE = |Est|/z, CI = Est ± z_{1-α/2}·SE (a ratio: on the log scale)."""
    level = check_level(level)
    p = float(p)
    if not 0.0 < p < 1.0:
        raise InputError(f"expected a p-value strictly between 0 and 1, got {p}", field="p")
    est = float(estimate)
    if ratio:
        if not est > 0:
            raise InputError(f"a ratio must be positive, got {estimate}", field="estimate")
        est = math.log(est)
    statistic = float(norm_ppf(1.0 - p / 2.0))
    se = abs(est) / statistic
    crit = float(z_crit(level))
    low, high = est - crit * se, est + crit * se
    if ratio:
        low, high = math.exp(low), math.exp(high)
    return CiFromP(float(estimate), p, "ratio" if ratio else "difference", level, se, statistic,
                   low, high)  # fmt: skip


def _fmt(p: float) -> str:
    if p == 0:
        return "0"
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.2e}"
