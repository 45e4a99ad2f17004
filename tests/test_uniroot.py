"""uniroot(): R's Brent root finder."""

from __future__ import annotations

import math

import pytest

from ivigmeta.stats.numerics.uniroot import uniroot


def test_finds_square_root_of_two_within_tolerance():
    root = uniroot(lambda x: x * x - 2, 0.0, 2.0, tol=1e-12)
    assert root.converged
    assert root.root == pytest.approx(math.sqrt(2), abs=1e-12)


def test_stops_where_r_stops():
    # R: print(uniroot(function(x) x^2 - 2, c(0, 2))$root, digits = 17) -> 1.4142133199955025
    # (the default tolerance eps^0.25 stops well before sqrt(2) = 1.4142135623730951)
    assert uniroot(lambda x: x * x - 2, 0.0, 2.0).root == pytest.approx(
        1.4142133199955025, rel=1e-15
    )


def test_endpoint_root_returned_without_iterating():
    root = uniroot(lambda x: x - 1, 1.0, 3.0)
    assert (root.root, root.iterations) == (1.0, 0)


def test_same_signs_refused():
    with pytest.raises(ValueError, match="opposite sign"):
        uniroot(lambda x: x * x + 1, -1.0, 1.0)


def test_gives_up_after_maxiter():
    root = uniroot(lambda x: math.atan(x - 0.3) ** 3, 0.0, 1.0, tol=0.0, maxiter=2)
    assert not root.converged
