"""Small-k safeguards of ``ivigmeta pool``: the few-studies block, cautions and k = 1.

* 2 <= k < 5: ``few_studies`` repeats the pool under Knapp-Hartung (``test = "knha"``, same
  tau² estimator, REML for equal-effects, Mantel-Haenszel and Peto pools; metafor's
  ``predict()`` then gives the prediction interval with t(k - 1)) and under ``ivigmeta bayes``
  with its default priors (:mod:`ivigmeta.analyses.bayes`).
* k = 1: nothing is pooled: tau², tau, I², H², Q, its p and the prediction interval are null.
  The study's p and CI are its own test's (:func:`_own_test`): for a before/after change (MC,
  from the records or a CSV row with ``ni``) the paired t test on the change scores, t = yi/se
  with n - 1 df; for a mean difference of two arms (MD, from the records or a CSV row with the
  arms' means, SDs and n) the two-sample t test the record names, else Student's; otherwise
  the z test.
* ``cautions``: :mod:`ivigmeta.analyses.cautions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ivigmeta.results import Result

FEW = 5


@dataclass(frozen=True)
class KnhaSummary(Result):
    """The pooled estimate under Knapp-Hartung (t(k - 1) CI, test and prediction interval)."""

    method: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    p: float
    pi_low: float | None
    pi_high: float | None


@dataclass(frozen=True)
class FewStudies(Result):
    """``pool``'s few-studies block: ``knha`` and ``bayes`` (the ``bayes`` JSON without
    ``studies``, None when no default prior can be formed)."""

    knha: KnhaSummary
    bayes: dict | None


def with_small_k(result, data, *, method: str, level: float, few: bool = True):
    """``result`` (a :class:`~ivigmeta.analyses.pool.PoolResult`) with its ``cautions`` and,
    for k < 5, its few-studies block (``few=False``: not computed, as in ``ivigmeta batch``
    rows) or k = 1 fields."""
    from ivigmeta.analyses.cautions import study_count_cautions

    cautions = study_count_cautions(result.k)
    if result.k == 1:
        fields, note = _single_study(result, data, level)
        return replace(result, **fields, cautions=tuple(cautions), notes=(*result.notes, note))
    if result.k >= FEW or not few:
        return replace(result, cautions=tuple(cautions))
    from ivigmeta.errors import AnalysisError, IvigmetaError
    from ivigmeta.stats.models.rma import rma

    # the cautious reading is random-effects (REML for EE, MH and Peto pools), on the studies
    # with an effect size
    method = "REML" if method in ("EE", "MH", "PETO") else method
    keep = [i for i, y in enumerate(data.yi) if math.isfinite(y)]
    if len(keep) < data.k:
        import numpy as np

        data = replace(data, ids=tuple(data.ids[i] for i in keep), yi=np.asarray(data.yi)[keep],
                       vi=np.asarray(data.vi)[keep],
                       sizes=tuple(data.sizes[i] for i in keep) if data.sizes else ())  # fmt: skip
    if len(keep) < 2:
        return replace(result, cautions=tuple(cautions))
    fit = rma(data.yi, data.vi, method=method, test="knha", level=level, pi="auto")
    s = fit.summary()
    knha = KnhaSummary(method, s["estimate"], s["se"], s["ci_low"], s["ci_high"], s["df"],
                       s["p"], s["pi_low"], s["pi_high"])  # fmt: skip
    bayes = None
    se = [math.sqrt(v) for v in data.vi]
    try:
        if max(se) > 1e4 * min(se):  # bayesmeta warns above 1000; keep pool fast and safe
            raise AnalysisError(f"standard errors {min(se):.3g} to {max(se):.3g} are over 1e4 "
                                "apart (run ivigmeta bayes to try)")  # fmt: skip
        from ivigmeta.analyses.bayes import bayes_from_data

        bayes = bayes_from_data(data, tau_prior=None, mu=None, level=level, studies=False)
        bayes = bayes.without_studies()
    except IvigmetaError as error:
        cautions.append(f"no Bayesian analysis in the few-studies block: {error}")
    return replace(result, cautions=tuple(cautions), few_studies=FewStudies(knha, bayes))


def _single_study(result, data, level: float):
    from ivigmeta.stats.numerics.distributions import t_crit, two_sided_t_p

    empty = dict.fromkeys(("tau2", "tau", "i2", "h2", "q", "q_p", "pi_low", "pi_high", "pi_df"))
    own, reason = _own_test(data)
    if own is None:
        return empty, f"one study: nothing to pool; its z test and Wald CI are shown{reason}"
    estimate, se, df, described = own
    crit = float(t_crit(df, level))
    statistic = estimate / se
    fields = {**empty, "se": se, "statistic": statistic, "df": df,
              "p": float(two_sided_t_p(statistic, df)),
              "ci_low": estimate - crit * se, "ci_high": estimate + crit * se}  # fmt: skip
    return fields, f"one study: nothing to pool; p and CI are {described}, not a z test"


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _inputs(data, names: tuple[str, ...]) -> list[float] | None:
    """The study's values of escalc columns ``names`` (record rows or CSV cells), or None."""
    if data.source is None:
        values = [(data._inputs.get(name) or [None])[0] for name in names]
    else:
        values = [data.values(name)[0] if data.has(name) else None for name in names]
    numbers = [_number(v) for v in values]
    return None if None in numbers else numbers


def _named_test(data) -> str | None:
    """The test the record's comparison names (None: not named, or the comparison is unclear)."""
    from ivigmeta.analyses.study_rows import _label_of

    if data.source is not None or not data._records:
        return None
    study = data._records[0]
    matches = [c for c in study.comparisons if c.outcome == data.outcome
               and _label_of(c) == data.timepoints[0] and c.arm.n and c.control.n]  # fmt: skip
    if len(matches) != 1 or matches[0].reported is None:
        return None
    return matches[0].reported.test


def _own_test(data):
    """((estimate, se, df, description), "") of the study's own test at k = 1, or (None, why).

    MC (records, or a CSV row with ``ni``): the paired t test on the change scores,
    t = yi/se with n - 1 df (the records' back-calculated change SDs assume exactly that test).
    MD (records, or a CSV row with ``m1i sd1i n1i m2i sd2i n2i``): the two-sample t test the
    record names (Welch for ``welch-t``), else Student's (pooled SD, n1 + n2 - 2 df), the usual
    test of two means, with Welch's p in the description. Anything else: the z test.
    """
    yi, se = float(data.yi[0]), math.sqrt(float(data.vi[0]))
    if data.measure == "MC":
        size = data.sizes[0] if data.source is None and data.sizes else None
        if data.source is not None:
            size = (_inputs(data, ("ni",)) or [None])[0]
        if size is None or size < 2:
            return None, ""
        df = int(size) - 1
        return (yi, se, df, f"the study's own paired t test on the change scores (t = yi/se, "
                            f"df = n - 1 = {df})"), ""  # fmt: skip
    if data.measure != "MD":
        return None, ""
    arms = _inputs(data, ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
    if arms is None or arms[2] < 2 or arms[5] < 2 or not arms[1] > 0 or not arms[4] > 0:
        return None, ""
    named = _named_test(data)
    if named not in (None, "two-sample-t", "welch-t"):
        return None, f" (the paper's {named} test needs the individual data)"
    from ivigmeta.stats.checks.t_tests import two_sample_t_test

    m1, s1, n1, m2, s2, n2 = arms
    student = two_sample_t_test(m1, s1, int(n1), m2, s2, int(n2))
    welch = two_sample_t_test(m1, s1, int(n1), m2, s2, int(n2), welch=True)
    if named == "welch-t":
        return (welch.estimate, welch.se, welch.df,
                f"the paper's Welch t test (df = {welch.df:.1f})"), ""  # fmt: skip
    if named == "two-sample-t":
        return (student.estimate, student.se, student.df,
                f"the paper's two-sample t test (df = n1 + n2 - 2 = {student.df})"), ""  # fmt: skip
    source = "the record" if data.source is None else "a CSV row"
    return (student.estimate, student.se, student.df,
            f"Student's two-sample t test (pooled SD, df = n1 + n2 - 2 = {student.df}), as "
            f"{source} names no test (Welch's t: p = {welch.p:.3g})"), ""  # fmt: skip
