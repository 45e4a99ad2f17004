"""RevMan 5's Mantel-Haenszel risk difference (Greenland & Robins 1985), as R meta's
``metabin(sm = "RD", method = "MH", MH.exact = FALSE)``.

For tables (a, b, c, d) with group sizes n1 = a + b, n2 = c + d, N = n1 + n2, where tables
with a zero cell have 1/2 added to each cell for the weights and the variance (a', b', c',
d', n1' = n1 + 1, ...):

    w_i = n1' n2' / N',   RD_MH = sum w_i RD_i / sum w_i   (RD_i = a/n1 - c/n2, uncorrected),
    Var(RD_MH) = sum (a' b' n2'³ + c' d' n1'³) / (n1' n2' N'²) / (sum w_i)².

metafor's ``rma.mh`` (:mod:`ivigmeta.stats.models.mantel_haenszel`) uses the uncorrected
tables and the variance of Sato, Greenland & Robins (1989) instead.

References: Greenland S, Robins JM. Biometrics 1985;41:55-68. Deeks JJ, Higgins JPT.
Statistical algorithms in Review Manager 5 (2010).
"""

from __future__ import annotations

import math

import numpy as np

from ivigmeta.stats.numerics.distributions import two_sided_z_p, z_crit


def revman_mh_risk_difference(ai, bi, ci, di, *, level: float = 95.0) -> dict:
    """``estimate se ci_low ci_high statistic p`` and ``weights`` (percent) of RevMan's
    Mantel-Haenszel risk difference (module docstring)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    rd = a / (a + b) - c / (c + d)
    add = 0.5 * ((a == 0) | (b == 0) | (c == 0) | (d == 0))
    a, b, c, d = a + add, b + add, c + add, d + add
    n1, n2 = a + b, c + d
    total = n1 + n2
    w = n1 * n2 / total
    estimate = float(np.sum(w * rd) / np.sum(w))
    se = math.sqrt(float(np.sum((a * b * n2**3 + c * d * n1**3) / (n1 * n2 * total**2)))
                   / float(np.sum(w)) ** 2)  # fmt: skip
    crit = z_crit(level)
    z = estimate / se
    return {"estimate": estimate, "se": se, "ci_low": estimate - crit * se,
            "ci_high": estimate + crit * se, "statistic": z, "p": two_sided_z_p(z),
            "weights": 100 * w / np.sum(w)}  # fmt: skip
