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

Checks of reported results (``reproduce``, ``test``, ``grim``) and the records (``studies``):

* a recomputed p range straddling 0.05 (the rounding of the printed numbers decides);
* ``unexplained`` p-values (no test named; individual-data analyses may explain them);
* most checks not checkable; Carlisle's baseline screen and its assumptions;
* GRIM that cannot fail; CI-p by the normal method without --df (Altman & Bland 2011);
* flagged records, and systematic reviews (listed, never pooled).
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


# --------------------------------------------------------------------------- checks of reports


def rounding_cautions(items) -> list[str]:
    """A recomputed p range that straddles 0.05 because of the printed numbers' rounding alone."""
    straddle = [
        item
        for item in items
        if getattr(item, "p_min", None) is not None
        and getattr(item, "p_max", None) is not None
        and item.p_min < 0.05 < item.p_max
        and getattr(item, "test", "") not in ("baseline-balance",)
    ]
    if not straddle:
        return []
    return [
        f"{len(straddle)} recomputed p range(s) straddle 0.05: the rounding of the printed "
        "numbers (or an unreported one) alone decides significance there"
    ]


def reproduce_cautions(rows) -> list[str]:
    """What a reader of ``ivigmeta reproduce`` should know before the verdicts."""
    verdicts = [row.verdict for row in rows]
    cautions = []
    if "unexplained" in verdicts:
        cautions.append(
            f"{verdicts.count('unexplained')} p-value(s) unexplained: the paper names no test "
            "and none tried gives its p; an analysis on individual data (ANCOVA, rank tests) "
            "may; ask the authors before calling it an error"
        )
    checked = [v for v in verdicts if v != "not-checkable"]
    if verdicts and len(checked) < len(verdicts) / 2:
        cautions.append(
            f"{len(verdicts) - len(checked)} of {len(verdicts)} checks are not checkable from "
            "the printed numbers: few verdicts rest on what the papers print"
        )
    if any(row.test == "baseline-balance" and row.verdict != "not-checkable" for row in rows):
        cautions.append(
            "baseline balance (Carlisle 2017) is a screen, not proof: it assumes independent "
            "variables and Student t p-values, and flags only p_trial < 0.001 or > 0.999"
        )
    return cautions + rounding_cautions(rows)


def grim_cautions(result) -> list[str]:
    """GRIM that cannot fail (n·items >= 10^decimals), or GRIMMER that cannot, says nothing."""
    cautions = []
    if not result.informative:
        cautions.append(
            f"GRIM cannot fail at n·items = {result.n * result.items} with the mean's decimals: "
            "'consistent' says nothing here"
        )
    if result.grimmer_informative is False:
        cautions.append(
            "GRIMMER cannot fail at this n with the SD's decimals (every total admits sums of "
            "squares of both parities): not-checkable"
        )
    return cautions


def test_cautions(results) -> list[str]:
    """Cautions of ``ivigmeta test ...``: rounding that decides significance, normal-theory
    CI-p checks (Altman & Bland 2011 is a large-sample method), and Carlisle's screen."""
    cautions = []
    for result in results:
        if getattr(result, "scale", None) is not None and getattr(result, "df", 0) is None:
            cautions.append(
                "CI-p by the normal method (Altman & Bland 2011): for small samples a t-based CI "
                "implies a larger p; give --df"
            )
        if hasattr(result, "p_trial") and result.k < 3:
            cautions.append(
                f"baseline balance on {result.k} variable(s): Carlisle's screen needs many"
            )
    return cautions + rounding_cautions(r for r in results if not hasattr(r, "p_trial"))


def record_cautions(records) -> list[str]:
    """Cautions of ``ivigmeta studies``: flagged records, and reviews that are never pooled.

    ``records``: (id, design, number of flags) per record.
    """
    cautions = []
    flagged = [record_id for record_id, _, flags in records if flags]
    if flagged:
        cautions.append(
            f"{len(flagged)} record(s) carry flags ({', '.join(flagged)}): read them "
            "(`ivigmeta studies show ID`) before using their numbers"
        )
    reviews = [record_id for record_id, design, _ in records if design == "systematic-review"]
    if reviews:
        cautions.append(
            f"systematic reviews are listed but never pooled ({', '.join(reviews)}): their "
            "numbers come from the primary studies"
        )
    return cautions
