"""Small-k safeguards of ``ivigmeta pool``: the few-studies block, cautions and k = 1.

* 2 <= k < 5: ``few_studies`` repeats the pool under Knapp-Hartung (``test = "knha"``, same
  tau² estimator, REML for equal-effects, Mantel-Haenszel and Peto pools; metafor's
  ``predict()`` then gives the prediction interval with t(k - 1)) and under ``ivigmeta bayes``
  with its default priors (:mod:`ivigmeta.analyses.bayes`).
* k = 1: nothing is pooled: tau², tau, I², H², Q, its p and the prediction interval are null.
  The study's p and CI are its own test's: for a before/after change from the records (MC) the
  paired t test on the change scores, t = yi/se with n - 1 df (as the paper's paired t test;
  the records' back-calculated SDs of change assume exactly that test), otherwise the z test.
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
    size = data.sizes[0] if data.sizes else None
    if data.measure != "MC" or data.source is not None or size is None or size < 2:
        return empty, "one study: nothing to pool; its z test and Wald CI are shown"
    df = int(size) - 1
    se = math.sqrt(float(data.vi[0]))
    estimate = float(data.yi[0])
    crit = float(t_crit(df, level))
    statistic = estimate / se
    fields = {**empty, "statistic": statistic, "df": df, "p": float(two_sided_t_p(statistic, df)),
              "ci_low": estimate - crit * se, "ci_high": estimate + crit * se}  # fmt: skip
    return fields, (
        f"one study: nothing to pool; p and CI are the study's own paired t test on the change "
        f"scores (t = yi/se, df = n - 1 = {df}), not a z test"
    )
