"""`ivigmeta pool --method GLMM`: the CLI mirrors ivigmeta.pool(); bad input gets one line and
exit 2. Expected numbers are metafor 5.0-1's rma.glmm (tests/oracle/golden/glmm.json)."""

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
from ivigmeta.errors import IvigmetaError
from ivigmeta.stats.models.glmm import rma_glmm

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "oracle" / "golden" / "glmm.json").read_text())


def _golden(name, model=None):
    return next(c["result"] for c in GOLDEN["cases"] if c["name"] == name and c["model"] == model)


def run(*args):
    return CliRunner().invoke(cli, ["pool", *args])


def test_cli_json_equals_python_and_metafor():
    args = ["--csv", str(ROOT / "examples" / "pritz1997.csv"), "--measure", "PLO"]
    result = run(*args, "--method", "GLMM", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    py = ivigmeta.pool(csv=str(ROOT / "examples" / "pritz1997.csv"), measure="PLO",
                       method="GLMM").to_dict()  # fmt: skip
    assert out == json.loads(json.dumps(py))
    for key in ("estimate", "se", "ci_low", "ci_high", "statistic", "p", "q", "q_p", "i2"):
        assert key in out
    metafor = _golden("dat.pritz1997")
    assert out["estimate"] == pytest.approx(metafor["estimate"], rel=1e-4)
    assert out["se"] == pytest.approx(metafor["se"], rel=1e-4)
    assert out["tau2"] == pytest.approx(metafor["tau2"], rel=1e-3)
    assert out["q"] == pytest.approx(metafor["QE_Wld"], rel=1e-4)
    assert out["q_lrt"] == pytest.approx(metafor["QE_LRT"], rel=1e-4)


def test_cli_table_or_names_dropped_double_zero_study():
    args = ["--csv", str(ROOT / "examples" / "nielweise2007.csv"), "--measure", "OR"]
    result = run(*args, "--method", "GLMM", "--glmm-model", "CM.AL")
    assert result.exit_code == 0, result.output
    assert "OR: random-effects GLMM (CM.AL), ML, z test, k = 17" in result.output
    assert "Yucel2004" in result.output  # 0/118 vs 0/105: left out, as metafor
    metafor = _golden("dat.nielweise2007", "CM.AL")
    lines = result.output.splitlines()
    estimate = float(lines[lines.index("Model Results:") + 2].split()[0])
    assert estimate == pytest.approx(metafor["estimate"], abs=1e-4)  # printed to 4 decimals


@pytest.mark.parametrize(
    ("rows", "measure", "message"),
    [
        ("study,xi,ni\na,3,10\nb,12,10\n", "PLO", "t.csv:3: xi: expected at most ni = 10"),
        ("study,xi,ti\na,3,10\nb,2,0\n", "IRLN", "t.csv:3: ti: expected a positive person-time"),
        ("study,xi,ti\na,3,10\nb,2,-4\n", "IRLN", "t.csv:3: ti: expected a positive person-time"),
        ("study,xi\na,3\nb,2\n", "PLO", "t.csv:1: ni: PLO with --method GLMM needs"),
        ("study,ai,n1i,ci\na,3,10,4\n", "OR", "t.csv:1: n2i: OR with --method GLMM needs"),
        ("study,ai,n1i,ci,n2i\na,3,10,4,8\nb,-1,5,2,9\n", "OR", "t.csv:3: ai: expected a count"),
        ("study,xi,ni\na,1.5,10\n", "PLO", "t.csv:2: xi: expected a count"),
        (
            "study,xi,ni\na,,10\n",
            "PLO",
            "t.csv:1: xi: expected numbers for PLO, got no value in any",
        ),
        (
            "study,xi,ni\na,0,10\nb,0,20\nc,0,5\n",
            "PLO",
            "GLMM (PLO) did not converge (no finite estimate",
        ),
        ("study,ai,n1i,ci,n2i\na,0,10,0,8\nb,2,5,1,9\n", "OR", "GLMM (OR, UM.FS): at least 2"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, rows, measure, message):
    path = tmp_path / "t.csv"
    path.write_text(rows)
    result = run("--csv", str(path), "--measure", measure, "--method", "GLMM")
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert path.read_text() == rows  # input untouched


def test_glmm_needs_a_csv_and_a_count_measure():
    assert "--method GLMM needs --csv" in run("--outcome", "mrss", "--method", "GLMM").output
    result = run("--csv", str(ROOT / "examples" / "bcg.csv"), "--measure", "RR", "--method", "GLMM")
    assert result.exit_code == 2 and "needs --measure PLO, IRLN, OR" in result.output


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 40)), min_size=2, max_size=8))
def test_plo_only_our_errors_and_swapping_events_negates(rows):
    """Arbitrary tables give a fit or our own error; events <-> non-events negates the
    estimate and leaves tau², SE and the heterogeneity tests unchanged (logit symmetry)."""
    x = np.array([min(a, n) for a, n in rows], dtype=float)
    n = np.array([n for _, n in rows], dtype=float)
    try:
        fit = rma_glmm("PLO", xi=x, ni=n)
    except IvigmetaError:
        return
    mirror = rma_glmm("PLO", xi=n - x, ni=n)
    assert mirror.estimate == pytest.approx(-fit.estimate, rel=1e-4, abs=1e-6)
    assert mirror.se == pytest.approx(fit.se, rel=1e-4)
    assert mirror.tau2 == pytest.approx(fit.tau2, rel=1e-3, abs=1e-6)
    assert mirror.q_lrt == pytest.approx(fit.q_lrt, rel=1e-6, abs=1e-8)


def test_glmm_results_are_also_on_the_natural_scale():
    """metafor: predict(res, transf = transf.ilogit) applies the inverse logit to the
    estimate and both bounds; written out here."""
    out = CliRunner().invoke(cli, ["pool", "--csv", "examples/pritz1997.csv", "--measure", "PLO",
                                  "--method", "GLMM", "--format", "json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    t = d["transformed"]
    assert t["function"] == "transf.ilogit" and t["pi_low"] is None
    for key in ("estimate", "ci_low", "ci_high"):
        assert t[key] == pytest.approx(1 / (1 + math.exp(-d[key])), rel=1e-12)


def test_plo_with_every_study_at_zero_or_all_events_is_refused():
    """0/3 and 1/1: the binomial-normal likelihood increases without bound in tau², so there is
    no maximum to report (found by the symmetry property test)."""
    from ivigmeta.stats.models.glmm import rma_glmm

    with pytest.raises(IvigmetaError, match="no finite estimate"):
        rma_glmm("PLO", xi=np.array([0.0, 1.0]), ni=np.array([3.0, 1.0]))
