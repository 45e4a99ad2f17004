"""`ivigmeta studies list|show|validate` and `ivigmeta outcomes` on the bundled records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from ivigmeta.cli import cli

DATA = str(Path(__file__).resolve().parents[1] / "data" / "studies")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_validate_bundled_records():
    result = run("studies", "validate", DATA)
    assert result.exit_code == 0, result.output
    assert result.stdout == "13 records OK\n"


def test_list_json_and_csv():
    listing = json.loads(run("studies", "list", "--studies", DATA, "--format", "json").stdout)
    rows = listing["studies"]
    # cautions (issue 15): flagged records and systematic reviews, which are never pooled
    assert any("poelman2015" in c and "flags" in c for c in listing["cautions"])
    assert any("agostini2021" in c and "never pooled" in c for c in listing["cautions"])
    poelman = next(r for r in rows if r["id"] == "poelman2015")
    assert poelman == {
        "id": "poelman2015",
        "year": 2015,
        "design": "retrospective",
        "agent": "IVIG",
        "n": 30,
        "outcomes": ["mrss", "mrss_change"],
        "flags": 16,  # 1 study flag + 2 change-n flags + 13 comparison flags
    }
    csv_lines = run("studies", "list", "--studies", DATA, "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "id,year,design,agent,n,outcomes,flags"
    assert csv_lines[1] == "agostini2021,2021,systematic-review,IVIG,182,,3"
    md = run("studies", "list", "--studies", DATA, "--format", "md").stdout.splitlines()
    assert md[0] == "| id | year | design | agent | n | outcomes | flags |"
    assert len(md) == 2 + 13


def test_list_table_names_every_study():
    out = run("studies", "list", "--studies", DATA).stdout
    assert "13 studies" in out
    assert all(name in out for name in ("poelman2015", "takehara2013", "khanna2009"))


def test_show_prints_numbers_as_printed():
    out = run("studies", "show", "poelman2015", "--studies", DATA).stdout
    assert "-8 ± 8.3 SD (n=25)" in out
    assert "22.5 ± 10.0 SD (n=25)" in out
    assert "<0.0001" in out
    record = json.loads(
        run("studies", "show", "takehara2013", "--studies", DATA, "--format", "json").stdout
    )
    week60 = record["comparisons"][2]
    assert week60["timepoint_weeks"] == 60
    assert week60["arm"]["se"] == 1.0 and week60["arm"]["sd"] is None
    assert week60["reported"]["p"] == "0.0040"
    assert record["cautions"] == [
        "1 record(s) carry flags (takehara2013): read them (`ivigmeta studies show ID`) before "
        "using their numbers"
    ]


def test_show_unknown_id_suggests():
    result = run("studies", "show", "takehara", "--studies", DATA)
    assert result.exit_code == 2
    assert result.stderr == (
        "ivigmeta: error: ID: no study with id 'takehara' (did you mean 'takehara2013'?)\n"
    )


def test_outcomes_counts_studies_and_timepoints():
    usage = {
        u["name"]: u
        for u in json.loads(run("outcomes", "--studies", DATA, "--format", "json").stdout)
    }
    # mrss: poelman2015 (6, 12, 18, 24 mo), nacci2007 (6 mo), raja2016 (latest assessment)
    assert usage["mrss"]["studies"] == 3
    assert usage["mrss"]["timepoints"] == [
        "6 mo",
        "12 mo",
        "18 mo",
        "24 mo",
        "latest assessment, mean 2.3 years",
    ]
    assert (usage["mrss"]["integer"], usage["mrss"]["minimum"], usage["mrss"]["maximum"]) == (
        True,
        0,
        51,
    )
    # mrss_change comparisons: poelman2015, le2011, clements1999, postlethwaite2008, takehara2013
    assert usage["mrss_change"]["studies"] == 5
    assert usage["mrss_change"]["timepoints"] == [
        "6 mo",
        "12 mo",
        "15 mo",
        "24 mo",
        "week 12",
        "week 60",
    ]


def test_listing_studies_imports_no_numpy_or_scipy():
    code = (
        "import sys\nfrom ivigmeta.cli import main\n"
        f"try:\n    main(['studies', 'list', '--studies', {DATA!r}, '--format', 'json'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'scipy'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "[]"
