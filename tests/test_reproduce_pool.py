"""reproduce-pool: study rounding boxes, pooled quantities, the BCG example, CLI and bad input.

The model-finding itself is checked against metafor in test_reproduce_pool_oracle.py; here
the pieces are checked against hand derivations and pool_many, and the command's contract
(exit codes, JSON keys, one-line errors naming file:line: field).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivigmeta.analyses.reproduce_pool import reproduce_pool
from ivigmeta.cli import cli
from ivigmeta.errors import IvigmetaError
from ivigmeta.stats.checks.pool_search import _admissible
from ivigmeta.stats.checks.pooled_line import model_values
from ivigmeta.stats.checks.study_boxes import study_box
from ivigmeta.stats.models.pool_many import pool_many

EXAMPLE = Path(__file__).parent.parent / "examples/reproduce-pool.yaml"
Z = 1.959963984540054


def test_study_box_by_hand():
    """MD printed 1.00 [0.50, 1.50]: y in [0.995, 1.005]; 2 z s = U - L in [0.99, 1.01]."""
    box = study_box((0.995, 1.005), (0.495, 0.505), (1.495, 1.505), Z)
    y, s = box.vertices[:, 0], box.vertices[:, 1]
    assert y.min() >= 0.995 - 1e-12 and y.max() <= 1.005 + 1e-12
    assert s.min() == pytest.approx(0.99 / (2 * Z), abs=1e-12)
    assert s.max() == pytest.approx(1.01 / (2 * Z), abs=1e-12)
    lows, highs = y - Z * s, y + Z * s
    assert lows.min() >= 0.495 - 1e-12 and lows.max() <= 0.505 + 1e-12
    assert highs.min() >= 1.495 - 1e-12 and highs.max() <= 1.505 + 1e-12
    assert box.uses_estimate
    # the unrounded truth (1, 0.5/z) is admissible; a point just outside is not
    inside = np.array([[1.0, 0.5 / Z]])
    outside = np.array([[1.0, 0.52 / Z]])
    assert _admissible([box], inside)[0] and not _admissible([box], outside)[0]


def test_off_centre_estimate_falls_back_to_the_ci():
    """1.20 [0.50, 1.50] cannot be yi ± z sei: yi comes from the CI, (L + U)/2."""
    box = study_box((1.195, 1.205), (0.495, 0.505), (1.495, 1.505), Z)
    assert not box.uses_estimate
    assert box.vertices[:, 0].min() == pytest.approx(0.995)
    assert box.vertices[:, 0].max() == pytest.approx(1.005)


@pytest.mark.parametrize("method", ["DL", "REML", "EE"])
@pytest.mark.parametrize("test", ["z", "t", "knha", "adhoc"])
def test_model_values_equal_pool_many(method, test):
    rng = np.random.default_rng(3)
    data = [(rng.normal(0, 0.5, 7), rng.uniform(0.02, 0.3, 7)) for _ in range(5)]
    base = pool_many(data, method=method, test="z")
    y = np.array([d[0] for d in data]).T
    v = np.array([d[1] for d in data]).T
    w = 1 / (v + base.tau2)
    rss = (w * (y - base.estimate) ** 2).sum(axis=0)
    got = model_values(base, test, rss)
    for pi in ("z", "t", "hts"):
        ref = pool_many(data, method=method, test=test, pi=pi)
        for name in ("estimate", "ci_low", "ci_high", "statistic", "p", "tau2", "q", "q_p"):
            np.testing.assert_allclose(got[name], getattr(ref, name), rtol=1e-12)
        np.testing.assert_allclose(got["i2:metafor"], ref.i2, rtol=1e-12)
        np.testing.assert_allclose(got[f"pi_low:{pi}"], ref.pi_low, rtol=1e-12)
        np.testing.assert_allclose(got[f"pi_high:{pi}"], ref.pi_high, rtol=1e-12)
    q = base.q
    np.testing.assert_allclose(got["i2:Q"], np.maximum(0, 100 * (q - 6) / q), rtol=1e-12)
    if method != "EE":  # metafor predtype="simple": mu ± z tau
        np.testing.assert_allclose(got["pi_high:simple"], base.estimate + Z * np.sqrt(base.tau2))


def test_bcg_example_reproduced_by_the_random_effects_z_models():
    """metafor 5.0-1 on dat.bcg (RR, REML): 0.49 [0.34, 0.70], tau² 0.3132, I² 92.22%, PI
    0.15 to 1.55 (predict, transf=exp). From the printed study rows alone, REML/z gives it
    back; the equal-effects model cannot (it has no tau²)."""
    result = reproduce_pool(EXAMPLE)
    assert "REML/z" in result.reproduced_by and "DL/z" in result.reproduced_by
    assert not any(m.startswith("EE/") for m in result.reproduced_by)
    assert result.printed_rows == 13 and result.k == 13
    bounds = {"estimate": (0.485, 0.495), "ci_low": (0.335, 0.345), "ci_high": (0.695, 0.705),
              "pi_low": (0.145, 0.155), "pi_high": (1.545, 1.555), "tau2": (0.305, 0.315),
              "i2": (91.5, 92.5)}  # fmt: skip
    for name, (low, high) in bounds.items():
        assert result.intervals[name] == pytest.approx([low, high], rel=1e-12)
    for candidate in result.candidates:
        if candidate.verdict == "consistent":  # the witness really gives every printed number
            for name, (low, high) in bounds.items():
                assert low - 1e-9 <= candidate.values[name] <= high + 1e-9
    reml = next(c for c in result.candidates if (c.method, c.test) == ("REML", "z"))
    assert reml.pi_rules == ["z"]  # metafor's predict() under a z test


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "meta.yaml"
    path.write_text(text)
    return str(path)


def test_cli_exit_codes_and_json(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["reproduce-pool", str(EXAMPLE), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert {"reproduced_by", "candidates", "notes", "printed", "intervals"} <= set(data)
    first = data["candidates"][0]
    assert {"method", "test", "verdict", "quantities"} <= set(first)
    assert set(first["quantities"].values()) <= {"consistent", "inconsistent"}
    assert len(data["candidates"]) == 36  # 9 estimators x 4 tests (no MH/Peto: printed rows)
    wrong = EXAMPLE.read_text().replace('estimate: "0.49"', 'estimate: "0.60"')
    bad = runner.invoke(cli, ["reproduce-pool", _write(tmp_path, wrong), "--format", "json"])
    assert bad.exit_code == 1
    notes = json.loads(bad.output)["notes"]
    assert list(notes) == ["estimate"] and "0.595, 0.605" in notes["estimate"]
    for fmt, start in (("table", "reproduce-pool: "), ("md", "reproduce-pool: "),
                       ("csv", "method,test,verdict,estimate")):  # fmt: skip
        out = runner.invoke(cli, ["reproduce-pool", str(EXAMPLE), "--format", fmt])
        assert out.exit_code == 0 and out.output.startswith(start)


def test_raw_tables_try_mantel_haenszel_and_peto(tmp_path):
    tables = [(4, 123, 11, 139), (6, 306, 29, 303), (3, 231, 11, 220), (0, 40, 3, 41)]
    rows = "\n".join(
        f"  - {{id: t{i}, ai: {a}, n1i: {n1}, ci: {c}, n2i: {n2}}}"
        for i, (a, n1, c, n2) in enumerate(tables)
    )
    text = f'measure: OR\nstudies:\n{rows}\npooled: {{estimate: "0.30"}}\n'
    result = reproduce_pool(_write(tmp_path, text))
    methods = {c.method for c in result.candidates}
    assert {"MH", "PETO"} <= methods
    zero = next(c for c in result.candidates if c.method == "DL")
    assert zero.zero_cells is not None  # a table has a zero cell: conventions are reported


BAD_INPUTS = [
    (
        "measure: OR\nstudies: [{effect: '0.5', ci: ['0.3', '0.8']}]\npooled: {estimat: '0.5'}\n",
        ":3: pooled.estimat: unknown field (did you mean 'estimate'?)",
    ),
    (
        "measure: OR\nstudies:\n  - {effect: '0.9', ci: ['0.3', '0.8']}\n"
        "pooled: {estimate: '0.5'}\n",
        ":3: studies[0].effect: expected the estimate within its CI",
    ),
    (
        "measure: OR\nstudies:\n  - {effect: '0.5', ci: ['0.3']}\npooled: {estimate: '0.5'}\n",
        ":3: studies[0].ci: expected two limits",
    ),
    (
        "measure: OR\nstudies:\n  - {ai: 4, n1i: 10}\npooled: {estimate: '0.5'}\n",
        ":3: studies[0]: expected the OR columns",
    ),
    ("measure: ZCOR\nstudies: []\npooled: {}\n", ":1: measure: expected one of"),
    (
        "measure: MD\nstudies:\n  - {effect: '1', ci: ['0', '2']}\npooled: {i2: '120%'}\n",
        ":4: pooled.i2: expected a percentage from 0 to 100",
    ),
    (
        "measure: MD\nstudies:\n  - {effect: '1', ci: ['0', '2']}\npooled: {p: 'abc'}\n",
        ":4: pooled.p: expected a p-value",
    ),
    (
        "measure: OR\nstudies:\n  - {ai: '4', n1i: 10, ci: 3, n2i: 9}\npooled: {estimate: '1'}\n",
        ":3: studies[0].ai: expected a whole number",
    ),
    (
        "measure: MD\nstudies:\n  - {effect: '1', ci: ['0', '2']}\npooled: {}\n",
        ":4: pooled: expected at least one of",
    ),
    (
        "measure: RR\nstudies:\n  - {effect: '-1', ci: ['0.1', '2']}\npooled: {estimate: '1'}\n",
        ":3: studies[0].effect: expected a ratio >= 0",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_with_file_line_field(tmp_path, text, message):
    path = _write(tmp_path, text)
    result = CliRunner().invoke(cli, ["reproduce-pool", path])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and line.startswith(f"ivigmeta: error: {path}:")
    assert message in line


def test_missing_file_is_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["reproduce-pool", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "cannot read the file" in result.output


_VALUES = st.one_of(st.text(max_size=6), st.integers(-5, 500).map(str),
                    st.sampled_from(["null", "[]", "{}", "'0.00'", "'<0.001'", "'-0'", "1e400",
                                     "[0.1, 0.2]", "'88%'", ".nan"]))  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(slot=st.integers(0, 9), value=_VALUES)
def test_mutated_input_gives_a_result_or_our_error(tmp_path, slot, value):
    fields = ["OR", "41", "126", "52", "150", "'0.49'", "'0.34'", "'0.70'", "'0.90'", "'88%'"]
    fields[slot] = value
    text = ("measure: {}\nstudies:\n  - {{id: a, ai: {}, n1i: {}, ci: {}, n2i: {}}}\n"
            "  - {{id: b, effect: {}, ci: [{}, {}]}}\npooled: {{estimate: {}, i2: {}}}\n"
            ).format(*fields)  # fmt: skip
    path = _write(tmp_path, text)
    try:
        result = reproduce_pool(path)
    except IvigmetaError as error:
        assert "\n" not in str(error)
    else:
        assert all(math.isfinite(x) for pair in result.intervals.values() for x in pair[1:])


def test_rows_may_mix_escalc_column_sets(tmp_path):
    """Values from metafor 5.0-1: rma(c(0.5, 0.2), c(0.1, 0.3^2), method="EE") gives 0.3421
    (Q = 0.4737); on the tables 4/123 vs 11/139 and 6/306 vs 29/303, rma(method="EE") gives
    OR 0.2470 and rma.mh 0.2414."""
    text = "measure: GEN\nstudies:\n  - {yi: 0.5, vi: 0.1}\n  - {yi: 0.2, sei: 0.3}\n"
    result = reproduce_pool(_write(tmp_path, text + 'pooled: {estimate: "0.34", q: "0.47"}\n'))
    assert "EE/z" in result.reproduced_by
    tables = (
        "measure: OR\nstudies:\n  - {ai: 4, n1i: 123, ci: 11, n2i: 139}\n"
        "  - {ai: 6, bi: 300, ci: 29, di: 274}\n"
    )
    ee = reproduce_pool(_write(tmp_path, tables + 'pooled: {estimate: "0.25"}\n'))
    mh = reproduce_pool(_write(tmp_path, tables + 'pooled: {estimate: "0.24"}\n'))
    assert "EE/z" in ee.reproduced_by and "MH/z" not in ee.reproduced_by
    assert "MH/z" in mh.reproduced_by and "EE/z" not in mh.reproduced_by


def test_printed_rows_are_bounded(tmp_path):
    rows = "\n".join('  - {effect: "1.0", ci: ["0.5", "1.5"]}' for _ in range(201))
    path = _write(tmp_path, f'measure: MD\nstudies:\n{rows}\npooled: {{estimate: "1.0"}}\n')
    result = CliRunner().invoke(cli, ["reproduce-pool", path])
    assert result.exit_code == 2 and "at most 200 printed study rows" in result.output


def test_limits_too_close_for_a_standard_error_name_the_row(tmp_path):
    text = (
        'measure: MD\nstudies:\n  - {effect: "1.0", ci: ["0.5", "1.5"]}\n'
        '  - {effect: "1e-300", ci: ["1e-301", "1e-299"]}\npooled: {estimate: "1.0"}\n'
    )
    result = CliRunner().invoke(cli, ["reproduce-pool", _write(tmp_path, text)])
    assert result.exit_code == 2
    assert ":4: studies[1].ci: the limits are too close" in result.output


def test_mantel_haenszel_rd_without_a_variance(tmp_path):
    """metafor 5.0-1: rma.mh(ai=0, bi=1, ci=4, di=0, measure="RD") gives -1 with SE NaN
    (sqrt of a negative variance estimate); the estimate still counts, the CI cannot."""
    text = "measure: RD\nstudies:\n  - {ai: 0, bi: 1, ci: 4, di: 0}\n"
    result = reproduce_pool(_write(tmp_path, text + 'pooled: {estimate: "-1.00"}\n'))
    assert "MH/z" in result.reproduced_by
    with_ci = reproduce_pool(
        _write(tmp_path, text + 'pooled: {estimate: "-1.00", ci: ["-2", "0"]}\n')
    )
    assert "MH/z" not in with_ci.reproduced_by
