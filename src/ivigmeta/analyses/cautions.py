"""The ``cautions`` every command's JSON carries: what a careful reader should know first.

Rules (each a sentence, empty list when nothing applies):

* k = 1: nothing is pooled.
* 2 <= k < 5: few studies. With so few studies tau is poorly estimated, the z test is
  anti-conservative and a normal-quantile prediction interval is too narrow; Knapp-Hartung
  with t(k - 1) and a Bayesian analysis with a weakly informative tau prior are the cautious
  readings (IntHout et al. 2014, BMC Med Res Methodol 14:25; Röver et al. 2021, Res Synth
  Methods 12(4):448-474).
* Funnel-plot (small-study) tests and meta-regression below k = 10: the Cochrane Handbook
  (version 6.4, 2023) advises at least 10 studies for tests of funnel-plot asymmetry
  (section 13.3.5.4) and for meta-regression or subgroup comparisons (section 10.11.5.1).
"""

from __future__ import annotations

FEW = 5
TEN = 10


def study_count_cautions(k: int) -> list[str]:
    """Cautions about the number of studies in a pooled analysis."""
    if k == 1:
        return ["one study: nothing to pool; the result is that study's own estimate"]
    if k < FEW:
        return [
            f"few studies (k = {k}): tau is poorly estimated and the z test and normal-quantile "
            "prediction interval are too optimistic; read the Knapp-Hartung (t, k - 1 df) and "
            "Bayesian results first"
        ]
    return []


def bias_test_cautions(k: int) -> list[str]:
    if k < TEN:
        return [
            f"k = {k} < 10: funnel-plot asymmetry tests have too little power to rule out "
            "small-study effects (Cochrane Handbook 6.4, section 13.3.5.4)"
        ]
    return []


def regression_cautions(k: int) -> list[str]:
    if k < TEN:
        return [
            f"k = {k} < 10: meta-regression and subgroup comparisons are unreliable with fewer "
            "than 10 studies (Cochrane Handbook 6.4, section 10.11.5.1)"
        ]
    return []
