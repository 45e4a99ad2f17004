"""GOSH (metafor ``gosh()``): every subset refitted, against metafor 5.0-1 on dat.bcg.

Golden values: ``tests/oracle/figures.R`` (all 1,023 subsets of the first 10 BCG trials under
REML and DL, all 255 of the first 8 under PM, EE and ML). Tolerance: relative 1e-9 (largest
deviation measured 1.3e-12, in I² under REML).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ivigmeta.cli import cli
from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.stats.models.rma import rma
from ivigmeta.stats.sensitivity.gosh import all_subsets, gosh, random_subsets
from svg_probe import marker_positions, parse, x_axis_map, y_axis_map

ROOT = Path(__file__).parent.parent
GOLDEN = json.loads((ROOT / "tests" / "oracle" / "golden" / "figures.json").read_text())
BCG = str(ROOT / "examples" / "bcg.csv")
TOL = 1e-9


@pytest.mark.parametrize("case", GOLDEN["gosh"], ids=lambda c: f"{c['method']}-k{len(c['yi'])}")
def test_every_subset_matches_metafor(case):
    result = gosh(case["yi"], case["vi"], method=case["method"])
    subsets = [";".join(str(i + 1) for i in np.flatnonzero(row)) for row in result.include]
    assert subsets == case["subset"]  # same subsets, same order
    assert result.k.tolist() == case["k"]
    for name, key in (
        ("q", "q"),
        ("i2", "i2"),
        ("h2", "h2"),
        ("tau2", "tau2"),
        ("estimate", "estimate"),
    ):
        expected = np.array(case[key], dtype=float)
        assert getattr(result, name) == pytest.approx(expected, rel=TOL, abs=TOL), name


def test_dl_h2_is_q_over_df_even_when_tau2_is_zero():
    # metafor's closed form for DL (not rma's H² = 1 at tau² = 0): H² = Q/(k - 1)
    case = next(c for c in GOLDEN["gosh"] if c["method"] == "DL")
    result = gosh(case["yi"], case["vi"], method="DL")
    zero = (result.tau2 == 0) & (result.k > 1)
    assert zero.any()
    assert result.h2[zero] == pytest.approx(result.q[zero] / (result.k[zero] - 1))
    assert (result.h2[zero] < 1).any()


def test_subset_order_is_by_size_then_binary_code():
    include = all_subsets(3)
    assert [tuple(np.flatnonzero(r) + 1) for r in include] == [
        (1,),
        (2,),
        (3,),
        (1, 2),
        (1, 3),
        (2, 3),
        (1, 2, 3),
    ]


def test_random_subsets_beyond_max_are_seeded_sorted_and_nonempty():
    a, b = random_subsets(20, 500), random_subsets(20, 500)
    assert (a == b).all()
    sizes = a.sum(axis=1)
    assert sizes.min() >= 1 and (np.diff(sizes) >= 0).all()
    assert 8 <= sizes.mean() <= 12  # Binomial(20, 1/2)


def test_beyond_max_subsets_gives_that_many_random_fits_each_equal_to_rma():
    case = GOLDEN["gosh"][0]
    result = gosh(case["yi"], case["vi"], max_subsets=50)
    assert not result.exact and len(result) == 50
    y, v = np.array(case["yi"]), np.array(case["vi"])
    for row in (0, 25, 49):
        keep = result.include[row]
        fit = rma(y[keep], v[keep], method="REML")
        assert result.estimate[row] == pytest.approx(fit.estimate, rel=1e-10)
        assert result.tau2[row] == pytest.approx(fit.tau2, rel=1e-10, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-3, 3), st.floats(0.01, 2)), min_size=2, max_size=6),
    st.sampled_from(["REML", "DL", "PM", "EE"]),
)
@example([(0.0, 1.0), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0), (1.0, 0.125)], "REML")  # no convergence
def test_single_study_subsets_return_the_study_and_full_set_equals_rma(pairs, method):
    y, v = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    result = gosh(y, v, method=method)
    singles = result.k == 1
    assert result.estimate[singles] == pytest.approx(y)
    assert (result.q[singles] == 0).all() and (result.tau2[singles] == 0).all()
    try:
        fit = rma(y, v, method=method)
    except AnalysisError:  # e.g. Fisher scoring does not converge: metafor's NA row
        assert math.isnan(result.estimate[-1])
        return
    assert result.estimate[-1] == pytest.approx(fit.estimate, rel=1e-9, abs=1e-12)


def test_bad_arguments_raise_our_errors():
    with pytest.raises(InputError):
        gosh([0.1, 0.2], [0.1, 0.1], max_subsets=0)
    with pytest.raises(AnalysisError):
        gosh([0.1], [0.1])


def run(*args):
    return CliRunner().invoke(cli, ["gosh", *args])


def test_cli_csv_has_the_columns_and_the_bcg_failures_metafor_has(tmp_path, monkeypatch):
    import ivigmeta.render.gosh

    monkeypatch.setattr(ivigmeta.render.gosh, "ROWS_PER_CHUNK", 1000)  # 9 pieces, in order
    out = tmp_path / "g.csv"
    result = run("--csv", BCG, "--measure", "RR", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == ["subset", "k", "q", "i2", "h2", "tau2", "estimate"]
    assert len(rows) == 2**13 - 1
    assert rows[0]["subset"] == "Aronson1948" and rows[-1]["k"] == "13"
    assert [int(row["k"]) for row in rows] == sorted(int(row["k"]) for row in rows)
    # sizes 1-3 fill C(13,1) + C(13,2) + C(13,3) = 377 rows; size 4 the next 715
    assert [rows[i]["k"] for i in (376, 377, 1000, 1091, 1092)] == ["3", "4", "4", "4", "5"]
    assert len(rows[1000]["subset"].split(";")) == 4
    # metafor 5.0-1 gosh(rma(yi, vi, data = dat.bcg)): subsets 5676 and 5700 do not converge
    failed = [i + 1 for i, row in enumerate(rows) if row["estimate"] == ""]
    assert failed == [5676, 5700]
    assert "2 subsets could not be fitted" in result.output


def test_cli_without_out_prints_csv_to_stdout():
    result = run("--csv", BCG, "--measure", "RR", "--method", "DL", "--max-subsets", "20")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "subset,k,q,i2,h2,tau2,estimate" and len(lines) == 21


def test_gosh_plot_points_are_the_subsets_estimates_and_i2(tmp_path):
    case = GOLDEN["gosh"][3]  # EE, k = 8: 255 subsets
    table = tmp_path / "t.csv"
    table.write_text(
        "study,yi,vi\n"
        + "".join(
            f"s{i},{y!r},{v!r}\n"
            for i, (y, v) in enumerate(zip(case["yi"], case["vi"], strict=True))
        )
    )
    plot = tmp_path / "g.svg"
    result = run(
        "--csv", str(table), "--method", "EE", "--plot", str(plot), "--out", str(tmp_path / "g.csv")
    )
    assert result.exit_code == 0, result.output
    root = parse(plot.read_text())
    to_x, to_y = x_axis_map(root), y_axis_map(root)
    drawn = sorted(marker_positions(root, "gosh-points"))
    expected = sorted((to_x(e), to_y(i)) for e, i in zip(case["estimate"], case["i2"], strict=True))
    assert len(drawn) == 255
    assert np.array(drawn) == pytest.approx(np.array(expected), abs=0.02)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--max-subsets", "0"), "max-subsets: expected a whole number >= 1"),
        (("--plot", "g.gif"), "unknown figure format '.gif'"),
        (("--plot", "nowhere/g.svg"), "folder 'nowhere' does not exist"),
        (("--out", "nowhere/g.csv"), "folder 'nowhere' does not exist"),
    ],
)
def test_bad_options_exit_2_before_any_work(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["gosh", "--csv", BCG, "--measure", "RR", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "nowhere").exists()
