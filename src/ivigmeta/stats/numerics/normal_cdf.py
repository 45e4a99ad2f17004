"""The standard normal CDF, vectorised, by the algorithm of R's ``pnorm``.

Cody's rational Chebyshev approximations (W. J. Cody, Math Comp 1969;23:631-637), as in R's
``pnorm_both`` (``src/nmath/pnorm.c``): three ranges |x| <= 0.674, <= sqrt(32) and beyond,
with exp(-x^2/2) split as exp(-xs^2/2) exp(-(x - xs)(x + xs)/2), xs = trunc(16 x)/16, to keep
full relative accuracy in the tails. numpy only (no scipy on the ``pool`` path); agrees with
``scipy.special.ndtr`` to about 1e-16 relative (``tests/test_bayes.py``).
"""

from __future__ import annotations

import math

import numpy as np

_A = (2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582,
      18154.981253343561249, 0.065682337918207449113)  # fmt: skip
_B = (47.20258190468824187, 976.09855173777669322, 10260.932208618978205,
      45507.789335026729956)  # fmt: skip
_C = (0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979,
      597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
      11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8)  # fmt: skip
_D = (22.266688044328115691, 235.38790178262499861, 1519.377599407554805,
      6485.558298266760755, 18615.571640885098091, 34900.952721145977266,
      38912.003286093271411, 19685.429676859990727)  # fmt: skip
_P = (0.21589853405795699, 0.1274011611602473639, 0.022235277870649807,
      0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303)  # fmt: skip
_Q = (1.28426009614491121, 0.468238212480865118, 0.0659881378689285515,
      0.00378239633202758244, 7.29751555083966205e-5)  # fmt: skip
_SQRT32 = math.sqrt(32.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _gauss_tail(y, temp):
    xs = np.trunc(y * 16.0) / 16.0
    return np.exp(-xs * xs * 0.5) * np.exp(-(y - xs) * (y + xs) * 0.5) * temp


def ndtr(x) -> np.ndarray:
    """Phi(x) for an array ``x`` (float array out)."""
    x = np.asarray(x, dtype=float)
    y = np.abs(x)
    out = np.empty_like(x)
    small = y <= 0.67448975
    mid = (y > 0.67448975) & (y <= _SQRT32)
    big = y > _SQRT32
    if small.any():
        xs = x[small]
        sq = xs * xs
        num, den = _A[4] * sq, sq
        for i in range(3):
            num = (num + _A[i]) * sq
            den = (den + _B[i]) * sq
        out[small] = 0.5 + xs * (num + _A[3]) / (den + _B[3])
    if mid.any():
        ym = y[mid]
        num, den = _C[8] * ym, ym
        for i in range(7):
            num = (num + _C[i]) * ym
            den = (den + _D[i]) * ym
        upper = _gauss_tail(ym, (num + _C[7]) / (den + _D[7]))
        out[mid] = np.where(x[mid] > 0, 1.0 - upper, upper)
    if big.any():
        yb = y[big]
        sq = 1.0 / (yb * yb)
        num, den = _P[5] * sq, sq
        for i in range(4):
            num = (num + _P[i]) * sq
            den = (den + _Q[i]) * sq
        temp = (_INV_SQRT_2PI - sq * (num + _P[4]) / (den + _Q[4])) / yb
        upper = _gauss_tail(yb, temp)
        out[big] = np.where(x[big] > 0, 1.0 - upper, upper)
    return out
