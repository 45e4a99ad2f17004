"""Figures of ``ivigmeta bayes``: the shrinkage forest plot and the posterior densities.

* ``--forest``: each study's estimate yi with its Wald interval (black square) and, below it,
  its shrinkage estimate (posterior median and shortest credible interval of theta_i, blue),
  then the posterior of mu (diamond) and of theta_new, the effect in a new study (red bar), as
  bayesmeta's ``forestplot.bayesmeta`` shows them. Effects stay on the model scale.
* ``--plot``: the marginal posterior densities of tau (with the prior, dashed) and of mu, and
  the joint posterior density p(tau, mu | y) = p(tau | y) N(mu; M(tau), V(tau)) as contours
  (bayesmeta's ``plot.bayesmeta`` panels).
The densities are recomputed from the result's studies and prior strings.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.render.figures.style import (
    ACCENT,
    GRID,
    HIGHLIGHT,
    INK,
    MUTED,
    figure_context,
    format_for,
    new_figure,
    save_figure,
)


def save_bayes_figures(result, *, forest_path=None, plot_path=None, **_options) -> None:
    """Write the shrinkage forest plot and/or the density plot of ``result``."""
    for path in (forest_path, plot_path):
        if path:
            format_for(path)  # unknown extension: fail before any work
    if forest_path:
        save_figure(shrinkage_forest(result), forest_path)
    if plot_path:
        save_figure(posterior_densities(result), plot_path)


def shrinkage_forest(result):
    from ivigmeta.stats.numerics.distributions import z_crit

    crit = float(z_crit(result.level))
    k = len(result.studies)
    rows = 2 * k + 3
    with figure_context():
        figure = new_figure(6.5, 0.9 + 0.22 * rows)
        ax = figure.add_axes((0.3, 0.14, 0.66, 0.72))
        labels, ticks = [], []
        y = rows
        for study in result.studies:
            low, high = study.yi - crit * study.sei, study.yi + crit * study.sei
            ax.plot([low, high], [y, y], color=INK, lw=1.0)
            ax.plot([study.yi], [y], marker="s", color=INK, ms=4)
            sh = study.shrinkage
            ax.plot([sh.ci_low, sh.ci_high], [y - 0.8, y - 0.8], color=ACCENT, lw=1.0)
            ax.plot([sh.median], [y - 0.8], marker="o", color=ACCENT, ms=3.5)
            labels += [study.id, "  shrinkage"]
            ticks += [y, y - 0.8]
            y -= 2
        mu = result.mu
        y -= 0.5
        ax.fill([mu.ci_low, mu.median, mu.ci_high, mu.median], [y, y + 0.3, y, y - 0.3],
                color=ACCENT)  # fmt: skip
        labels.append("mu")
        ticks.append(y)
        y -= 1.2
        new = result.theta_new
        ax.plot([new.ci_low, new.ci_high], [y, y], color=HIGHLIGHT, lw=2.5, solid_capstyle="butt")
        labels.append("new study (theta_new)")
        ticks.append(y)
        ax.axvline(0.0, color=GRID, lw=0.8, zorder=0)
        ax.set_yticks(ticks, labels)
        ax.set_ylim(y - 1, rows + 1)
        ax.tick_params(axis="y", length=0)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(result.measure)
        ax.set_title(f"{result.outcome or result.measure}: tau prior {result.tau_prior_label}\n"
                     f"squares: estimates, {result.level:g}% CI; dots: posterior medians, "
                     f"{result.level:g}% shortest intervals", fontsize=8, color=MUTED)  # fmt: skip
    return figure


def _posterior(result):
    from ivigmeta.analyses.bayes import parse_mu_prior
    from ivigmeta.stats.models.bayes_posterior import TauPosterior
    from ivigmeta.stats.models.bayes_priors import parse_tau_prior

    yi = np.array([s.yi for s in result.studies])
    sei = np.array([s.sei for s in result.studies])
    prior = parse_tau_prior(result.tau_prior, sei)
    mu = parse_mu_prior(result.mu_prior)
    mean, sd = mu if mu is not None else (None, None)
    return TauPosterior(yi, sei**2, prior, mean, sd), prior


def posterior_densities(result):
    post, prior = _posterior(result)
    tau_hi = max(result.tau.ci_high * 1.6, post.ppf(0.995))
    taus = np.linspace(0.0, tau_hi, 401)
    dens_tau = post.pdf(taus)
    mu_lo = result.mu.ci_low - 1.5 * (result.mu.ci_high - result.mu.ci_low) / 2
    mu_hi = result.mu.ci_high + 1.5 * (result.mu.ci_high - result.mu.ci_low) / 2
    mus = np.linspace(mu_lo, mu_hi, 301)
    grid_tau = np.linspace(tau_hi / 400, tau_hi, 200)
    m, s = post.conditional(grid_tau)
    weights = post.pdf(grid_tau)
    joint = weights[None, :] * np.exp(-0.5 * ((mus[:, None] - m[None, :]) / s[None, :]) ** 2)
    joint /= s[None, :] * np.sqrt(2 * np.pi)
    step = grid_tau[1] - grid_tau[0]
    dens_mu = joint.sum(axis=1) * step  # mixture over tau (plotting resolution only)
    with figure_context():
        figure = new_figure(9.0, 3.0)
        axes = [figure.add_axes((0.06 + 0.33 * i, 0.17, 0.26, 0.72)) for i in range(3)]
        ax = axes[0]
        ax.plot(taus, dens_tau, color=ACCENT, label="posterior")
        ax.plot(taus, prior.pdf(taus) * (1.0 if prior.proper else np.nan), color=MUTED, ls="--",
                label="prior")  # fmt: skip
        ax.axvspan(result.tau.ci_low, result.tau.ci_high, color=GRID, zorder=0)
        ax.set_xlabel("heterogeneity tau")
        ax.set_title("p(tau | y)", fontsize=9)
        ax.legend(frameon=False, fontsize=7)
        ax = axes[1]
        ax.plot(mus, dens_mu, color=ACCENT)
        ax.axvspan(result.mu.ci_low, result.mu.ci_high, color=GRID, zorder=0)
        ax.set_xlabel(f"effect mu ({result.measure})")
        ax.set_title("p(mu | y)", fontsize=9)
        ax = axes[2]
        ax.contour(grid_tau, mus, joint, levels=8, colors=ACCENT, linewidths=0.7)
        ax.plot(grid_tau, m, color=HIGHLIGHT, lw=0.8, label="E[mu | tau, y]")
        ax.set_xlabel("heterogeneity tau")
        ax.set_ylabel("effect mu")
        ax.set_title("p(tau, mu | y)", fontsize=9)
        ax.legend(frameon=False, fontsize=7)
        for a in axes[:2]:
            a.set_yticks([])
            for side in ("left", "right", "top"):
                a.spines[side].set_visible(False)
    return figure
