"""ivigmeta batch: plan expansion and validation, rows equal to `pool`, errors, outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.analyses.batch import batch
from ivigmeta.analyses.plan import read_plan
from ivigmeta.analyses.pool import pool
from ivigmeta.cli import cli
from ivigmeta.errors import InputError

EXAMPLES = Path(__file__).parents[1] / "examples"


def assert_same(ours, theirs, where="row"):
    """Equal structures; floats to 1e-10 relative (pool_many vs rma), the rest exactly."""
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, float) and not isinstance(ours, bool):
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-12), where
    else:
        assert ours == theirs, where


def assert_equals_pool(record: dict, options: dict, where="row"):
    """The batch row holds pool's fields with pool's values, the SE of tau² and its Q-profile
    CI included (vectorised in batch, one at a time in pool)."""
    expected = pool(**read_plan_options(options)).to_dict()
    expected.pop("few_studies")  # pool only: batch rows leave the few-studies block null
    assert_same({k: record[k] for k in expected}, expected, where)
    return expected


def write_plan(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_plan_expands_to_the_cross_product():
    planned = read_plan(EXAMPLES / "plan-mrss.yaml")
    assert len(planned) == 3 * 2 * 4 * 9 * 2 * 2 >= 500
    assert planned[0].options == {
        "outcome": "mrss", "measure": "MC", "timepoint": None, "r": None,
        "method": "EE", "test": "z", "pi": "auto",
    }  # fmt: skip
    assert planned[1].options["pi"] == "hts"  # the last key varies fastest
    assert {p.line for p in planned} == {6}


def test_example_plan_rows_equal_pool():
    result = batch(EXAMPLES / "plan-mrss.yaml")
    assert result.failed == 0 and len(result.rows) == 864
    with_ci = 0
    for row in result.rows[::9]:  # every estimator, test and PI rule is visited
        record = row.record()
        assert record["analysis"] == row.analysis and record["error"] is None
        expected = assert_equals_pool(record, row.plan, f"analysis {row.analysis}")
        with_ci += expected["tau2_ci_low"] is not None
    assert with_ci > 0  # the left-out CI fields are not all None in pool either


def read_plan_options(options: dict) -> dict:
    arguments = dict(options)
    if "studies" in arguments:
        arguments["studies_path"] = arguments.pop("studies")
    return arguments


def test_table_plan_rows_equal_pool():
    result = batch(EXAMPLES / "plan-tables.yaml")
    assert result.failed == 0 and len(result.rows) == 2 * 3 * 3 * 2
    for row in result.rows:
        assert_equals_pool(row.record(), row.plan, f"analysis {row.analysis}")
    assert result.rows[0].plan["csv"] == str(EXAMPLES / "bcg.csv")


def test_failing_analysis_gives_an_error_row_and_exit_1(tmp_path):
    plan = write_plan(
        tmp_path,
        "analyses:\n"
        "  - outcome: mrss\n"
        "    design: [rct, null]\n"
        "    measure: SMCR\n"
        "    method: [REML, EE]\n",
    )
    out = tmp_path / "rows.jsonl"
    run = CliRunner().invoke(cli, ["batch", str(plan), "--out", str(out)])
    assert run.exit_code == 1, run.output
    assert "4 analyses, 2 failed" in run.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["analysis"] for r in rows] == [1, 2, 3, 4]
    assert [r["error"] is None for r in rows] == [False, False, True, True]
    assert "no IVIG study has usable SMCR data" in rows[0]["error"]
    assert rows[2]["k"] == 1 and rows[2]["plan"] == {  # poelman2015 (raja2016 has no n)
        "outcome": "mrss", "design": None, "measure": "SMCR", "method": "REML",
    }  # fmt: skip


def test_one_study_and_ee_knha_go_through_rma_notes(tmp_path):
    plan = write_plan(
        tmp_path,
        "analyses:\n  - outcome: mrss\n    timepoint: 6\n    test: knha\n    method: [EE, DL]\n",
    )
    result = batch(plan)
    for row in result.rows:
        expected = pool("mrss", timepoint=6, test="knha", method=row.plan["method"]).to_dict()
        assert_same({k: row.record()[k] for k in expected}, expected)
        assert row.result.k == 1 and row.result.test == "z"


def test_csv_output_and_jobs(tmp_path):
    plan = EXAMPLES / "plan-tables.yaml"
    one = CliRunner().invoke(cli, ["batch", str(plan)])
    two = CliRunner().invoke(cli, ["batch", str(plan), "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    out = tmp_path / "rows.csv"
    run = CliRunner().invoke(cli, ["batch", str(plan), "--out", str(out)])
    assert run.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("analysis,line,plan_outcome,plan_csv,plan_measure,plan_method")
    assert len(lines) == 1 + 36
    first = json.loads(one.stdout.splitlines()[0])
    header = lines[0].split(",")
    cells = dict(zip(header, lines[1].split(","), strict=True))
    assert float(cells["estimate"]) == first["estimate"]
    assert cells["error"] == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "analyses:\n  - outcome: mrss\n    methd: REML\n",
            "plan.yaml:3: analyses[0]: unknown key",
        ),
        (
            "analyses:\n  - outcome: mrss\n    method: [DL, XX]\n",
            "plan.yaml:3: analyses[0].method: expected one of EE, DL",
        ),
        ("analyses:\n  - outcome: mrs\n", "plan.yaml:2: analyses[0].outcome: expected one of"),
        ("analyses:\n  - method: DL\n", "analyses[0]: expected 'outcome' (study records) or 'csv'"),
        ("analyses:\n  - outcome: mrss\n    level: 150\n", "analyses[0].level: expected a conf"),
        ("analyses:\n  - outcome: mrss\n    r: [0.5, 2]\n", "plan.yaml:3: analyses[0].r: expected"),
        ("defaults:\n  test: q\nanalyses:\n  - outcome: mrss\n", "plan.yaml:2: analyses[0].test"),
        ("analyses: []\n", "plan.yaml:1: analyses: expected a non-empty list"),
        ("- a\n- b\n", "plan.yaml:1: expected a plan"),
        ("analyses:\n  - outcome: [mrss\n", "plan.yaml:3: invalid YAML"),
        ("studies: x\n", "plan.yaml:1: analyses: expected an 'analyses' list"),
    ],
)
def test_plan_errors_name_file_line_and_field(tmp_path, text, message):
    plan = write_plan(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_plan(plan)
    assert message in str(caught.value)
    run = CliRunner().invoke(cli, ["batch", str(plan), "--out", str(tmp_path / "o.jsonl")])
    assert run.exit_code == 2
    assert run.output.startswith("ivigmeta: error: ") and "Traceback" not in run.output
    assert not (tmp_path / "o.jsonl").exists()


def test_bad_out_suffix_is_refused_before_running(tmp_path):
    run = CliRunner().invoke(cli, ["batch", str(EXAMPLES / "plan-mrss.yaml"), "--out", "x.txt"])
    assert run.exit_code == 2
    assert "--out: expected a .jsonl or .csv file name" in run.output


def test_json_lines_have_no_nan():
    result = batch(EXAMPLES / "plan-mrss.yaml")
    hts_k2 = [
        r
        for r in result.rows
        if r.plan["pi"] == "hts" and r.result.k == 2 and r.plan["method"] != "EE"
    ]
    assert hts_k2 and all(math.isnan(r.result.pi_low) for r in hts_k2)  # t with 0 df
    from ivigmeta.render.batch import render_jsonl

    for line in render_jsonl(result).splitlines()[:50]:
        json.loads(line)


def test_progress_reports_both_stages():
    calls = []
    batch(EXAMPLES / "plan-tables.yaml", progress=lambda *a: calls.append(a))
    assert calls[0] == ("effect sizes", 0, 6) and ("effect sizes", 6, 6) in calls
    assert calls[-1] == ("pooling", 36, 36)


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    run = CliRunner().invoke(cli, ["batch", str(EXAMPLES / "plan-tables.yaml")])
    assert run.stderr == "ivigmeta: 36 analyses, 0 failed\n"
    assert len(run.stdout.splitlines()) == 36


def test_jobs_start_processes_only_after_the_serial_budget(monkeypatch):
    """The bundled table plan's effect sizes take far less than PARALLEL_AFTER: --jobs 2
    starts no process (a pool would cost more than the work). With the budget at 0 the rest
    goes to processes, and the rows are the same."""
    import concurrent.futures

    import ivigmeta.analyses.batch as batch_module

    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started")

    serial = batch(EXAMPLES / "plan-tables.yaml")
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    assert batch(EXAMPLES / "plan-tables.yaml", jobs=2).rows == serial.rows
    monkeypatch.undo()
    started = []
    real = concurrent.futures.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        started.append(kwargs.get("max_workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting_pool)
    monkeypatch.setattr(batch_module, "PARALLEL_AFTER", 0.0)
    parallel = batch(EXAMPLES / "plan-tables.yaml", jobs=2)
    assert started == [2]
    assert [r.record() for r in parallel.rows] == [r.record() for r in serial.rows]
