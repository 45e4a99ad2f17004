"""The ``addon`` record filter (``--addon/--no-addon``, ``addon:`` in plans) on the bundled records.

In data/studies/ only poelman2015 has ``intervention.addon: true`` (adjunctive IVIG); no IVIG
record has ``addon: false``; the others leave it out (null) and are left out by either value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ivigmeta.analyses.batch import batch
from ivigmeta.analyses.pool import pool
from ivigmeta.cli import cli
from ivigmeta.errors import AnalysisError, InputError

ROOT = Path(__file__).parents[1]
STUDIES = str(ROOT / "data" / "studies")


def primary_ivig_records_by_addon() -> dict[object, set[str]]:
    """IVIG records other than systematic reviews, grouped by intervention.addon (read as YAML)."""
    groups: dict[object, set[str]] = {True: set(), False: set(), None: set()}
    for path in sorted((ROOT / "data" / "studies").glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        intervention = record.get("intervention") or {}
        if intervention.get("agent") == "IVIG" and record["design"] != "systematic-review":
            groups[intervention.get("addon")].add(record["id"])
    return groups


def test_bundled_records_addon_values():
    groups = primary_ivig_records_by_addon()
    assert groups[True] == {"poelman2015"}
    assert groups[False] == set()
    assert len(groups[None]) >= 3


def test_addon_true_keeps_only_addon_studies():
    everything = pool("mrss", studies_path=STUDIES)
    addon = pool("mrss", studies_path=STUDIES, addon=True)
    assert [s.id for s in addon.studies] == ["poelman2015"]
    assert addon.k == 1 < everything.k
    # the filter selects studies; it does not change their effect sizes
    same = next(s for s in everything.studies if s.id == "poelman2015")
    assert addon.studies[0].yi == same.yi and addon.studies[0].vi == same.vi
    assert "records without addon left out" in addon.notes[0]


def test_addon_false_excludes_records_that_do_not_say():
    with pytest.raises(AnalysisError, match=r"0 of 13 records.*addon false"):
        pool("mrss", studies_path=STUDIES, addon=False)


def test_addon_with_csv_is_an_input_error():
    with pytest.raises(InputError) as error:
        pool(csv=ROOT / "tests" / "oracle" / "golden" / "pool_bcg.csv", measure="RR", addon=True)
    assert error.value.field == "addon"


def test_cli_addon_flags():
    runner = CliRunner()
    result = runner.invoke(
        cli, ["pool", "--outcome", "mrss", "--studies", STUDIES, "--addon", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert [s["id"] for s in json.loads(result.output)["studies"]] == ["poelman2015"]
    result = runner.invoke(cli, ["pool", "--outcome", "mrss", "--studies", STUDIES, "--no-addon"])
    assert result.exit_code == 2 and "addon false" in result.output


def test_batch_plan_addon(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"studies: {STUDIES}\nanalyses:\n  - outcome: mrss\n    addon: [true, false, null]\n",
        encoding="utf-8",
    )
    rows = batch(plan).rows
    assert [s.id for s in rows[0].result.studies] == ["poelman2015"]
    assert rows[1].result is None and "addon false" in rows[1].error
    assert rows[2].result.k == pool("mrss", studies_path=STUDIES).k


def test_batch_plan_rejects_a_non_boolean_addon(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("analyses:\n  - outcome: mrss\n    addon: yes please\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        batch(plan)
    assert error.value.field == "analyses[0].addon" and error.value.line == 3
