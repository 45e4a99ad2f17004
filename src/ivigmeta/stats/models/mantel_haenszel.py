"""Mantel-Haenszel pooling of 2x2 tables (odds ratio, risk ratio, risk difference), equal to
metafor's ``rma.mh``.

Table i has ``a`` events and ``b`` non-events in group 1, ``c`` and ``d`` in group 2,
n1 = a + b, n2 = c + d, N = n1 + n2. The estimate uses the tables as given (no continuity
correction, as metafor's default ``add[2] = 0``):

- OR: R = sum a d / N, S = sum b c / N, OR_MH = R / S; Var(log OR_MH) by Robins, Breslow &
  Greenland (1986): 1/2 [sum P R_i / R² + sum (P S_i + Q R_i) / (R S) + sum Q S_i / S²] with
  P = (a + d)/N, Q = (b + c)/N.
- RR: R = sum a n2 / N, S = sum c n1 / N, RR_MH = R / S; Var(log RR_MH) by Greenland & Robins
  (1985): sum (n1 n2 (a + c) / N² - a c / N) / (R S).
- RD: RD_MH = sum (a n2 - c n1) / N / sum n1 n2 / N; its variance by Sato, Greenland & Robins
  (1989) as metafor writes it.

Heterogeneity: Cochran's Q = sum w_i (y_i - theta_MH)² over the studies' own effect sizes
(escalc with ``add``/``to``/``drop00``, rma.mh's defaults 1/2, only0, TRUE), df = k_yi - 1,
I² = max(0, (Q - df)/Q), H² = Q/df. For odds ratios also the Cochran-Mantel-Haenszel test
(with continuity correction: (|sum a - n1 (a + c)/N| - 1/2)² / sum n1 n2 (a + c)(b + d) /
(N² (N - 1)), chi²(1)) and Tarone's (1985) test of homogeneity (the Breslow-Day statistic
minus Tarone's correction, chi²(k_pos - 1) over tables with a positive expected count and
both outcomes present). Weights (percent) are metafor's ``weights.rma.mh``: b c / N (OR),
c n1 / N (RR), n1 n2 / N (RD).

References: Mantel N, Haenszel W. J Natl Cancer Inst 1959;22:719-748. Robins J, Breslow N,
Greenland S. Biometrics 1986;42:311-323. Greenland S, Robins JM. Biometrics 1985;41:55-68.
Sato T, Greenland S, Robins JM. Biometrics 1989;45:1323-1324. Tarone RE. Biometrika
1985;72:91-95.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import InputError
from ivigmeta.results import Result
from ivigmeta.stats.numerics.distributions import chi2_sf, two_sided_z_p, z_crit

MH_MEASURES = ("OR", "RR", "RD")


@dataclass(frozen=True, eq=False)
class TableFit(Result):
    """A pooled estimate from 2x2 tables (Mantel-Haenszel or Peto), on the model scale (log
    for OR/RR). ``k`` counts the tables, ``k_yi`` the studies with an effect size (the Q test
    has ``k_yi - 1`` df); ``weights`` are in percent; ``cmh``/``tarone`` and their p-values
    are set for Mantel-Haenszel odds ratios only (None otherwise; NaN where metafor gives NA).
    """

    method: str
    measure: str
    level: float
    k: int
    k_yi: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    q: float
    q_df: int
    q_p: float
    i2: float
    h2: float
    weights: np.ndarray
    cmh: float | None = None
    cmh_p: float | None = None
    tarone: float | None = None
    tarone_p: float | None = None
    tarone_df: int | None = None

    def summary(self) -> dict:
        """The pooled result under ``pool``'s JSON keys (tau² = 0: an equal-effects model)."""
        return {
            "method": self.method,
            "test": "z",
            "level": self.level,
            "k": self.k,
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "statistic": self.statistic,
            "df": None,
            "p": self.p,
            "tau2": 0.0,
            "tau": 0.0,
            "i2": self.i2,
            "h2": self.h2,
            "q": self.q,
            "q_df": self.q_df,
            "q_p": self.q_p,
            "pi_low": None,
            "pi_high": None,
            "pi_df": None,
            "cmh": self.cmh,
            "cmh_p": self.cmh_p,
            "tarone": self.tarone,
            "tarone_p": self.tarone_p,
            "tarone_df": self.tarone_df,
        }


def table_columns(ai, bi, ci, di) -> tuple[np.ndarray, ...]:
    """The four cells as float arrays of equal length; InputError for a negative or missing
    cell, or an empty group (naming the cell and the row)."""
    cells = [np.atleast_1d(np.asarray(x, dtype=float)) for x in (ai, bi, ci, di)]
    cells = list(np.broadcast_arrays(*cells))
    a, b, c, d = cells
    checks = [(name, ~np.isfinite(cell) | (cell < 0), "a count >= 0")
              for name, cell in zip(("ai", "bi", "ci", "di"), cells, strict=True)]  # fmt: skip
    checks += [("n1i", a + b <= 0, "a group of at least one patient (ai + bi > 0)"),
               ("n2i", c + d <= 0, "a group of at least one patient (ci + di > 0)")]  # fmt: skip
    for name, bad, expected in checks:
        bad = np.flatnonzero(bad)
        if bad.size:
            error = InputError(f"row {bad[0] + 1}: expected {expected}", field=name)
            error.row = int(bad[0])
            raise error
    return tuple(np.array(cell, dtype=float) for cell in cells)


def heterogeneity_from_effects(yi, vi, estimate: float) -> tuple[float, int, float, float, float]:
    """(Q, df, p, I² in percent, H²) of the studies with an effect size around ``estimate``,
    as rma.mh: Q = max(0, sum (y - theta)²/v), df = k_yi - 1; Q = 0, p = 1, I² = 0, H² = 1
    when k_yi <= 1; NaN without an estimate (as metafor's NA)."""
    yi, vi = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    keep = np.isfinite(yi) & np.isfinite(vi)
    yi, vi = yi[keep], vi[keep]
    k_yi = int(yi.size)
    if k_yi <= 1:
        return 0.0, max(k_yi - 1, 0), 1.0, 0.0, 1.0
    if not math.isfinite(estimate):
        return math.nan, k_yi - 1, math.nan, math.nan, math.nan
    q = max(0.0, float(np.sum((yi - estimate) ** 2 / vi)))
    df = k_yi - 1
    return q, df, float(chi2_sf(q, df)), i_squared(q, df), q / df


def i_squared(q: float, df: int) -> float:
    """I² = max(0, 100 (Q - df)/Q) in percent (0 when Q = 0, as R's max(0, -Inf))."""
    return max(0.0, 100 * (q - df) / q) if q > 0 else 0.0


def mantel_haenszel(
    ai, bi, ci, di, yi, vi, *, measure: str = "OR", level: float = 95.0, correct: bool = True
) -> TableFit:
    """Mantel-Haenszel estimate of ``measure`` (OR, RR, RD) from the tables (see the module
    docstring); ``yi``/``vi`` are the studies' own effect sizes for Cochran's Q (NaN for
    studies without one, e.g. double zeros dropped by ``drop00``). ``correct`` applies the
    continuity correction of the CMH test (metafor's default). Where metafor returns NA (OR or
    RR with no events in one group of every table) the estimate is NaN."""
    measure = measure.upper()
    if measure not in MH_MEASURES:
        raise InputError(
            f"Mantel-Haenszel pools {', '.join(MH_MEASURES)}, got {measure!r}", field="measure"
        )
    a, b, c, d = table_columns(ai, bi, ci, di)
    n1, n2 = a + b, c + d
    N = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "OR":
            odds, se = _odds_ratio(a, b, c, d, N)
            beta = math.log(odds) if math.isfinite(odds) else math.nan
            weights = b / N * c
        elif measure == "RR":
            beta, se = _risk_ratio(a, c, n1, n2, N)
            weights = c / N * n1
        else:
            beta, se = _risk_difference(a, c, n1, n2, N)
            weights = n1 / N * n2
    crit = z_crit(level)
    z = beta / se if se > 0 else math.nan
    q, q_df, q_p, i2, h2 = heterogeneity_from_effects(yi, vi, beta)
    extra = {}
    if measure == "OR":
        extra = dict(zip(("cmh", "cmh_p"), _cmh(a, c, n1, n2, N, correct), strict=True))
        names = ("tarone", "tarone_p", "tarone_df")
        extra |= dict(zip(names, _tarone(a, c, n1, n2, N, odds), strict=True))
    total = np.sum(weights)
    return TableFit(
        method="MH",
        measure=measure,
        level=level,
        k=int(a.size),
        k_yi=int(np.sum(np.isfinite(yi) & np.isfinite(vi))),
        estimate=beta,
        se=se,
        ci_low=beta - crit * se,
        ci_high=beta + crit * se,
        statistic=z,
        p=float(two_sided_z_p(z)) if math.isfinite(z) else math.nan,
        q=q,
        q_df=q_df,
        q_p=q_p,
        i2=i2,
        h2=h2,
        weights=weights / total * 100 if total > 0 else np.full(a.size, math.nan),
        **extra,
    )


def _odds_ratio(a, b, c, d, N) -> tuple[float, float]:
    """(OR_MH = R/S, SE of its log); NaN where R or S is 0."""
    P, Q = a / N + d / N, b / N + c / N
    Ri, Si = a / N * d, b / N * c
    R, S = float(np.sum(Ri)), float(np.sum(Si))
    if R == 0 or S == 0:
        return math.nan, math.nan
    var = 0.5 * (np.sum(P * Ri) / R**2 + np.sum(P * Si + Q * Ri) / (R * S) + np.sum(Q * Si) / S**2)
    return R / S, math.sqrt(var)


def _risk_ratio(a, c, n1, n2, N) -> tuple[float, float]:
    R, S = float(np.sum(a * (n2 / N))), float(np.sum(c * (n1 / N)))
    if np.sum(a) == 0 or np.sum(c) == 0:
        return math.nan, math.nan
    var = np.sum(n1 / N * (n2 / N) * (a + c) - a / N * c) / (R * S)
    return math.log(R / S), math.sqrt(var)


def _risk_difference(a, c, n1, n2, N) -> tuple[float, float]:
    total = float(np.sum(n1 * (n2 / N)))
    beta = float(np.sum(a * (n2 / N) - c * (n1 / N))) / total
    first = beta * np.sum(c * (n1 / N) ** 2 - a * (n2 / N) ** 2 + n1 / N * (n2 / N) * (n2 - n1) / 2)
    second = np.sum(a * (n2 - c) / N + c * (n1 - a) / N) / 2
    variance = (first + second) / total**2
    return beta, math.sqrt(variance) if variance >= 0 else math.nan  # metafor: sqrt(<0) = NaN


def _cmh(a, c, n1, n2, N, correct: bool) -> tuple[float, float]:
    """Cochran-Mantel-Haenszel chi² (1 df) with (or without) the 1/2 continuity correction."""
    xt, yt = a + c, n1 + n2 - a - c
    if np.sum(xt) == 0 or np.sum(yt) == 0:
        return math.nan, math.nan
    numerator = (abs(float(np.sum(a - n1 / N * xt))) - (0.5 if correct else 0.0)) ** 2
    statistic = numerator / float(np.sum(n1 / N * (n2 / N) * (xt * (yt / (N - 1)))))
    return statistic, float(chi2_sf(statistic, 1))


def _tarone(a, c, n1, n2, N, odds: float) -> tuple[float, float, int | None]:
    """Tarone's heterogeneity test: the Breslow-Day statistic around OR_MH (= R/S, as metafor
    uses it, not exp(log(R/S))), corrected; (statistic, p, df = k_pos - 1). NaN where no table
    is informative, as metafor's 0/0."""
    if not math.isfinite(odds):
        return math.nan, math.nan, None
    xt, yt = a + c, n1 + n2 - a - c
    if odds == 1:
        n11 = n1 / N * xt
    else:
        A = odds * (n1 + xt) + (n2 - xt)
        B = np.sqrt(A**2 - 4 * n1 * xt * odds * (odds - 1))
        n11 = (A - B) / (2 * (odds - 1))
    pos = (n11 > 0) & (xt > 0) & (yt > 0)
    n11 = n11[pos]
    n12, n21 = n1[pos] - n11, xt[pos] - n11
    n22 = n11 - n1[pos] - xt[pos] + N[pos]
    info = 1 / (1 / n11 + 1 / n12 + 1 / n21 + 1 / n22)
    deviation = a[pos] - n11
    breslow_day = max(0.0, float(np.sum(deviation**2 / info)))
    k_pos = int(np.sum(pos))
    if k_pos == 0:
        return math.nan, math.nan, None
    tarone = max(0.0, breslow_day - float(np.sum(deviation)) ** 2 / float(np.sum(info)))
    if k_pos <= 1:
        return tarone, math.nan, None
    return tarone, float(chi2_sf(tarone, k_pos - 1)), k_pos - 1
