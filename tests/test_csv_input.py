"""CSV input as a user has it (issue 17 item 3) and every analysis command on CSV (item 2).

Golden values: ``tests/oracle/csv_missing.R`` (metafor 5.0-1 ``rma`` on dat.bcg and
dat.normand1999 with cells blanked: metafor omits those studies, ``na.omit``) and
``tests/oracle/pool_measures.R`` (the BCG table written as estimates with 95% CIs, decimals).
Tolerance: 1e-6 relative (DESIGN.md); largest deviation measured: 6.5e-14 relative (the
pooled and meta-regression values of csv_missing.json). The variants (BOM, ``;``, tab,
decimal comma, stdin) must give exactly the floats of the plain table, since the cells are
the same numbers.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ivigmeta.cli import cli
from ivigmeta.errors import InputError, IvigmetaError
from ivigmeta.records.csv_reader import read_effect_table, sniff_delimiter

REPO = Path(__file__).parents[1]
GOLDEN = REPO / "tests" / "oracle" / "golden"
MISSING = json.loads((GOLDEN / "csv_missing.json").read_text())
MEASURES = {c["csv"]: c for c in json.loads((GOLDEN / "pool_measures.json").read_text())}
RTOL = 1e-6
POOL_KEYS = ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "pi_low", "pi_high")


def run(args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input, prog_name="ivigmeta")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def pool_json(args, input=None) -> dict:
    result = run(["pool", *args, "--format", "json"], input)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def close(actual, expected, rtol=RTOL):
    return math.isclose(actual, expected, rel_tol=rtol, abs_tol=1e-12)


# --------------------------------------------------------------------------- variants


def variant(text: str, *, delimiter=",", decimal=".", bom=False, crlf=False) -> str:
    """The plain comma table ``text`` (no quoted cells) rewritten as a spreadsheet would."""
    lines = []
    for line in text.splitlines():
        cells = line.split(",")
        if decimal == ",":
            cells = [c.replace(".", ",") if re.fullmatch(r"[-+0-9.eE]+", c) else c for c in cells]
        lines.append(delimiter.join(cells))
    out = ("\r\n" if crlf else "\n").join(lines) + "\n"
    return ("\ufeff" if bom else "") + out


VARIANTS = {
    "bom": {"bom": True},
    "semicolon": {"delimiter": ";"},
    "tab": {"delimiter": "\t"},
    "semicolon-decimal-comma": {"delimiter": ";", "decimal": ","},
    "tab-decimal-comma-bom-crlf": {"delimiter": "\t", "decimal": ",", "bom": True, "crlf": True},
}


def decimal_flags(spec) -> list[str]:
    return ["--decimal", ","] if spec.get("decimal") == "," else []


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_with_missing_cells_pools_to_metafor(tmp_path, name):
    """dat.bcg with 4 cells blanked (empty and NA): every variant equals metafor's rma on the
    10 complete studies, and names the 3 it left out."""
    spec = VARIANTS[name]
    path = tmp_path / "t.csv"
    path.write_text(variant((GOLDEN / "missing_bcg.csv").read_text(), **spec), encoding="utf-8")
    for case in (c for c in MISSING if c["csv"] == "missing_bcg.csv" and "mods" not in c):
        got = pool_json(["--csv", path, "--measure", "RR", "--method", case["method"],
                         *decimal_flags(spec)])  # fmt: skip
        assert got["k"] == case["k"] == 10
        for key in POOL_KEYS:
            assert close(got[key], case[key]), (key, got[key], case[key])
        note = next(n for n in got["notes"] if "left out" in n)
        assert all(f"'{study}'" in note for study in case["omitted"]), note


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_with_decimals_equals_the_plain_table(tmp_path, name):
    """The BCG log risk ratios with 95% CIs (4 decimals): each variant gives exactly the plain
    table's numbers, which equal metafor's (conv.wald + rma)."""
    spec = VARIANTS[name]
    plain = (GOLDEN / "measures_bcg_ci.csv").read_text()
    path = tmp_path / "t.csv"
    path.write_text(variant(plain, **spec), encoding="utf-8")
    base = pool_json(["--csv", GOLDEN / "measures_bcg_ci.csv"])
    got = pool_json(["--csv", path, *decimal_flags(spec)])
    assert [s["yi"] for s in got["studies"]] == [s["yi"] for s in base["studies"]]
    assert [s["vi"] for s in got["studies"]] == [s["vi"] for s in base["studies"]]
    assert {k: got[k] for k in POOL_KEYS} == {k: base[k] for k in POOL_KEYS}
    golden = MEASURES["measures_bcg_ci.csv"]
    assert close(got["estimate"], golden["estimate"]) and close(got["tau2"], golden["tau2"])


def test_stdin_equals_the_file_and_is_named_stdin():
    text = (GOLDEN / "missing_bcg.csv").read_text()
    case = next(c for c in MISSING if c["csv"] == "missing_bcg.csv" and c["method"] == "REML")
    got = pool_json(["--csv", "-", "--measure", "RR"], input=variant(text, delimiter=";"))
    assert all(close(got[key], case[key]) for key in POOL_KEYS)
    assert got["notes"][0] == "13 rows read from <stdin> (delimiter ';'); measure RR"


def test_stdin_is_read_once_for_the_figures_of_one_command(tmp_path):
    """pool --forest --by reads the table twice; standard input is read once and reused."""
    svg = tmp_path / "f.svg"
    result = run(["pool", "--csv", "-", "--measure", "RR", "--forest", svg, "--by", "alloc"],
                 input=(REPO / "examples" / "bcg.csv").read_text())  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert svg.read_text().count("random") >= 1


def test_smd_with_a_missing_sd_and_n_equals_metafor():
    case = next(c for c in MISSING if c["csv"] == "missing_normand1999.csv")
    got = pool_json(["--csv", GOLDEN / "missing_normand1999.csv", "--measure", "SMD"])
    assert got["k"] == case["k"] == 7
    assert all(close(got[key], case[key]) for key in POOL_KEYS)
    assert got["notes"][1] == (
        "2 rows with missing values left out (metafor na.omit): study 'Orpington-Moderate' "
        "(line 4: sd1i), study 'Newcastle' (line 8: n2i)"
    )


def test_regress_leaves_out_rows_without_the_moderator_as_metafor():
    case = next(c for c in MISSING if "mods" in c)
    result = run(["regress", "--csv", GOLDEN / "missing_bcg_mods.csv", "--measure", "RR",
                  "--mods", "ablat", "--format", "json"])  # fmt: skip
    got = json.loads(result.stdout)
    assert got["k"] == case["k"] == 9
    for coefficient, estimate, se in zip(got["coefficients"], case["coefficients"], case["se"],
                                         strict=True):  # fmt: skip
        assert close(coefficient["estimate"], estimate) and close(coefficient["se"], se)
    assert close(got["tau2"], case["tau2"]) and close(got["qm"], case["qm"])
    assert close(got["qe"], case["qe"])
    assert "1 row with a missing ablat left out (metafor na.omit): FergusonSimes1949 (line 3: " \
        "ablat)" in got["notes"]  # fmt: skip


def test_empty_and_na_and_nan_cells_are_all_missing(tmp_path):
    rows = "study,yi,vi\na,1,0.1\nb,,0.2\nc,NA,0.3\nd,nan,0.4\ne,2,0.5\n"
    (tmp_path / "t.csv").write_text(rows)
    got = pool_json(["--csv", tmp_path / "t.csv"])
    assert [s["id"] for s in got["studies"]] == ["a", "e"]
    assert "3 rows with missing values left out (metafor na.omit): study 'b' (line 3: yi), " \
        "study 'c' (line 4: yi), study 'd' (line 5: yi)" in got["notes"]  # fmt: skip


def test_a_row_may_give_bi_or_n1i(tmp_path):
    """ai bi ci di with n1i n2i beside them: a row missing bi uses n1i - ai (escalc needs one
    of the two per row), so nothing is left out and the numbers equal the full table."""
    plain = (REPO / "examples" / "bcg.csv").read_text().splitlines()
    out = [plain[0] + ",n1i,n2i"]
    for number, line in enumerate(plain[1:]):
        cells = line.split(",")
        n1, n2 = int(cells[1]) + int(cells[2]), int(cells[3]) + int(cells[4])
        if number == 3:
            cells[2] = ""
        out.append(",".join(cells) + (f",{n1},{n2}" if number != 5 else ",,"))
    (tmp_path / "t.csv").write_text("\n".join(out) + "\n")
    got = pool_json(["--csv", tmp_path / "t.csv", "--measure", "RR"])
    base = pool_json(["--csv", REPO / "examples" / "bcg.csv", "--measure", "RR"])
    assert got["k"] == 13 and {k: got[k] for k in POOL_KEYS} == {k: base[k] for k in POOL_KEYS}


# --------------------------------------------------------------------------- every command

BCG = REPO / "examples" / "bcg.csv"
COMMANDS = {
    "pool": ["--format", "json"],
    "bayes": ["--format", "json"],
    "sensitivity": ["--format", "json"],
    "bias": ["--format", "json"],
    "subgroup": ["--by", "alloc", "--format", "json"],
    "regress": ["--mods", "ablat", "--format", "json"],
    "gosh": [],
}


def without_notes(value):
    """JSON with the notes (which name the file and its delimiter) left out."""
    if isinstance(value, dict):
        return {k: without_notes(v) for k, v in value.items() if k not in ("notes", "source")}
    if isinstance(value, list):
        return [without_notes(v) for v in value]
    return value


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_reads_the_variants_of_a_table(command, tmp_path):
    """Semicolons with decimal commas and a BOM from a file, tabs from stdin: the same output
    as the plain table."""
    plain = BCG.read_text()
    args = [command, "--measure", "RR", *COMMANDS[command]]
    base = run([*args, "--csv", BCG])
    assert base.exit_code == 0, base.stderr
    path = tmp_path / "t.csv"
    path.write_text(variant(plain, delimiter=";", decimal=",", bom=True), encoding="utf-8")
    from_file = run([*args, "--csv", path, "--decimal", ","])
    from_stdin = run([*args, "--csv", "-", "--delimiter", "tab"],
                     input=variant(plain, delimiter="\t"))  # fmt: skip
    for result in (from_file, from_stdin):
        assert result.exit_code == 0, result.stderr
        if command == "gosh":
            assert result.stdout == base.stdout
        else:
            assert without_notes(json.loads(result.stdout)) == without_notes(
                json.loads(base.stdout))  # fmt: skip


def test_batch_plan_entries_name_a_csv_with_its_delimiter_and_decimal(tmp_path):
    (tmp_path / "plain.csv").write_text(BCG.read_text())
    (tmp_path / "excel.csv").write_text(variant(BCG.read_text(), delimiter=";", decimal=","))
    (tmp_path / "plan.yaml").write_text(
        "analyses:\n  - csv: plain.csv\n    measure: RR\n"
        "  - csv: excel.csv\n    delimiter: ';'\n    decimal: ','\n    measure: RR\n"
        "  - csv: excel.csv\n    decimal: ','\n    measure: RR\n"
    )
    result = run(["batch", tmp_path / "plan.yaml"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["error"] for row in rows] == [None] * 3
    assert rows[1]["plan"]["delimiter"] == ";" and rows[1]["plan"]["decimal"] == ","
    for row in rows[1:]:
        assert {k: row[k] for k in POOL_KEYS} == {k: rows[0][k] for k in POOL_KEYS}


def test_batch_refuses_decimal_without_csv(tmp_path):
    (tmp_path / "plan.yaml").write_text("analyses:\n  - outcome: mrss\n    decimal: ','\n")
    result = run(["batch", tmp_path / "plan.yaml"])
    assert result.exit_code == 2
    assert result.stderr == (f"ivigmeta: error: {tmp_path / 'plan.yaml'}:3: analyses[0].decimal: "
                             "describes a CSV table: give 'csv' too\n")  # fmt: skip


class StrictHTML(HTMLParser):
    """Every element closed in order (void elements excepted); inline SVG parses as XML."""

    VOID = frozenset({"meta", "br", "img", "hr", "input", "link"})

    def __init__(self):
        super().__init__()
        self.stack, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_report_csv_writes_a_valid_html_report_with_metafors_numbers(tmp_path):
    out = tmp_path / "r.html"
    result = run(["report", "--csv", GOLDEN / "missing_bcg.csv", "--measure", "RR",
                  "--outcome", 'tb <"x">', "--out", out])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    parser = StrictHTML()
    parser.feed(text)
    parser.close()
    assert parser.problems == [] and parser.stack == []
    assert text.startswith("<!DOCTYPE html>") and '<"x">' not in text
    for svg in re.findall(r"<svg.*?</svg>", text, flags=re.S):
        ET.fromstring(svg)
    for figure in ("forest", "leave-one-out", "funnel"):
        assert f'<figure id="{figure}-tb-x"' in text, figure
    assert "<h2>Tb &lt;&quot;x&quot;&gt;</h2>" in text
    case = next(c for c in MISSING if c["csv"] == "missing_bcg.csv" and c["method"] == "REML")
    shown = f"{math.exp(case['estimate']):.2f} (95% CI {math.exp(case['ci_low']):.2f} to " \
        f"{math.exp(case['ci_high']):.2f}"  # fmt: skip
    assert shown in text
    assert "Rows of " in text and "HartSutherland1977" in text
    assert "study &#x27;HartSutherland1977&#x27; (line 5: ai)" in text
    assert "not run: a CSV table of effect-size inputs holds no reported p-values" in text


def test_report_csv_from_stdin_markdown_and_pi(tmp_path):
    out = tmp_path / "r.md"
    result = run(["report", "--csv", "-", "--measure", "RR", "--pi", "hts", "--out", out],
                 input=BCG.read_text())  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert "13 rows of the CSV table <stdin>" in text and "## Rows of <stdin> (13)" in text
    assert "Higgins-Thompson-Spiegelhalter, t with k − 2 df" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all"], "all: --all selects study records, not the rows of --csv"),
        (["--timepoint", "6"], "timepoint: --timepoint selects study records, not the rows of"),
        (["--outcome", "a", "--outcome", "b"], "outcome: a CSV table is one outcome: give"),
    ],
)
def test_report_csv_refuses_record_options(tmp_path, args, message):
    result = run(["report", "--csv", BCG, "--measure", "RR", *args, "--out", tmp_path / "r.html"])
    assert result.exit_code == 2 and result.stderr.startswith(f"ivigmeta: error: {message}")
    assert not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("study,ai,bi,ci,di\na,1,,3,4\nb,2,,4,5\n", ["--measure", "RR"],
         "t.csv:1: bi: expected numbers for RR, got no value in any row (empty or NA)"),
        ("study,ai,bi,ci,di\na,,2,3,4\nb,2,3,,5\n", ["--measure", "RR"],
         "t.csv: no row has every value RR needs (ai bi ci di); each misses one (empty or NA)"),
        ("study,yi,vi\na,\"0,5\",0.1\n", [],
         "t.csv:2: yi: expected a number (a decimal comma? give --decimal ,), got '0,5'"),
        ("study;yi;vi\na;1.5;0,1\n", ["--decimal", ","],
         "t.csv:2: yi: expected a number with a decimal comma (--decimal ,), got '1.5'"),
        ("study,yi,vi\na,1,0.1\n", ["--decimal", ","],
         "t.csv: decimal: a decimal comma needs ';' or a tab between the cells (the header is "
         "delimited by ',')"),
        ("study;yi;vi\na;1;0.1\n", ["--delimiter", ",", "--decimal", ","],
         "t.csv: decimal: a decimal comma needs ';' or a tab between the cells (--delimiter ,)"),
        ("study;yi;vi\na;1_0;0.1\n", [], "t.csv:2: yi: expected a number, got '1_0'"),
        ("study;yi;vi\na;0x10;0.1\n", [], "t.csv:2: yi: expected a number, got '0x10'"),
        ("study;yi;vi\na;١;0.1\n", [], "t.csv:2: yi: expected a number, got '١'"),
        ("study,yi,vi\na,inf,0.1\n", [], "t.csv:2: yi: expected a finite number, got 'inf'"),
        ("study,m1i,m2i,sd1i,sd2i,ni,ri\na,1,2,1,1,10,\n", ["--measure", "MC"],
         "t.csv:2: ri: MC needs the pre-post correlation: fill the ri column or give --r"),
        ("study,yi,vi\n", [], "t.csv: expected at least one study row below the header"),
    ],
)  # fmt: skip
def test_bad_csv_gives_one_exact_line(tmp_path, text, args, message):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    result = run(["pool", "--csv", path, *args])
    assert result.exit_code == 2
    assert result.stderr == f"ivigmeta: error: {tmp_path}/{message}\n"
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (["pool", "--csv", "-"], "", "<stdin>: expected a header row naming the columns"),
        (["pool", "--csv", "-"], "\xff", "<stdin>:1: expected effect-size columns named as in"),
        (["pool", "--csv", "-", "--delimiter", "|"], "",
         "--delimiter: expected ',', ';' or 'tab', got '|'"),
        (["pool", "--outcome", "mrss", "--decimal", ","], None,
         "decimal: --delimiter and --decimal describe a CSV table (--csv)"),
        (["report", "--outcome", "mrss", "--delimiter", ";", "--out", "x.html"], None,
         "delimiter: --delimiter and --decimal describe a CSV table (--csv)"),
        (["pool", "--csv", BCG, "--measure", "RR", "--timepoint", "6"], None,
         "timepoint: --timepoint selects study records, not CSV rows"),
        (["pool", "--csv", "-", "--measure", "RR"], "study,ai,bi,ci,di\na,1,2,3\n",
         "<stdin>:2: expected 5 cells (as in the header), got 4"),
    ],
)  # fmt: skip
def test_bad_stdin_and_options_give_one_exact_line(args, input, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(args, input)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ivigmeta: error: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_stdin_bytes_that_are_not_utf8_are_named():
    result = CliRunner().invoke(cli, ["pool", "--csv", "-"], input=b"study,yi,vi\na,1,\xff\n")
    assert result.exit_code == 2
    assert result.stderr == ("ivigmeta: error: <stdin>:2: not UTF-8 text (byte 0xff at offset "
                             "16)\n")  # fmt: skip


# --------------------------------------------------------------------------- properties

SETTINGS = settings(max_examples=60, deadline=None)
NUMBERS = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 6))
CELLS = st.one_of(NUMBERS.map(repr), st.sampled_from(["", "NA", "nan", "NaN"]))


@SETTINGS
@given(
    st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
    st.booleans(),
)
def test_any_table_reads_the_same_in_every_spelling(rows, delimiter, comma, bom):
    """Delimiter, decimal mark and BOM change the spelling, never the numbers read."""
    if comma and delimiter == ",":
        delimiter = ";"
    plain = "study,yi,vi\n" + "".join(f"s{i},{a},{b}\n" for i, (a, b) in enumerate(rows))
    spelled = variant(plain, delimiter=delimiter, decimal="," if comma else ".", bom=bom)
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "a.csv", Path(folder) / "b.csv"
        first.write_text(plain, encoding="utf-8")
        second.write_text(spelled, encoding="utf-8")
        a = read_effect_table(first)
        b = read_effect_table(second, decimal="," if comma else ".")
    assert b.delimiter == delimiter and a.studies == b.studies
    for column in ("yi", "vi"):
        assert [repr(x) for x in a.columns[column]] == [repr(x) for x in b.columns[column]]


@SETTINGS
@given(st.binary(max_size=300), st.booleans(), st.sampled_from([None, ",", ";", "\t"]),
       st.sampled_from([".", ","]), st.sampled_from([None, "RR", "SMD", "MC", "PLO"]))  # fmt: skip
def test_arbitrary_bytes_give_a_table_or_only_our_error(data, header, delimiter, decimal,
                                                        measure):  # fmt: skip
    """Bytes from nowhere, read and analysed: a result or the project's own error, never
    another exception."""
    from ivigmeta.analyses.csv_effects import csv_builder

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes((b"study,ai,bi,ci,di,yi,vi,xi,ni\n" if header else b"") + data)
        try:
            table = read_effect_table(path, delimiter=delimiter, decimal=decimal)
            assert len(table.studies) == len(table.lines) >= 1
            data_ = csv_builder(path, measure, None, delimiter=delimiter, decimal=decimal)(0.5)
            assert data_.k == len(data_.yi) >= 1
        except InputError:
            pass
        except IvigmetaError:  # AnalysisError: e.g. an effect size undefined for a row
            pass


def test_sniffing_reads_the_header_outside_quotes():
    assert sniff_delimiter('"a,b";yi;vi\n1;2;3\n') == ";"
    assert sniff_delimiter("study\tyi\tvi\n") == "\t"
    assert sniff_delimiter("yi\n1\n") == ","
    assert sniff_delimiter("\n\nstudy;yi,vi;x\n") == ";"


@pytest.mark.parametrize("command", COMMANDS)
def test_rows_with_missing_values_are_as_if_deleted(command, tmp_path):
    """For every command, a table whose rows 4, 9 and 11 miss a cell (empty, NA) gives the
    output of the same table with those rows deleted (metafor's na.omit), and the notes say so.
    (regress: the moderator of a fourth row is missing, so that row goes too.)"""
    lines = BCG.read_text().splitlines()
    blanked = list(lines)
    for row, column, value in ((4, 1, ""), (9, 4, "NA"), (11, 2, "nan"), (2, 5, "")):
        cells = blanked[row].split(",")
        cells[column] = value
        blanked[row] = ",".join(cells)
    gone = (4, 9, 11, 2) if command == "regress" else (4, 9, 11)
    (tmp_path / "blank.csv").write_text("\n".join(blanked) + "\n")
    kept = [line for i, line in enumerate(lines) if i not in gone]
    (tmp_path / "kept.csv").write_text("\n".join(kept) + "\n")
    args = [command, "--measure", "RR", *COMMANDS[command]]
    with_gaps = run([*args, "--csv", tmp_path / "blank.csv"])
    deleted = run([*args, "--csv", tmp_path / "kept.csv"])
    assert with_gaps.exit_code == deleted.exit_code == 0, with_gaps.stderr
    if command == "gosh":
        assert with_gaps.stdout == deleted.stdout
        return
    got = json.loads(with_gaps.stdout)
    assert without_notes(got) == without_notes(json.loads(deleted.stdout))
    assert any("left out (metafor na.omit)" in note for note in got["notes"]), got["notes"]


def test_subgroup_leaves_out_rows_without_a_group(tmp_path):
    lines = BCG.read_text().splitlines()
    lines[3] = lines[3].replace(",random", ",NA")
    lines[5] = lines[5].replace(",alternate", ",")
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    result = run(["subgroup", "--csv", tmp_path / "t.csv", "--measure", "RR", "--by", "alloc",
                  "--format", "json"])  # fmt: skip
    got = json.loads(result.stdout)
    assert [g["name"] for g in got["groups"]] == ["alternate", "random", "systematic"]
    assert sum(g["k"] for g in got["groups"]) == 11
    assert "left out (no alloc): Rosenthaletal1960, Frimodt-Molleretal1973" in got["notes"]


def test_multilevel_reads_a_decimal_comma_table(tmp_path):
    from test_multilevel_cli import case_named, write_case

    plain = write_case(case_named("konstantopoulos2011"), tmp_path / "k.csv")
    text = Path(plain).read_text()
    (tmp_path / "excel.csv").write_text(variant(text, delimiter=";", decimal=","))
    args = ["multilevel", "--cluster", "district", "--within", "school", "--format", "json"]
    base = run([*args, "--csv", plain])
    got = run([*args, "--csv", tmp_path / "excel.csv", "--decimal", ","])
    assert base.exit_code == got.exit_code == 0, got.stderr
    assert without_notes(json.loads(got.stdout)) == without_notes(json.loads(base.stdout))


def test_report_on_records_takes_measure_timepoint_and_pi(tmp_path):
    """The same --measure, --timepoint and --pi as pool: the report's pooled mRSS is pool's."""
    out = tmp_path / "m.md"
    args = ["--outcome", "mrss", "--measure", "SMCC", "--timepoint", "latest", "--pi", "t"]
    result = run(["report", *args, "--out", out])
    assert result.exit_code == 0, result.stderr
    pooled = pool_json(args)
    text = out.read_text()
    assert pooled["measure"] == "SMCC" and "- timepoint: the latest timepoint" in text
    low, high = (
        f"{value:.2f}".replace("-", "−") for value in (pooled["pi_low"], pooled["pi_high"])
    )
    assert f"| 95% prediction interval | {low} to {high} |" in text
    assert "t quantile with k − 1 df, as R's meta 8.0" in text
