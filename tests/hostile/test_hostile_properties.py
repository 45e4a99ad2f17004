"""Property tests: arbitrary plan and CSV text gives a result or the project's own InputError,
never another exception (issue 13: "only our own error type on arbitrary input")."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivigmeta.analyses.plan import read_plan
from ivigmeta.errors import InputError
from ivigmeta.records.csv_reader import read_effect_table

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PLAN_PIECES = st.sampled_from([
    "analyses:", "\n", "  - ", "outcome: ", "mrss", "MRSS", "csv: ", "x.csv", "*.csv", "method: ",
    "[DL, REML]", "level: ", "95", "1e999", "2015-01-01", "!!python/name:os.system ", "&a ",
    "*a", "? ", "[", "]", "{", "}", ", ", ": ", "defaults:", "studies: ", "null", "~", "-",
    "r: ", "0.5", "\t", "'", '"', "\u2028", "timepoint: ", "latest", "999999999999999999999",
])  # fmt: skip
CSV_PIECES = st.sampled_from([
    "study", "yi", "vi", "sei", "ai", "bi", "ci", "di", ",", "\n", "\r\n", '"', "1", "-0.1",
    "nan", "NA", "inf", "1e308", "x", " ", "\u2028", "\x00", "\ufeff", "0", "a\nb",
])  # fmt: skip


@SETTINGS
@given(st.lists(PLAN_PIECES, max_size=40).map("".join))
def test_any_plan_text_reads_or_raises_input_error(tmp_path, text):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        plan = read_plan(path)
    except InputError:
        return
    assert len(plan) >= 1 and len(plan) == sum(1 for _ in plan)


@SETTINGS
@given(st.lists(CSV_PIECES, max_size=40).map("".join))
def test_any_csv_text_reads_or_raises_input_error(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    try:
        table = read_effect_table(path)
    except InputError:
        return
    assert len(table.studies) == len(table.lines) >= 1
    assert all("\n" not in study and "\u2028" not in study for study in table.studies)
