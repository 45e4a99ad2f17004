"""Standard error and Q-profile confidence interval of tau², vectorised over many analyses.

The intercept-only counterparts of :mod:`ivigmeta.stats.models.tau2` (metafor's ``se.tau2``)
and :func:`ivigmeta.stats.models.confint.tau2_confint` (metafor's ``confint.rma.uni``), for the
padded ``(k_max, analyses)`` arrays of :mod:`ivigmeta.stats.models.pool_many`. With one column
of ones as the model matrix, the residual projection is P = W - w w'/S (W = diag(w),
S = sum w_i), so every trace metafor forms from P has a closed form in sums over the studies:

    tr(P) = S - sum w²/S,
    sum_ij P_ij² a_i b_j = sum w² a b - 2 sum w³ a b / S + (sum w² a)(sum w² b) / S²

(a = b = 1 gives tr(PP); a = b = v gives tr(PVPV); a = 1, b = v gives tr(PVP)). The standard
errors are then, with k studies:

- DL: sqrt((2(k-1) + 4 tau² tr P + 2 tau⁴ tr PP)) / tr P, w = 1/v;
- HE: sqrt(2 tr(PVPV) + 4 tau² tr(PV) + 2 tau⁴ (k-1)) / (k-1), P = I - 11'/k;
- HS: sqrt(2(k-1) + 4 tau² tr P + 2 tau⁴ tr PP) / S, w = 1/v;
- SJ: tau0²/(k-1) sqrt(2 tr(PVPV) + 4 tau² tr(PVP) + 2 tau⁴ tr PP), w = 1/(v + tau0²),
  tau0² = sum (y - ybar)²/k;
- ML: sqrt(2 / sum w²); REML: sqrt(2 / tr PP); EB, PM: sqrt(2k²/(k-1)) / S, w = 1/(v + tau²).

The Q-profile bounds solve Q(tau²) = chi²_{1-a/2, k-1} (lower) and chi²_{a/2, k-1} (upper) on
[0, max(100, 10 tau²)] with R's ``uniroot`` (tol eps^0.25, at most 1000 iterations), with
metafor's rules at the ends of the interval (Viechtbauer 2007, Stat Med 26:37-52). Analyses of
one study, and the EE model, have neither (NaN), as metafor.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.stats.models.pool_many import Padded, column_dot, q_statistic, uniroot_many
from ivigmeta.stats.numerics.distributions import chi2_ppf

CONFINT_MAXITER = 1000
"""metafor's ``confint`` iteration limit for ``uniroot``."""


def _sums(w: np.ndarray, a=1.0, b=1.0) -> np.ndarray:
    """sum_ij P_ij² a_i b_j per analysis, P = W - w w'/S (zero weight in the padding)."""
    s = w.sum(axis=0)
    w2 = w * w
    wa = w2 * a
    return (
        (wa * b).sum(axis=0) - 2.0 * (w2 * w * a * b).sum(axis=0) / s
        + wa.sum(axis=0) * (w2 * b).sum(axis=0) / s**2
    )  # fmt: skip


def tau2_se_many(d: Padded, tau2: np.ndarray, method: str) -> np.ndarray:
    """metafor's standard error of the tau² estimate of each analysis (NaN for EE or k = 1)."""
    k = d.k.astype(float)
    df = k - 1.0
    v = np.where(d.present, d.v, 0.0)  # padding: 0 so products with v vanish
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "EE":
            se = np.full(k.size, np.nan)
        elif method in ("DL", "HS"):
            w = 1.0 / d.v
            s = w.sum(axis=0)
            tr_p = s - (w * w).sum(axis=0) / s
            numerator = 2.0 * df + 4.0 * tau2 * tr_p + 2.0 * tau2**2 * _sums(w)
            se = np.sqrt(numerator) / (tr_p if method == "DL" else s)
        elif method == "HE":
            w = d.present.astype(float)
            tr_pv = v.sum(axis=0) * (1.0 - 1.0 / k)
            tr_pvpv = _sums(w, v, v)
            se = np.sqrt(2.0 * tr_pvpv + 4.0 * tau2 * tr_pv + 2.0 * tau2**2 * df) / df
        elif method == "SJ":
            ybar = d.y.sum(axis=0) / k
            r = np.where(d.present, d.y - ybar, 0.0)
            tau2_0 = column_dot(r, r) / k
            w = 1.0 / (d.v + tau2_0)
            inner = 2.0 * _sums(w, v, v) + 4.0 * tau2 * _sums(w, 1.0, v) + 2.0 * tau2**2 * _sums(w)
            se = tau2_0 / df * np.sqrt(inner)
        else:
            w = 1.0 / (d.v + tau2)
            if method == "ML":
                se = np.sqrt(2.0 / (w * w).sum(axis=0))
            elif method == "REML":
                se = np.sqrt(2.0 / _sums(w))
            else:  # EB, PM
                se = np.sqrt(2.0 * k**2 / df) / w.sum(axis=0)
    return np.where(d.k > 1, se, np.nan)


def tau2_confint_many(d: Padded, tau2: np.ndarray, level: float) -> dict[str, np.ndarray]:
    """Q-profile CI bounds of tau² for every analysis: ``low``, ``high`` (NaN where undefined:
    k = 1 or tau² NaN) and metafor's ``"<"``/``">"`` signs as ``low_sign``/``high_sign``
    (object arrays of str), matching :func:`ivigmeta.stats.models.confint.tau2_confint`."""
    n = d.k.size
    alpha = 1.0 - level / 100.0
    df = d.k - 1.0
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    low_sign = np.full(n, "", dtype=object)
    high_sign = np.full(n, "", dtype=object)
    rows = np.flatnonzero((d.k > 1) & np.isfinite(tau2))
    if rows.size == 0:
        return {"low": low, "high": high, "low_sign": low_sign, "high_sign": high_sign}
    sub = d.take(rows)
    t = tau2[rows]
    lo_min = np.minimum(0.0, t)
    hi_max = np.maximum(np.maximum(100.0, 10.0 * t), 10.0 * lo_min)
    with np.errstate(divide="ignore", invalid="ignore"):
        crit_u = chi2_ppf(1.0 - alpha / 2.0, df[rows])
        crit_l = chi2_ppf(alpha / 2.0, df[rows])
        q_max, q_min = q_statistic(sub, hi_max), q_statistic(sub, lo_min)
    lo, hi = np.full(rows.size, np.nan), np.full(rows.size, np.nan)
    lo_s = np.full(rows.size, "", dtype=object)
    hi_s = np.full(rows.size, "", dtype=object)

    def solve(which: np.ndarray, target: np.ndarray) -> np.ndarray:
        if which.size == 0:
            return np.zeros(0)
        part = sub.take(which)

        def f(x: np.ndarray, active: np.ndarray) -> np.ndarray:
            return q_statistic(part.take(active), x) - target[which][active]

        with np.errstate(divide="ignore", invalid="ignore"):
            root, _, _ = uniroot_many(
                f, lo_min[which], hi_max[which], q_min[which] - target[which],
                q_max[which] - target[which], maxiter=CONFINT_MAXITER,
            )  # fmt: skip
        return root

    # upper bound (solves against the lower chi² quantile), as tau2_confint
    empty = q_min < crit_l
    capped = ~empty & (q_max > crit_l)
    search = np.flatnonzero(~empty & ~capped)
    lo[empty], hi[empty] = lo_min[empty], lo_min[empty]
    lo_s[empty], hi_s[empty] = "<", "<"
    hi[capped], hi_s[capped] = hi_max[capped], ">"
    hi[search] = solve(search, crit_l)
    # lower bound
    above = q_max > crit_u
    at_min = ~above & (q_min < crit_u)
    search = np.flatnonzero(~above & ~at_min)
    lo[above], hi[above] = hi_max[above], hi_max[above]
    lo_s[above], hi_s[above] = ">", ">"
    lo[at_min] = lo_min[at_min]
    lo_s[at_min & (lo_min > 0)] = "<"
    lo[search] = solve(search, crit_u)
    low[rows], high[rows], low_sign[rows], high_sign[rows] = lo, hi, lo_s, hi_s
    return {"low": low, "high": high, "low_sign": low_sign, "high_sign": high_sign}
