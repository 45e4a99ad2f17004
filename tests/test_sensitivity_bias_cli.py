"""The sensitivity, subgroup, regress and bias commands end to end (click CliRunner).

The CSV fixture tests/fixtures/bcg_trials.csv holds metafor's dat.bcg (2x2 counts, year,
absolute latitude, allocation); with --measure RR the commands must reproduce the metafor
golden values of tests/oracle/golden/*.json (computed from the same trials).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli

HERE = Path(__file__).parent
BCG = str(HERE / "fixtures" / "bcg_trials.csv")
GOLDEN = HERE / "oracle" / "golden"


def golden_case(name: str, section: str = "cases", **match):
    cases = json.loads((GOLDEN / name).read_text())[section]
    return next(c for c in cases if all(c[k] == v for k, v in match.items()))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def close(expected):
    return pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_sensitivity_on_a_csv_table_matches_metafor():
    out = run_json("sensitivity", "--csv", BCG, "--measure", "RR")
    golden = golden_case("sensitivity.json", dataset="bcg", method="REML", test="z")
    assert out["cumulative_order"] == "year"
    for key, section in (("leave_one_out", "leave_one_out"), ("cumulative", "cumulative_by_year")):
        rows = out[key]
        assert [r["id"] for r in rows] == golden[section]["id"]
        for field in ("estimate", "se", "ci_low", "ci_high", "p", "tau2", "i2", "q"):
            assert [r[field] for r in rows] == [close(v) for v in golden[section][field]], field
    influence = golden["influence"]
    for field in ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat", "weight"):
        assert [r[field] for r in out["influence"]] == [close(v) for v in influence[field]]
    assert [r["influential"] for r in out["influence"]] == influence["influential"]


def test_bias_on_a_csv_table_matches_metafor():
    out = run_json("bias", "--csv", BCG, "--measure", "RR")
    golden = golden_case("bias.json", dataset="bcg", method="REML", test="z")
    for field in ("statistic", "p", "limit_estimate"):
        assert out["egger"][field] == close(golden["egger"][field])
    assert out["egger"]["df"] is None
    assert out["rank"]["tau"] == close(golden["rank"]["tau"])
    assert out["rank"]["p"] == close(golden["rank"]["p"])
    fill = golden["trimfill"][0]  # L0, side chosen automatically
    assert (out["trimfill"]["k0"], out["trimfill"]["side"]) == (fill["k0"], fill["side"])
    for field in ("estimate", "ci_low", "ci_high"):
        assert out["trimfill"][field] == close(fill[field])
    assert out["failsafe_n"] == golden["failsafe_n"]


def test_subgroup_by_a_csv_column_matches_metafor():
    out = run_json("subgroup", "--by", "alloc", "--csv", BCG, "--measure", "RR", "--test", "knha")
    golden = golden_case("regress.json", "subgroups", dataset="bcg", method="REML", test="knha")
    assert [g["name"] for g in out["groups"]] == [g["name"] for g in golden["groups"]]
    for group, expected in zip(out["groups"], golden["groups"], strict=True):
        for field in ("k", "estimate", "se", "ci_low", "ci_high", "tau2", "i2"):
            assert group[field] == close(expected[field])
    assert out["q_between"] == close(golden["q_between"])
    assert out["q_between_p"] == close(golden["q_between_p"])
    assert out["common_qm"] == close(golden["common"]["statistic"])
    assert [out["common_qm_df"], out["common_qm_df2"]] == golden["common"]["df"]


def test_regress_on_csv_columns_matches_metafor():
    out = run_json("regress", "--mods", "ablat,year", "--csv", BCG, "--measure", "RR",
                   "--method", "DL")  # fmt: skip
    golden = golden_case("regress.json", "regressions", dataset="bcg", method="DL", test="z",
                         mods=["ablat", "year"])  # fmt: skip
    coefficients = golden["coefficients"]
    assert [c["name"] for c in out["coefficients"]] == coefficients["name"]
    for field in ("estimate", "se", "ci_low", "ci_high", "statistic", "p"):
        assert [c[field] for c in out["coefficients"]] == [close(v) for v in coefficients[field]]
    for field in ("tau2", "qm", "qm_p", "qe", "qe_p", "r2"):
        assert out[field] == close(golden[field]), field


@pytest.mark.parametrize("command", [["sensitivity"], ["subgroup", "--by", "design"]])
@pytest.mark.parametrize("output_format", ["table", "json", "csv", "md"])
def test_commands_run_on_the_mrss_records(command, output_format):
    result = run(*command, "--outcome", "mrss", "--format", output_format)
    assert result.exit_code == 0, result.output
    assert result.output.strip()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["bias"], "Egger's test, rank test and trim-and-fill: at least 3 studies needed; "
                   "outcome 'mrss' has k = 2"),
        (["regress", "--mods", "year"], "meta-regression on year: 3 parameters to estimate "
                                        "from k = 2 studies"),
    ],
)  # fmt: skip
def test_mrss_records_are_too_few_for_bias_and_regression(command, message):
    """Two mRSS studies since raja2016 lost its imputed n (issue 12): refused, exit 2."""
    result = run(*command, "--outcome", "mrss")
    assert result.exit_code == 2
    assert result.output.startswith(f"ivigmeta: error: {message}")
    assert len(result.output.strip().splitlines()) == 1


def test_sensitivity_of_mrss_has_one_row_per_study():
    out = run_json("sensitivity", "--outcome", "mrss")
    k = out["k"]
    assert k >= 2
    assert [r["k"] for r in out["leave_one_out"]] == [k - 1] * k
    assert [r["k"] for r in out["cumulative"]] == list(range(1, k + 1))


def test_too_few_studies_for_bias_exits_2(tmp_path):
    table = tmp_path / "two.csv"
    table.write_text("study,yi,vi\na,0.1,0.01\nb,0.3,0.02\n")
    result = CliRunner().invoke(cli, ["bias", "--csv", str(table), "--measure", "GEN"])
    assert result.exit_code == 2
    assert "at least 3 studies needed; " in result.output
    assert "Traceback" not in result.output


def test_unknown_grouping_column_exits_2():
    result = CliRunner().invoke(cli, ["subgroup", "--by", "country", "--csv", BCG,
                                      "--measure", "RR"])  # fmt: skip
    assert result.exit_code == 2
    assert "no column 'country'" in result.output


def test_text_moderator_exits_2_naming_file_line_and_column():
    result = CliRunner().invoke(cli, ["regress", "--mods", "alloc", "--csv", BCG,
                                      "--measure", "RR"])  # fmt: skip
    assert result.exit_code == 2
    assert "bcg_trials.csv:2: alloc: expected a number" in result.output
