"""Two-proportion tests and the McNemar range: base R golden values and hand enumeration."""

import json
import math
from pathlib import Path

import pytest

from ivigmeta.printed import PrintedNumber as P
from ivigmeta.stats.checks.mcnemar_range import mcnemar_p, paired_proportions_range
from ivigmeta.stats.checks.proportion_tests import two_proportions_test

GOLDEN = json.loads((Path(__file__).parent / "oracle/golden/proportions.json").read_text())
REL = {"rel": 1e-6, "abs": 1e-12}


@pytest.mark.parametrize("case", GOLDEN["independent"], ids=lambda c: f"{c['x1']}/{c['n1']}")
def test_two_proportions_match_r(case):
    counts = {"x1": case["x1"], "n1": case["n1"], "x2": case["x2"], "n2": case["n2"]}
    chi2 = two_proportions_test(method="chi-square", **counts)
    assert chi2.statistic == pytest.approx(case["chisq"], **REL)
    assert chi2.p == pytest.approx(case["p_chisq"], **REL)
    z = two_proportions_test(method="z", **counts)
    assert z.statistic**2 == pytest.approx(case["chisq"], **REL)
    assert z.p == pytest.approx(case["p_chisq"], **REL)
    yates = two_proportions_test(method="chi-square-yates", **counts)
    assert yates.statistic == pytest.approx(case["chisq_yates"], **REL)
    assert yates.p == pytest.approx(case["p_chisq_yates"], **REL)
    fisher = two_proportions_test(method="fisher-exact", **counts)
    assert fisher.p == pytest.approx(case["p_fisher"], **REL)


@pytest.mark.parametrize("case", GOLDEN["paired"], ids=lambda c: f"b{c['b']}c{c['c']}")
def test_mcnemar_matches_r(case):
    b, c = case["b"], case["c"]
    statistic, p = mcnemar_p(b, c, "mcnemar")
    assert statistic == pytest.approx(case["mcnemar"], **REL)
    assert p == pytest.approx(case["p_mcnemar"], **REL)
    statistic, p = mcnemar_p(b, c, "mcnemar-corrected")
    assert statistic == pytest.approx(case["mcnemar_corrected"], **REL)
    assert p == pytest.approx(case["p_mcnemar_corrected"], **REL)
    assert mcnemar_p(b, c, "mcnemar-exact")[1] == pytest.approx(case["p_exact"], **REL)


def test_fisher_by_hand_hypergeometric_sum():
    # 3/12 vs 9/13: margins 12 successes of 25; P(X = k) = C(12,k) C(13,12-k) / C(25,12)
    def prob(k):
        return math.comb(12, k) * math.comb(13, 12 - k) / math.comb(25, 12)

    observed = prob(3)
    expected = sum(prob(k) for k in range(0, 13) if prob(k) <= observed * (1 + 1e-7))
    result = two_proportions_test(x1=3, n1=12, x2=9, n2=13, method="fisher-exact")
    assert result.p == pytest.approx(expected, rel=1e-9)


def test_percentages_stand_for_every_count_that_rounds_to_them():
    # Takehara adverse events 32.3% of 31 and 12.5% of 32: only 10/31 and 4/32 print that way
    result = two_proportions_test(n1=31, n2=32, percent1=P("32.3"), percent2=P("12.5"))
    assert (result.x1, result.x2) == (10, 4)
    assert result.p_min == result.p_max == result.p
    # 50% of 200 could be 99, 100 or 101 patients: p ranges over the nine tables
    wide = two_proportions_test(n1=200, n2=200, percent1=P("50"), percent2=P("40"))
    assert wide.p_min < wide.p < wide.p_max


def test_sanges_muscle_pain_range_by_hand():
    # 74% vs 20% of 46: 34 before, 9 after. Both-positive a runs over 0..9, discordant
    # b = 34 - a, c = 9 - a. |b - c| = 25 always; b + c = 43 - 2a runs 43..25.
    result = paired_proportions_range(n=46, percent_before=P("74"), percent_after=P("20"),
                                      method="mcnemar")  # fmt: skip
    assert result.tables == 10
    # largest p at the most discordant table (a = 0): chi2 = 25² / 43
    from scipy import stats

    assert result.p_max == pytest.approx(stats.chi2.sf(625 / 43, 1), rel=1e-9)
    assert result.table_p_max == (0, 34, 9, 3)
    # smallest at a = 9: chi2 = 25² / 25 = 25
    assert result.p_min == pytest.approx(stats.chi2.sf(25.0, 1), rel=1e-9)
    # at independence a = round(34 · 9 / 46) = round(6.65) = 7: b = 27, c = 2
    assert result.table_independence == (7, 27, 2, 10)
    assert result.statistic == pytest.approx(25**2 / 29, rel=1e-12)
    exact = paired_proportions_range(n=46, before=34, after=9)
    assert exact.p_min == pytest.approx(2 * 0.5**25, rel=1e-9)  # b = 25, c = 0


def test_impossible_percentage_is_an_input_error():
    from ivigmeta.errors import InputError

    with pytest.raises(InputError, match="45"):
        paired_proportions_range(n=46, percent_before=P("45"), percent_after=P("21"))
