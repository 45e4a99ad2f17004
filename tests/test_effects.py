"""Effect sizes against metafor 5.0-1's escalc (golden values from tests/oracle/escalc*.R)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.effects.escalc import MEASURES, escalc
from ivigmeta.effects.hedges import small_sample_factor
from ivigmeta.errors import InputError

GOLDEN = [
    case
    for name in ("escalc.json", "escalc_measures.json")  # tests/oracle/escalc*.R
    for case in json.loads((Path(__file__).parent / "oracle/golden" / name).read_text())
]


def as_array(values):
    values = values if isinstance(values, list) else [values]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def assert_matches(actual, expected):
    expected = as_array(expected)
    assert actual.shape == expected.shape
    assert np.array_equal(np.isnan(actual), np.isnan(expected))
    ok = ~np.isnan(expected)
    np.testing.assert_allclose(actual[ok], expected[ok], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_escalc_matches_metafor(case):
    args = case["args"] or {}
    result = escalc(case["measure"], **args, **case["inputs"])
    assert_matches(result.yi, case["yi"])
    assert_matches(result.vi, case["vi"])


def test_every_measure_has_golden_values():
    assert {c["measure"] for c in GOLDEN} == set(MEASURES)


def test_golden_includes_large_m_and_zero_cells():
    names = " ".join(c["name"] for c in GOLDEN)
    assert "large m" in names and "zero cells" in names
    big = next(c for c in GOLDEN if c["name"] == "random large m SMD")
    m = np.array(big["inputs"]["n1i"]) + np.array(big["inputs"]["n2i"]) - 2
    assert m.min() == 344


def test_small_sample_factor_by_hand():
    # c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)); m = 3: Gamma(1.5)/(sqrt(1.5) Gamma(1))
    assert small_sample_factor(3) == pytest.approx(math.gamma(1.5) / math.sqrt(1.5), rel=1e-12)
    # large m: finite and close to Hedges' approximation 1 - 3/(4m - 1)
    assert small_sample_factor(10_000) == pytest.approx(1 - 3 / 39_999, rel=1e-8)
    assert np.isnan(small_sample_factor(1))


def test_mean_change_from_change_scores_by_hand():
    # m1i = mean change, m2i = 0, sd1i = SD of change, sd2i = 0: vi = 8.3^2 / 25
    result = escalc("MC", m1i=-8, m2i=0, sd1i=8.3, sd2i=0, ni=25, ri=0)
    assert result.yi[0] == -8
    assert result.vi[0] == pytest.approx(8.3**2 / 25, rel=1e-12)


def test_missing_column_lists_required_columns():
    expected = r"MD needs columns m1i sd1i n1i m2i sd2i n2i; missing n2i"
    with pytest.raises(InputError, match=expected):
        escalc("MD", m1i=1, sd1i=1, n1i=5, m2i=0, sd2i=1)


def test_alternative_column_sets_are_named():
    with pytest.raises(InputError, match=r"ai bi ci di \(or ai n1i ci n2i\)"):
        escalc("RR", ai=[1], ci=[2])


def test_invalid_value_names_row_and_column():
    with pytest.raises(InputError, match=r"sd2i: row 2: expected a value >= 0") as error:
        escalc("MD", m1i=[1, 2], sd1i=[1, 1], n1i=[5, 5], m2i=[0, 0], sd2i=[1, -1], n2i=[5, 5])
    assert error.value.row == 1


def test_inconsistent_group_size_is_rejected():
    with pytest.raises(InputError, match="n1i = events \\+ bi"):
        escalc("OR", ai=[3], bi=[7], n1i=[11], ci=[2], di=[8])


def test_unknown_measure():
    with pytest.raises(InputError, match="expected one of GEN, MD"):
        escalc("XYZ", yi=[1], vi=[1])


@pytest.mark.parametrize(
    ("measure", "columns", "message"),
    [
        ("ZCOR", {"ri": [0.2, 1.0], "ni": [20, 30]}, "ri: row 2: expected a correlation strictly"),
        ("COR", {"ri": [-1.2], "ni": [20]}, "ri: row 1: expected a correlation strictly"),
        (
            "IRR",
            {"x1i": [1], "t1i": [0], "x2i": [2], "t2i": [10]},
            "t1i: row 1: expected a value > 0",
        ),
        ("IR", {"xi": [3, -1], "ti": [10, 10]}, "xi: row 2: expected a value >= 0"),
        (
            "PETO",
            {"ai": [5], "n1i": [4], "ci": [1], "n2i": [9]},
            "n1i: row 1: expected a group size",
        ),
        ("MNLN", {"mi": [-2], "sdi": [1], "ni": [10]}, "mi: row 1: expected a value >= 0"),
        (
            "VR",
            {"sd1i": [1], "n1i": [10], "sd2i": [2]},
            "VR needs columns sd1i n1i sd2i n2i; missing n2i",
        ),
        ("IRD", {"x1i": [1], "t1i": [3]}, "missing x2i, t2i"),
    ],
)
def test_new_measures_refuse_bad_input(measure, columns, message):
    with pytest.raises(InputError, match=message):
        escalc(measure, **columns)


def test_new_measures_by_hand():
    # ZCOR: atanh(0.5) = 0.5493061443, vi = 1/(50 - 3); IRR: log((6/100)/(3/200)) = log 4
    z = escalc("ZCOR", ri=0.5, ni=50)
    assert (z.yi[0], z.vi[0]) == (pytest.approx(0.5493061443340549), pytest.approx(1 / 47))
    irr = escalc("IRR", x1i=6, t1i=100, x2i=3, t2i=200)
    assert (irr.yi[0], irr.vi[0]) == (pytest.approx(math.log(4)), pytest.approx(1 / 6 + 1 / 3))
    # PETO for 10/50 vs 20/50: E = 15, V = 30 * 70 * 0.25 / 99, yi = -5 / V
    peto = escalc("PETO", ai=10, n1i=50, ci=20, n2i=50)
    v = 30 * 70 * 0.25 / 99
    assert (peto.yi[0], peto.vi[0]) == (pytest.approx(-5 / v), pytest.approx(1 / v))
