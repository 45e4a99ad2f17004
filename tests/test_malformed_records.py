"""Malformed study records: each fixture fails with one exact, one-line message.

The fixtures in tests/fixtures/malformed/ are small records, each broken in one way; the table
below gives the line and the message (``FIELD: what was expected``) each must produce, through
``load_studies`` and through the CLI (exit code 2, no traceback).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta import load_studies
from ivigmeta.cli import cli
from ivigmeta.errors import InputError
from ivigmeta.records.loader import MAX_FILE_BYTES

FIXTURES = Path(__file__).parent / "fixtures" / "malformed"

# (fixture stem, line or None for whole-file problems, "field: message" after "FILE:LINE: ")
CASES = [
    ("adverse_event_count_over_n", 13, "adverse_events[0].count: count 12 is more than n = 10"),
    (
        "adverse_event_negative_count",
        13,
        "adverse_events[0].count: expected a whole number >= 0, got -1",
    ),
    (
        "adverse_event_empty",
        13,
        "adverse_events[0]: expected a count (patients), events or a percent",
    ),
    (
        "adverse_event_severe_text",
        13,
        "adverse_events[0].severe: expected true or false, got text 'grade 3'",
    ),
    ("alias_bomb", 1, "YAML anchors and aliases are not allowed (found &a); write the value out"),
    (
        "anchor_only",
        4,
        "YAML anchors and aliases are not allowed (found &src); write the value out",
    ),
    ("binary", None, "binary file (NUL bytes): expected UTF-8 YAML text"),
    ("citation_empty", 2, "citation: expected text, got an empty string"),
    ("citation_number", 2, "citation: expected text, got the number 12345"),
    ("comments_only", None, "empty file: expected a study record (a YAML mapping)"),
    (
        "comparison_dangling_reference",
        7,
        "comparisons[0].control.study: no study record with id 'nosuchtrial1999'",
    ),
    ("comparison_missing_control", 7, "comparisons[0].control: required field is missing"),
    (
        "comparison_proportion_outcome",
        9,
        "comparisons[0].arm.mean: not a field of a binary outcome's arm (expected count, "
        "percent, n)",
    ),
    ("comparison_se_zero", 10, "comparisons[0].control.se: expected a positive number, got 0.0"),
    ("concomitant_count_over_n", 13, "concomitant[0].count: count 31 is more than n = 30"),
    ("control_character", 4, "invalid YAML: control characters are not allowed"),
    ("design_unknown", 5, "design: unknown value 'RCT' (did you mean 'rct'?)"),
    ("duplicate_field", 12, "year: duplicate field (first given on line 3)"),
    ("empty", None, "empty file: expected a study record (a YAML mapping)"),
    ("field_name_number", 12, "field names must be text, got the number 2020"),
    ("flag_not_text", 12, "outcomes[0].flags[0]: expected text, got the number 1"),
    ("flags_not_list", 12, "flags: expected a list, got text 'one flag'"),
    ("id_bad_characters", 1, "id: expected lowercase letters, digits and '_', got 'Poelman-2015'"),
    ("id_mismatch", 1, "id: 'poelman2015' does not match the file name (expected 'id_mismatch')"),
    ("missing_citation", 1, "citation: required field is missing"),
    ("missing_id", 1, "id: required field is missing"),
    ("n_decimal", 11, "outcomes[0].followup.n: expected a whole number, got the number 29.0"),
    ("n_hexadecimal", 11, "outcomes[0].followup.n: expected a whole number, got the number 0x1d"),
    ("n_negative", 11, "outcomes[0].followup.n: expected a whole number >= 1, got -3"),
    ("n_text", 11, "outcomes[0].followup.n: expected a whole number, got text 'twenty-nine'"),
    ("n_zero", 11, "outcomes[0].followup.n: expected a whole number >= 1, got 0"),
    ("not_utf8", 2, "not UTF-8 text (byte 0xe9 at offset 29)"),
    ("null_source", 1, "source: required field is missing"),
    (
        "outcome_kind_mismatch",
        7,
        "outcomes[0].outcome: outcome 'muscle_pain' is binary, expected a continuous outcome",
    ),
    ("outcome_unknown", 7, "outcomes[0].outcome: unknown value 'mrs' (did you mean 'mrss'?)"),
    (
        "outcome_without_numbers",
        7,
        "outcomes[0]: outcome has no numbers (expected baseline, followup, change or reported.p)",
    ),
    ("outcomes_not_list", 7, "outcomes: expected a list, got a mapping"),
    (
        "p_above_one",
        12,
        'outcomes[0].reported.p: expected a p-value such as 0.005 or "<0.0001", got the number 1.5',
    ),
    (
        "p_not_a_number",
        12,
        "outcomes[0].reported.p: expected a p-value such as 0.005 or \"<0.0001\", got text 'significant'",  # noqa: E501
    ),
    (
        "part_wrong_for_type",
        12,
        "outcomes[0].before: not a part of a paired-continuous outcome (expected baseline, followup, change)",  # noqa: E501
    ),
    (
        "percent_above_100",
        10,
        "outcomes[0].before.percent: expected a percentage from 0 to 100, got 174",
    ),
    (
        "percent_negative",
        10,
        "outcomes[0].before.percent: expected a percentage from 0 to 100, got -4",
    ),
    ("population_n_zero", 12, "population.n: expected a whole number >= 1, got 0"),
    ("proportion_count_over_n", 10, "outcomes[0].before.count: count 47 is more than n = 46"),
    ("proportion_empty", 10, "outcomes[0].before: expected a count or a percent"),
    (
        "refractory_not_boolean",
        12,
        "population.refractory: expected true or false, got text 'maybe'",
    ),
    ("review_unknown_design", 6, "review.designs.pilots: unknown field (did you mean 'pilot'?)"),
    ("sd_infinite", 10, "outcomes[0].baseline.sd: expected a finite number, got .inf"),
    ("sd_nan", 10, "outcomes[0].baseline.sd: expected a finite number, got .nan"),
    ("sd_negative", 10, "outcomes[0].baseline.sd: expected a positive number, got -7.2"),
    ("sd_quoted", 10, "outcomes[0].baseline.sd: expected a number, got text '7.2'"),
    ("sd_sexagesimal", 10, "outcomes[0].baseline.sd: expected a decimal number, got 7:20"),
    ("sd_zero", 10, "outcomes[0].baseline.sd: expected a positive number, got 0"),
    ("summary_not_mapping", 10, "outcomes[0].baseline: expected a mapping, got the number 29.6"),
    ("syntax_bad_indent", 8, "invalid YAML: did not find expected '-' indicator"),
    ("syntax_tab_indent", 8, "invalid YAML: found a tab character that violates indentation"),
    ("syntax_unclosed_bracket", 12, "invalid YAML: did not find expected ',' or '}'"),
    (
        "test_unknown",
        12,
        "outcomes[0].reported.test: unknown value 't-test' (expected one of paired-t, one-sample-t, two-sample-t, welch-t, mcnemar, chi-square, fisher-exact, wilcoxon, mann-whitney, ancova)",  # noqa: E501
    ),
    (
        "timepoint_both",
        10,
        "outcomes[0].timepoint_weeks: give timepoint_months or timepoint_weeks, not both",
    ),
    (
        "timepoint_missing",
        7,
        "outcomes[0].timepoint_months: required: timepoint_months, timepoint_weeks or a timepoint description",  # noqa: E501
    ),
    ("timepoint_negative", 9, "outcomes[0].timepoint_months: expected a number >= 0, got -6"),
    ("top_level_list", 1, "expected a study record (a YAML mapping of fields), got a list"),
    (
        "top_level_scalar",
        1,
        "expected a study record (a YAML mapping of fields), got text 'just a sentence'",
    ),
    (
        "top_level_long_text",
        1,
        "expected a study record (a YAML mapping of fields), "
        "got text 'This file holds prose and not a study...'",
    ),
    ("two_documents", 12, "invalid YAML: expected one YAML document, found a second one"),
    (
        "type_unknown",
        8,
        "outcomes[0].type: unknown value 'paired' (expected one of paired-continuous, paired-proportion)",  # noqa: E501
    ),
    ("unknown_field_nested", 10, "outcomes[0].basline: unknown field (did you mean 'baseline'?)"),
    (
        "unknown_field_no_match",
        12,
        "zzz: unknown field (known: id, citation, year, source, design, population, intervention, concomitant, risk_of_bias, outcomes, comparisons, adverse_events, characteristics, review, flags, notes, confirm)",  # noqa: E501
    ),
    ("unknown_field_typo", 2, "citaton: unknown field (did you mean 'citation'?)"),
    ("year_decimal", 3, "year: expected a whole number, got the number 2020.5"),
    ("year_out_of_range", 3, "year: expected a year from 1900 to 2100, got 1820"),
    ("year_quoted", 3, "year: expected a whole number, got text '2020'"),
]


def expected_message(stem: str, line: int | None, rest: str) -> tuple[Path, str]:
    path = FIXTURES / f"{stem}.yaml"
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    return path, where + rest


def test_every_fixture_has_a_case_and_there_are_at_least_40():
    assert sorted(p.stem for p in FIXTURES.glob("*.yaml")) == sorted(c[0] for c in CASES)
    assert len(CASES) >= 40


@pytest.mark.parametrize(("stem", "line", "rest"), CASES, ids=[c[0] for c in CASES])
def test_load_studies_names_file_line_and_field(stem, line, rest):
    path, message = expected_message(stem, line, rest)
    with pytest.raises(InputError) as caught:
        load_studies(path)
    assert str(caught.value) == message
    assert caught.value.line == line
    assert "\n" not in message


@pytest.mark.parametrize(("stem", "line", "rest"), CASES, ids=[c[0] for c in CASES])
def test_cli_validate_exits_2_with_the_message(stem, line, rest):
    path, message = expected_message(stem, line, rest)
    result = CliRunner().invoke(cli, ["studies", "validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"ivigmeta: error: {message}\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("stem", "line", "rest"), CASES[::7], ids=[c[0] for c in CASES[::7]])
def test_cli_list_with_bad_studies_exits_2(stem, line, rest):
    path, message = expected_message(stem, line, rest)
    result = CliRunner().invoke(cli, ["studies", "list", "--studies", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"ivigmeta: error: {message}\n"
    assert "Traceback" not in result.output


def write_record(path: Path, study_id: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    file = path / f"{study_id}.yaml"
    file.write_text(
        f"id: {study_id}\ncitation: Test\nyear: 2020\nsource: test\ndesign: rct\n",
        encoding="utf-8",
    )
    return file


def test_duplicate_ids_across_folders(tmp_path):
    first = write_record(tmp_path / "a", "same2020")
    second = write_record(tmp_path / "b", "same2020")
    message = f"{second}:1: id: duplicate study id 'same2020' (also in {first})"
    with pytest.raises(InputError) as caught:
        load_studies([tmp_path / "a", tmp_path / "b"])
    assert str(caught.value) == message
    result = CliRunner().invoke(cli, ["studies", "validate", str(tmp_path / "a"), str(second)])
    assert result.exit_code == 2
    assert result.stderr == f"ivigmeta: error: {message}\n"


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    size = big.stat().st_size
    with pytest.raises(InputError) as caught:
        load_studies(big)
    assert str(caught.value) == (
        f"{big}: file is {size} bytes; a study record may be at most 1048576 bytes (1 MiB)"
    )


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputError) as caught:
        load_studies(tmp_path / "nowhere")
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: no such file or folder"
    with pytest.raises(InputError) as caught:
        load_studies(tmp_path)
    assert str(caught.value) == f"{tmp_path}: folder holds no *.yaml or *.yml study records"


def test_validate_reports_every_bad_file(tmp_path):
    for stem in ("sd_zero", "n_zero"):
        (tmp_path / f"{stem}.yaml").write_bytes((FIXTURES / f"{stem}.yaml").read_bytes())
    result = CliRunner().invoke(cli, ["studies", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"ivigmeta: error: {tmp_path / 'n_zero.yaml'}:11: outcomes[0].followup.n: "
        "expected a whole number >= 1, got 0",
        f"ivigmeta: error: {tmp_path / 'sd_zero.yaml'}:10: outcomes[0].baseline.sd: "
        "expected a positive number, got 0",
    ]
