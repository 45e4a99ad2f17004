"""Property tests: whatever bytes or YAML a record file holds, the loader either returns
studies or raises InputError with a one-line message — never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ivigmeta import load_studies
from ivigmeta.errors import InputError

POELMAN = Path(__file__).resolve().parents[1] / "data" / "studies" / "poelman2015.yaml"
FIELDS = [
    "id", "citation", "year", "source", "design", "population", "outcomes", "comparisons",
    "outcome", "type", "timepoint_months", "baseline", "followup", "change", "mean", "sd", "n",
    "before", "after", "percent", "count", "reported", "p", "test", "arm", "control", "study",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["mrss", "paired-continuous", "rct", "<0.0001", "x2020", ".nan", "7.90"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELDS), st.text(max_size=6)), children, max_size=6
        ),
    ),
    max_leaves=20,
)


def load_text(data: bytes, name: str = "x2020.yaml") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            load_studies(path)
        except InputError as error:
            assert "\n" not in str(error)
            assert str(error).startswith(str(path))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_input_error(data):
    load_text(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
@example({"\n": None})  # a field name with a newline must not break the one-line message
def test_arbitrary_yaml_documents_raise_only_input_error(document):
    load_text(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_real_record_raises_only_input_error(data):
    """Replace one line of a real record with a random YAML value or random text."""
    lines = POELMAN.read_text(encoding="utf-8").splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    key = lines[index].split(":", 1)[0]
    value = data.draw(st.one_of(documents.map(lambda d: yaml.safe_dump(d).strip()), st.text()))
    lines[index] = f"{key}: {value}" if data.draw(st.booleans()) else value
    load_text("\n".join(lines).encode("utf-8"), name="poelman2015.yaml")
