"""Properties of the sensitivity and small-study-effect methods that must hold for any data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.bias.failsafe import rosenthal_failsafe_n
from ivigmeta.stats.bias.rank_correlation import kendall_exact_cdf, rank_correlation_test
from ivigmeta.stats.bias.trim_and_fill import trim_and_fill
from ivigmeta.stats.numerics.distributions import norm_ppf
from ivigmeta.stats.sensitivity.leave_one_out import leave_one_out

effects = st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 4))
variances = st.floats(0.01, 1.0, allow_nan=False).map(lambda x: round(x, 4))


@st.composite
def studies(draw, min_size=3, max_size=12):
    k = draw(st.integers(min_size, max_size))
    yi = draw(st.lists(effects, min_size=k, max_size=k))
    vi = draw(st.lists(variances, min_size=k, max_size=k, unique=True))
    return np.array(yi), np.array(vi)


@settings(max_examples=30, deadline=None)
@given(studies(), st.randoms(use_true_random=False))
def test_leave_one_out_rows_follow_the_studies_when_shuffled(data, random):
    yi, vi = data
    ids = [f"s{i}" for i in range(yi.size)]
    order = list(range(yi.size))
    random.shuffle(order)
    plain = {r.id: r for r in leave_one_out(yi, vi, ids, method="DL").rows}
    shuffled = leave_one_out(yi[order], vi[order], [ids[i] for i in order], method="DL").rows
    for row in shuffled:
        assert row.estimate == pytest.approx(plain[row.id].estimate, rel=1e-9, abs=1e-12)
        assert row.tau2 == pytest.approx(plain[row.id].tau2, rel=1e-9, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(studies())
def test_rank_test_is_antisymmetric_in_the_effects(data):
    yi, vi = data
    forward = rank_correlation_test(yi, vi)
    mirrored = rank_correlation_test(-yi, vi)
    if math.isnan(forward.tau):  # all effects equal: undefined both ways (metafor: NA)
        assert math.isnan(mirrored.tau) and math.isnan(mirrored.p)
        return
    assert mirrored.tau == pytest.approx(-forward.tau, abs=1e-12)
    assert mirrored.p == pytest.approx(forward.p, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(studies(min_size=4))
def test_trim_and_fill_mirrors_with_the_data(data):
    yi, vi = data
    forward = _trim_and_fill_or_error(yi, vi, "left")
    mirrored = _trim_and_fill_or_error(-yi, vi, "right")
    if isinstance(forward, str):  # k0 oscillates: metafor stops too ("did not converge")
        assert mirrored == forward
        return
    assert mirrored.k0 == forward.k0
    assert mirrored.estimate == pytest.approx(-forward.estimate, rel=1e-9, abs=1e-12)
    assert sorted(mirrored.filled_yi) == pytest.approx(sorted(-y for y in forward.filled_yi))


def _trim_and_fill_or_error(yi, vi, side):
    try:
        return trim_and_fill(yi, vi, method="DL", side=side)
    except AnalysisError as error:
        return str(error)


def test_trim_and_fill_that_does_not_converge_is_an_analysis_error():
    # metafor 3.8-1 and 5.0-1 on these data: "Trim and fill algorithm did not converge."
    # (k0 oscillates)
    yi = [0, 0, 0, -1, -0.25, 0, 0, 0, 0, -0.5, -1.5, 2]
    vi = [0.625, 0.4375, 0.0625, 0.1875, 0.75, 0.875, 0.25, 0.125, 0.0156, 0.375, 0.5, 1]
    with pytest.raises(AnalysisError, match="did not converge in 100 iterations"):
        trim_and_fill(yi, vi, method="DL", side="left")


@pytest.mark.parametrize("n", [2, 5, 9])
def test_exact_kendall_distribution_is_symmetric(n):
    top = n * (n - 1) // 2
    for q in range(top):
        # P(T <= q) = P(T >= top - q) = 1 - P(T <= top - q - 1)
        assert kendall_exact_cdf(q, n) == pytest.approx(1 - kendall_exact_cdf(top - q - 1, n))


@settings(max_examples=40, deadline=None)
@given(studies(min_size=1, max_size=15))
def test_failsafe_n_null_studies_just_suffice(data):
    yi, vi = data
    result = rosenthal_failsafe_n(yi, vi)
    z_sum = abs(float(np.sum(yi / np.sqrt(vi))))
    k, n = yi.size, result.failsafe_n
    z_alpha = float(norm_ppf(0.95))
    # N null studies (z = 0) bring Stouffer's z to the one-sided 5% critical value or below ...
    assert z_sum / math.sqrt(k + n) <= z_alpha + 1e-9
    # ... and one study fewer would not (unless none are needed)
    if n > 0:
        assert z_sum / math.sqrt(k + n - 1) > z_alpha - 1e-9
