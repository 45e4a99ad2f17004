"""RevMan import (``import rm5``) and ``pool --rm5``.

References: RevMan's own pooled results stored in the Fleiss 1993 review that R meta ships
(``EFFECT_SIZE CI_START CI_END CHI2 I2``; the RM5 file stores 16-17 significant digits, its
CSV export 8), and R meta 8.3-0's ``read.rm5`` + ``metacr`` under ``settings.meta("RevMan5")``
(tests/oracle/revman_pool.R -> tests/oracle/golden/revman_pool.json) on that review and on a
synthetic one with subgroups, zero cells, a double zero, MH random effects, Peto and SMD.
Tolerances: 1e-12 relative against the RM5 file's stored values, 5e-8 against the CSV
export's 8 digits, 1e-10 against R meta (largest measured: 3e-14).
"""

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivigmeta.analyses.revman_import import import_rm5
from ivigmeta.analyses.revman_pool import pool_rm5
from ivigmeta.cli import cli
from ivigmeta.errors import InputError, IvigmetaError
from ivigmeta.records.revman import read_rm5
from ivigmeta.records.revman_csv import read_revman_csv

ROOT = Path(__file__).parent
#: copies of R meta's inst/extdata/Fleiss1993.rm5 and Fleiss1993_CR.csv (byte for byte)
FLEISS_RM5 = ROOT.parent / "examples" / "fleiss1993.rm5"
FLEISS_CSV = ROOT.parent / "examples" / "fleiss1993-revman-export.csv"
SYNTHETIC = ROOT / "fixtures" / "revman" / "synthetic.rm5"
GOLDEN = json.loads((ROOT / "oracle" / "golden" / "revman_pool.json").read_text())
SYNTHETIC_CSV = ROOT / "fixtures" / "revman" / "synthetic-revman5-export.csv"
FILES = {"fleiss_rm5": FLEISS_RM5, "fleiss_csv": FLEISS_CSV, "synthetic": SYNTHETIC,
         "synthetic_csv": SYNTHETIC_CSV}  # fmt: skip
METHODS = {("MH", False): "MH", ("MH", True): "MH-DL", ("Inverse", False): "EE",
           ("Inverse", True): "DL", ("Peto", False): "PETO"}  # fmt: skip


def close(got, want, rel):
    return math.isclose(got, want, rel_tol=rel, abs_tol=rel * 1e-3)


@pytest.mark.parametrize(("path", "outcome", "rel"), [(FLEISS_RM5, 1, 1e-12),
                                                      (FLEISS_CSV, 1, 5e-8),
                                                      (FLEISS_CSV, 2, 5e-8)])  # fmt: skip
def test_pools_to_revmans_stored_results(path, outcome, rel):
    review = read_rm5(path) if path.suffix == ".rm5" else read_revman_csv(path)
    stored = {k: float(v) for k, v in review.outcome(1, outcome).stored.items() if v}
    result = pool_rm5(path, 1, outcome)
    back = math.exp if result.measure in ("OR", "RR") else float
    assert close(back(result.estimate), stored["EFFECT_SIZE"], rel)
    assert close(back(result.ci_low), stored["CI_START"], rel)
    assert close(back(result.ci_high), stored["CI_END"], rel)
    assert close(result.q, stored["CHI2"], rel)
    assert close(result.i2, stored["I2"], rel)
    assert close(abs(result.statistic), stored["Z"], rel)
    assert result.q_df == stored["DF"]


def test_fleiss_stored_numbers_as_printed_by_revman():
    """The stored results, as RevMan prints them (OR 0.90 [0.84, 0.96], Chi² = 9.95, df = 6,
    I² = 40%), from the studies' own counts."""
    result = pool_rm5(FLEISS_RM5, 1, 1)
    assert (result.measure, result.method, result.k) == ("OR", "MH", 7)
    printed = (math.exp(result.estimate), math.exp(result.ci_low), math.exp(result.ci_high))
    assert [f"{x:.2f}" for x in printed] == ["0.90", "0.84", "0.96"]
    assert (f"{result.q:.2f}", round(result.i2)) == ("9.95", 40)


CASES = GOLDEN["defaults"] + GOLDEN["variants"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "{file}-{comparison}.{outcome}-{sm}-"
                         "{method}-{random}".format(**c))  # fmt: skip
def test_matches_r_meta_metacr(case):
    method = METHODS[(case["method"], case["random"])]
    result = pool_rm5(FILES[case["file"]], case["comparison"], case["outcome"], method=method,
                      measure=case["sm"])  # fmt: skip
    keys = ["estimate", "se", "ci_low", "ci_high", "statistic", "p", "q", "i2", "k"]
    if case["random"]:  # meta reports the DL tau² beside a fixed-effect model; RevMan 0
        keys.append("tau2")
    for key in keys:
        assert close(getattr(result, key), case[key], 1e-10), key
    weights = dict(zip(case["studies"], case["weights"], strict=True))
    assert {s.id: pytest.approx(weights[s.id], rel=1e-10) for s in result.studies} == {
        s.id: s.weight for s in result.studies
    }


def test_csv_export_subgroup_rows():
    """RevMan 5's CSV export names subgroups in rows of their own (read.rm5's rule)."""
    death = read_revman_csv(SYNTHETIC_CSV).outcome(1, 1)
    assert death.subgroups == ("Adults", "Children")
    assert [(r.study, r.subgroup) for r in death.rows][3:5] == [
        ("Diaz 2008", "Adults"), ("Evans 2010", "Children")]  # fmt: skip
    rm5 = read_rm5(SYNTHETIC)
    for outcome in read_revman_csv(SYNTHETIC_CSV).outcomes:
        same = rm5.outcome(outcome.comparison, outcome.number)
        assert (outcome.measure, outcome.method, outcome.random) == (
            same.measure, same.method, same.random)  # fmt: skip
        assert [(r.study, r.subgroup, r.values) for r in outcome.rows] == [
            (r.study, r.subgroup, r.values) for r in same.rows]  # fmt: skip


def test_revman_defaults_are_read_from_the_file():
    """Each synthetic outcome pools with the method its RM5 attributes name."""
    expected = {(1, 1): ("RR", "DL"), (1, 2): ("OR", "EE"), (1, 3): ("RD", "MH"),
                (1, 4): ("OR", "PETO"), (2, 1): ("SMD", "DL"), (2, 3): ("MD", "EE")}  # fmt: skip
    for (comparison, outcome), (measure, method) in expected.items():
        result = pool_rm5(SYNTHETIC, comparison, outcome)
        assert (result.measure, result.method) == (measure, method)
    death = pool_rm5(SYNTHETIC, 1, 1)  # Fox 2012 (0/20 vs 0/22) is not estimable for RR
    assert "Fox 2012" not in [s.id for s in death.studies]
    assert any("not estimable" in note and "Fox 2012" in note for note in death.notes)


def test_import_writes_tables_that_pool_csv_reads(tmp_path):
    result = import_rm5(SYNTHETIC, tmp_path)
    assert len(result.outcomes) == 8
    table = tmp_path / "comparison-1_outcome-1.csv"
    lines = table.read_text().splitlines()
    assert lines[0] == "study,study_id,subgroup,ai,n1i,ci,n2i"
    assert lines[1] == "Adams 2001,STD-Adams_x0020_2001,Adults,12,60,30,61"
    assert lines[5].startswith("Evans 2010,STD-Evans_x0020_2010,Children,")
    sidecar = json.loads((tmp_path / "comparison-1_outcome-1.json").read_text())
    assert sidecar["revman"]["effect_measure"] == "RR"
    assert sidecar["revman"]["model"] == "random"
    assert sidecar["ivigmeta"]["method"] == "MH-DL"
    assert sidecar["outcome"]["subgroups"] == ["Adults", "Children"]
    assert sidecar["ivigmeta"]["pool_csv_differs"]  # MH random is only approximated by --csv
    cont = (tmp_path / "comparison-2_outcome-3.csv").read_text().splitlines()
    assert cont[0] == "study,study_id,subgroup,m1i,sd1i,n1i,m2i,sd2i,n2i"
    assert cont[1] == "Adams 2001,STD-Adams_x0020_2001,,5.2,2.0,57,5.9,2.2,59"


@pytest.mark.parametrize("path", [SYNTHETIC, FLEISS_RM5], ids=["synthetic", "fleiss"])
def test_sidecar_pool_csv_line_redoes_revmans_pool(tmp_path, path):
    """Where the sidecar names no difference, its `pool --csv` line gives pool --rm5's numbers;
    where it names one, the numbers do differ."""
    result = import_rm5(path, tmp_path)
    runner = CliRunner()
    checked = 0
    for item in result.outcomes:
        sidecar = json.loads(Path(item.sidecar).read_text())
        args = sidecar["ivigmeta"]["pool_csv"].split()[1:]
        args[args.index("--csv") + 1] = item.csv
        run = runner.invoke(cli, [*args, "--format", "json"])
        assert run.exit_code == 0, run.output
        from_csv = json.loads(run.output)
        direct = pool_rm5(path, item.comparison, item.outcome)
        same = all(math.isclose(from_csv[k], getattr(direct, k), rel_tol=1e-12)
                   for k in ("estimate", "ci_low", "ci_high", "q"))  # fmt: skip
        assert same == (not sidecar["ivigmeta"]["pool_csv_differs"]), item
        checked += same
    assert checked >= 1


def test_cli_pool_rm5_and_overrides():
    runner = CliRunner()
    base = ["pool", "--rm5", str(SYNTHETIC), "--comparison", "2", "--outcome", "3"]
    default = json.loads(runner.invoke(cli, [*base, "--format", "json"]).output)
    assert (default["measure"], default["method"]) == ("MD", "EE")
    reml = json.loads(runner.invoke(cli, [*base, "--method", "REML", "--format", "json"]).output)
    assert reml["method"] == "REML"
    assert (
        json.loads(runner.invoke(cli, [*base, "--level", "90", "--format", "json"]).output)["level"]
        == 90
    )
    bad = runner.invoke(cli, [*base, "--design", "rct"])
    assert bad.exit_code == 2 and "--design does not apply to --rm5" in bad.output


def test_generic_inverse_variance_outcome_is_listed_not_read(tmp_path):
    text = SYNTHETIC.read_text().replace(
        "</COMPARISON>\n<COMPARISON",
        '<IV_OUTCOME NO="6" EFFECT_MEASURE="HR" METHOD="IV" '
        'RANDOM="NO"><NAME>Survival</NAME></IV_OUTCOME>\n</COMPARISON>\n<COMPARISON',
        1,
    )
    path = tmp_path / "review.rm5"
    path.write_text(text)
    result = import_rm5(path, tmp_path)
    assert any("1, outcome 6" in s and "generic inverse variance" in s for s in result.skipped)
    with pytest.raises(InputError, match="does not read yet"):
        pool_rm5(path, 1, 6)


# --- bad input: one line, file:line, exit 2, nothing written ------------------------------

BAD = {
    "not_xml": (b"Comparison,Outcome\n1,2\n", r"review\.rm5:1: not well-formed XML"),
    "empty": (b"", r"review\.rm5:1: not well-formed XML: no element found"),
    "wrong_root": (b'<?xml version="1.0"?>\n<REVIEW/>\n', r"review\.rm5:2: expected a RevMan "),
    "no_analyses": (b"<COCHRANE_REVIEW>\n</COCHRANE_REVIEW>\n", r":1: expected ANALYSES_AND_DATA"),
    "doctype_bomb": (b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;'
                     b'&a;">]>\n<COCHRANE_REVIEW>&b;</COCHRANE_REVIEW>', r":2: a DOCTYPE or"),
    "external_entity": (b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/'
                        b'passwd">]>\n<COCHRANE_REVIEW>&x;</COCHRANE_REVIEW>', r":2: a DOCTYPE"),
    "truncated": (None, r"not well-formed XML"),
    "missing_events": (('EVENTS_1="12"', 'EVENTS_1=""'),
                       r"DICH_DATA EVENTS_1: expected a whole number .* got nothing"),
    "events_over_total": (('EVENTS_1="12"', 'EVENTS_1="99"'), r"expected events <= total"),
    "negative_sd": (('SD_1="1.9"', 'SD_1="-1.9"'), r"CONT_DATA SD_1: expected an SD >= 0"),
    "text_mean": (('MEAN_1="3.1"', 'MEAN_1="three"'), r"MEAN_1: expected a number, got 'three'"),
    "twice": (('METHOD="IV" NO="2"', 'METHOD="IV" NO="1"'), r"outcome 1 appears twice"),
}  # fmt: skip


def _bad_file(tmp_path, case) -> Path:
    data, _ = BAD[case]
    text = SYNTHETIC.read_text()
    if data is None:
        data = text[: len(text) // 2].encode()
    elif isinstance(data, tuple):
        assert data[0] in text
        data = text.replace(data[0], data[1], 1).encode()
    path = tmp_path / "review.rm5"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rm5_is_one_line_exit_2_and_writes_nothing(tmp_path, case):
    path = _bad_file(tmp_path, case)
    out = tmp_path / "out"
    out.mkdir()
    runner = CliRunner()
    for args in (["import", "rm5", str(path), "--out", str(out)],
                 ["pool", "--rm5", str(path), "--comparison", "1", "--outcome", "1"]):  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, result.output
        message = result.output.strip()
        assert "\n" not in message and message.startswith(f"ivigmeta: error: {path}:")
        assert re.search(BAD[case][1], message), message
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(("args", "expected"), [
    (["--comparison", "3", "--outcome", "1"], r"synthetic\.rm5:\d+: comparison: no comparison 3;"
     r" the review has 1, 2"),
    (["--comparison", "2", "--outcome", "9"], r"comparison 2 has no outcome 9; it has 1, 2, 3"),
    (["--comparison", "1", "--outcome", "mrss"], r"expected RevMan's outcome number"),
    (["--outcome", "1"], r"--rm5 needs --comparison N and --outcome M"),
])  # fmt: skip
def test_unknown_comparison_or_outcome(args, expected):
    result = CliRunner().invoke(cli, ["pool", "--rm5", str(SYNTHETIC), *args])
    assert result.exit_code == 2
    assert re.search(expected, result.output), result.output


def test_element_count_is_bounded(tmp_path, monkeypatch):
    import ivigmeta.records.revman as revman

    monkeypatch.setattr(revman, "MAX_ELEMENTS", 50)
    with pytest.raises(InputError, match=r"synthetic\.rm5:\d+: more than 50 XML elements"):
        read_rm5(SYNTHETIC)


def test_import_needs_an_existing_folder(tmp_path):
    result = CliRunner().invoke(cli, ["import", "rm5", str(SYNTHETIC), "--out",
                                      str(tmp_path / "missing")])  # fmt: skip
    assert result.exit_code == 2 and "no such folder" in result.output
    assert not (tmp_path / "missing").exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_only_our_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("rm5") / "x.rm5"
    path.write_bytes(data)
    with pytest.raises(InputError):
        read_rm5(path)


SOURCE = SYNTHETIC.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SOURCE) - 1), st.integers(0, 40),
                          st.binary(max_size=6)), min_size=1, max_size=4))  # fmt: skip
def test_mutated_review_gives_only_our_error(tmp_path_factory, edits):
    """Cut and splice the synthetic review anywhere: it reads and pools, or fails with our
    own error type (never a traceback)."""
    data = bytearray(SOURCE)
    for start, length, insert in edits:
        data[start : start + length] = insert
    folder = tmp_path_factory.mktemp("rm5")
    path = folder / "x.rm5"
    path.write_bytes(bytes(data))
    try:
        review = read_rm5(path)
        for outcome in review.outcomes:
            pool_rm5(path, outcome.comparison, outcome.number)
        import_rm5(path, folder)
    except IvigmetaError:
        pass


# --- RevMan Web data package ---------------------------------------------------------------

WEB = ROOT / "fixtures" / "revman" / "CD999999-dataPackage.zip"
SYNTHETIC_CASES = [c for c in GOLDEN["defaults"] if c["file"] == "synthetic"]


@pytest.mark.parametrize(
    "case", SYNTHETIC_CASES, ids=lambda c: "{comparison}.{outcome}".format(**c)
)
def test_web_package_pools_as_r_meta(case):
    """The data package holds the synthetic review's analyses (same settings, same study
    data); read from it, each analysis pools to R meta's metacr result for the RM5 file.
    (meta's own read.cdir cannot run here: it needs dplyr >= 1.1, Debian ships 1.0.10.)"""
    result = pool_rm5(WEB, case["comparison"], case["outcome"])
    assert result.method == METHODS[(case["method"], case["random"])].replace("MH-DL", "DL")
    for key in ("estimate", "se", "ci_low", "ci_high", "q", "i2", "k"):
        assert close(getattr(result, key), case[key], 1e-10), key


def test_web_data_rows_csv_beside_its_settings(tmp_path):
    import zipfile

    with zipfile.ZipFile(WEB) as archive:
        archive.extractall(tmp_path)
    rows = next(tmp_path.rglob("*-data-rows.csv"))
    assert pool_rm5(rows, 2, 1).estimate == pool_rm5(WEB, 2, 1).estimate
    next(tmp_path.rglob("*-overall-estimates-and-settings.csv")).unlink()
    with pytest.raises(InputError, match="expected the settings file beside the data rows"):
        pool_rm5(rows, 2, 1)


def _zip(tmp_path, members: dict[str, str]) -> Path:
    import zipfile

    path = tmp_path / "CD1-dataPackage.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_bad_web_packages(tmp_path):
    import zipfile

    with zipfile.ZipFile(WEB) as archive:
        names = archive.namelist()
        texts = {n: archive.read(n).decode("utf-8-sig") for n in names}
    settings = next(n for n in names if n.endswith("settings.csv"))
    rows = next(n for n in names if n.endswith("data-rows.csv"))
    (tmp_path / "not.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match=r"not\.zip: not a readable zip file"):
        pool_rm5(tmp_path / "not.zip", 1, 1)
    only_rows = _zip(tmp_path, {rows: texts[rows]})
    with pytest.raises(InputError, match="expected a RevMan Web data package with"):
        pool_rm5(only_rows, 1, 1)
    stray = texts[rows].replace("\r\n1,1,Death", "\r\n7,1,Death", 1)
    with pytest.raises(InputError, match=r"data-rows\.csv:2: Analysis number: analysis 7\.1 is "):
        pool_rm5(_zip(tmp_path, {settings: texts[settings], rows: stray}), 1, 1)
    unknown = texts[settings].replace("Risk Ratio", "Relative Risk", 1)
    with pytest.raises(InputError, match=r"settings\.csv:2: Effect measure: expected a RevMan"):
        pool_rm5(_zip(tmp_path, {settings: unknown, rows: texts[rows]}), 1, 1)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_zip_bytes_give_only_our_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("web") / "x.zip"
    path.write_bytes(data)
    with pytest.raises(InputError):
        pool_rm5(path, 1, 1)
