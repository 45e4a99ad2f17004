"""Bad input in a user's folder: an ``outcomes.yaml`` that declares an outcome twice, a
direction that is neither lower nor higher and the other malformed declarations, and records
that misuse the declared outcomes (binary arms, hazard ratios, scales). Each is one line
``ivigmeta: error: FILE:LINE: FIELD: expected ...``, exit 2, nothing written; arbitrary
declaration files give our own error type only."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivigmeta.cli import cli
from ivigmeta.errors import InputError
from ivigmeta.records.loader import load_record_set, record_files
from ivigmeta.records.outcomes_file import folder_vocabulary, read_outcomes_file
from ivigmeta.records.vocabulary import OUTCOMES

ROOT = Path(__file__).resolve().parents[1]
USER = ROOT / "tests" / "fixtures" / "user_records"
RECORD_HEAD = (
    'id: fixturee2024\ncitation: "Fixture E. J Test. 2024;5:9-10."\nyear: 2024\n'
    "source: fixture\ndesign: rct\n"
)


def folder(tmp_path: Path, declarations: str | None, record: str | None = None) -> Path:
    """A copy of the fixture folder with ``outcomes.yaml`` replaced by ``declarations`` and,
    if given, a fifth record ``fixturee2024.yaml`` holding ``record`` after the head."""
    target = tmp_path / "records"
    shutil.copytree(USER, target)
    if declarations is not None:
        (target / "outcomes.yaml").write_text(declarations)
    if record is not None:
        (target / "fixturee2024.yaml").write_text(RECORD_HEAD + record)
    return target


def one_line_error(path: Path, *command: str) -> str:
    before = {p: p.read_bytes() for p in path.iterdir() if p.is_file()}
    result = CliRunner().invoke(cli, [*command, "--studies", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("ivigmeta: error: ") and result.output.count("\n") == 1
    assert {p: p.read_bytes() for p in path.iterdir() if p.is_file()} == before  # unmodified
    return result.output.removeprefix("ivigmeta: error: ").rstrip("\n")


DECLARATIONS = [
    (
        "outcomes:\n  - {name: fvc_percent, type: continuous}\n"
        "  - {name: fvc_percent, type: binary}\n",
        "outcomes.yaml:3: outcomes[1].name: expected each outcome declared once: "
        "'fvc_percent' is already declared at {dir}/outcomes.yaml:2",
    ),
    (
        "outcomes:\n  - {name: fvc_percent, type: continuous, better: up}\n",
        "outcomes.yaml:2: outcomes[0].better: expected lower or higher, got 'up'",
    ),
    (
        "outcomes:\n  - {name: fvc_percent, type: continuous, better: Higher}\n",
        "outcomes.yaml:2: outcomes[0].better: expected lower or higher, got 'Higher' (did you "
        "mean 'higher'?)",
    ),
    (
        "outcomes:\n  - {name: fvc_percent, type: continuous, better: 1}\n",
        "outcomes.yaml:2: outcomes[0].better: expected lower or higher, got the number 1",
    ),
    (
        "outcomes:\n  - {name: fvc_percent, type: cont}\n",
        "outcomes.yaml:2: outcomes[0].type: expected continuous, binary or time-to-event, got "
        "'cont'",
    ),
    (
        "outcomes:\n  - {name: FVC, type: continuous}\n",
        "outcomes.yaml:2: outcomes[0].name: expected lowercase letters, digits and '_' "
        "(starting with a letter), got 'FVC'",
    ),
    (
        "outcomes:\n  - {name: fvc_percent, type: continuous, lable: FVC}\n",
        "outcomes.yaml:2: outcomes[0].lable: unknown field (did you mean 'label'?)",
    ),
    (
        "outcomes:\n  - {name: infection, type: binary, maximum: 3}\n",
        "outcomes.yaml:2: outcomes[0].maximum: expected no maximum for a binary outcome "
        "(integer, minimum and maximum describe a continuous scale)",
    ),
    (
        "outcomes:\n  - {name: fvc_percent, type: continuous, minimum: 3, maximum: 3}\n",
        "outcomes.yaml:2: outcomes[0].maximum: expected a maximum above the minimum 3, got 3",
    ),
    (
        "outcome:\n  - {name: fvc_percent, type: continuous}\n",
        "outcomes.yaml:1: outcome: unknown field (did you mean 'outcomes'?)",
    ),
    (
        "- fvc_percent\n",
        "outcomes.yaml:1: expected an outcome declaration file (a YAML mapping of fields), got "
        "a list",
    ),
    ("", "outcomes.yaml: empty file: expected an outcome declaration file (a YAML mapping)"),
    ("outcomes: {name: x}\n", "outcomes.yaml:1: outcomes: expected a list, got a mapping"),
    (
        "outcomes:\n  - {type: continuous}\n",
        "outcomes.yaml:2: outcomes[0].name: required field is missing",
    ),
]


@pytest.mark.parametrize(("text", "message"), DECLARATIONS)
def test_bad_declarations_are_one_line_errors(tmp_path, text, message):
    path = folder(tmp_path, text)
    expected = f"{path}/" + message.replace("{dir}", str(path))
    for command in (("pool", "--outcome", "mrss"), ("outcomes",), ("studies", "list")):
        assert one_line_error(path, *command) == expected
    result = CliRunner().invoke(cli, ["studies", "validate", str(path)])
    assert (result.exit_code, result.output) == (2, f"ivigmeta: error: {expected}\n")


ARMS = "    timepoint_months: 12\n    arm: {label: a, %s}\n    control: {label: b, %s}\n"
RECORDS = [
    (
        "comparisons:\n  - outcome: serious_infection\n" + ARMS % ("events: 3, n: 30", "count: 1"),
        "fixturee2024.yaml:9: comparisons[0].arm.events: expected count (patients with the "
        "outcome), not events (one patient may have several events)",
    ),
    (
        "comparisons:\n  - outcome: serious_infection\n" + ARMS % ("mean: 3, n: 30", "count: 1"),
        "fixturee2024.yaml:9: comparisons[0].arm.mean: not a field of a binary outcome's arm "
        "(expected count, percent, n)",
    ),
    (
        "comparisons:\n  - outcome: serious_infection\n" + ARMS % ("count: 31, n: 30", "n: 3"),
        "fixturee2024.yaml:9: comparisons[0].arm.count: count 31 is more than n = 30",
    ),
    (
        "comparisons:\n  - outcome: disease_progression\n" + ARMS % ("n: 30", "n: 29"),
        "fixturee2024.yaml:7: comparisons[0].hazard_ratio: expected a hazard ratio {estimate, "
        "ci_low, ci_high} for the time-to-event outcome 'disease_progression'",
    ),
    (
        "comparisons:\n  - outcome: disease_progression\n"
        + ARMS % ("n: 30", "n: 29")
        + "    hazard_ratio: {estimate: 1.5, ci_low: 0.2, ci_high: 0.9}\n",
        "fixturee2024.yaml:11: comparisons[0].hazard_ratio.estimate: expected a hazard ratio "
        "within its CI [0.2, 0.9], got 1.5",
    ),
    (
        "comparisons:\n  - outcome: disease_progression\n"
        + ARMS % ("n: 30", "n: 29")
        + "    hazard_ratio: {estimate: 0.5, ci_low: 0.9, ci_high: 0.2}\n",
        "fixturee2024.yaml:11: comparisons[0].hazard_ratio.ci_high: expected ci_high above "
        "ci_low 0.9, got 0.2",
    ),
    (
        "comparisons:\n  - outcome: disease_progression\n"
        + ARMS % ("n: 30", "n: 29")
        + "    hazard_ratio: {estimate: 0.5, ci_low: 0.2, ci_high: 0.9, level: 0.95}\n",
        "fixturee2024.yaml:11: comparisons[0].hazard_ratio.level: expected a confidence level "
        "in percent, e.g. 95, got 0.95",
    ),
    (
        "comparisons:\n  - outcome: disease_progression\n"
        + ARMS % ("n: 30, mean: 3", "n: 29")
        + "    hazard_ratio: {estimate: 0.5, ci_low: 0.2, ci_high: 0.9}\n",
        "fixturee2024.yaml:9: comparisons[0].arm.mean: not a field of a time-to-event outcome's "
        "arm (expected n; the hazard ratio goes in the comparison's hazard_ratio)",
    ),
    (
        "comparisons:\n  - outcome: fvc_percent\n"
        + ARMS % ("mean: 1, sd: 2, n: 30", "mean: 1, sd: 2, n: 29")
        + "    hazard_ratio: {estimate: 0.5, ci_low: 0.2, ci_high: 0.9}\n",
        "fixturee2024.yaml:11: comparisons[0].hazard_ratio: expected no hazard ratio: "
        "'fvc_percent' is continuous, not a time-to-event outcome",
    ),
    (
        "outcomes:\n  - outcome: fvc_percent\n    type: paired-continuous\n"
        "    timepoint_months: 12\n    baseline: {mean: 250, sd: 2, n: 30}\n",
        "fixturee2024.yaml:10: outcomes[0].baseline.mean: expected a mean on the scale of "
        "'fvc_percent' (0 to 200), got 250",
    ),
    (
        "outcomes:\n  - outcome: fvc_percent\n    type: paired-continuous\n"
        "    timepoint_months: 12\n    change: {mean: -250, sd: 2, n: 30}\n",
        "fixturee2024.yaml:10: outcomes[0].change.mean: expected a difference on the scale of "
        "'fvc_percent' (-200 to 200), got -250",
    ),
    (
        "outcomes:\n  - outcome: FVC_percent\n    type: paired-continuous\n"
        "    timepoint_months: 12\n    change: {mean: -2, sd: 2, n: 30}\n",
        "fixturee2024.yaml:7: outcomes[0].outcome: unknown value 'FVC_percent' (did you mean "
        "'fvc_percent'?)",
    ),
    (
        "outcomes:\n  - outcome: fvc_pecent\n    type: paired-continuous\n"
        "    timepoint_months: 12\n    change: {mean: -2, sd: 2, n: 30}\n",
        "fixturee2024.yaml:7: outcomes[0].outcome: unknown value 'fvc_pecent' (did you mean "
        "'fvc_percent'?)",
    ),
    (
        "outcomes:\n  - outcome: disease_progression\n    type: paired-proportion\n"
        "    timepoint_months: 12\n    before: {count: 2, n: 30}\n",
        "fixturee2024.yaml:7: outcomes[0].outcome: outcome 'disease_progression' is "
        "time-to-event, expected a binary outcome",
    ),
]


@pytest.mark.parametrize(("record", "message"), RECORDS)
def test_records_misusing_declared_outcomes_are_one_line_errors(tmp_path, record, message):
    path = folder(tmp_path, None, record)
    assert one_line_error(path, "pool", "--outcome", "fvc_percent") == f"{path}/{message}"


def test_the_bundled_scale_is_checked_too(tmp_path):
    record = (
        "outcomes:\n  - outcome: mrss\n    type: paired-continuous\n    timepoint_months: 12\n"
        "    followup: {mean: 52, sd: 2, n: 30}\n"
    )
    message = one_line_error(folder(tmp_path, None, record), "studies", "list")
    assert message.endswith("fixturee2024.yaml:10: outcomes[0].followup.mean: expected a mean "
                            "on the scale of 'mrss' (0 to 51), got 52")  # fmt: skip


def test_a_declaration_replaces_the_bundled_one_for_that_folder_only(tmp_path):
    declarations = (USER / "outcomes.yaml").read_text()
    path = folder(tmp_path, declarations + "  - {name: mrss, type: continuous, maximum: 60}\n")
    outcomes = load_record_set(path).outcomes
    line = declarations.count("\n") + 1
    assert outcomes["mrss"].maximum == 60 and outcomes["mrss"].declared.endswith(f":{line}")
    assert outcomes["mrss"].integer is False and outcomes["mrss"].better is None
    assert OUTCOMES["mrss"].maximum == 51  # the bundled vocabulary is untouched
    assert load_record_set().outcomes["mrss"] == OUTCOMES["mrss"]


def test_outcomes_yaml_is_not_a_record():
    assert "outcomes.yaml" not in {p.name for p in record_files(USER)}
    assert record_files(USER / "outcomes.yaml") == []


# ------------------------------------------------------------------ arbitrary content

FIELD_NAMES = ["name", "label", "type", "unit", "better", "integer", "minimum", "maximum"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["continuous", "binary", "time-to-event", "lower", "higher", "fvc", ""]),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from([*FIELD_NAMES, "outcomes", "x"]) | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _check_only_our_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "outcomes.yaml"
        path.write_bytes(data)
        try:
            read_outcomes_file(path)
            folder_vocabulary([directory])
        except InputError as error:
            assert "\n" not in str(error) and str(error).startswith(str(path))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.just("outcomes"), st.lists(VALUES, max_size=4)) | VALUES)
def test_arbitrary_declaration_structures_give_only_our_error(content):
    _check_only_our_error(yaml.safe_dump(content, allow_unicode=True).encode())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")))
def test_arbitrary_declaration_bytes_give_only_our_error(data):
    _check_only_our_error(data)


def test_a_folder_named_outcomes_yaml_is_refused_in_one_line(tmp_path):
    path = folder(tmp_path, None)
    os.remove(path / "outcomes.yaml")
    (path / "outcomes.yaml").mkdir()
    assert one_line_error(path, "outcomes").endswith(
        "outcomes.yaml: is a folder, not a outcome declaration file"
    )
