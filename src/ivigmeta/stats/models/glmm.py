"""Generalised linear mixed models for counts: metafor's ``rma.glmm(method = "ML")``.

Measures and models (Stijnen, Hamza & Ozdemir 2010, Stat Med 29:3046-3067; Jackson et al.
2018, Stat Med 37:1059-1085; metafor 5.0-1 ``rma.glmm``):

- ``PLO``: x_i ~ Bin(n_i, p_i), logit p_i = mu + u_i, u_i ~ N(0, tau²) (binomial-normal).
- ``IRLN``: x_i ~ Poisson(t_i lambda_i), log lambda_i = mu + u_i (Poisson-normal).
- ``OR`` with ``UM.FS`` (default): a_i ~ Bin(n1_i, p1_i), c_i ~ Bin(n2_i, p2_i),
  logit p1_i = alpha_i + beta + u_i/2, logit p2_i = alpha_i - u_i/2 (fixed study effects).
- ``OR`` with ``UM.RS``: as UM.FS with alpha_i = mu + v_i, v_i ~ N(0, sigma²) (independent).
- ``OR`` with ``CM.AL``: a_i | a_i + c_i ~ Bin(a_i + c_i, pi_i),
  logit pi_i = log(n1_i/n2_i) + beta + u_i (conditional, approximate likelihood).
- ``OR`` with ``CM.EL``: a_i | a_i + c_i noncentral hypergeometric with log odds ratio
  beta + u_i (conditional, exact likelihood; :mod:`ivigmeta.stats.models.glmm_conditional`).

Integration: PLO, IRLN, UM.FS and CM.AL by adaptive Gauss-Hermite quadrature with 7 nodes
(lme4 ``glmer``, nAGQ = 7 as metafor passes it), UM.RS by the Laplace approximation (nAGQ = 1,
as metafor forces it), CM.EL by adaptive quadrature over the whole line (QUADPACK ``qagi``, as
R's ``integrate``). The tables are used as they are (no continuity correction); studies with no
events (or only events) in both groups are left out (``drop00``).

Heterogeneity: the Wald-type (``QE.Wld``) and likelihood-ratio (``QE.LRT``) tests of the
saturated model (one effect per study) against the equal-effects model, on k - 1 df.
I² = 100 tau²/(tau² + s²) and H² = 1 + tau²/s² with s² = (k - 1)/(sum w - sum w²/sum w),
w = 1/v_i from escalc (1/2 added to the cells of tables with a zero, metafor's default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.results import Result
from ivigmeta.stats.numerics.distributions import chi2_sf, norm_ppf, norm_sf

MEASURES = ("PLO", "IRLN", "OR")
MODELS = ("UM.FS", "UM.RS", "CM.AL", "CM.EL")


@dataclass(frozen=True)
class GlmmFit(Result):
    """An ``rma.glmm`` ML fit. ``q``/``q_p`` are the Wald-type test of heterogeneity
    (metafor ``QE.Wld``), ``q_lrt``/``q_lrt_p`` the likelihood-ratio one (``QE.LRT``), both on
    ``q_df`` = k - 1 df; ``sigma2`` is the variance of the random study effects (UM.RS only);
    ``se_tau2`` is given by CM.EL only (delta method on log tau², as metafor); ``loglik`` is
    metafor's ``logLik``; ``dropped`` are the 0-based rows left out (no events or only events
    in both groups)."""

    measure: str
    model: str | None
    integration: str
    level: float
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    tau2: float
    tau: float
    se_tau2: float | None
    sigma2: float | None
    i2: float
    h2: float
    q: float | None
    q_p: float | None
    q_lrt: float | None
    q_lrt_p: float | None
    q_df: int
    loglik: float
    dropped: tuple[int, ...]


def rma_glmm(measure: str, *, model: str = "UM.FS", level: float = 95.0, **counts) -> GlmmFit:
    """Fit metafor's ``rma.glmm(measure, model, method = "ML")``.

    ``counts``: ``xi, ni`` (PLO), ``xi, ti`` (IRLN), ``ai, bi, ci, di`` (OR). Raises
    :class:`~ivigmeta.errors.AnalysisError` when fewer than 2 studies remain or the model does
    not converge (the message names the model and what to try).
    """
    from ivigmeta.stats.models import glmm_fits as fits
    from ivigmeta.stats.models.glmm_core import Family, glm_irls

    measure = measure.upper()
    if measure not in MEASURES:
        raise AnalysisError(f"GLMM: measure must be one of {', '.join(MEASURES)}, got {measure}")
    if measure != "OR":
        model_name = None
    elif model not in MODELS:
        raise AnalysisError(f"GLMM: model must be one of {', '.join(MODELS)}, got {model}")
    else:
        model_name = model
    arrays = {name: np.asarray(value, dtype=float) for name, value in counts.items()}
    dropped: tuple[int, ...] = ()
    if measure == "OR":
        a, b, c, d = (arrays[name] for name in ("ai", "bi", "ci", "di"))
        keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
        dropped = tuple(int(i) for i in np.flatnonzero(~keep))
        a, b, c, d = a[keep], b[keep], c[keep], d[keep]
        vi = _vi_or(a, b, c, d)
        k = a.size
    elif measure == "PLO":
        x, n = arrays["xi"], arrays["ni"]
        vi = _vi_plo(x, n)
        k = x.size
    else:
        x, t = arrays["xi"], arrays["ti"]
        vi = 1.0 / np.where(x == 0, 0.5, x)
        k = x.size
    if k < 2:
        raise AnalysisError(f"GLMM ({_label(measure, model_name)}): at least 2 studies needed "
                            f"(k = {k} after leaving out studies without events)")  # fmt: skip
    label = _label(measure, model_name)
    if measure == "OR":
        degenerate = np.all(a == 0) or np.all(c == 0) or np.all(b == 0) or np.all(d == 0)
    elif measure == "PLO":  # each study at 0 or at n: the likelihood grows as tau² -> infinity
        degenerate = bool(np.all((x == 0) | (x == n)))
    else:
        degenerate = np.all(x == 0)
    if degenerate:
        raise AnalysisError(_failure(label, "no finite estimate: a group has no events, or only "
                                     "events, in every study"))  # fmt: skip
    integration = "adaptive Gauss-Hermite quadrature, 7 nodes (lme4 nAGQ = 7)"
    se_tau2 = sigma2 = None
    try:
        if measure in ("PLO", "IRLN") or model_name == "CM.AL":
            if measure == "PLO":
                fam, off = Family(x[:, None], n[:, None]), np.zeros((k, 1))
            elif measure == "IRLN":
                fam, off = Family(x[:, None], None), np.log(t)[:, None]
            else:
                fam = Family(a[:, None], (a + c)[:, None])
                off = np.log((a + b) / (c + d))[:, None]
            one = np.ones((k, 1))
            fit = fits.fit_scalar(fits.ScalarModel(fam, one, off, one), label=label)
            sat = fam.loglik_saturated()
            beta_qe, v_qe, dev_qe = glm_irls(fam, np.eye(k), off.ravel())
            _, _, dev_fe = glm_irls(fam, np.ones((k, 1)), off.ravel())
            q = _wald_equal(beta_qe, np.diag(v_qe))
            ll_qe, ll_fe = sat - dev_qe / 2, sat - dev_fe / 2
            loglik = ll_qe + fit.loglik
        elif model_name in ("UM.FS", "UM.RS"):
            fam = Family(np.column_stack([a, c]), np.column_stack([a + b, c + d]))
            xb = np.column_stack([np.ones(k), np.zeros(k)])
            sat = fam.loglik_saturated()
            beta_qe, v_qe, dev_qe = glm_irls(fam, np.eye(2 * k), np.zeros(2 * k))
            lor = beta_qe[0::2] - beta_qe[1::2]
            v_lor = np.diag(v_qe)[0::2] + np.diag(v_qe)[1::2]
            if model_name == "UM.FS":
                fe_x = np.column_stack([np.tile([1.0, 0.0], k), np.repeat(np.eye(k), 2, axis=0)])
                beta_fe, _, dev_fe = glm_irls(fam, fe_x, np.zeros(2 * k))
                model_fs = fits.ScalarModel(fam, xb, np.zeros((k, 2)), np.where(xb == 1, 0.5, -0.5),
                                            alpha=beta_fe[1:])  # fmt: skip
                fit = fits.fit_scalar(model_fs, label=label)
                q = _wald_equal(lor, v_lor)
                ll_qe, ll_fe = sat - dev_qe / 2, sat - dev_fe / 2
                loglik = ll_qe + fit.loglik
            else:
                integration = "Laplace approximation (lme4 nAGQ = 1, as metafor forces for UM.RS)"
                fit, ll_fe, ll_qe, q = fits.fit_um_rs(fam, xb, label)
                sigma2 = fit.sigma2
                loglik = fit.loglik
        else:
            from ivigmeta.stats.models.glmm_conditional import fit_cm_el

            integration = "adaptive Gauss-Hermite quadrature, 40 nodes (metafor: R integrate)"
            fit, ll_fe, ll_qe, q, se_tau2 = fit_cm_el(a, b, c, d, label=label)
            loglik = fit.loglik
    except (FloatingPointError, np.linalg.LinAlgError, ValueError) as error:
        raise AnalysisError(_failure(label, str(error))) from None
    except AnalysisError as error:
        raise AnalysisError(_failure(label, str(error))) from None
    if not (np.isfinite(fit.beta) and np.isfinite(fit.var_beta) and fit.var_beta > 0):
        raise AnalysisError(_failure(label, "no finite estimate"))
    se = math.sqrt(fit.var_beta)
    crit = norm_ppf(1 - (1 - level / 100) / 2)
    zval = fit.beta / se
    w = 1.0 / vi
    s2 = (k - 1) / (w.sum() - (w**2).sum() / w.sum())
    q_df = k - 1
    lrt = None if ll_qe is None or not np.isfinite(ll_qe) else max(0.0, -2 * (ll_fe - ll_qe))
    q = None if q is None or not np.isfinite(q) else max(0.0, q)
    return GlmmFit(
        measure=measure, model=model_name, integration=integration, level=level, k=k,
        estimate=fit.beta, se=se, ci_low=fit.beta - crit * se, ci_high=fit.beta + crit * se,
        statistic=zval, p=2 * norm_sf(abs(zval)), tau2=fit.tau2, tau=math.sqrt(fit.tau2),
        se_tau2=se_tau2, sigma2=sigma2, i2=100 * fit.tau2 / (s2 + fit.tau2),
        h2=1 + fit.tau2 / s2, q=q, q_p=None if q is None else chi2_sf(q, q_df),
        q_lrt=lrt, q_lrt_p=None if lrt is None else chi2_sf(lrt, q_df), q_df=q_df,
        loglik=float(loglik), dropped=dropped,
    )  # fmt: skip


def _label(measure: str, model: str | None) -> str:
    return f"{measure}, {model}" if model else measure


def _failure(label: str, why: str) -> str:
    why = why.removeprefix(f"GLMM ({label}) ").removeprefix("did not converge")
    why = f" ({why})" if why else ""
    if label.startswith("OR"):
        hint = "another --glmm-model (UM.FS, UM.RS, CM.AL, CM.EL), or --method MH or PETO"
    else:
        hint = "a random-effects model on the escalc scale (e.g. --method REML)"
    return f"GLMM ({label}) did not converge{why}; try {hint}"


def _wald_equal(theta, v) -> float:
    """Wald statistic of equal theta_i with independent variances v_i:
    sum w theta² - (sum w theta)² / sum w, w = 1/v."""
    w = 1.0 / np.asarray(v, dtype=float)
    return float(np.sum(w * theta**2) - np.sum(w * theta) ** 2 / np.sum(w))


def _vi_or(a, b, c, d):
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    add = np.where(zero, 0.5, 0.0)
    return 1 / (a + add) + 1 / (b + add) + 1 / (c + add) + 1 / (d + add)


def _vi_plo(x, n):
    add = np.where((x == 0) | (x == n), 0.5, 0.0)
    return 1 / (x + add) + 1 / (n - x + add)
