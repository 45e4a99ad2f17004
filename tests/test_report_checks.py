"""DEBIT, CI-p, SE vs SD, percent, n-flow and baseline balance (issue 18.2), against published
worked examples and hand derivations written here; their ``reproduce`` rows on the bundled
records and their ``ivigmeta test ...`` commands."""

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from scipy import stats

import ivigmeta
from ivigmeta.cli import cli
from ivigmeta.stats.checks.arithmetic import n_flow_check, percent_check, se_sd_check
from ivigmeta.stats.checks.baseline import BaselineVariable, baseline_balance, fisher, stouffer
from ivigmeta.stats.checks.ci_p import ci_from_p, ci_p_check
from ivigmeta.stats.checks.debit import debit

# --------------------------------------------------------------------------- DEBIT


def test_debit_scrutiny_example_and_hand_derivations():
    # scrutiny's vignette (Heathers & Brown 2019 DEBIT): debit("0.35", "0.18", 20) is FALSE.
    # By hand: k/20 rounds to 0.35 only for k = 7; its sample SD is
    # sqrt(20/19 · 0.35 · 0.65) = 0.4894, far from 0.18.
    result = debit("0.35", "0.18", 20)
    assert result.verdict == "inconsistent" and result.counts == (7, 7)
    assert result.sd_low == pytest.approx(math.sqrt(20 / 19 * 0.35 * 0.65), rel=1e-12)
    # the same mean with SD "0.49" (0.4894 rounds to it) is consistent
    assert debit("0.35", "0.49", 20).verdict == "consistent"
    # a mean no count of 20 gives (7/20 = 0.35, 8/20 = 0.40): fails like GRIM
    assert debit("0.36", "0.11", 20).verdict == "inconsistent"
    # n = 10, 5 ones: sample SD sqrt(10/9 · 0.25) = 0.527; the population SD 0.5 would fit "0.50"
    population = debit("0.50", "0.50", 10)
    assert population.verdict == "inconsistent" and "population SD" in population.note
    assert debit("0.50", "0.53", 10).verdict == "consistent"


def test_debit_rejects_non_binary_means():
    from ivigmeta.errors import InputError

    with pytest.raises(InputError, match="proportion"):
        debit("1.5", "0.5", 10)


# --------------------------------------------------------------------------- CI and p


def test_ci_p_altman_bland_worked_examples():
    # Altman & Bland, BMJ 2011;343:d2090: zinc trial, 49% v 32%, Est = 17 points, P = 0.032
    # → 95% CI 1.4 to 32.6 (their approximate z = 2.141). Exact z = Φ⁻¹(1 - 0.016) = 2.1444:
    # SE = 17/2.1444 = 7.928, CI 17 ± 1.96·7.928 = 1.46 to 32.54, within 0.1 of theirs.
    ci = ci_from_p(17, 0.032)
    assert ci.statistic == pytest.approx(stats.norm.isf(0.016), rel=1e-12)
    assert ci.ci_low == pytest.approx(1.4, abs=0.1) and ci.ci_high == pytest.approx(32.6, abs=0.1)
    # relative risk 0.30, P = 0.034 → 0.1 to 0.9 (log scale, then exponentiated)
    rr = ci_from_p(0.30, 0.034, ratio=True)
    assert (round(rr.ci_low, 1), round(rr.ci_high, 1)) == (0.1, 0.9)
    # d2304 the other way: SE = (u - l)/(2·1.96), z = Est/SE, P two-sided normal
    check = ci_p_check("17", "1.4", "32.6", "0.032")
    z = 17 / ((32.6 - 1.4) / (2 * stats.norm.isf(0.025)))
    assert check.p == pytest.approx(2 * stats.norm.sf(z), rel=1e-9)
    # Altman & Bland's own approximation P = exp(-0.717 z - 0.416 z²) agrees to 0.001 here
    assert check.p == pytest.approx(math.exp(-0.717 * z - 0.416 * z * z), abs=1e-3)
    assert check.verdict == "consistent" and check.symmetric
    ratio = ci_p_check("0.30", "0.10", "0.90", "0.034", ratio=True)
    assert ratio.verdict == "consistent"
    se = (math.log(0.9) - math.log(0.1)) / (2 * stats.norm.isf(0.025))
    assert ratio.p == pytest.approx(2 * stats.norm.sf(abs(math.log(0.3)) / se), rel=1e-9)


def test_ci_p_corrupted_copies_are_caught():
    # the zinc CI with p printed as 0.32: the CI implies p 0.027-0.039, wholly below 0.05
    assert ci_p_check("17", "1.4", "32.6", "0.32").verdict == "decision-error"
    # p printed as 0.0032: wrong, on the same side of 0.05
    assert ci_p_check("17", "1.4", "32.6", "0.0032").verdict == "inconsistent"
    # a CI that is not centred on the estimate is reported as such
    assert not ci_p_check("10", "1", "12", "0.03").symmetric
    # t-based: with df = 10 the same CI implies a larger p (t quantile 2.228)
    t_check = ci_p_check("17", "1.4", "32.6", "0.032", df=10)
    se = 31.2 / (2 * stats.t.isf(0.025, 10))
    assert t_check.p == pytest.approx(2 * stats.t.sf(17 / se, 10), rel=1e-9)


# --------------------------------------------------------------------------- arithmetic


def test_se_sd_and_percent_by_hand():
    # 7.9/√29 = 1.4670 rounds to 1.47; n = (SD/SE)² spans (7.85/1.475)² = 28.3 to
    # (7.95/1.465)² = 29.4
    ok = se_sd_check("7.9", "1.47", 29)
    assert ok.verdict == "consistent"
    assert ok.n_low == pytest.approx((7.85 / 1.475) ** 2) and ok.n_high == pytest.approx(
        (7.95 / 1.465) ** 2
    )
    bad = se_sd_check("7.9", "7.9", 29)  # an SE printed as the SD
    assert bad.verdict == "inconsistent" and "may be an SE" in bad.note
    # 100·18/52 = 34.615 rounds to 34.6, not to 34.7
    assert percent_check(18, "34.6", 52).verdict == "consistent"
    assert percent_check(18, "34.7", 52).verdict == "inconsistent"
    # without n: 18 is 34.6% of 52 only, for n up to 100 (18/51 = 35.3, 18/53 = 34.0)
    found = percent_check(18, "34.6", None, 100)
    assert (found.n_low, found.n_high) == (52, 52)


def test_n_flow_by_hand():
    assert n_flow_check([("baseline", 30), ("6 mo", 29), ("12 mo", 25)]).verdict == "consistent"
    assert n_flow_check([("baseline", 30), ("6 mo", 31)]).verdict == "inconsistent"
    assert n_flow_check(arms=[("a", 66), ("b", 68)], total=134).verdict == "consistent"
    assert n_flow_check(arms=[("a", 70), ("b", 68)], total=134).verdict == "inconsistent"
    assert n_flow_check(arms=[("a", 31), ("b", 31)], total=63).verdict == "consistent"
    randomised = n_flow_check(arms=[("a", 31), ("b", 31)], total=63, total_is_randomised=True)
    assert randomised.verdict == "inconsistent"


# --------------------------------------------------------------------------- baseline balance


def test_carlisle_stouffer_by_hand():
    variables = [
        BaselineVariable("age", "54.1", "11.2", 31, "50.3", "10.9", 31),
        BaselineVariable("mrss", "27.3", "6.9", 31, "26.9", "7.1", 31),
    ]
    result = baseline_balance(variables)
    p = [
        stats.ttest_ind_from_stats(54.1, 11.2, 31, 50.3, 10.9, 31).pvalue,
        stats.ttest_ind_from_stats(27.3, 6.9, 31, 26.9, 7.1, 31).pvalue,
    ]
    z = (stats.norm.ppf(p[0]) + stats.norm.ppf(p[1])) / math.sqrt(2)
    assert result.z == pytest.approx(z, rel=1e-9)
    assert result.p_trial == pytest.approx(stats.norm.cdf(z), rel=1e-9)
    assert result.fisher_p == pytest.approx(stats.combine_pvalues(p, "fisher").pvalue, rel=1e-9)
    assert result.p_trial_min <= result.p_trial <= result.p_trial_max
    assert result.verdict == "consistent"
    # identical means in 8 variables: every p near 1, Φ(Z) > 0.999 → too alike
    same = [BaselineVariable(f"v{i}", "20.0", "5.0", 100, "20.0", "5.0", 100) for i in range(8)]
    flagged = baseline_balance(same)
    assert flagged.verdict == "inconsistent" and "more alike" in flagged.note
    # and arms far apart: every p tiny, Φ(Z) < 0.001 → too different
    apart = [BaselineVariable(f"v{i}", "30.0", "5.0", 100, "20.0", "5.0", 100) for i in range(3)]
    assert "differ more" in baseline_balance(apart).note
    assert stouffer([0.5, 0.5]) == pytest.approx(0.0, abs=1e-15)
    assert fisher([1.0]) == pytest.approx(1.0)


# --------------------------------------------------------------------------- on the records


@pytest.fixture(scope="module")
def rows():
    return ivigmeta.reproduce()


def test_new_checks_run_on_the_bundled_records(rows):
    by_test = {}
    for row in rows:
        by_test.setdefault(row.test, []).append(row)
    for test in ("percent", "se-sd", "n-flow", "debit", "baseline-balance", "ci-p"):
        assert test in by_test, test
    # Clements 1999: baseline mRSS by arm (completers): Student p = 0.81 (scipy), one variable
    (clements,) = [r for r in by_test["baseline-balance"] if r.study == "clements1999"]
    # R: t.test on samples with exactly these means and SDs (tests/oracle/single_study_t.R)
    golden = json.loads((Path(__file__).parent / "oracle/golden/single_study_t.json").read_text())
    expected = golden["clements_baseline_student_p"]
    assert clements.verdict == "consistent"
    assert clements.p_min <= expected <= clements.p_max
    # Chaigne 2020's count (percent) of 52: each rounds (18/52 = 34.615 → 34.6)
    chaigne = [r for r in by_test["percent"] if r.study == "chaigne2020"]
    assert len(chaigne) == 11 and {r.verdict for r in chaigne} == {"consistent"}
    # Poelman 2015: 30 at baseline, then 29, 25, 23, 15; Takehara: 31 + 31 of 63 enrolled
    flows = {r.study: r for r in by_test["n-flow"]}
    assert flows["poelman2015"].verdict == "consistent" and "30 → 24 mo 15" in flows[
        "poelman2015"
    ].note.replace("baseline ", "")
    assert "31 (IVIG) + 31 (placebo) = 62 of 63" in flows["takehara2013"].note
    # what no record prints is not-checkable, with the reason
    (debit_row,) = by_test["debit"]
    assert debit_row.verdict == "not-checkable" and debit_row.comparison == "13 records"
    takehara_se = [r for r in by_test["se-sd"] if r.study == "takehara2013"]
    assert [r.verdict for r in takehara_se] == ["not-checkable"] * 2


# --------------------------------------------------------------------------- commands


def _run(*args):
    return CliRunner().invoke(cli, list(args))


def test_test_commands_exit_1_only_when_inconsistent():
    bad = _run("test", "debit", "--mean", "0.35", "--sd", "0.18", "--n", "20", "--format", "json")
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert list(data) == ["results", "cautions"] and data["results"][0]["verdict"] == "inconsistent"
    ok = _run("test", "ci-p", "--estimate", "17", "--ci-low", "1.4", "--ci-high", "32.6",
              "--p", "0.032", "--format", "json")  # fmt: skip
    assert ok.exit_code == 0
    assert any("Altman & Bland" in c for c in json.loads(ok.output)["cautions"])
    assert _run("test", "se-sd", "--sd", "7.9", "--se", "7.9", "--n", "29").exit_code == 1
    assert _run("test", "percent", "--count", "18", "--percent", "34.6", "--n", "52").exit_code == 0
    flow = _run("test", "n-flow", "--n", "baseline=30", "--n", "6mo=31")
    assert flow.exit_code == 1 and "6mo n = 31 is above baseline n = 30" in flow.output
    base = _run("test", "baseline", "--variable", "age:54.1,11.2,31,50.3,10.9,31")
    assert base.exit_code == 0 and "Cautions" in base.output


@pytest.mark.parametrize(
    "args",
    [
        ("test", "baseline", "--variable", "age:54.1,11.2"),
        ("test", "baseline", "--variable", "age:54.1,-1,31,50.3,10.9,31"),
        ("test", "ci-p", "--estimate", "1", "--ci-low", "2", "--ci-high", "1"),
        ("test", "ci-p", "--estimate", "0", "--ci-low", "0.5", "--ci-high", "2", "--ratio"),
        ("test", "debit", "--mean", "2", "--sd", "0.5", "--n", "10"),
        ("test", "percent", "--percent", "34.6"),
        ("test", "n-flow"),
    ],
)
def test_bad_input_is_one_line_exit_2(args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") <= 2 and "Traceback" not in result.output


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ivigmeta.errors import IvigmetaError  # noqa: E402

_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(-1000, 1000, places=3, allow_nan=False).map(str),
    st.text(max_size=6),
)
_COUNT = st.one_of(st.integers(-3, 10**7), st.none())


@settings(max_examples=150, deadline=None)
@given(a=_TEXT, b=_TEXT, c=_TEXT, p=_TEXT, n=_COUNT, ratio=st.booleans())
def test_report_checks_raise_only_our_errors(a, b, c, p, n, ratio):
    """Arbitrary typed numbers: a verdict or an IvigmetaError, never another exception."""
    calls = [
        lambda: debit(a, b, n),
        lambda: ci_p_check(a, b, c, p, ratio=ratio),
        lambda: se_sd_check(a, b, n),
        lambda: percent_check(n, a, n),
        lambda: percent_check(n, a, None, 100),
        lambda: n_flow_check([("x", n), ("y", 5)]),
        lambda: baseline_balance([BaselineVariable("v", a, b, n, c, b, n)]),
    ]
    for call in calls:
        try:
            result = call()
        except IvigmetaError:
            continue
        assert result.verdict in ("consistent", "inconsistent", "decision-error", "not-checkable")


_PRINTED = st.decimals(-50, 50, places=2, allow_nan=False).map(lambda d: f"{d:.2f}")


@settings(max_examples=100, deadline=None)
@given(est=_PRINTED, width1=st.integers(1, 3000), width2=st.integers(1, 3000))
def test_ci_p_is_invariant_to_the_sign_of_a_difference(est, width1, width2):
    """(Est, l, u) and (-Est, -u, -l) imply the same p range: the rounding boxes mirror."""
    value = float(est)
    low, high = f"{value - width1 / 100:.2f}", f"{value + width2 / 100:.2f}"
    flip = (f"{-value:.2f}", f"{-float(high):.2f}", f"{-float(low):.2f}")
    a, b = ci_p_check(est, low, high, "0.05"), ci_p_check(*flip, "0.05")
    assert (a.p_min, a.p_max, a.verdict) == pytest.approx((b.p_min, b.p_max, b.verdict))


@settings(max_examples=100, deadline=None)
@given(n=st.integers(2, 400), k=st.integers(0, 400), sd=st.integers(0, 60))
def test_debit_is_symmetric_in_ones_and_zeros(n, k, sd):
    """k ones of n and k zeros of n have the same SD: DEBIT agrees on mean m and 1 - m."""
    k = k % (n + 1)
    mean, flipped = f"{k / n:.2f}", f"{1 - k / n:.2f}"
    if float(mean) + float(flipped) != 1.0:  # 0.125 → "0.12" and "0.88": not mirrored boxes
        return
    assert debit(mean, f"{sd / 100:.2f}", n).verdict == debit(flipped, f"{sd / 100:.2f}", n).verdict


def test_reproduce_checks_the_percent_of_a_binary_comparison_arm(tmp_path):
    """A two-arm binary comparison printing count, percent and n: 4 of 31 is 12.9%, so a
    printed 50% is inconsistent (and 12.5% of 32 is 4 exactly: consistent)."""
    import shutil

    folder = tmp_path / "mine"
    shutil.copytree(Path(__file__).parent / "fixtures" / "user_records", folder)
    record = folder / "fixtureb2021.yaml"
    text = record.read_text()
    assert "arm: {label: rituximab, percent: 12.5, n: 32}" in text
    run = CliRunner().invoke(cli, ["reproduce", "--studies", str(folder), "--format", "json"])
    rows = [r for r in json.loads(run.stdout)["checks"] if r["test"] == "percent"]
    assert any(r["study"] == "fixtureb2021" and r["verdict"] == "consistent" for r in rows)
    record.write_text(text.replace("percent: 12.5, n: 32", "count: 4, percent: 50, n: 31"))
    run = CliRunner().invoke(cli, ["reproduce", "--studies", str(folder), "--format", "json"])
    assert run.exit_code == 1, run.output
    bad = [r for r in json.loads(run.stdout)["checks"]
           if r["test"] == "percent" and r["verdict"] == "inconsistent"]  # fmt: skip
    assert [r["study"] for r in bad] == ["fixtureb2021"]


def test_n_flow_says_the_label_form_it_expects():
    run = CliRunner().invoke(cli, ["test", "n-flow", "--n", "baseline"])
    assert run.exit_code == 2
    assert "expected LABEL=N with N a whole number (e.g. baseline=30), got 'baseline'" in (
        run.output
    )
