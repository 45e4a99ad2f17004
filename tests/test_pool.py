"""`ivigmeta pool` against metafor (golden values from tests/oracle/pool_mrss.R)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.analyses.pool import pool
from ivigmeta.cli import cli

ROOT = Path(__file__).resolve().parents[1]
STUDIES = str(ROOT / "data" / "studies")
GOLDEN_DIR = Path(__file__).parent / "oracle" / "golden"
GOLDEN = json.loads((GOLDEN_DIR / "pool.json").read_text())
CASES = GOLDEN["cases"]
DESIGN_KEYS = (
    *("outcome", "measure", "method", "test", "k", "estimate", "se", "ci_low", "ci_high"),
    *("statistic", "df", "p", "tau2", "tau", "i2", "h2", "q", "q_df", "q_p", "pi_low"),
    *("pi_high", "studies"),
)


def cli_args(args: dict) -> list[str]:
    out = []
    for key, value in args.items():
        if key == "csv":
            out += ["--csv", str(GOLDEN_DIR / value)]
        else:
            out += [f"--{key}", str(value)]
    if "csv" not in args:
        out += ["--studies", STUDIES]
    return out


def run(args: list[str]):
    return CliRunner().invoke(cli, ["pool", *args], catch_exceptions=False)


def run_json(args: list[str]) -> dict:
    result = run([*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def close(actual, expected):
    if expected is None:
        return actual is None
    if isinstance(expected, str):
        return actual == expected
    return actual == pytest.approx(expected, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_pool_matches_metafor(case):
    got = run_json(cli_args(case["args"]))
    expected = case["expected"]
    for key, value in expected.items():
        if key == "studies":
            continue
        assert close(got[key], value), (key, got[key], value)
    assert [s["id"] for s in got["studies"]] == [s["id"] for s in expected["studies"]]
    for mine, theirs in zip(got["studies"], expected["studies"], strict=True):
        for key in ("yi", "vi", "weight"):
            assert close(mine[key], theirs[key]), (mine["id"], key, mine[key], theirs[key])


def test_json_has_the_design_keys():
    got = run_json(["--outcome", "mrss", "--studies", STUDIES])
    assert set(DESIGN_KEYS) <= set(got)
    assert set(got["studies"][0]) >= {"id", "yi", "vi", "weight"}
    assert got["df"] is None  # z test


def test_notes_say_what_was_chosen_and_derived():
    notes = " | ".join(run_json(["--outcome", "mrss", "--studies", STUDIES])["notes"])
    assert "measure: MC (raw mean change, follow-up minus baseline)" in notes
    assert "timepoint closest to 12 months" in notes
    assert "poelman2015: 12 months used" in notes
    assert "excluded: nacci2007" in notes
    # raja2016 prints "15 patients" but no n per measurement: not imputed, so not pooled
    assert (
        "excluded: raja2016 (latest assessment, mean 2.3 years): n at follow-up not reported "
        "(a study size is not imputed as an n)" in notes
    )


def test_imputed_r_is_named_and_matches_r():
    got = run_json(["--outcome", "mrss", "--timepoint", "latest", "--studies", STUDIES])
    notes = " | ".join(got["notes"])
    assert f"imputed r = {GOLDEN['r_imputed']:.3f}" in notes
    assert "p printed as <0.0001, a bound" in notes


def test_r_sweep_rows_equal_separate_pools():
    got = run_json(
        ["--outcome", "mrss", "--timepoint", "latest", "--r-sweep", "--studies", STUDIES]
    )
    assert [row["r"] for row in got["sweep"]] == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    expected = next(c for c in CASES if c["name"] == "mrss latest r 0.3")["expected"]
    row = got["sweep"][3]
    for key in ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "pi_low", "pi_high"):
        assert close(row[key], expected[key]), key


def test_table_output_shows_metafor_numbers():
    expected = CASES[0]["expected"]
    result = run(["--outcome", "mrss", "--studies", STUDIES])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "mrss: MC, random-effects model, tau² estimator REML, z test, k = 2"
    assert lines[2] == "Cautions:" and lines[3].startswith("  - few studies (k = 2)")
    header = next(line for line in lines if line.startswith("study"))
    assert header.split() == ["study", "timepoint", "MC", "95%", "CI", "weight"]
    pooled = next(line for line in lines if line.startswith("pooled"))
    assert pooled.split() == [
        "pooled",
        f"{expected['estimate']:.4f}",
        f"[{expected['ci_low']:.4f},",
        f"{expected['ci_high']:.4f}]",
        "100.00%",
    ]
    assert (
        f"tau^2 (estimated amount of total heterogeneity): {expected['tau2']:.4f} "
        f"(SE = {expected['se_tau2']:.4f})"
    ) in lines
    assert f"I^2 (total heterogeneity / total variability):   {expected['i2']:.2f}%" in lines
    assert f"Q(df = 1) = {expected['q']:.4f}, p-val = {expected['q_p']:.4f}" in lines
    header = lines[lines.index("Model Results:") + 1].split()
    values = lines[lines.index("Model Results:") + 2].split()
    assert header == ["estimate", "se", "zval", "pval", "ci.lb", "ci.ub"]
    assert values == [
        f"{expected[k]:.4f}" for k in ("estimate", "se", "statistic", "p", "ci_low", "ci_high")
    ]
    assert (
        f"95% prediction interval: [{expected['pi_low']:.4f}, {expected['pi_high']:.4f}]"
        in result.output
    )


def test_csv_and_md_formats():
    expected = CASES[0]["expected"]
    csv_out = run(["--outcome", "mrss", "--studies", STUDIES, "--format", "csv"]).output
    lines = csv_out.splitlines()
    assert lines[0] == "id,timepoint,yi,vi,sei,ci_low,ci_high,weight"
    assert lines[1].startswith("poelman2015,12 months,-8.0,")
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert list(rows)[-5:] == ["pooled", "tau^2", "tau", "I^2(%)", "H^2"]
    assert float(rows["pooled"][2]) == pytest.approx(expected["estimate"], rel=1e-9)
    assert float(rows["tau^2"][5]) == pytest.approx(expected["tau2_ci_low"], rel=1e-6)
    assert float(rows["tau^2"][4]) == pytest.approx(expected["se_tau2"], rel=1e-6)
    assert rows["H^2"][6] == ">" + repr(float(rows["H^2"][6][1:]))  # metafor: ub.sign ">"
    assert float(rows["H^2"][6][1:]) == pytest.approx(expected["h2_ci_high"], rel=1e-6)
    md = run(["--outcome", "mrss", "--studies", STUDIES, "--format", "md"]).output
    assert f"| **pooled** | | **{expected['estimate']:.4f}** |" in md
    assert "| study | timepoint | MC | 95% CI | weight |" in md
    assert (
        f"- 95% CI (Q-profile): tau^2 [{expected['tau2_ci_low']:.4f}, "
        f">{expected['tau2_ci_high']:.4f}], tau [{expected['tau_ci_low']:.4f}, "
    ) in md


def test_table_shows_the_q_profile_ci_like_metafor_confint():
    expected = CASES[0]["expected"]
    assert expected["tau2_ci_low_sign"] == "" and expected["tau2_ci_high_sign"] == ">"
    lines = run(["--outcome", "mrss", "--studies", STUDIES]).output.splitlines()
    start = lines.index("95% CI of the heterogeneity (Q-profile, as metafor confint):")
    assert lines[start + 1].split() == ["estimate", "ci.lb", "ci.ub"]
    for line, (label, name) in zip(
        lines[start + 2 : start + 6],
        (("tau^2", "tau2"), ("tau", "tau"), ("I^2(%)", "i2"), ("H^2", "h2")),
        strict=True,
    ):
        assert line.split() == [
            label,
            f"{expected[name]:.4f}",
            f"{expected[name + '_ci_low']:.4f}",
            f">{expected[name + '_ci_high']:.4f}",
        ]


def test_no_tau2_ci_for_equal_effects_or_one_study():
    # metafor's confint(): "Model does not contain a random-effects component." (EE) and
    # "Stopped because k = 1." (checked with metafor 3.8-1 and 5.0-1)
    ee = pool("mrss", method="EE", studies_path=STUDIES)
    one = pool("mrss", timepoint=6, studies_path=STUDIES)
    assert one.k == 1
    for result in (ee, one):
        assert result.tau2_ci_low is result.i2_ci_high is result.tau2_ci_high_sign is None
    output = run(["--outcome", "mrss", "--method", "EE", "--studies", STUDIES]).output
    assert "Q-profile" not in output


def test_mean_difference_by_hand():
    # takehara2013 week 12: IVIG -3.3 ± 4.2 (n 31) vs placebo -4.2 ± 4.6 (n 31)
    result = pool("mrss_change", studies_path=STUDIES)
    assert result.measure == "MD" and result.k == 1
    assert result.estimate == pytest.approx(-3.3 - -4.2, rel=1e-12)
    assert result.se**2 == pytest.approx(4.2**2 / 31 + 4.6**2 / 31, rel=1e-12)
    assert any("control n not reported" in note for note in result.notes)


def test_design_filter():
    result = pool("mrss", studies_path=STUDIES, design="rct")
    assert [s.id for s in result.studies] == ["takehara2013"]


def test_timepoint_without_value_excludes_with_reason():
    result = pool("mrss", studies_path=STUDIES, timepoint="6")
    assert [s.id for s in result.studies] == ["poelman2015"]
    assert "excluded takehara2013: no 6-month value (has 12 weeks)" in result.notes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "nonsense"], "outcome: unknown outcome 'nonsense' (see `ivigmeta"),
        (["--outcome", "mrss", "--timepoint", "soon"], "timepoint: expected a number of months"),
        (["--outcome", "mrss", "--design", "anecdote"], "design: expected one of"),
        (["--outcome", "mrss", "--measure", "OR"], "measure: from study records, expected one of"),
        ([], "outcome: give --outcome"),
    ],
)
def test_bad_options_are_one_line_errors(args, message):
    result = CliRunner().invoke(cli, ["pool", "--studies", STUDIES, *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def write(tmp_path, text):
    path = tmp_path / "table.csv"
    path.write_text(text)
    return str(path)


def test_csv_bad_cell_names_file_line_column(tmp_path):
    path = write(tmp_path, "study,yi,vi\na,0.1,0.02\nb,zero,0.03\n")
    result = CliRunner().invoke(cli, ["pool", "--csv", path])
    assert result.exit_code == 2
    assert result.output == f"ivigmeta: error: {path}:3: yi: expected a number, got 'zero'\n"


def test_csv_missing_column_lists_required_columns(tmp_path):
    path = write(tmp_path, "study,m1i,sd1i,n1i,m2i,sd2i\na,1,1,10,0,1\n")
    result = CliRunner().invoke(cli, ["pool", "--csv", path, "--measure", "MD"])
    assert result.exit_code == 2
    assert "MD needs columns m1i sd1i n1i m2i sd2i n2i; missing n2i" in result.output


def test_csv_invalid_value_names_line(tmp_path):
    path = write(tmp_path, "study,ai,n1i,ci,n2i\na,3,10,2,10\nb,12,10,2,10\n")
    result = CliRunner().invoke(cli, ["pool", "--csv", path, "--measure", "OR"])
    assert result.exit_code == 2
    assert result.output == (
        f"ivigmeta: error: {path}:3: n1i: expected a group size >= the event count, got 10\n"
    )


def test_csv_needs_measure_or_yi_vi(tmp_path):
    path = write(tmp_path, "study,xi,ni\na,3,10\n")
    result = CliRunner().invoke(cli, ["pool", "--csv", path])
    assert result.exit_code == 2
    assert "give --measure" in result.output


def test_csv_pre_post_fills_missing_ri_with_r(tmp_path):
    path = write(tmp_path, "study,m1i,m2i,sd1i,sd2i,ni\na,20,25,5,6,10\nb,18,24,4,5,12\n")
    missing = CliRunner().invoke(cli, ["pool", "--csv", path, "--measure", "MC"])
    assert missing.exit_code == 2 and "fill the ri column or give --r" in missing.output
    got = run_json(["--csv", path, "--measure", "MC", "--r", "0.5", "--method", "EE"])
    # by hand: vi = (sd1^2 + sd2^2 - 2 r sd1 sd2) / n
    assert got["studies"][0]["vi"] == pytest.approx((25 + 36 - 30) / 10, rel=1e-12)
    assert got["studies"][1]["vi"] == pytest.approx((16 + 25 - 20) / 12, rel=1e-12)


def test_pool_path_avoids_slow_modules():
    code = (
        "import sys\nfrom ivigmeta.cli import main\n"
        f"try:\n    main(['pool', '--outcome', 'mrss', '--studies', {STUDIES!r}])\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stderr.split()
    )
    assert not {"scipy.stats", "statsmodels", "matplotlib", "rich"} & loaded


def test_equal_effects_table_has_no_tau2_and_no_prediction_interval():
    """metafor prints an equal-effects model without tau² and predict() gives it no PI."""
    expected = next(c for c in CASES if c["name"] == "mrss EE")["expected"]
    result = run(["--outcome", "mrss", "--studies", STUDIES, "--method", "EE"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "mrss: MC, equal-effects model, z test, k = 2"
    main = result.output.split("Few studies")[0]  # the few-studies block is random-effects
    assert "prediction interval" not in main
    assert not any(line.startswith("tau") for line in main.splitlines())
    values = lines[lines.index("Model Results:") + 2].split()
    assert values[0] == f"{expected['estimate']:.4f}"


def test_method_and_measure_accept_any_case_and_show_metafor_spelling():
    expected = next(c for c in CASES if c["name"] == "mrss DL")["expected"]
    got = run_json(["--outcome", "mrss", "--studies", STUDIES, "--method", "dl", "--measure", "mc"])
    assert (got["method"], got["measure"]) == ("DL", "MC")
    assert close(got["tau2"], expected["tau2"])
    help_text = run(["--help"]).output
    assert "[EE|DL|HE|HS|SJ|ML|REML|EB|PM|MH|PETO|GLMM]" in help_text
