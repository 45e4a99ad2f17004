"""``ivigmeta multilevel`` end to end: the JSON contract against the metafor/clubSandwich
golden values (tests/oracle/golden/multilevel.json, tests/oracle/multilevel.R), the printed
layout, and one-line errors (exit 2) for input a multilevel model cannot use."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

import ivigmeta
from ivigmeta.cli import cli
from test_multilevel_oracle import CASES, as_list


def case_named(name: str, method: str = "REML") -> dict:
    return next(c for c in CASES if c["name"] == name and c["method"] == method)


def write_case(case, path) -> str:
    """The case's data as a CSV with columns yi, vi, one per level and one per moderator."""
    data = case["data"]
    columns = {"yi": data["yi"], "vi": data["vi"], **data["labels"]}
    columns.update(data.get("moderators") or {})
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(zip(*(as_list(v) for v in columns.values()), strict=True))
    return str(path)


def run(*args: str):
    return CliRunner().invoke(cli, ["multilevel", *args], catch_exceptions=False)


def test_json_contract_matches_metafor_and_clubsandwich(tmp_path):
    case = case_named("konstantopoulos2011")
    table = write_case(case, tmp_path / "k.csv")
    result = run("--csv", table, "--cluster", "district", "--within", "school",
                 "--robust", "CR2", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["sigma2"] == pytest.approx(case["sigma2"], abs=1e-6)
    assert out["levels"] == ["district", "district/school"]
    assert out["n_levels"] == [11, 56]
    for ours, theirs in (("estimate", "beta"), ("se", "se"), ("ci_low", "ci_low"),
                         ("ci_high", "ci_high"), ("p", "pval")):  # fmt: skip
        assert out[ours] == pytest.approx(case[theirs], abs=1e-6), ours
    for name in ("loglik", "aic", "bic"):
        assert out[name] == pytest.approx(case[name], abs=1e-6)
    assert (out["q_e"], out["q_e_p"]) == pytest.approx((case["qe"], case["qe_p"]), abs=1e-9)
    robust = case["robust"]["CR2"]
    assert out["robust"]["type"] == "CR2"
    for name in ("se", "df", "p", "ci_low", "ci_high"):
        assert out["robust"][name] == pytest.approx(robust[name], abs=1e-5), name
    assert out["i2_levels"] == pytest.approx(case["i2"], abs=1e-4)


def test_moderators_give_the_coefficient_table(tmp_path):
    case = case_named("assink2016_mods")
    table = write_case(case, tmp_path / "a.csv")
    result = run("--csv", table, "--cluster", "study", "--within", "esid",
                 "--mods", "year_c,overt", "--robust", "cr1", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [c["name"] for c in out["coefficients"]] == ["intrcpt", "year_c", "overt"]
    assert [c["estimate"] for c in out["coefficients"]] == pytest.approx(case["beta"], abs=1e-6)
    assert [c["robust"]["se"] for c in out["coefficients"]] == pytest.approx(
        case["robust"]["CR1"]["se"], abs=1e-6
    )
    assert out["qm"] == pytest.approx(case["qm"], rel=1e-5)


def test_rho_and_ml_from_the_command_line(tmp_path):
    case = case_named("assink2016_ml_rho_mods", "ML")
    table = write_case(case, tmp_path / "a.csv")
    result = run("--csv", table, "--cluster", "study", "--within", "esid", "--mods", "year_c",
                 "--method", "ML", "--rho", "0.4", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["sigma2"] == pytest.approx(case["sigma2"], abs=1e-6)
    assert out["sampling_rho"] == 0.4
    assert any("rho = 0.4" in note for note in out["notes"])


def test_four_levels_from_repeated_cluster(tmp_path):
    case = case_named("random10_four_level")
    table = write_case(case, tmp_path / "r.csv")
    result = run("--csv", table, "--cluster", "site", "--cluster", "cluster", "--within", "es",
                 "--mods", "x", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["levels"] == ["site", "site/cluster", "site/cluster/es"]
    assert out["sigma2"] == pytest.approx(case["sigma2"], abs=1e-6)


def test_struct_ar_from_the_command_line(tmp_path):
    from test_multilevel_oracle import STRUCT_CASES

    case = next(c for c in STRUCT_CASES if c["struct"] == "AR" and c["method"] == "REML")
    data = case["data"]
    table = tmp_path / "s.csv"
    columns = {"yi": data["yi"], "vi": data["vi"], **data["labels"], "time": data["time"],
               **data["moderators"]}  # fmt: skip
    with open(table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(zip(*columns.values(), strict=True))
    result = run("--csv", str(table), "--cluster", "study", "--struct", "ar", "--time", "time",
                 "--rho", "0.8", "--mods", "t2,t3,t4", "--robust", "CR2",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["struct"], out["time"], out["sigma2"]) == ("AR", "time", [])
    assert out["tau2"] == pytest.approx([case["tau2"]], abs=1e-4)
    assert out["rho"] == pytest.approx([case["rho"]], abs=1e-4)
    assert out["robust"]["se"] == pytest.approx(case["robust"]["CR2"]["se"][0], abs=1e-6)
    text = run("--csv", str(table), "--cluster", "study", "--struct", "AR", "--time", "time").output
    assert "inner factor: time (nlvls = 4; struct AR)" in text and "rho  " in text
    one_line_error(run("--csv", str(table), "--cluster", "study", "--struct", "AR"), "--time")


def test_table_prints_like_metafor(tmp_path):
    table = write_case(case_named("konstantopoulos2011"), tmp_path / "k.csv")
    result = run("--csv", table, "--cluster", "district", "--within", "school", "--robust", "CR2")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Multivariate Meta-Analysis Model (k = 56; method: REML)" in text
    assert "sigma^2.1  0.0651  0.2551     11     no         district" in text
    assert "QE(df = 55) = 578.8640, p-val < .0001" in text
    assert "intrcpt    0.1847  0.0846  2.1845  0.0289  0.0190  0.3504  *" in text
    csv_out = run("--csv", table, "--cluster", "district", "--within", "school", "--format", "csv")
    assert csv_out.output.splitlines()[0].startswith("name,estimate,se,ci_low,ci_high")
    md = run("--csv", table, "--cluster", "district", "--within", "school", "--format", "md")
    assert "| sigma^2.1 | 0.0651 |" in md.output


def test_python_api_is_the_command(tmp_path):
    case = case_named("konstantopoulos2011")
    table = write_case(case, tmp_path / "k.csv")
    fit = ivigmeta.multilevel("district", "school", csv=table)
    assert fit.to_dict()["sigma2"] == pytest.approx(case["sigma2"], abs=1e-6)


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ivigmeta: error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_one_effect_per_cluster_is_not_identified(tmp_path):
    table = tmp_path / "one.csv"
    table.write_text("study,yi,vi\na,0.1,0.01\nb,0.3,0.02\nc,0.2,0.015\nd,0.5,0.01\n")
    one_line_error(run("--csv", str(table), "--cluster", "study"), "not identified", "study")


def test_non_positive_definite_v(tmp_path):
    table = tmp_path / "v.csv"
    rows = [f"s{i // 3},{0.1 * i:.1f},0.02" for i in range(12)]
    table.write_text("study,yi,vi\n" + "\n".join(rows) + "\n")
    one_line_error(run("--csv", str(table), "--cluster", "study", "--rho", "-0.9"),
                   "not positive definite", "rho = -0.9")  # fmt: skip


def test_non_convergence_names_the_remedies(tmp_path, monkeypatch):
    from ivigmeta.stats.models import multilevel_fit

    monkeypatch.setattr(multilevel_fit, "_converged", lambda *args: False)
    table = write_case(case_named("konstantopoulos2011"), tmp_path / "k.csv")
    one_line_error(run("--csv", table, "--cluster", "district", "--within", "school"),
                   "did not converge", "metafor's remedies")  # fmt: skip


@pytest.mark.parametrize(
    ("content", "args", "fragments"),
    [
        ("study,yi,vi\na,0.1,0.01\n,0.2,0.02\nb,0.3,0.01\n", ("--cluster", "study"),
         ("k.csv:3", "study", "empty cell")),
        ("study,yi,vi\na,0.1,0.01\na,0.2,0.02\nb,0.3,0.01\n", ("--cluster", "nope"),
         ("nope", "no column")),
        ("study,yi,vi\na,0.1,0.01\na,0.2,0.02\na,0.3,0.01\n", ("--cluster", "study"),
         ("at least 2 clusters",)),
        ("study,yi,vi,x\na,0.1,0.01,1\na,0.2,0.02,z\nb,0.3,0.01,2\nb,0.1,0.01,3\n",
         ("--cluster", "study", "--mods", "x"), ("k.csv:3", "x", "expected a number")),
    ],
)  # fmt: skip
def test_bad_tables_are_one_line_errors(tmp_path, content, args, fragments):
    table = tmp_path / "k.csv"
    table.write_text(content)
    one_line_error(run("--csv", str(table), *args), *fragments)


def test_records_need_a_table():
    result = CliRunner().invoke(cli, ["multilevel", "--cluster", "study"])
    one_line_error(result, "--csv")


def test_all_timepoints_models_the_mrss_trajectories():
    """Every usable mRSS timepoint of the bundled records: Poelman 2015 at 6, 12, 18 and 24
    months and Takehara 2013 at 12 weeks; the fit equals multilevel_model on those rows."""
    from ivigmeta.analyses.effect_data import effect_data_builder
    from ivigmeta.stats.models.multilevel import multilevel_model

    result = CliRunner().invoke(cli, ["multilevel", "--outcome", "mrss", "--all-timepoints",
                                      "--cluster", "study", "--struct", "AR", "--time", "month",
                                      "--rho", "0.6", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    data = effect_data_builder("mrss", all_timepoints=True)(None)
    assert data.ids == ("poelman2015",) * 4 + ("takehara2013",)
    assert data.months[:4] == (6.0, 12.0, 18.0, 24.0)
    direct = multilevel_model(data.yi, data.vi, levels=[list(data.ids)], rho=0.6, struct="AR",
                              time=list(data.months))  # fmt: skip
    assert out["k"] == 5 and out["struct"] == "AR"
    assert (*out["tau2"], *out["rho"], out["estimate"]) == pytest.approx(
        (*direct.tau2, *direct.rho, direct.estimate), rel=1e-12
    )
    assert any("every usable timepoint" in note for note in out["notes"])
    assert any("rho = 0.6" in note for note in out["notes"])
    nested = CliRunner().invoke(cli, ["multilevel", "--outcome", "mrss", "--all-timepoints",
                                      "--cluster", "study", "--format", "json"])  # fmt: skip
    assert json.loads(nested.output)["levels"] == ["study", "study/row"]


def test_all_timepoints_is_for_records_only(tmp_path):
    table = tmp_path / "k.csv"
    table.write_text("study,yi,vi\na,0.1,0.01\na,0.2,0.02\nb,0.3,0.01\nb,0.1,0.01\n")
    one_line_error(run("--csv", str(table), "--all-timepoints", "--cluster", "study"),
                   "--all-timepoints")  # fmt: skip


def test_profile_ci_from_the_command_line(tmp_path):
    case = case_named("konstantopoulos2011")
    table = write_case(case, tmp_path / "k.csv")
    result = run("--csv", table, "--cluster", "district", "--within", "school", "--profile-ci",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    ci = json.loads(result.output)["sigma2_ci"]
    assert [b for pair in ci for b in pair] == pytest.approx(
        [b for pair in case["sigma2_ci"] for b in pair], abs=1e-4
    )
