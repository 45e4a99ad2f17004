"""``reproduce`` on the bundled records, and the ``test``/``grim``/``reproduce`` commands."""

import csv
import io
import itertools
import json
import math

import pytest
from click.testing import CliRunner
from scipy import stats

import ivigmeta
from ivigmeta.cli import cli
from ivigmeta.stats.checks.rounding import value_interval

KEYS = [
    "study", "outcome", "timepoint", "comparison", "test", "reported_p", "p_min", "p_max",
    "verdict", "note",
]  # fmt: skip
VERDICTS = {"consistent", "inconsistent", "decision-error", "unexplained", "not-checkable"}


@pytest.fixture(scope="module")
def rows():
    return ivigmeta.reproduce()


@pytest.fixture(scope="module")
def studies():
    return ivigmeta.load_studies()


def _find(rows, study, outcome, timepoint, comparison=None):
    found = [
        r
        for r in rows
        if r.study == study
        and r.outcome == outcome
        and r.timepoint == timepoint
        and not r.test.startswith("grim")
        and (comparison is None or comparison in r.comparison)
    ]
    assert len(found) == 1, found
    return found[0]


def test_every_reported_p_gets_exactly_one_row(rows, studies):
    reported = [
        (s.id, item.outcome)
        for s in studies
        for item in (*s.outcomes, *s.comparisons)
        if item.reported is not None and item.reported.p is not None
    ]
    p_rows = [
        r for r in rows if r.reported_p is not None and "printed statistic" not in r.comparison
    ]
    assert sorted((r.study, r.outcome) for r in p_rows) == sorted(reported)
    for row in rows:
        assert row.verdict in VERDICTS
        assert row.note  # every verdict is explained
        if row.verdict == "not-checkable":
            # the reason: a number missing, not reported or printed, a check too coarse to fail
            words = ("missing", "reported", "too coarse", "print", "not randomised")
            assert any(w in row.note for w in words), row


def _p_range_by_corners(test, *args, df):
    """Independent p range over the rounding box: scipy at every corner of the box."""
    boxes = [value_interval(a) if not isinstance(a, int) else (a, a) for a in args]
    values = [test(*corner) for corner in itertools.product(*boxes)]
    return min(values), max(values)


def test_poelman_6_month_paired_t_is_consistent(rows):
    row = _find(rows, "poelman2015", "mrss", "6 mo")
    assert (row.test, row.reported_p, row.verdict) == ("paired-t", "0.0011", "consistent")
    # -5.3 ± 7.9, n = 29: p over the corners of [-5.35, -5.25] × [7.85, 7.95]
    low = 2 * stats.t.sf(5.25 * math.sqrt(29) / 7.95, 28)
    high = 2 * stats.t.sf(5.35 * math.sqrt(29) / 7.85, 28)
    assert row.p_min == pytest.approx(high, rel=1e-9)
    assert row.p_max == pytest.approx(low, rel=1e-9)


def test_poelman_12_month_paired_t_is_consistent(rows):
    row = _find(rows, "poelman2015", "mrss", "12 mo")
    # -8 ± 8.3, n = 25: "-8" stands for [-8.5, -7.5]; p in [2.8e-5, 1.5e-4] covers "0.0001"
    assert row.verdict == "consistent"
    assert row.p_min == pytest.approx(2 * stats.t.sf(8.5 * 5 / 8.25, 24), rel=1e-9)
    assert row.p_max == pytest.approx(2 * stats.t.sf(7.5 * 5 / 8.35, 24), rel=1e-9)


def _student_p(m1, s1, n1, m2, s2, n2):
    return stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2).pvalue


@pytest.mark.parametrize(
    ("timepoint", "control", "arm", "mean", "sd", "reported", "first", "last"),
    [
        # control n not reported; n2 searched up to the control trial's enrolment
        ("6 mo", "relaxin", ("-5.3", "7.9", 29), "-4.8", "6.99", (0.735, 0.745), 37, 231),
        ("6 mo", "MMF group", ("-5.3", "7.9", 29), "-3.4", "7.4", (0.255, 0.265), 48, 111),
        ("12 mo", "D-penicillamine", ("-8", "8.3", 25), "-2.47", "8.6", (0.0045, 0.0055), 46, 134),
        ("12 mo", "collagen", ("-8", "8.3", 25), "-3.4", "7.12", (0.0045, 0.0055), 56, 168),
        ("12 mo", "MMF primary", ("-8", "8.3", 25), "-7.1", "9", (0.665, 0.675), 8, 1000),
    ],
)
def test_poelman_control_comparisons_name_the_n2_that_reproduce_p(
    rows, timepoint, control, arm, mean, sd, reported, first, last
):
    from ivigmeta.printed import PrintedNumber as P

    row = _find(rows, "poelman2015", "mrss_change", timepoint, control)
    assert row.verdict == "not-checkable"
    assert f"n2 in {first}–{last}" in row.note
    m1, s1, n1 = P(arm[0]), P(arm[1]), arm[2]

    def overlaps(n2):
        low, high = _p_range_by_corners(_student_p, m1, s1, n1, P(mean), P(sd), n2, df=None)
        return low <= reported[1] and reported[0] <= high

    # independent check at the edges of the reported run, with scipy at the box corners
    assert overlaps(first) and overlaps(last)
    if first > 2:
        assert not overlaps(first - 1)


def test_takehara_comparisons_do_not_reproduce_and_are_unexplained(rows):
    # the record says the abstract does not name its test (test: null): no Student or Welch t
    # gives p, but ANCOVA or a rank test may, so the rows are unexplained, not inconsistent
    week12 = _find(rows, "takehara2013", "mrss_change", "12 wk")
    assert week12.verdict == "unexplained"
    assert "names no test" in week12.note and "ANCOVA" in week12.note
    # Student and Welch both give p ≈ 0.424 (scipy), and at least 0.37 over rounding
    assert week12.p_min > 0.36 and week12.p_min > 0.3258
    dermal = next(r for r in rows if r.outcome == "dermal_thickness_change")
    assert dermal.verdict == "unexplained"
    expected = stats.ttest_ind_from_stats(-2.23, 34.48, 21, 7.51, 25.55, 22).pvalue
    assert dermal.p_min <= expected <= dermal.p_max
    assert expected == pytest.approx(0.2975, abs=5e-4)


def test_reproduce_cli_json_contract_and_exit_code(rows):
    result = CliRunner().invoke(cli, ["reproduce", "--format", "json"])
    assert result.exit_code == 0  # Takehara's rows are unexplained, not inconsistent
    data = json.loads(result.output)
    assert list(data) == ["checks", "cautions"]
    assert all(list(row) == KEYS for row in data["checks"])
    assert data["checks"] == [r.to_dict() for r in rows]
    assert any("unexplained" in c for c in data["cautions"])


def test_reproduce_cli_csv_md_and_table():
    from ivigmeta.records.loader import default_studies_path

    takehara = str(default_studies_path() / "takehara2013.yaml")
    runner = CliRunner()
    table = runner.invoke(cli, ["reproduce", "--studies", takehara])
    assert table.exit_code == 0
    assert "checks:" in table.output and "Notes:" in table.output
    assert "unexplained" in table.output and "Cautions:" in table.output
    csv_out = runner.invoke(cli, ["reproduce", "--studies", takehara, "--format", "csv"]).output
    parsed = list(csv.reader(io.StringIO(csv_out)))
    assert parsed[0] == KEYS
    rows = ivigmeta.reproduce(takehara)
    assert [line[-2] for line in parsed[1:]] == [r.verdict for r in rows]
    md = runner.invoke(cli, ["reproduce", "--studies", takehara, "--format", "md"]).output
    assert md.splitlines()[0] == "| " + " | ".join(KEYS) + " |"
    table_lines = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table_lines) == 2 + len(rows)
    assert "**Cautions**" in md


def test_test_paired_on_a_record_equals_typed_numbers():
    runner = CliRunner()
    on_record = runner.invoke(
        cli, ["test", "paired", "--study", "poelman2015", "--outcome", "mrss", "--timepoint", "6",
              "--format", "json"],
    )  # fmt: skip
    typed = runner.invoke(
        cli, ["test", "paired", "--mean-change", "-5.3", "--sd-change", "7.9", "--n", "29",
              "--format", "json"],
    )  # fmt: skip
    assert on_record.exit_code == typed.exit_code == 0
    from_record = json.loads(on_record.output)
    assert from_record["results"][0].pop("record") == "poelman2015 mrss 6 mo"
    assert from_record == json.loads(typed.output)
    keys = json.loads(typed.output)["results"][0].keys()
    assert {
        "test",
        "statistic",
        "df",
        "p",
        "estimate",
        "ci_low",
        "ci_high",
        "p_min",
        "p_max",
    } <= keys


def test_test_two_sample_solve_n2():
    result = CliRunner().invoke(
        cli, ["test", "two-sample", "--mean1", "-8", "--sd1", "8.3", "--n1", "25", "--mean2",
              "-2.47", "--sd2", "8.6", "--solve", "n2", "--p", "0.005", "--n2-max", "134",
              "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"][0]["ranges"] == [[46, 134]]


def test_test_paired_solve_r_hand_check():
    # 6 months: the printed p = 0.0011 ([0.00105, 0.00115]) fixes |t| = 5.3·sqrt(29)/sd_change
    result = ivigmeta.paired_t(mean_change="-5.3", n=29, p="0.0011", solve="r",
                               sd_before="7.2", sd_after="9.6")[0]  # fmt: skip
    sd_low = 5.25 * math.sqrt(29) / stats.t.ppf(1 - 0.00105 / 2, 28)
    sd_high = 5.35 * math.sqrt(29) / stats.t.ppf(1 - 0.00115 / 2, 28)
    assert result.sd_change_low == pytest.approx(sd_low, rel=1e-9)
    assert result.sd_change_high == pytest.approx(sd_high, rel=1e-9)
    r_point = (7.2**2 + 9.6**2 - 7.9**2) / (2 * 7.2 * 9.6)  # the change SD as printed, 7.9
    assert result.r_low < r_point < result.r_high


def test_other_test_commands_run():
    runner = CliRunner()
    for args in (
        ["test", "one-sample", "--mean", "1.2", "--sd", "2.0", "--n", "10"],
        ["test", "proportions", "--x1", "10", "--n1", "31", "--x2", "4", "--n2", "32"],
        ["test", "paired-proportions", "--n", "46", "--percent-before", "74",
         "--percent-after", "20", "--format", "csv"],
    ):  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output


def test_grim_command_exit_codes():
    runner = CliRunner()
    assert runner.invoke(cli, ["grim", "--mean", "5.19", "--n", "28"]).exit_code == 1
    ok = runner.invoke(cli, ["grim", "--mean", "5.18", "--n", "28", "--format", "json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["results"][0]["grim"] == "consistent"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["test", "paired", "--mean-change", "3", "--n", "3"], "needs --mean-before"),
        (["test", "paired", "--study", "nosuch"], "no study 'nosuch'"),
        (["test", "paired", "--study", "poelman2015", "--n", "3"], "not both"),
        (["test", "paired-proportions", "--n", "46", "--percent-before", "45",
          "--percent-after", "21"], "no count of 46"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
