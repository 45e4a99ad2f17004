"""The natural-scale columns of the sensitivity, subgroup and bias CSV (issue 14, item 3).

Expected values: metafor 5.0-1 on dat.bcg (measure RR, REML), printed to 12 digits by
    dat <- escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    res <- rma(yi, vi, data=dat)
    leave1out(res, transf=exp)[1]            # without Aronson1948
    predict(trimfill(res), transf=exp)
    exp(regtest(res)$est, $ci.lb, $ci.ub)     # Egger's limit estimate
    rma(yi, vi, data=dat, subset=alloc=="random"), exp() of b, ci.lb, ci.ub
"""

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli

BCG = str(Path(__file__).parents[1] / "examples" / "bcg.csv")


def _rows(*args):
    result = CliRunner().invoke(cli, [*args, "--csv", BCG, "--measure", "RR", "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def _natural(row):
    return [float(row[k]) for k in ("effect", "effect_ci_low", "effect_ci_high")]


def test_leave_one_out_on_the_ratio_scale():
    row = next(r for r in _rows("sensitivity") if r["analysis"] == "leave_one_out")
    assert row["id"] == "Aronson1948"
    assert _natural(row) == pytest.approx([0.493080028730, 0.339799155540, 0.715504764414],
                                          rel=1e-9)  # fmt: skip
    influence = next(r for r in _rows("sensitivity") if r["analysis"] == "influence")
    assert influence["effect"] == ""


def test_subgroup_rows_on_the_ratio_scale():
    rows = {r["name"]: r for r in _rows("subgroup", "--by", "alloc")}
    assert _natural(rows["random"]) == pytest.approx(
        [0.378717597960, 0.220506586886, 0.650443240859], rel=1e-9
    )
    assert rows["between (separate tau2)"]["effect"] == ""


def test_bias_estimates_on_the_ratio_scale():
    rows = {r["method"]: r for r in _rows("bias")}
    assert _natural(rows["Trim-and-fill (L0)"]) == pytest.approx(
        [0.518361294167, 0.365316138935, 0.735523024179], rel=1e-9
    )
    assert _natural(rows["Egger regression (sei)"]) == pytest.approx(
        [0.600236290501, 0.326859767741, 1.102257420437], rel=1e-9
    )
    assert float(rows["Egger regression (sei)"]["estimate"]) < 0  # model scale kept


def test_bias_table_prints_the_ratio_scale():
    result = CliRunner().invoke(cli, ["bias", "--csv", BCG, "--measure", "RR"])
    assert "estimates on the ratio scale, exp" in result.output
    assert "0.5184  0.3653  0.7355" in result.output


def test_measures_on_their_own_scale_leave_the_columns_empty():
    result = CliRunner().invoke(cli, ["bias", "--csv", BCG, "--measure", "RD", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert all(r["effect"] == "" for r in rows)
