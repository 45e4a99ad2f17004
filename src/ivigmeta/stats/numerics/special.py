"""Special functions behind the distributions: log-gamma, and the regularized incomplete gamma
and beta functions with their prefactors.

numpy and the standard library only (see ``distributions`` for why not ``scipy.special``).

* Regularized incomplete gamma P(a, x), Q(a, x) and beta I_x(a, b): power series for P when
  x < a + 1, otherwise a continued fraction for Q; continued fraction for I_x(a, b) on the side
  x < (a + 1)/(a + b + 2) where it converges, I_x(a, b) = 1 - I_{1-x}(b, a) on the other (both
  continued fractions by the modified Lentz method: Press et al., Numerical Recipes, 3rd ed.,
  sections 6.2 and 6.4). The prefactors x^a e^-x / Gamma(a) and x^a (1-x)^b / B(a, b) are
  formed from Stirling's series with the large powers folded into x - 1 - log x (DiDonato &
  Morris, ACM TOMS 1986;12:377-393 and 1992;18:360-373, functions ``rcomp`` and ``brcomp``), so
  they stay accurate for a up to 1e6 and beyond, where lgamma differences lose digits.
"""

from __future__ import annotations

import math

import numpy as np

_EPS = 1e-16
_TINY = 1e-300
_MAX_ITER = 100_000
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _lgamma_scalar(x: float) -> float:
    try:
        return math.lgamma(x)
    except ValueError:  # poles at 0, -1, -2, ...
        return math.inf


_lgamma_object = np.frompyfunc(_lgamma_scalar, 1, 1)


def lgamma_array(x):
    """math.lgamma over an array, once per distinct value (df is usually shared)."""
    x = np.asarray(x, dtype=float)
    if x.size <= 16:
        return np.asarray(_lgamma_object(x), dtype=float)
    distinct, inverse = np.unique(x, return_inverse=True)
    return np.asarray(_lgamma_object(distinct), dtype=float)[inverse].reshape(x.shape)


def as_result(values):
    """A 0-d result as a numpy float scalar, anything else as a float array."""
    values = np.asarray(values, dtype=float)
    return values[()] if values.ndim == 0 else values


def log_gamma(x):
    """log |Gamma(x)| (``math.lgamma`` vectorised; +inf at the poles 0, -1, -2, ...)."""
    x = np.asarray(x, dtype=float)
    return as_result(lgamma_array(x))


# ---------------------------------------------------------------------------------------------
# Stirling's series and the prefactors of the incomplete gamma and beta functions

_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
_STIRLING_FROM = 10.0


def _stirling_remainder(z):
    """delta(z) = lgamma(z) - ((z - 1/2) log z - z + log(2 pi)/2), by its series (z >= 10)."""
    w = 1.0 / (z * z)
    total = np.zeros_like(z)
    for coefficient in reversed(_STIRLING):
        total = total * w + coefficient
    return total / z


def _x_minus_1_minus_log_x(z):
    """(1 + z) - 1 - log(1 + z) = z - log1p(z), given z = x - 1."""
    return z - np.log1p(z)


def log_gamma_prefactor(a, x):
    """log(x^a e^-x / Gamma(a)) (DiDonato & Morris ``rcomp``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = a * np.log(x) - x - lgamma_array(a)
        big = a >= _STIRLING_FROM
        if np.any(big):
            ab = a[big]
            stirling = (
                0.5 * np.log(ab)
                - _HALF_LOG_2PI
                - ab * _x_minus_1_minus_log_x((x[big] - ab) / ab)
                - _stirling_remainder(ab)
            )
            direct[big] = stirling
    return direct


def _log_beta_prefactor(a, b, x, y, log_x, log_y):
    """log(x^a y^b / B(a, b)) with y = 1 - x (DiDonato & Morris ``brcomp``).

    Stirling's series for each of a, b, a + b that is at least 10, with the large powers
    folded into x - 1 - log x, so no two large numbers are subtracted.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        c = a + b
        result = a * log_x + b * log_y - lgamma_array(a) - lgamma_array(b) + lgamma_array(c)
        big_a = a >= _STIRLING_FROM
        big_b = b >= _STIRLING_FROM
        both = big_a & big_b
        if np.any(both):
            aa, bb, cc = a[both], b[both], c[both]
            lam = np.where(aa <= bb, aa - cc * x[both], cc * y[both] - bb)
            # 1 - lam/a = x (a+b)/a and 1 + lam/b = y (a+b)/b: their logs from log x, log y
            # when far from 1, where 1 -/+ lam/.. would cancel
            e_a, e_b = -lam / aa, lam / bb
            log_a = np.where(np.abs(e_a) > 0.6, log_x[both] - np.log(aa / cc), np.log1p(e_a))
            log_b = np.where(np.abs(e_b) > 0.6, log_y[both] - np.log(bb / cc), np.log1p(e_b))
            result[both] = (
                0.5 * np.log(aa * bb / cc)
                - _HALF_LOG_2PI
                - aa * (e_a - log_a)
                - bb * (e_b - log_b)
                + _stirling_remainder(cc)
                - _stirling_remainder(aa)
                - _stirling_remainder(bb)
            )
        for big, small, lg, ls, mask in (
            (a, b, log_x, log_y, big_a & ~big_b),
            (b, a, log_y, log_x, big_b & ~big_a),
        ):
            if np.any(mask):
                large, little, cc = big[mask], small[mask], c[mask]
                # log Gamma(c)/Gamma(large) = (large - 1/2) log(c/large) + little (log c - 1) + ...
                result[mask] = (
                    large * lg[mask]
                    + (large - 0.5) * np.log1p(little / large)
                    - little
                    + little * (np.log(cc) + ls[mask])
                    + _stirling_remainder(cc)
                    - _stirling_remainder(large)
                    - lgamma_array(little)
                )
    return result


# ---------------------------------------------------------------------------------------------
# regularized incomplete gamma and beta functions


def _guard(v):
    """Lentz's guard against a zero denominator."""
    return np.where(np.abs(v) < _TINY, _TINY, v)


def _gamma_series(a, x):
    """sum_{n>=0} x^n / ((a+1)...(a+n)) / a, so that P(a, x) = prefactor * sum (x < a + 1)."""
    result = np.empty_like(a)
    index = np.arange(a.size)
    term = 1.0 / a
    total = term.copy()
    ap = a.copy()
    for _ in range(_MAX_ITER):
        ap += 1.0
        term *= x / ap
        total += term
        going = np.abs(term) >= np.abs(total) * _EPS
        if not going.all():
            result[index[~going]] = total[~going]
            index, a, x, ap, term, total = (v[going] for v in (index, a, x, ap, term, total))
            if index.size == 0:
                break
    return result


def _gamma_fraction(a, x):
    """Continued fraction for Q(a, x) / prefactor (x >= a + 1), modified Lentz (NR 6.2.7)."""
    result = np.empty_like(a)
    index = np.arange(a.size)
    b = x + 1.0 - a
    c = np.full_like(a, 1.0 / _TINY)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, _MAX_ITER):
        b = b + 2.0
        an = -i * (i - a)
        d = 1.0 / _guard(an * d + b)
        c = _guard(b + an / c)
        delta = d * c
        h = h * delta
        going = np.abs(delta - 1.0) >= _EPS
        if not going.all():
            result[index[~going]] = h[~going]
            index, a, b, c, d, h = (v[going] for v in (index, a, b, c, d, h))
            if index.size == 0:
                break
    return result


def gamma_inc(a, x):
    """(P(a, x), Q(a, x)), each with full relative precision where it is the smaller one."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(x, dtype=float))
    a, x = a.ravel().copy(), x.ravel().copy()
    lower = np.full(a.shape, np.nan)
    upper = np.full(a.shape, np.nan)
    valid = (a > 0) & (x >= 0) & np.isfinite(a)
    lower[valid & (x == 0)], upper[valid & (x == 0)] = 0.0, 1.0
    lower[valid & (x == np.inf)], upper[valid & (x == np.inf)] = 1.0, 0.0
    inner = valid & (x > 0) & np.isfinite(x)
    series = inner & (x < a + 1.0)
    fraction = inner & ~series
    if np.any(series):
        aa, xx = a[series], x[series]
        p = np.exp(log_gamma_prefactor(aa, xx)) * _gamma_series(aa, xx)
        lower[series], upper[series] = p, 1.0 - p
    if np.any(fraction):
        aa, xx = a[fraction], x[fraction]
        q = np.exp(log_gamma_prefactor(aa, xx)) * _gamma_fraction(aa, xx)
        lower[fraction], upper[fraction] = 1.0 - q, q
    return lower, upper


def _beta_fraction(a, b, x, y):
    """Continued fraction for I_x(a, b) * a / prefactor, modified Lentz (NR 6.4.5).

    The first denominator 1 - (a + b) x/(a + 1) is formed as ((1 - b) + (a + b) y)/(a + 1)
    from y = 1 - x, which avoids cancellation when x is near 1.
    """
    result = np.empty_like(a)
    index = np.arange(a.size)
    c = np.ones_like(a)
    d = 1.0 / _guard(((1.0 - b) + (a + b) * y) / (a + 1.0))
    h = d.copy()
    for m in range(1, _MAX_ITER):
        m2 = 2.0 * m
        for coefficient in (
            m * (b - m) * x / ((a + (m2 - 1.0)) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + (m2 + 1.0))),
        ):
            d = 1.0 / _guard(1.0 + coefficient * d)
            c = _guard(1.0 + coefficient / c)
            delta = d * c
            h = h * delta
        going = np.abs(delta - 1.0) >= _EPS
        if not going.all():
            result[index[~going]] = h[~going]
            index, a, b, x, c, d, h = (v[going] for v in (index, a, b, x, c, d, h))
            if index.size == 0:
                break
    return result


def _gamma_upper_over_prefactor(a, x):
    """(Q(a, x) / r, log r) with r = x^a e^-x / Gamma(a), so that tiny r does not underflow."""
    log_r = log_gamma_prefactor(a, x)
    ratio = np.empty_like(a)
    series = x < a + 1.0
    if np.any(series):
        r = np.exp(log_r[series])
        ratio[series] = (1.0 - r * _gamma_series(a[series], x[series])) / r
    if np.any(~series):
        ratio[~series] = _gamma_fraction(a[~series], x[~series])
    return ratio, log_r


def _beta_large_a_small_b(a, b, log_x):
    """I_x(a, b) for a >= 15, b <= 1: asymptotic expansion in incomplete gamma functions.

    DiDonato & Morris (1992), ACM TOMS 18:360-373, routine BGRAT: with nu = a + (b - 1)/2 and
    z = -nu log x, I_x(a, b) = Gamma(a+b)/(Gamma(a) nu^b) * r * sum_n d_n J_n(b, z), where
    r = z^b e^-z / Gamma(b), J_0 = Q(b, z)/r. Used where x is near 1 and the continued
    fraction loses digits to cancellation (the t distribution with large df).
    """
    b_minus_1 = b - 1.0
    nu = a + 0.5 * b_minus_1
    z = -nu * log_x
    log_ratio = (
        (a - 0.5) * np.log1p(b / a)
        - b
        + b * np.log1p((b + 1.0) / (2.0 * nu))
        + _stirling_remainder(a + b)
        - _stirling_remainder(a)
    )
    j, log_r = _gamma_upper_over_prefactor(b, z)
    v = 0.25 / (nu * nu)
    t2 = 0.25 * log_x * log_x
    total = j.copy()
    t = np.ones_like(a)
    cn = 1.0
    c, d = [], []
    for n in range(1, 31):
        bp2n = b + 2.0 * (n - 1)
        j = (bp2n * (bp2n + 1.0) * j + (z + bp2n + 1.0) * t) * v
        t = t * t2
        cn /= (2.0 * n) * (2.0 * n + 1.0)
        c.append(cn)
        s = np.zeros_like(a)
        for i in range(1, n):
            s += (i * b - n) * c[i - 1] * d[n - i - 1]
        d.append(b_minus_1 * cn + s / n)
        term = d[-1] * j
        total += term
        if np.all(np.abs(term) <= 1e-16 * total):
            break
    return np.exp(log_r + log_ratio) * total


def _beta_power_series(a, b, x, log_x, log_y):
    """I_x(a, b) for small b x: x^a / (a B(a, b)) [1 + a sum_j (1-b)...(j-b)/j! x^j/(a + j)].

    DiDonato & Morris routine BPSER; with b x <= 1 the terms fall like (b x)^j / j!.
    """
    total = np.zeros_like(a)
    coefficient = np.ones_like(a)
    for j in range(1, 200):
        coefficient = coefficient * (j - b) * x / j
        term = coefficient / (a + j)
        total += term
        if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            break
    log_prefix = _log_beta_prefactor(a, b, x, 1.0 - x, log_x, log_y) - b * log_y - np.log(a)
    return np.exp(log_prefix) * (1.0 + a * total)


def _beta_large_a_moderate_b(a, b, x, y, log_x, log_y):
    """I_x(a, b) for a >= 15, b <= 15: the expansion at b' = b - n in (0, 1], then upwards.

    I_x(a, b + 1) = I_x(a, b) + x^a y^b / (b B(a, b)) (Abramowitz & Stegun 26.5.16; DiDonato &
    Morris routine BUP), a sum of positive terms, so no digits are lost.
    """
    steps = np.ceil(b) - 1.0
    base = b - steps
    value = _beta_large_a_small_b(a, base, log_x)
    for k in range(int(steps.max(initial=0.0))):
        going = k < steps
        bk = base[going] + k
        term = np.exp(
            _log_beta_prefactor(a[going], bk, x[going], y[going], log_x[going], log_y[going])
        )
        value[going] += term / bk
    return value


def beta_inc(a, b, x, y, log_x, log_y):
    """I_x(a, b) given x, y = 1 - x and their logs, all computed accurately.

    Full relative precision where I_x(a, b) is small (the continued fraction on the side where
    it converges, or the asymptotic expansion for large a and b <= 1), full absolute precision
    where it is near 1 (formed as 1 - I_y(b, a)).
    """
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, x, y, log_x, log_y)))
    a, b, x, y, log_x, log_y = (v.ravel().copy() for v in arrays)
    value = np.full(a.shape, np.nan)
    valid = (a > 0) & (b > 0) & (x >= 0) & (y >= 0)
    with np.errstate(invalid="ignore"):
        direct = valid & (x * (a + b + 2.0) < a + 1.0)
    swapped = valid & ~direct
    # one parameter >= 15, the other <= 15, the variable of the large one near 1: asymptotic
    # expansion instead of the continued fraction, which loses digits there. I_x(a, b) for
    # large a directly; for large b as 1 - I_y(b, a) where that is >= 0.1, else (b x small)
    # by the power series
    expand_x = valid & (a >= 15.0) & (b <= 15.0) & (x >= 0.5)
    value[expand_x & (log_x == 0)] = 1.0
    expand_x &= log_x != 0
    if np.any(expand_x):
        value[expand_x] = _beta_large_a_moderate_b(
            a[expand_x], b[expand_x], x[expand_x], y[expand_x], log_x[expand_x], log_y[expand_x]
        )
    expand_y = valid & ~expand_x & (b >= 15.0) & (a <= 15.0) & (y >= 0.5) & (log_y != 0)
    if np.any(expand_y):
        v = _beta_large_a_moderate_b(
            b[expand_y], a[expand_y], y[expand_y], x[expand_y], log_y[expand_y], log_x[expand_y]
        )
        value[expand_y] = np.where(v <= 0.9, 1.0 - v, np.nan)
        expand_y[expand_y] = v <= 0.9
    series = valid & ~expand_x & ~expand_y & (b >= 15.0) & (a <= 15.0) & (b * x <= 1.0)
    if np.any(series):
        value[series] = _beta_power_series(
            a[series], b[series], x[series], log_x[series], log_y[series]
        )
    done = expand_x | expand_y | series
    direct &= ~done
    swapped &= ~done
    for mask, flip in ((direct, False), (swapped, True)):
        if np.any(mask):
            args = (a[mask], b[mask], x[mask], y[mask], log_x[mask], log_y[mask])
            if flip:  # I_x(a, b) = 1 - I_y(b, a)
                args = (args[1], args[0], args[3], args[2], args[5], args[4])
            v = np.exp(_log_beta_prefactor(*args)) * _beta_fraction(*args[:4]) / args[0]
            value[mask] = 1.0 - v if flip else v
    return value
