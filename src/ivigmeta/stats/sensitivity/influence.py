"""Outlier and influence diagnostics for (mixed-effects) meta-analysis (metafor ``influence``).

With the full fit (beta, Var(beta) = s²_w (X'WX)^-1, w_i = 1/(v_i + tau²), s²_w the
Knapp-Hartung scale, 1 under z tests) and the fit without study i (subscript (-i)):

- ``rstudent``: externally standardised residual
  (y_i - x_i'beta_(-i)) / sqrt(s²_w(-i) (v_i + tau²_(-i)) + x_i' Var(beta_(-i)) x_i);
- ``dffits``: (x_i'beta - x_i'beta_(-i)) / sqrt(s²_w(-i) h_i (tau²_(-i) + v_i));
- ``cook_d``: (beta - beta_(-i))' Var(beta)^-1 (beta - beta_(-i));
- ``cov_r``: det Var(beta_(-i)) / det Var(beta);
- ``tau2_del``, ``qe_del``: tau² and the residual heterogeneity Q without study i;
- ``hat``: leverage h_i, the diagonal of X (X'WX)^-1 X'W; ``weight``: w_i / sum(w) in percent;
- ``dfbetas``: (beta - beta_(-i)) / sqrt(s²_w(-i) diag((X'W_(-i)X)^-1)), W_(-i) built from
  tau²_(-i) over all k studies.

A study is flagged ``influential`` (metafor's rule) when |dffits| > 3 sqrt(p / (k - p)), or
P(chi²_p <= cook_d) > 0.5, or hat > 3p/k, or any |dfbetas| > 1.

Reference: Viechtbauer W, Cheung MW-L. Outlier and influence diagnostics for meta-analysis.
Res Synth Methods 2010;1:112-125.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.models.rma import RmaFit, rma
from ivigmeta.stats.numerics.distributions import chi2_sf

_TINY_RESIDUAL = 100 * np.finfo(float).eps


@dataclass(frozen=True)
class StudyInfluence(Result):
    """Diagnostics of one study; ``dfbetas`` has one value per coefficient."""

    id: str
    rstudent: float
    dffits: float
    cook_d: float
    cov_r: float
    tau2_del: float
    qe_del: float
    hat: float
    weight: float
    dfbetas: tuple[float, ...]
    influential: bool


@dataclass(frozen=True)
class InfluenceResult(Result):
    """One :class:`StudyInfluence` per study, in the input order."""

    method: str
    test: str
    coef_names: tuple[str, ...]
    studies: tuple[StudyInfluence, ...]


def _unscaled(X: np.ndarray, vi: np.ndarray, tau2: float) -> np.ndarray:
    """(X'WX)^-1 with w_i = 1/(v_i + tau²)."""
    w = 1.0 / (vi + tau2)
    return np.linalg.inv(X.T @ (X * w[:, None]))


def _scale(fit: RmaFit) -> float:
    """The Knapp-Hartung scale s²_w of a fit (1 under z tests): Var(beta) / (X'WX)^-1."""
    return float(fit.vb[0, 0] / _unscaled(fit.X, fit.vi, fit.tau2)[0, 0])


def influence(
    yi,
    vi,
    ids: Sequence[str] | None = None,
    *,
    mods=None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> InfluenceResult:
    """Case-deletion diagnostics of ``rma(yi, vi, mods, method, test)`` (metafor ``influence``)."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = yi.size
    if k < 2:
        raise AnalysisError(f"influence diagnostics need at least 2 studies; got k = {k}")
    labels = [str(i) for i in (ids if ids is not None else range(1, k + 1))]
    full = rma(yi, vi, mods=mods, method=method, test=test, level=level)
    X = full.X
    p = full.p
    beta = np.asarray(full.beta)
    vb = full.vb
    vb_inverse = np.linalg.inv(vb)
    w = 1.0 / (vi + full.tau2)
    unscaled = _unscaled(X, vi, full.tau2)
    hat = np.einsum("ij,jk,ik->i", X, unscaled, X) * w
    weight = 100 * w / w.sum()
    nan = math.nan

    studies = []
    for i in range(k):
        keep = np.arange(k) != i
        try:
            deleted = rma(yi[keep], vi[keep], mods=X[keep], intercept=False, method=method,
                          test=test, level=level)  # fmt: skip
        except AnalysisError:
            studies.append(StudyInfluence(labels[i], nan, nan, nan, nan, nan, nan, float(hat[i]),
                                          float(weight[i]), (nan,) * p, False))  # fmt: skip
            continue
        beta_del = np.asarray(deleted.beta)
        vb_del, scale_del = deleted.vb, _scale(deleted)
        tau2_del = deleted.tau2
        x_i = X[i]
        pred_del = float(x_i @ beta_del)
        residual = yi[i] - pred_del
        if abs(residual) < _TINY_RESIDUAL:
            residual = 0.0
        se_residual = math.sqrt(
            vi[i] * scale_del + float(x_i @ vb_del @ x_i) + tau2_del * scale_del
        )
        dffits = float(x_i @ beta - pred_del) / math.sqrt(scale_del * hat[i] * (tau2_del + vi[i]))
        unscaled_del = _unscaled(X, vi, tau2_del)
        change = beta - beta_del
        dfbetas = change / np.sqrt(scale_del * np.diag(unscaled_del))
        cook_d = float(change @ vb_inverse @ change)
        cov_r = float(np.linalg.det(vb_del) / np.linalg.det(vb))
        flagged = (
            abs(dffits) > 3 * math.sqrt(p / (k - p))
            or float(chi2_sf(cook_d, p)) < 0.5
            or hat[i] > 3 * p / k
            or bool(np.any(np.abs(dfbetas) > 1))
        )
        studies.append(
            StudyInfluence(
                id=labels[i],
                rstudent=float(residual / se_residual),
                dffits=dffits,
                cook_d=cook_d,
                cov_r=cov_r,
                tau2_del=tau2_del,
                qe_del=deleted.q,
                hat=float(hat[i]),
                weight=float(weight[i]),
                dfbetas=tuple(float(b) for b in dfbetas),
                influential=bool(flagged),
            )
        )
    return InfluenceResult(
        method=full.method, test=full.test, coef_names=full.coef_names, studies=tuple(studies)
    )
