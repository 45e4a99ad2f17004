"""`pool --csv` with the measures and conversions added for metafor 5.0-1 against escalc() +
conv.fivenum()/conv.wald() + rma() (golden values from tests/oracle/pool_measures.R; 1e-6
relative). The CSV files are the ones R wrote and read."""

import json
from pathlib import Path

import pytest

from ivigmeta.analyses.pool import pool

GOLDEN_DIR = Path(__file__).parent / "oracle/golden"
CASES = json.loads((GOLDEN_DIR / "pool_measures.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[f"{c['csv']} {c['measure']}" for c in CASES])
def test_pool_csv_matches_metafor(case):
    result = pool(csv=GOLDEN_DIR / case["csv"], measure=case["measure"])
    assert result.k == case["k"]
    assert [s.yi for s in result.studies] == pytest.approx(case["yi"], rel=1e-6)
    assert [s.vi for s in result.studies] == pytest.approx(case["vi"], rel=1e-6)
    for field in ("estimate", "se", "tau2", "q"):
        assert getattr(result, field) == pytest.approx(case[field], rel=1e-6, abs=1e-10), field


def test_conversions_are_named_in_the_notes():
    medians = pool(csv=GOLDEN_DIR / "measures_normand1999_medians.csv", measure="MD")
    text = "\n".join(medians.notes)
    assert "m1i, sd1i from the median and quartiles for Orpington-Mild" in text
    assert "m2i, sd2i from the median and range for Orpington-Mild" in text
    assert "metafor conv.fivenum" in text
    ci = pool(csv=GOLDEN_DIR / "measures_bcg_ci.csv")
    assert ci.measure == "GEN"
    assert any("vi from the 95% CI (ci_low, ci_high)" in note for note in ci.notes)


def test_skewed_median_is_refused_with_line_and_column(tmp_path):
    from ivigmeta.errors import InputError

    path = tmp_path / "skewed.csv"
    path.write_text("study,mi,sdi,ni,min,mdi,max\nA,5,2,40,,,\nB,,,40,1,2,30\n")
    with pytest.raises(InputError, match=r"skewed.csv:3: mdi: cannot convert .* too skewed"):
        pool(csv=path, measure="MN")
