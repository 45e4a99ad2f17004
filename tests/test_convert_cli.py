"""``ivigmeta convert fivenum|wald|2x2`` and ``ivigmeta.convert_*`` (numbers from metafor 5.0-1,
tests/oracle/conversions.R), bad input (one line, exit 2) and arbitrary input."""

import contextlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import ivigmeta
from ivigmeta.cli import cli
from ivigmeta.effects.escalc import escalc
from ivigmeta.errors import InputError

GOLDEN = json.loads((Path(__file__).parent / "oracle/golden/conversions.json").read_text())


def run_json(args):
    result = CliRunner().invoke(cli, ["convert", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]


def test_fivenum_command_matches_metafor():
    case = next(c for c in GOLDEN["fivenum"] if c["name"] == "hand test")
    x = {k: v[0] for k, v in case["inputs"].items()}  # min 1, median 5, max 12, n 50
    got = run_json(["fivenum", "--min", x["min"], "--median", x["median"], "--max", x["max"],
                    "--n", x["n"]])  # fmt: skip
    assert got["mean"] == pytest.approx(case["mean"][0], rel=1e-6)
    assert got["sd"] == pytest.approx(case["sd"][0], rel=1e-6)
    assert got["case"] == "range"


def test_wald_command_matches_metafor():
    case = next(c for c in GOLDEN["wald"] if c["name"] == "ratio with transf log")
    est, lb, ub = (case["args"][k][0] for k in ("out", "ci.lb", "ci.ub"))
    got = run_json(["wald", "--estimate", est, "--ci-low", lb, "--ci-high", ub, "--transf", "log"])
    assert got["vi"] == pytest.approx(case["vi"][0], rel=1e-6)
    assert got["yi"] == pytest.approx(math.log(est), rel=1e-12)


def test_2x2_command_matches_metafor():
    case = next(c for c in GOLDEN["tables"] if c["name"] == "odds ratio")
    ni, n1, n2, ori = (case["args"][k][1] for k in ("ni", "n1i", "n2i", "ori"))
    got = run_json(["2x2", "--n", ni, "--n1", n1, "--n2", n2, "--odds-ratio", ori])
    assert [got[c] for c in ("ai", "bi", "ci", "di")] == [
        case[c][1] for c in ("ai", "bi", "ci", "di")
    ]


def test_python_exports():
    assert ivigmeta.convert_fivenum(q1=7, median=10, q3=14, n=30).case == ("iqr",)
    assert ivigmeta.convert_2x2(100, 50, 40, ori=6).ai[0] == 30
    assert ivigmeta.convert_wald(0.0, -1.0, 1.0).sei[0] == pytest.approx(1 / 1.959963984540054)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2x2", "--n", "100", "--n1", "150", "--n2", "40", "--odds-ratio", "2"],
         "ivigmeta: error: --n1: expected a margin no larger than ni"),
        (["2x2", "--n", "100", "--n1", "50", "--n2", "40"],
         "ivigmeta: error: --odds-ratio: expected --odds-ratio, --phi or --chi2"),
        (["fivenum", "--min", "5", "--median", "3", "--max", "9", "--n", "30"],
         "ivigmeta: error: --median: expected min <= q1 <= median <= q3 <= max"),
        (["wald", "--estimate", "2", "--ci-low", "-1", "--ci-high", "3", "--transf", "log"],
         "ivigmeta: error: --ci-low: expected a value > 0"),
        (["wald", "--estimate", "0.2", "--p", "2"], "ivigmeta: error: --p: expected a p-value"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2(args, message):
    result = CliRunner().invoke(cli, ["convert", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1


NUMBERS = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False, width=32))


@settings(max_examples=150, deadline=None)
@given(st.lists(NUMBERS, min_size=6, max_size=6), st.booleans())
def test_fivenum_and_2x2_raise_only_input_errors(values, test):
    try:
        convert_fivenum_values = ivigmeta.convert_fivenum(*values[:5], values[5], test=test)
    except InputError:
        return
    assert len(convert_fivenum_values.mean) == 1
    with contextlib.suppress(InputError):
        ivigmeta.convert_2x2(values[0] or 0, values[1] or 0, values[2] or 0, ori=values[3])


MEASURE_COLUMNS = {
    "COR": ("ri", "ni"), "UCOR": ("ri", "ni"), "ZCOR": ("ri", "ni"),
    "IR": ("xi", "ti"), "IRLN": ("xi", "ti"), "IRS": ("xi", "ti"), "IRFT": ("xi", "ti"),
    "IRR": ("x1i", "t1i", "x2i", "t2i"), "IRD": ("x1i", "t1i", "x2i", "t2i"),
    "MN": ("mi", "sdi", "ni"), "MNLN": ("mi", "sdi", "ni"), "CVLN": ("mi", "sdi", "ni"),
    "VR": ("sd1i", "n1i", "sd2i", "n2i"), "CVR": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
    "PETO": ("ai", "n1i", "ci", "n2i"),
}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(MEASURE_COLUMNS)),
    st.lists(st.one_of(st.just(math.nan), st.floats(-1e3, 1e3)), min_size=6, max_size=6),
)
def test_new_measures_raise_only_input_errors(measure, values):
    columns = dict(zip(MEASURE_COLUMNS[measure], values, strict=False))
    try:
        result = escalc(measure, **columns)
    except InputError:
        return
    assert np.all(np.isnan(result.vi) | (result.vi >= 0))
