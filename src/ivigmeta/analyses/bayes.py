"""``ivigmeta bayes``: Bayesian random-effects meta-analysis (bayesmeta's model, no sampling).

The studies are selected exactly as for ``pool``
(:func:`ivigmeta.analyses.effect_data.effect_data_builder`); the posterior is computed by
:func:`ivigmeta.stats.models.bayes.bayes_fit`.

Default tau prior (``tau_prior=None``), weakly informative and scale-aware (Röver et al. 2021,
Res Synth Methods 12(4):448-474): half-normal(0.5) for log-ratio and standardised measures
(RR, OR, HR, ROM, PLO, SMD, SMDH, SMCC, SMCR, SMCRH); otherwise (raw units: MD, MC, RD, PR, PAS,
PFT, GEN) half-normal with scale 0.5 x the unit-information SD
sigma_U = sqrt(sum n_i / sum(1/v_i)) (bayesmeta's ``uisd``), so that HN(0.5) on a log odds
ratio and HN(0.5 sigma_U) on raw units express the same belief. sigma_U needs each study's n
(the records give it; a CSV table needs ``ni``, ``n1i`` and ``n2i`` or the four cells); GEN
tables without sizes get half-normal(0.5) with a note; otherwise give a prior.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result

if TYPE_CHECKING:
    from ivigmeta.analyses.effect_data import Selection
    from ivigmeta.stats.models.bayes import PosteriorSummary, Shrinkage

UNIT_FREE = ("RR", "OR", "HR", "ROM", "PLO", "SMD", "SMDH", "SMCC", "SMCR", "SMCRH")


@dataclass(frozen=True)
class BayesStudy(Result):
    """One study: its estimate ``yi``, standard error ``sei`` and posterior (shrinkage) estimate."""

    id: str
    yi: float
    sei: float
    shrinkage: Shrinkage


@dataclass(frozen=True)
class BayesResult(Result):
    """The posterior of the normal-normal hierarchical model for one outcome or CSV table.

    Fields as :class:`ivigmeta.stats.models.bayes.BayesFit`, plus ``outcome``, ``measure``,
    ``studies`` (each with its shrinkage estimate), ``cautions`` and ``notes``.
    """

    outcome: str | None
    measure: str
    k: int
    tau_prior: str
    tau_prior_label: str
    tau_prior_proper: bool
    mu_prior: str
    mu_prior_proper: bool
    level: float
    tau: PosteriorSummary
    mu: PosteriorSummary
    theta_new: PosteriorSummary
    mu_central: tuple[float, float]
    p_mu_below_0: float
    i2_median: float | None
    marginal_likelihood: float | None
    bayes_factor_tau0: float | None
    bayes_factor_mu0: float | None
    studies: tuple[BayesStudy, ...]
    cautions: tuple[str, ...]
    notes: tuple[str, ...]
    delta: float
    epsilon: float
    grid_size: int

    def without_studies(self) -> dict:
        """The JSON object without ``studies`` (as ``pool``'s ``few_studies.bayes``)."""
        out = self.to_dict()
        out.pop("studies")
        return out


def parse_mu_prior(text: str | None) -> tuple[float, float] | None:
    """``uniform`` (None) or ``normal:MEAN,SD`` -> (MEAN, SD)."""
    if text is None or text.strip().lower() == "uniform":
        return None
    name, _, rest = text.strip().partition(":")
    parts = [p.strip() for p in rest.split(",")]
    if name.strip().lower() == "normal" and len(parts) == 2:
        try:
            mean, sd = float(parts[0]), float(parts[1])
        except ValueError:
            mean = sd = math.nan
        if math.isfinite(mean) and math.isfinite(sd) and sd > 0:
            return mean, sd
    raise InputError(f"expected uniform or normal:MEAN,SD (SD > 0), got {text!r}",
                     field="--mu-prior")  # fmt: skip


def default_tau_prior(data) -> tuple[str, str]:
    """The default ``--tau-prior`` string for ``data`` and a note saying why."""
    if data.measure in UNIT_FREE:
        return "half-normal:0.5", (
            f"tau prior: half-normal(0.5), the default for {data.measure} (log-ratio or "
            "standardised scale; Röver et al. 2021); --tau-prior to change"
        )
    sizes = _sizes(data)
    if sizes is None and data.measure == "GEN":
        return "half-normal:0.5", (
            "tau prior: half-normal(0.5); GEN data carry no sample sizes (no ni or n1i, n2i "
            "column), so the unit-information SD is unknown and the default for log-ratio and "
            "standardised scales is used; on raw units give --tau-prior half-normal:SCALE"
        )
    if sizes is None:
        raise InputError(
            f"{data.measure} is on raw units and the studies' sample sizes are unknown, so the "
            "unit-information SD default cannot be formed; give a prior, e.g. half-normal:SCALE "
            "(or add an ni column)",
            field="--tau-prior",
        )
    uisd = math.sqrt(sum(sizes) / sum(1.0 / v for v in data.vi))
    scale = float(f"{0.5 * uisd:.4g}")
    return f"half-normal:{scale:g}", (
        f"tau prior: half-normal({scale:g}) = 0.5 x the unit-information SD {uisd:.4g} "
        f"(sqrt(sum n / sum 1/vi), Röver et al. 2021), the default on raw units; --tau-prior "
        "to change"
    )


def _sizes(data) -> list[float] | None:
    if data.source is None:
        sizes = list(data.sizes)
    elif data.has("ni"):
        sizes = [float(v) if v is not None else None for v in data.values("ni")]
    elif data.has("n1i") and data.has("n2i"):
        sizes = [None if a is None or b is None else float(a) + float(b)
                 for a, b in zip(data.values("n1i"), data.values("n2i"), strict=True)]  # fmt: skip
    elif all(data.has(c) for c in ("ai", "bi", "ci", "di")):
        cells = zip(*(data.values(c) for c in ("ai", "bi", "ci", "di")), strict=True)
        sizes = [None if None in row else sum(float(v) for v in row) for row in cells]
    else:
        return None
    if len(sizes) != data.k or any(s is None or not s > 0 for s in sizes):
        return None
    return sizes


def bayes(
    outcome: str | None = None,
    *,
    tau_prior: str | None = None,
    mu_prior: str | None = "uniform",
    level: float = 95.0,
    r: float | None = None,
    **selection: Unpack[Selection],
) -> BayesResult:
    """Posterior of tau, mu, theta_new and each study's effect for one outcome or CSV table.

    ``tau_prior`` is a ``--tau-prior`` string (see :mod:`ivigmeta.stats.models.bayes_priors`;
    None: the scale-aware default above); ``mu_prior`` ``uniform`` or ``normal:MEAN,SD``;
    ``level`` (percent) of the shortest credible intervals; ``r`` and ``selection`` as for
    :func:`ivigmeta.analyses.pool.pool`.
    """
    from ivigmeta.analyses.effect_data import check_correlation, effect_data_builder

    check_correlation(r)
    mu = parse_mu_prior(mu_prior)
    data = effect_data_builder(outcome, **selection)(r)
    return bayes_from_data(data, tau_prior=tau_prior, mu=mu, level=level)


def bayes_from_data(
    data, *, tau_prior: str | None, mu, level: float, studies: bool = True
) -> BayesResult:
    """:func:`bayes` on already selected studies (``pool``'s few-studies block uses it, with
    ``studies=False``: no shrinkage estimates, ``studies`` empty)."""
    import numpy as np

    from ivigmeta.analyses.cautions import study_count_cautions
    from ivigmeta.stats.models.bayes import bayes_fit
    from ivigmeta.stats.models.bayes_priors import parse_tau_prior

    bad = [i for i, v in enumerate(data.vi) if not (math.isfinite(v) and v > 0)]
    if bad:
        raise InputError(f"expected a positive sampling variance, got {data.vi[bad[0]]!r} for "
                         f"study {data.ids[bad[0]]}", field="vi")  # fmt: skip
    notes = list(data.notes)
    if tau_prior is None:
        tau_prior, note = default_tau_prior(data)
        notes.append(note)
    sei = np.sqrt(np.asarray(data.vi, dtype=float))
    prior = parse_tau_prior(tau_prior, sei)
    try:
        with np.errstate(all="ignore"):
            fit = bayes_fit(data.yi, sei, prior, mu_prior=mu, level=level, shrinkage=studies)
    except (ArithmeticError, ValueError) as error:  # e.g. standard errors 1e15 apart
        raise AnalysisError(
            f"the posterior could not be computed numerically ({error}); the standard errors "
            f"range from {sei.min():.3g} to {sei.max():.3g}"
        ) from None
    cautions = study_count_cautions(data.k) if data.k < 5 else []
    if data.k == 1:
        cautions = ["one study: tau is not identified by the data, so its posterior is its prior "
                    "and the mu interval reflects the prior on tau"]  # fmt: skip
    if sei.max() / sei.min() > 1000:
        cautions.append("the largest standard error is over 1000 times the smallest "
                        "(bayesmeta warns of numerical problems)")  # fmt: skip
    rows = tuple(
        BayesStudy(i, float(y), float(s), sh)
        for i, y, s, sh in zip(data.ids, data.yi, sei, fit.shrinkage, strict=False)
    )
    fields = {k: v for k, v in vars(fit).items() if k != "shrinkage"}
    return BayesResult(outcome=data.outcome, measure=data.measure, studies=rows,
                       cautions=tuple(cautions), notes=tuple(notes), **fields)  # fmt: skip
