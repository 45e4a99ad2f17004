"""``ivigmeta bias``: small-study effects and publication bias.

Egger's regression test (metafor ``regtest``, predictor sei, with the limit estimate), Begg's
rank correlation (``ranktest``), trim-and-fill (``trimfill``) and Rosenthal's fail-safe N
(``fsn``), on the studies of :func:`ivigmeta.analyses.effect_data.load_effect_data`.
All need k >= 3 studies (with fewer, none of them says anything).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from ivigmeta.results import Result
from ivigmeta.stats.bias.egger import EggerResult
from ivigmeta.stats.bias.failsafe import FailSafeResult
from ivigmeta.stats.bias.rank_correlation import RankCorrelationResult
from ivigmeta.stats.bias.trim_and_fill import TrimAndFillResult

MIN_STUDIES = 3

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection


@dataclass(frozen=True)
class BiasResult(Result):
    """Egger's test, Begg's rank test, trim-and-fill and Rosenthal's fail-safe N.

    ``failsafe_n`` repeats ``failsafe.failsafe_n`` (the number of null studies needed to raise
    the combined one-sided p above ``failsafe.alpha``).
    """

    outcome: str | None
    measure: str
    method: str
    test: str
    level: float
    k: int
    egger: EggerResult
    rank: RankCorrelationResult
    trimfill: TrimAndFillResult
    failsafe_n: int
    failsafe: FailSafeResult
    notes: tuple[str, ...]
    cautions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # what a careful reader should know first (ivigmeta.analyses.cautions)
        if not self.cautions:
            from ivigmeta.analyses.cautions import bias_test_cautions

            object.__setattr__(self, "cautions", tuple(bias_test_cautions(self.k)))


def bias(
    outcome: str | None = None,
    *,
    r: float | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    egger_model: str = "rma",
    estimator: str = "L0",
    side: str | None = None,
    **selection: Unpack[Selection],
) -> BiasResult:
    """Small-study-effect analyses of one outcome or CSV table; needs k >= 3.

    ``egger_model``: ``rma`` (metafor's default: meta-regression on sei with the chosen
    estimator and test) or ``lm`` (Egger's weighted regression); ``estimator`` L0 or R0 and
    ``side`` (None: chosen as metafor does) for trim-and-fill. ``r`` and ``selection`` choose
    the studies as for :func:`ivigmeta.analyses.pool.pool`.
    """
    from ivigmeta.analyses.effect_data import load_effect_data, require_studies
    from ivigmeta.stats.bias.egger import egger_test
    from ivigmeta.stats.bias.failsafe import rosenthal_failsafe_n
    from ivigmeta.stats.bias.rank_correlation import rank_correlation_test
    from ivigmeta.stats.bias.trim_and_fill import trim_and_fill
    from ivigmeta.stats.models.rma import rma

    data = load_effect_data(outcome, r=r, **selection)
    require_studies(data, MIN_STUDIES, "Egger's test, rank test and trim-and-fill")
    fit = rma(data.yi, data.vi, method=method, test=test, level=level)
    egger = egger_test(data.yi, data.vi, model=egger_model, method=method, test=test, level=level)
    failsafe = rosenthal_failsafe_n(data.yi, data.vi)
    return BiasResult(
        outcome=data.outcome,
        measure=data.measure,
        method=fit.method,
        test=fit.test,
        level=level,
        k=data.k,
        egger=egger,
        rank=rank_correlation_test(data.yi, data.vi),
        trimfill=trim_and_fill(
            data.yi, data.vi, estimator=estimator, side=side, method=method, test=test, level=level
        ),
        failsafe_n=failsafe.failsafe_n,
        failsafe=failsafe,
        notes=data.notes,
    )
