"""`ivigmeta pool` on 2x2 tables and proportions: Mantel-Haenszel and Peto from the command
line, zero cells (escalc's add/to/drop00, against metafor 5.0-1), the natural scale in every
format, and bad count data (one line naming the row and the column, exit 2).

Golden values: ``tests/oracle/mantel_haenszel.R`` (tolerance 1e-6 relative).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ivigmeta.analyses.pool import pool
from ivigmeta.cli import cli
from ivigmeta.effects.escalc import escalc
from ivigmeta.errors import IvigmetaError
from ivigmeta.render.figures.forest_from_pool import forest_from_pool
from ivigmeta.render.figures.style import figure_svg
from ivigmeta.stats.models.mantel_haenszel import mantel_haenszel
from svg_probe import group, parse, path_points, texts, x_axis_map

ROOT = Path(__file__).resolve().parents[1]
BCG = str(ROOT / "examples" / "bcg.csv")
GOLDEN = json.loads((ROOT / "tests/oracle/golden/mantel_haenszel.json").read_text())


def golden(data, method, measure, variant="default"):
    return next(
        c for c in GOLDEN["cases"]
        if (c["data"], c["method"], c["measure"], c["variant"]) == (data, method, measure, variant)
    )  # fmt: skip


def run(*args):
    return CliRunner().invoke(cli, ["pool", *args], catch_exceptions=False)


def run_json(*args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def write_tables(tmp_path, tables, name="tables.csv") -> str:
    path = tmp_path / name
    lines = ["study,ai,bi,ci,di"]
    lines += [
        f"s{i + 1},{a},{b},{c},{d}" for i, (a, b, c, d) in enumerate(zip(*tables, strict=True))
    ]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_mh_risk_ratio_prints_the_ratio_scale():
    """The issue's done-when: the risk ratio 0.xx with its CI on the ratio scale."""
    expected = golden("dat.bcg", "MH", "RR")
    out = run("--csv", BCG, "--measure", "RR", "--method", "MH").output
    rr = [math.exp(expected[x]) for x in ("beta", "ci_lb", "ci_ub")]
    assert f"pooled {'':17}{rr[0]:.4f}  [{rr[1]:.4f}, {rr[2]:.4f}]  100.00%" in out
    assert f"{rr[0]:.4f}" == "0.6353"  # as metafor prints exp(coef(rma.mh(...)))
    assert "RR, Mantel-Haenszel method (equal-effects), z test, k = 13" in out
    assert "Model Results (log scale):" in out and "Model Results (RR scale, exp):" in out
    assert "tau^2" not in out
    assert f"Q(df = 12) = {expected['QE']:.4f}" in out


@pytest.mark.parametrize("measure", ["OR", "RR", "RD"])
def test_mh_json_matches_metafor(measure):
    expected = golden("dat.bcg", "MH", measure)
    got = run_json("--csv", BCG, "--measure", measure, "--method", "MH")
    pairs = {"beta": "estimate", "se": "se", "ci_lb": "ci_low", "ci_ub": "ci_high",
             "zval": "statistic", "pval": "p", "QE": "q", "QEp": "q_p", "I2": "i2"}  # fmt: skip
    if measure == "OR":
        pairs |= {"MH": "cmh", "MHp": "cmh_p", "TA": "tarone", "TAp": "tarone_p"}
    for theirs, ours in pairs.items():
        assert got[ours] == pytest.approx(expected[theirs], rel=1e-6), ours
    assert got["method"] == "MH" and got["df"] is None and got["tau2"] == 0
    assert [s["weight"] for s in got["studies"]] == pytest.approx(expected["weights"], rel=1e-6)
    if measure == "RD":
        assert got["transformed"] is None
        assert got["cmh"] is None
    else:
        assert got["transformed"]["function"] == "exp"
        assert got["transformed"]["estimate"] == pytest.approx(math.exp(expected["beta"]))
        for study, yi in zip(got["studies"], expected["yi"], strict=True):
            assert study["effect"] == pytest.approx(math.exp(yi), rel=1e-9)


def test_peto_json_matches_metafor():
    expected = golden("dat.bcg", "PETO", "OR")
    got = run_json("--csv", BCG, "--measure", "OR", "--method", "peto")
    assert got["method"] == "PETO"
    for theirs, ours in (("beta", "estimate"), ("se", "se"), ("QE", "q"), ("I2", "i2")):
        assert got[ours] == pytest.approx(expected[theirs], rel=1e-6)
    # the studies' own Peto odds ratios, as metafor's escalc(measure = "PETO")
    assert [s["yi"] for s in got["studies"]] == pytest.approx(expected["yi"], rel=1e-6)
    assert [s["vi"] for s in got["studies"]] == pytest.approx(expected["vi"], rel=1e-6)
    assert [s["weight"] for s in got["studies"]] == pytest.approx(expected["weights"], rel=1e-6)
    out = run("--csv", BCG, "--measure", "OR", "--method", "PETO").output
    assert "Peto's method (equal-effects)" in out


def test_transf_none_shows_the_model_scale():
    expected = golden("dat.bcg", "MH", "RR")
    out = run("--csv", BCG, "--measure", "RR", "--method", "MH", "--transf", "none").output
    assert f"[{expected['ci_lb']:.4f}, {expected['ci_ub']:.4f}]  100.00%" in out
    assert "RR scale" not in out


def test_markdown_and_csv_are_on_the_natural_scale():
    expected = golden("dat.bcg", "MH", "OR")
    md = run("--csv", BCG, "--measure", "OR", "--method", "MH", "--format", "md").output
    assert f"| **pooled** | | **{math.exp(expected['beta']):.4f}** |" in md
    assert "Cochran-Mantel-Haenszel Test" in md
    lines = run("--csv", BCG, "--measure", "OR", "--method", "MH", "--format", "csv").output
    header, *rows = lines.splitlines()
    assert header.endswith(",effect,effect_ci_low,effect_ci_high")
    pooled = next(r.split(",") for r in rows if r.startswith("pooled,"))
    assert float(pooled[2]) == pytest.approx(expected["beta"], rel=1e-9)  # model scale kept
    assert float(pooled[8]) == pytest.approx(math.exp(expected["beta"]), rel=1e-9)


@pytest.mark.parametrize(
    "case",
    GOLDEN["zero_cells"],
    ids=[
        f"{c['data']}-{c['measure']}-{c['to']}-{c['drop00']}-{c['add']}"
        for c in GOLDEN["zero_cells"]
    ],
)
def test_zero_cell_options_match_escalc(case):
    t = case["tables"]
    got = escalc(case["measure"], ai=t["ai"], bi=t["bi"], ci=t["ci"], di=t["di"], add=case["add"],
                 to=case["to"], drop00=case["drop00"])  # fmt: skip
    for name in ("yi", "vi"):
        expected = np.array([np.nan if v is None else v for v in case[name]], dtype=float)
        assert np.array_equal(np.isnan(expected), np.isnan(getattr(got, name)))
        ok = ~np.isnan(expected)
        assert getattr(got, name)[ok] == pytest.approx(expected[ok], rel=1e-6)


def test_notes_name_the_corrected_and_the_double_zero_studies(tmp_path):
    path = write_tables(tmp_path, ([0, 3, 5, 0], [20, 17, 15, 30], [0, 6, 0, 4], [20, 14, 20, 26]))
    notes = run_json("--csv", path, "--measure", "OR")["notes"]
    assert any(n.startswith("double zero") and "s1;" in n and "corrected like" in n for n in notes)
    assert (
        "continuity correction: 0.5 added to each cell of s1, s3, s4 (--add 0.5 --to only0)"
        in notes
    )
    dropped = run_json("--csv", path, "--measure", "OR", "--drop00", "--add", "1")
    assert dropped["k"] == 3
    assert "left out of the pool (no effect size): s1" in dropped["notes"]
    assert (
        "continuity correction: 1 added to each cell of s3, s4 (--add 1 --to only0)"
        in dropped["notes"]
    )
    mh = run_json("--csv", path, "--measure", "OR", "--method", "MH")  # drop00 by default
    assert mh["k"] == 4 and mh["q_df"] == 2
    assert mh["studies"][0]["yi"] is None and mh["studies"][0]["weight"] == 0
    assert any("no effect size (--drop00)" in n for n in mh["notes"])
    everywhere = run_json("--csv", path, "--measure", "OR", "--to", "all")["notes"]
    assert (
        "continuity correction: 0.5 added to each cell of every study (--add 0.5 --to all)"
        in everywhere
    )
    table = run("--csv", path, "--measure", "OR", "--method", "MH").output
    assert "s1" in table and "(no effect size)" in table


@pytest.mark.parametrize("data", ["random 10", "random 12", "random 6"])
@pytest.mark.parametrize("method", ["MH", "PETO"])
def test_table_methods_reproduce_metafor_with_zero_cells_from_the_command_line(
    tmp_path, data, method
):
    case = golden(data, method, "OR")
    t = case["tables"]
    path = write_tables(tmp_path, (t["ai"], t["bi"], t["ci"], t["di"]))
    got = run_json("--csv", path, "--measure", "OR", "--method", method)
    pairs = [("beta", "estimate"), ("se", "se"), ("QE", "q"), ("I2", "i2")]
    if method == "MH":
        pairs += [("TA", "tarone"), ("MH", "cmh")]
    for theirs, ours in pairs:
        assert got[ours] == pytest.approx(case[theirs], rel=1e-6, abs=1e-12)
    assert got["q_df"] == case["k_yi"] - 1
    yi = [s["yi"] for s in got["studies"]]
    assert [v is None for v in yi] == [v is None for v in case["yi"]]
    assert [v for v in yi if v is not None] == pytest.approx(
        [v for v in case["yi"] if v is not None], rel=1e-6
    )


@pytest.mark.parametrize(
    ("rows", "measure", "expected"),
    [
        (
            "study,ai,n1i,ci,n2i\na,5,4,3,10\n",
            "OR",
            ":2: n1i: expected a group size >= the event count, got 4",
        ),
        (
            "study,ai,bi,ci,di\na,5,4,3,10\nb,2,-1,3,4\n",
            "RR",
            ":3: bi: expected a value >= 0, got -1",
        ),
        (
            "study,ai,bi,ci\na,5,4,3\n",
            "OR",
            ": measure: OR needs columns ai bi ci di (or ai n1i ci n2i); missing di",
        ),
        ("study,xi,ni\na,5,4\n", "PLO", ":2: xi: expected an event count no larger than ni, got 5"),
        (
            "study,ai,bi,ci,di\na,1,2,3,4\nb,1,2,0,0\n",
            "OR",
            ":3: n2i: expected a group of at least one patient (ci + di > 0)",
        ),
        ("study,xi,ni\na,-1,4\n", "PR", ":2: xi: expected a value >= 0, got -1"),
    ],
)
def test_bad_counts_give_one_line_naming_row_and_column(tmp_path, rows, measure, expected):
    path = tmp_path / "bad.csv"
    path.write_text(rows)
    for method in ("REML", "MH") if measure in ("OR", "RR") else ("REML",):
        result = CliRunner().invoke(cli, ["pool", "--csv", str(path), "--measure", measure,
                                          "--method", method])  # fmt: skip
        assert result.exit_code == 2
        assert result.output.count("\n") == 1
        assert result.output == f"ivigmeta: error: {path}{expected}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--csv", BCG, "--measure", "PLO", "--method", "MH"), "Mantel-Haenszel pools 2x2 tables"),
        (("--outcome", "mrss", "--method", "MH"), "Mantel-Haenszel pools 2x2 tables"),
        (("--csv", BCG, "--measure", "RR", "--method", "PETO"), "--measure OR or PETO; got RR"),
        (("--csv", BCG, "--measure", "OR", "--method", "MH", "--test", "knha"), "z tests"),
        (("--outcome", "mrss", "--add", "1"), "--add/--to/--drop00 correct the counts"),
    ],
)
def test_methods_refuse_what_they_cannot_pool(args, message):
    result = CliRunner().invoke(cli, ["pool", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and result.output.startswith("ivigmeta: error:")


def test_unestimable_mh_odds_ratio_is_an_error(tmp_path):
    path = write_tables(tmp_path, ([0, 0], [10, 12], [3, 2], [7, 9]))
    result = CliRunner().invoke(cli, ["pool", "--csv", path, "--measure", "OR", "--method", "MH"])
    assert result.exit_code == 2
    assert "not estimable" in result.output


tables = st.lists(st.tuples(*(st.integers(0, 40) for _ in range(4))), min_size=1, max_size=8).map(
    lambda rows: tuple(np.array(col, dtype=float) for col in zip(*rows, strict=True))
)


@settings(max_examples=60, deadline=None)
@given(tables, st.sampled_from(["OR", "RR", "RD"]))
def test_swapping_the_groups_negates_the_estimate(cells, measure):
    """Group 1 <-> group 2 reverses the effect: log OR, log RR and RD change sign, and the
    CMH statistic (a two-sided test) stays."""
    a, b, c, d = cells
    if np.any(a + b == 0) or np.any(c + d == 0):
        return

    def fit(a, b, c, d):
        e = escalc(measure, ai=a, bi=b, ci=c, di=d, drop00=True)
        return mantel_haenszel(a, b, c, d, e.yi, e.vi, measure=measure)

    one, two = fit(a, b, c, d), fit(c, d, a, b)
    if math.isfinite(one.estimate):
        assert two.estimate == pytest.approx(-one.estimate, abs=1e-9)
        assert two.se == pytest.approx(one.se, rel=1e-9)
    else:
        assert not math.isfinite(two.estimate)
    if one.cmh is not None and math.isfinite(one.cmh):
        assert two.cmh == pytest.approx(one.cmh, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*(st.integers(-3, 30) for _ in range(4))), min_size=1, max_size=6),
       st.sampled_from(["MH", "PETO", "REML"]), st.sampled_from(["OR", "RR", "RD"]))  # fmt: skip
def test_arbitrary_tables_give_a_result_or_our_own_error(tmp_path_factory, rows, method, measure):
    path = tmp_path_factory.mktemp("t") / "t.csv"
    body = "".join(f"s{i},{a},{b},{c},{d}\n" for i, (a, b, c, d) in enumerate(rows))
    path.write_text("study,ai,bi,ci,di\n" + body)
    try:
        result = pool(csv=path, measure=measure, method=method)
    except IvigmetaError:
        return
    assert result.k == len(rows) or method == "REML"


def test_forest_of_proportions_is_drawn_on_the_proportion_scale():
    """PLO: rows and diamond at the back-transformed values on a 0-1 axis, no logit axis."""
    result = pool(csv=ROOT / "examples/pritz1997.csv", measure="PLO")
    root = parse(figure_svg(forest_from_pool(result)))
    words = texts(root)
    assert "Proportion" in words and "IV, Random, 95% CI" in words
    assert not any("logit" in w for w in words)
    to_x = x_axis_map(root)
    left, _, right, _ = path_points(group(root, "diamond-overall"))
    t = result.transformed
    assert left[0] == pytest.approx(to_x(t["ci_low"]), abs=0.5)
    assert right[0] == pytest.approx(to_x(t["ci_high"]), abs=0.5)
    assert "0.76 [0.66, 0.83]" in words


def test_forest_of_mh_risk_ratios_uses_a_ratio_axis_and_names_the_method():
    result = pool(csv=BCG, measure="RR", method="MH")
    words = texts(parse(figure_svg(forest_from_pool(result))))
    assert "Risk ratio (log scale)" in words and "M-H, Fixed, 95% CI" in words
    assert "0.64 [0.59, 0.69]" in words
    model = texts(parse(figure_svg(forest_from_pool(result, natural=False))))
    assert "Log risk ratio" in model and "−0.45 [−0.53, −0.38]" in model


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-2, 30), st.integers(-2, 30)), min_size=1, max_size=6),
       st.sampled_from(["PR", "PLO", "PAS", "PFT"]),
       st.sampled_from(["exact", "wilson", "wald"]))  # fmt: skip
def test_arbitrary_proportions_give_bounded_intervals_or_our_own_error(
    tmp_path_factory, rows, measure, study_ci
):
    path = tmp_path_factory.mktemp("p") / "p.csv"
    path.write_text("study,xi,ni\n" + "".join(f"s{i},{x},{n}\n" for i, (x, n) in enumerate(rows)))
    try:
        result = pool(csv=path, measure=measure, study_ci=study_ci)
    except IvigmetaError:
        return
    for study in result.studies:
        assert 0 <= study.effect_ci_low <= study.effect <= study.effect_ci_high <= 1
    if result.transformed is not None:
        t = result.transformed
        assert all(0 <= t[name] <= 1 for name in ("estimate", "ci_low", "ci_high")
                   if t[name] is not None)  # fmt: skip


def test_sensitivity_tables_show_ratios_as_metafor_leave1out_with_transf_exp():
    runner = CliRunner()
    args = ["sensitivity", "--csv", BCG, "--measure", "RR"]
    got = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    table = runner.invoke(cli, args).output
    assert "on the ratio scale, exp" in table
    first = got["leave_one_out"][0]
    row = next(line for line in table.splitlines() if line.startswith(first["id"]))
    shown = [f"{math.exp(first[x]):.4f}" for x in ("estimate", "ci_low", "ci_high")]
    assert row.split()[2:5] == shown
    assert shown == ["0.4931", "0.3398", "0.7155"]  # metafor: leave1out(res, transf = exp)


def test_subgroup_tables_show_ratios_as_metafor_predict_with_transf_exp(tmp_path):
    lines = Path(BCG).read_text().splitlines()
    rows = [lines[0] + ",lat"]
    rows += [f"{line},{'high' if float(line.split(',')[5]) >= 35 else 'low'}" for line in lines[1:]]
    path = tmp_path / "bcg_lat.csv"
    path.write_text("\n".join(rows) + "\n")
    out = CliRunner().invoke(
        cli, ["subgroup", "--csv", str(path), "--measure", "RR", "--by", "lat"]
    )
    assert "estimates on the ratio scale, exp" in out.output
    # metafor: predict(rma(measure = "RR", ..., subset = lat == g), transf = exp)
    assert "high   6    0.3021  0.2148  0.4250" in out.output
    assert "low    7    0.7674  0.5901  0.9980" in out.output
