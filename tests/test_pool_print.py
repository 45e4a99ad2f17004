"""`ivigmeta pool`'s table prints the summary lines a metafor user reads, in metafor's form.

The reference is metafor's own print of the BCG model, kept verbatim by
tests/oracle/print_bcg.R in tests/oracle/golden/print_bcg.txt.
"""

from pathlib import Path

from click.testing import CliRunner

from ivigmeta.cli import cli

ROOT = Path(__file__).resolve().parents[1]
METAFOR_PRINT = (ROOT / "tests/oracle/golden/print_bcg.txt").read_text(encoding="utf-8")


def metafor_lines(*starts: str) -> list[str]:
    lines = [line.rstrip() for line in METAFOR_PRINT.splitlines()]
    return [line for line in lines if line.startswith(starts)]


def test_heterogeneity_and_model_lines_match_metafor_print():
    result = CliRunner().invoke(
        cli, ["pool", "--csv", str(ROOT / "examples/bcg.csv"), "--measure", "RR"]
    )
    assert result.exit_code == 0, result.output
    ours = [line.rstrip() for line in result.output.splitlines()]
    expected = metafor_lines("tau^2 (", "tau (", "I^2 (", "H^2 (", "Q(df", "estimate ")
    # metafor's model row ends with significance stars, which ivigmeta does not print
    expected.append(metafor_lines(" -0.7145")[0].removesuffix("***").rstrip())
    assert len(expected) == 7
    for line in expected:
        assert line in ours, line
