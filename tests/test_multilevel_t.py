"""t tests of the model-based coefficients (metafor 5.0-1 ``rma.mv(test = "t", dfs =)``).

Golden values: tests/oracle/golden/multilevel_t.json (tests/oracle/multilevel_t.R):
dat.konstantopoulos2011 (with and without a moderator), dat.assink2016 (two moderators,
ML) and a seeded ``~ month | trial`` data set (AR and CS, a between-trial and a
within-trial moderator), each with ``dfs = "residual"`` (metafor's default, k - p) and
``dfs = "contain"``. The df must be equal; p, CIs, t at 1e-6 (largest deviation: see
``python tests/oracle/multilevel_max_deviation.py``), QM as F(m, min df) at 1e-5 relative.
The oracle script also checks that metafor's ``robust(fit, cluster, clubSandwich = TRUE)``
equals clubSandwich's ``coef_test(vcov = "CR2", test = "Satterthwaite")``, which
tests/test_multilevel_oracle.py compares ``--robust CR2`` with.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli
from ivigmeta.errors import AnalysisError
from ivigmeta.stats.models.multilevel import multilevel_model

GOLDEN = json.loads((Path(__file__).parent / "oracle" / "golden" / "multilevel_t.json").read_text())
CASES = GOLDEN["cases"]
STRUCT_CASES = GOLDEN["struct_cases"]


def as_list(value) -> list:
    if value is None or value == {}:
        return []
    return value if isinstance(value, list) else [value]


def fit_case(case, **extra):
    data = case["data"]
    moderators = data.get("moderators") or {}
    mods = {name: moderators[name] for name in as_list(case["mods"])} or None
    if "struct" in case:
        levels, names = [data["labels"][case["cluster"]]], [case["cluster"]]
        extra.update(struct=case["struct"], time=data["time"])
    else:
        names = as_list(case["levels"])
        levels = [data["labels"][name] for name in names]
    return multilevel_model(data["yi"], data["vi"], levels=levels, level_names=names, mods=mods,
                            method=case["method"], test="t", dfs=case["dfs"],
                            **extra)  # fmt: skip


def ids(cases):
    return [f"{c['name']}-{c.get('struct', 'nested')}-{c['dfs']}" for c in cases]


@pytest.mark.parametrize("case", CASES + STRUCT_CASES, ids=ids(CASES + STRUCT_CASES))
def test_t_tests_match_metafor(case):
    fit = fit_case(case)
    coefficients = fit.coefficients
    assert fit.test == "T"
    assert [c.df for c in coefficients] == as_list(case["df"])
    assert fit.df == as_list(case["df"])[0]
    assert [c.statistic for c in coefficients] == pytest.approx(as_list(case["tval"]), abs=1e-5)
    for ours, theirs in (("p", "pval"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        assert [getattr(c, ours) for c in coefficients] == pytest.approx(
            as_list(case[theirs]), abs=1e-6
        ), ours
    if case["qm"] is None:
        assert fit.qm is None and fit.qm_df2 is None
    else:
        assert fit.qm == pytest.approx(case["qm"], rel=1e-5)
        assert [fit.qm_df, fit.qm_df2] == as_list(case["qm_df"])
        assert fit.qm_p == pytest.approx(case["qm_p"], rel=1e-5, abs=1e-9)


def test_z_is_the_default_and_t_changes_only_the_reference_distribution():
    case = CASES[0]
    data = case["data"]
    levels = [data["labels"][name] for name in case["levels"]]
    z = multilevel_model(data["yi"], data["vi"], levels=levels)
    t = fit_case(case)
    assert (z.test, z.df, z.coefficients[0].df) == ("Z", None, None)
    assert (t.estimate, t.se, t.statistic) == (z.estimate, z.se, z.statistic)
    assert t.p > z.p and t.ci_low < z.ci_low


def test_zero_contain_df_is_an_error():
    """Three clusters and p = 3: the intercept is contained in the cluster factor (3 levels),
    so "contain" gives it 3 - 3 = 0 df (metafor reports NA)."""
    cluster = [c for c in "abc" for _ in range(3)]
    x1, x2 = [0.1, 0.4, 0.3, 0.9, 0.2, 0.5, 0.8, 0.6, 0.7], [1, 0, 0, 1, 1, 0, 0, 1, 0]
    yi = [0.1, 0.5, 0.2, 0.6, 0.3, 0.4, 0.0, 0.7, 0.2]
    with pytest.raises(AnalysisError, match="intrcpt has 0 'contain' degrees of freedom"):
        multilevel_model(yi, [0.02] * 9, levels=[cluster, list(range(9))],
                         mods={"x1": x1, "x2": x2}, test="t", dfs="contain")  # fmt: skip


def test_cli_t_test(tmp_path):
    case = next(c for c in CASES if c["name"] == "konstantopoulos2011_year"
                and c["dfs"] == "contain")  # fmt: skip
    data = case["data"]
    rows = zip(data["yi"], data["vi"], data["labels"]["district"], data["labels"]["school"],
               data["moderators"]["year_c"], strict=True)  # fmt: skip
    table = tmp_path / "k.csv"
    table.write_text("yi,vi,district,school,year_c\n" + "".join(
        f"{a},{b},{c},{d},{e}\n" for a, b, c, d, e in rows))  # fmt: skip
    args = ["multilevel", "--csv", str(table), "--cluster", "district", "--within", "school",
            "--mods", "year_c", "--test", "t", "--dfs", "contain"]  # fmt: skip
    out = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    assert [c["df"] for c in out["coefficients"]] == as_list(case["df"])
    assert (out["qm_df"], out["qm_df2"]) == tuple(as_list(case["qm_df"]))
    assert out["p"] == pytest.approx(as_list(case["pval"])[0], abs=1e-6)
    text = CliRunner().invoke(cli, args).output
    assert "F(df1 = 1, df2 = 54) = " in text
    assert "tval  df" in text
