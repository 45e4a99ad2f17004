"""Hostile batch plans (issue 13 item 5): every case is refused with its exact one-line
message, or its analyses run; the plan and its tables are never modified."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import EXAMPLES, invoke

from ivigmeta.analyses.batch import iter_batch
from ivigmeta.analyses.plan import MAX_ANALYSES, read_plan

DEEP = "[" * 2000 + "]" * 2000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "analyses:\n  - outcome: !!python/name:os.system x\n",
            "plan.yaml:2: analyses[0].outcome: unsupported YAML tag !!python/name:os.system; "
            "write a plain value",
        ),
        (
            "analyses:\n  - outcome: !custom mrss\n",
            "plan.yaml:2: analyses[0].outcome: unsupported YAML tag !custom; write a plain value",
        ),
        (
            f"analyses:\n  - outcome: {DEEP}\n",
            "plan.yaml:2: lists and mappings nested more than 32 levels deep",
        ),
        (
            "analyses:\n  - outcome: mrss\n    level: 2015-01-01\n",
            "plan.yaml:3: analyses[0].level: expected a confidence level in percent (0-100), "
            "got the date 2015-01-01",
        ),
        (
            "analyses:\n  - outcome: mrss\n    ? [a]\n    : 1\n",
            "plan.yaml:3: analyses[0]: expected an option name, got a list",
        ),
        (
            "analyses:\n  - outcome: mrss\n    methd: REML\n",
            "plan.yaml:3: analyses[0]: unknown key 'methd' (did you mean 'method'?)",
        ),
        (
            "analyses:\n  - outcome: mrss\n    level: 1" + "0" * 5000 + "\n",
            "plan.yaml:3: analyses[0].level: expected a number of at most 30 digits, got the "
            "number 1000000000000000000000000000000000000...",
        ),
        (
            "analyses:\n  - csv: '*.csv'\n    measure: RR\n",
            "plan.yaml:2: analyses[0].csv: no such file (patterns are not expanded: list the "
            "files, e.g. [a.csv, b.csv]), got text '*.csv'",
        ),
        (
            "analyses:\n  - csv: missing.csv\n",
            "plan.yaml:2: analyses[0].csv: no such file, got text 'missing.csv'",
        ),
        (
            "analyses:\n  - outcome: &a mrss\n    design: *a\n",
            "plan.yaml:2: YAML anchors and aliases are not allowed (found &a); write the value out",
        ),
        (
            "analyses:\n  - outcome: mrss\n    r: [" + ", ".join(["0.5"] * 1000) + "]\n"
            "    level: [" + ", ".join(["95"] * 101) + "]\n",
            f"plan.yaml:2: analyses[0]: the plan expands to more than {MAX_ANALYSES} analyses "
            "(this entry alone to 101000); split it into several plans",
        ),
        (
            "analyses:\n  - outcome: mrs\n",
            "plan.yaml:2: analyses[0].outcome: expected one of bowel_symptoms",
        ),
    ],
)
def test_hostile_plan_is_refused_with_one_line(tmp_path, text, message):
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    run = invoke(["batch", plan, "--out", out], [plan], allowed=(2,))
    assert run.stderr.startswith(f"ivigmeta: error: {plan.parent}/{message}")
    assert not out.exists()


def test_outcome_did_you_mean_in_a_plan(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("analyses:\n  - outcome: mrs\n", encoding="utf-8")
    run = invoke(["batch", plan], [plan], allowed=(2,))
    assert run.stderr.endswith("(did you mean 'mrss'?), got text 'mrs'\n")


def test_plan_case_insensitive_outcome(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("analyses:\n  - outcome: MRSS\n", encoding="utf-8")
    run = invoke(["batch", plan], [plan])
    assert json.loads(run.stdout)["outcome"] == "mrss"


@pytest.mark.parametrize("which", ["table", "plan"])
def test_out_that_is_an_input_is_refused(tmp_path, which):
    table = tmp_path / "bcg.csv"
    shutil.copy(EXAMPLES / "bcg.csv", table)
    plan = tmp_path / ("plan.csv" if which == "plan" else "plan.yaml")
    plan.write_text("analyses:\n  - csv: bcg.csv\n    measure: RR\n", encoding="utf-8")
    out = table if which == "table" else plan
    run = invoke(["batch", plan, "--out", out], [table, plan], allowed=(2,))
    where = f"{plan}:2: analyses[0].csv" if which == "table" else "plan"
    assert run.stderr == (
        f"ivigmeta: error: {out}: --out: is an input of the plan ({where}); writing the rows "
        "there would destroy it: choose another file\n"
    )


def test_out_through_a_symlink_to_an_input_is_refused(tmp_path):
    table = tmp_path / "bcg.csv"
    shutil.copy(EXAMPLES / "bcg.csv", table)
    (tmp_path / "rows.csv").symlink_to(table)
    plan = tmp_path / "plan.yaml"
    plan.write_text("analyses:\n  - csv: bcg.csv\n    measure: RR\n", encoding="utf-8")
    run = invoke(["batch", plan, "--out", tmp_path / "rows.csv"], [table, plan], allowed=(2,))
    assert "is an input of the plan" in run.stderr


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_plan_that_is_not_a_file(tmp_path, kind):
    import os

    if kind == "fifo":
        path = tmp_path / "plan.yaml"
        os.mkfifo(path)
        expected = "is a FIFO (named pipe), not a plan file"
    elif kind == "device":
        path, expected = "/dev/null", "is a character device, not a plan file"
    else:
        path = tmp_path / "x.yaml"
        path.mkdir()
        expected = "is a folder, not a plan file"
    run = invoke(["batch", path], allowed=(2,))
    assert run.stderr == f"ivigmeta: error: {path}: {expected}\n"


def test_overflowing_analysis_is_its_own_error_row(tmp_path, monkeypatch):
    """An OverflowError in one analysis (forced here, so the test does not depend on which
    numbers overflow) becomes that analysis's error row; the others are pooled."""
    import ivigmeta.stats.models.pool_many as pool_many_module
    import ivigmeta.stats.models.rma as rma_module

    real_rma, real_many = rma_module.rma, pool_many_module.pool_many

    def fragile_many(data, **options):
        if any(yi[0] > 100 for yi, _ in data):
            raise OverflowError("forced")
        return real_many(data, **options)

    def fragile_rma(yi, vi, **options):
        if yi[0] > 100:
            raise OverflowError("forced")
        return real_rma(yi, vi, **options)

    monkeypatch.setattr(pool_many_module, "pool_many", fragile_many)
    monkeypatch.setattr(rma_module, "rma", fragile_rma)
    (tmp_path / "huge.csv").write_text("study,yi,vi\na,1000,1\nb,-1,1\nc,1,1\n")
    (tmp_path / "fine.csv").write_text("study,yi,vi\na,1,0.1\nb,2,0.2\nc,1.5,0.3\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "analyses:\n  - csv: [huge.csv, fine.csv]\n    method: [REML, DL, EE]\n"
        "    test: [z, knha]\n"
    )
    run = invoke(["batch", plan], [tmp_path], allowed=(1,))
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(rows) == 12
    assert {row["error"] for row in rows[:6]} == {
        "numerical failure (OverflowError): the effect sizes are too large for double precision"
    }
    assert all(r["error"] is None and r["estimate"] is not None for r in rows[6:])
    assert run.stderr == "ivigmeta: 12 analyses, 6 failed\n"


def test_plan_is_counted_not_expanded():
    plan = read_plan(EXAMPLES / "plan-mrss.yaml")
    assert len(plan) == 864 and plan.data_selections() == 24
    assert isinstance(plan[-1].options, dict) and plan[-1].number == 864
    assert list(plan)[::97] == plan[::97]


def test_rows_are_streamed_in_chunks(monkeypatch):
    """Rows come out before the plan's later analyses are read: with a chunk of 10, the
    first row is produced after 10 analyses were taken, not 36."""
    import ivigmeta.analyses.batch as batch_module

    monkeypatch.setattr(batch_module, "CHUNK", 10)
    plan = read_plan(EXAMPLES / "plan-tables.yaml")
    taken = []
    original = type(plan).__iter__

    def counting(self):
        for analysis in original(self):
            taken.append(analysis.number)
            yield analysis

    monkeypatch.setattr(type(plan), "__iter__", counting)
    rows = iter_batch(plan)
    first = next(rows)
    assert first.analysis == 1 and len(taken) == 10
    assert sum(1 for _ in rows) == 35


def test_singular_analysis_is_pluralised(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("analyses:\n  - outcome: mrss\n", encoding="utf-8")
    assert invoke(["batch", plan], [plan]).stderr == "ivigmeta: 1 analysis, 0 failed\n"
