"""``pool`` at k = 1 uses the study's own t test (issue 15, item 6): paired t for MC changes,
the named (else Student's) two-sample t for MD, from the records and from CSV rows that carry
the arms' numbers. Golden values: R's t.test (tests/oracle/single_study_t.R), compared at a
relative 1e-9 (largest deviation measured: below 1e-12)."""

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests/oracle/golden/single_study_t.json").read_text())
TOL = 1e-9


def _pool(*args):
    result = CliRunner().invoke(cli, ["pool", *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _matches(out, golden, keys=("statistic", "df", "p", "ci_low", "ci_high")):
    for key in keys:
        assert out[key] == pytest.approx(golden[key], rel=TOL), key


def test_md_record_without_a_named_test_uses_student():
    out = _pool("--outcome", "mrss_change")  # takehara2013, 12 weeks: the record names no test
    assert out["k"] == 1 and out["studies"][0]["id"] == "takehara2013"
    _matches(out, GOLDEN["takehara_student"])
    assert "Student's two-sample t test" in out["notes"][-1]
    assert "names no test" in out["notes"][-1] and "Welch's t: p = 0.424" in out["notes"][-1]
    dermal = _pool("--outcome", "dermal_thickness_change")
    _matches(dermal, GOLDEN["dermal_student"])


@pytest.mark.parametrize(("test", "golden"), [("welch-t", "takehara_welch"),
                                              ("two-sample-t", "takehara_student")])  # fmt: skip
def test_md_record_with_a_named_test_uses_it(tmp_path, test, golden):
    record = textwrap.dedent(f"""\
        id: fixture
        citation: "test fixture"
        year: 2020
        source: "hand-made for tests"
        design: rct
        population: {{n: 62}}
        intervention: {{agent: IVIG}}
        comparisons:
          - outcome: mrss_change
            timepoint_weeks: 12
            arm: {{label: IVIG, mean: -3.3, sd: 4.2, n: 31}}
            control: {{label: placebo, mean: -4.2, sd: 4.6, n: 31}}
            reported: {{p: 0.42, test: {test}}}
        """)  # fmt: skip
    path = tmp_path / "fixture.yaml"
    path.write_text(record)
    out = _pool("--outcome", "mrss_change", "--studies", str(path))
    _matches(out, GOLDEN[golden])
    assert "the paper's" in out["notes"][-1]


def test_md_record_whose_test_needs_individual_data_keeps_z(tmp_path):
    path = tmp_path / "fixture.yaml"
    path.write_text(textwrap.dedent("""\
        id: fixture
        citation: "test fixture"
        year: 2020
        source: "hand-made for tests"
        design: rct
        population: {n: 62}
        intervention: {agent: IVIG}
        comparisons:
          - outcome: mrss_change
            timepoint_weeks: 12
            arm: {label: IVIG, mean: -3.3, sd: 4.2, n: 31}
            control: {label: placebo, mean: -4.2, sd: 4.6, n: 31}
            reported: {p: 0.42, test: mann-whitney}
        """))  # fmt: skip
    out = _pool("--outcome", "mrss_change", "--studies", str(path))
    assert out["df"] is None
    assert "mann-whitney test needs the individual data" in out["notes"][-1]


def test_csv_rows_that_carry_the_arms_or_n(tmp_path):
    md = tmp_path / "md.csv"
    md.write_text("study,m1i,sd1i,n1i,m2i,sd2i,n2i\nT,-3.3,4.2,31,-4.2,4.6,31\n")
    out = _pool("--csv", str(md), "--measure", "MD")
    _matches(out, GOLDEN["takehara_student"])
    assert "a CSV row names no test" in out["notes"][-1]
    # MC with ni: yi = m1i - m2i, vi = sd_change² / ni; the paired t has ni - 1 df. With
    # ri = 1 and sd1i = sd2i the change SD is 0, so give the change SD through sd1i/sd2i/ri:
    # sd_change² = 9.6² + 7.2² - 2·ri·9.6·7.2 = 7.9² for ri = (9.6² + 7.2² - 7.9²)/(2·9.6·7.2)
    ri = (9.6**2 + 7.2**2 - 7.9**2) / (2 * 9.6 * 7.2)
    mc = tmp_path / "mc.csv"
    mc.write_text(f"study,m1i,sd1i,m2i,sd2i,ni,ri\nP,24.3,9.6,29.6,7.2,29,{ri!r}\n")
    out = _pool("--csv", str(mc), "--measure", "MC")
    _matches(out, GOLDEN["poelman_paired_6mo"])
    # a row with only yi and vi carries no n: the z test stays, and says so
    gen = tmp_path / "gen.csv"
    gen.write_text("study,yi,vi\nA,1,0.5\n")
    out = _pool("--csv", str(gen), "--measure", "GEN")
    assert out["df"] is None and out["notes"][-1].endswith("its z test and Wald CI are shown")
