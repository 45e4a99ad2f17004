"""RevMan 5's standardised mean difference: Hedges' adjusted g with RevMan's approximations.

For two groups with means m1, m2, SDs sd1, sd2 and sizes n1, n2 (N = n1 + n2), pooled SD
s = sqrt(((n1 - 1) sd1² + (n2 - 1) sd2²) / (N - 2)):

    g = (m1 - m2) / s · (1 - 3 / (4N - 9)),    SE(g)² = N / (n1 n2) + g² / (2 (N - 3.94)).

metafor's ``escalc("SMD")`` uses the exact correction c(N - 2) and the variance
1/n1 + 1/n2 + g²/(2N) instead; R meta's ``metacont(sm = "SMD")`` uses RevMan's formulas by
default (``exact.smd = FALSE``), and so does ``ivigmeta pool --rm5``.

References: Deeks JJ, Higgins JPT. Statistical algorithms in Review Manager 5 (2010), section
"Standardised mean difference". Hedges LV, Olkin I. Statistical Methods for Meta-Analysis,
1985.
"""

from __future__ import annotations

import numpy as np


def revman_smd(m1i, sd1i, n1i, m2i, sd2i, n2i) -> tuple[np.ndarray, np.ndarray]:
    """(g, SE(g)²) per study as RevMan 5 computes them (formulas above); NaN where a pooled
    SD of 0 or N <= 3.94 leaves them undefined."""
    m1, s1, n1, m2, s2, n2 = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    total = n1 + n2
    with np.errstate(all="ignore"):
        pooled = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (total - 2))
        g = (m1 - m2) / pooled * (1 - 3 / (4 * total - 9))
        vi = total / (n1 * n2) + g**2 / (2 * (total - 3.94))
    bad = ~(np.isfinite(g) & np.isfinite(vi) & (pooled > 0) & (total > 3.94))
    return np.where(bad, np.nan, g), np.where(bad, np.nan, vi)
