"""rma.mh (OR, RR, RD, with the CMH and Tarone tests) and rma.peto against metafor 5.0-1.

Golden values: ``tests/oracle/mantel_haenszel.R`` (dat.bcg, dat.nielweise2007,
dat.collins1985a, four tables of dat.yusuf1985 and 40 seeded random sets of tables with zero
cells, double zeros included; rma.mh's/rma.peto's default add/to/drop00 and add = 1/2 to all
tables without drop00). Tolerance 1e-6 relative (closed forms); the largest deviation measured
is below 1e-12 (printed by ``test_largest_deviation``).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ivigmeta.effects.escalc import escalc
from ivigmeta.stats.models.mantel_haenszel import mantel_haenszel
from ivigmeta.stats.models.peto import peto

GOLDEN = json.loads((Path(__file__).parent / "oracle/golden/mantel_haenszel.json").read_text())
CASES = GOLDEN["cases"]
RTOL = 1e-6
FIELDS = {
    "beta": "estimate", "se": "se", "zval": "statistic", "pval": "p", "ci_lb": "ci_low",
    "ci_ub": "ci_high", "QE": "q", "QEp": "q_p", "I2": "i2", "H2": "h2", "k": "k",
    "k_yi": "k_yi", "MH": "cmh", "MHp": "cmh_p", "TA": "tarone", "TAp": "tarone_p",
}  # fmt: skip


def _vector(value):
    return np.atleast_1d(np.array([math.nan if v is None else v for v in np.atleast_1d(value)],
                                  dtype=float))  # fmt: skip


def _fit(case, level=95.0, correct=True):
    tables = {name: _vector(case["tables"][name]) for name in ("ai", "bi", "ci", "di")}
    options = {"add": case.get("add", 0.5), "to": case.get("to", "only0")}
    drop00 = case.get("drop00", True)
    if case.get("method", "MH") == "PETO":
        effects = escalc("PETO", drop00=drop00, **tables, **options)
        return peto(**tables, yi=effects.yi, vi=effects.vi, level=level), effects.yi, effects.vi
    effects = escalc(case.get("measure", "OR"), drop00=drop00, **tables, **options)
    fit = mantel_haenszel(**tables, yi=effects.yi, vi=effects.vi, measure=case.get("measure", "OR"),
                          level=level, correct=correct)  # fmt: skip
    return fit, effects.yi, effects.vi


def _deviations(case, fit, yi, vi):
    """(field, relative deviation) of every value metafor gives."""
    out = []
    for r_name, name in FIELDS.items():
        if r_name not in case:
            continue
        expected, got = case[r_name], getattr(fit, name)
        if expected is None:
            assert got is None or not math.isfinite(got), (r_name, got)
            continue
        deviation = abs(got - expected) / abs(expected) if expected else abs(got)
        out.append((r_name, deviation))
    for r_name, values in (("weights", fit.weights), ("yi", yi), ("vi", vi)):
        expected = _vector(case[r_name])
        assert np.array_equal(np.isnan(expected), np.isnan(values)), r_name
        ok = ~np.isnan(expected)
        scale = np.maximum(np.abs(expected[ok]), 1e-12)
        out.append((r_name, float(np.max(np.abs(values[ok] - expected[ok]) / scale, initial=0))))
    return out


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['data']}-{c['method']}-{c['measure']}-{c['variant']}" for c in CASES]
)
def test_matches_metafor(case):
    fit, yi, vi = _fit(case)
    bad = [(name, dev) for name, dev in _deviations(case, fit, yi, vi) if dev > RTOL]
    assert bad == []


def test_level_and_uncorrected_cmh():
    case = GOLDEN["level90"]
    fit, yi, vi = _fit(case, level=90.0, correct=False)
    assert [(n, d) for n, d in _deviations(case, fit, yi, vi) if d > RTOL] == []


def test_largest_deviation(capsys):
    largest = max(
        (dev, name, case["data"], case["method"], case["measure"])
        for case in CASES
        for name, dev in _deviations(case, *_fit(case))
    )
    with capsys.disabled():
        print(f"\nlargest relative deviation from metafor (rma.mh/rma.peto): {largest}")
    assert largest[0] < RTOL


def test_covers_what_the_issue_asks():
    """Zero cells, double zeros (both kinds) and every measure are in the oracle set."""
    measures = {(c["method"], c["measure"]) for c in CASES}
    assert measures == {("MH", "OR"), ("MH", "RR"), ("MH", "RD"), ("PETO", "OR")}
    random = {c["data"] for c in CASES if c["data"].startswith("random")}
    assert len(random) >= 30
    double = [c for c in CASES if any(
        (a == 0 and c_ == 0) or (b == 0 and d == 0)
        for a, b, c_, d in zip(*(_vector(c["tables"][x]) for x in ("ai", "bi", "ci", "di")),
                               strict=True))]  # fmt: skip
    assert len({c["data"] for c in double}) >= 20


def test_bcg_mantel_haenszel_risk_ratio_by_hand():
    """dat.bcg, MH risk ratio from the module docstring's formulas, written out here."""
    case = next(c for c in CASES if c["data"] == "dat.bcg" and c["method"] == "MH"
                and c["measure"] == "RR" and c["variant"] == "default")  # fmt: skip
    a, b, c, d = (_vector(case["tables"][x]) for x in ("ai", "bi", "ci", "di"))
    n1, n2 = a + b, c + d
    N = n1 + n2
    R, S = np.sum(a * n2 / N), np.sum(c * n1 / N)
    fit, _, _ = _fit(case)
    assert fit.estimate == pytest.approx(math.log(R / S), rel=1e-12)
    assert math.exp(fit.estimate) == pytest.approx(0.6353, abs=5e-5)  # metafor prints 0.6353
