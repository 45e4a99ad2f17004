"""``pool --radial`` and ``pool --labbe``: the radial and L'Abbé plots of a pool result."""

from __future__ import annotations

import numpy as np


def save_radial(result, path) -> None:
    """Radial plot of ``result`` (from :func:`ivigmeta.pool`) to ``path``."""
    from ivigmeta.render.figures.diagnostics import radial_plot
    from ivigmeta.render.figures.style import save_figure
    from ivigmeta.stats.models.displays import radial_coordinates

    yi = [s.yi for s in result.studies]
    vi = [s.vi for s in result.studies]
    x, y = radial_coordinates(yi, vi, result.tau2)
    save_figure(radial_plot(x, y, result.estimate, level=result.level, measure=result.measure),
                path)  # fmt: skip


def labbe_arms(data) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ai, bi, ci, di) of 2x2 data (bi = n1i - ai where the table gives n1i)."""
    from ivigmeta.analyses.forest_data import study_inputs
    from ivigmeta.errors import AnalysisError

    inputs = study_inputs(data)
    if data.measure not in ("RR", "OR", "RD") or "ai" not in inputs or "ci" not in inputs:
        raise AnalysisError(f"L'Abbé plots need 2x2 data (ai, bi, ci, di), not {data.measure}")

    def column(name):
        return np.array([float(v) for v in inputs[name]])

    ai, ci = column("ai"), column("ci")
    bi = column("bi") if "bi" in inputs else column("n1i") - ai
    di = column("di") if "di" in inputs else column("n2i") - ci
    return ai, bi, ci, di


def check_labbe(data) -> None:
    labbe_arms(data)


def save_labbe(result, data, path) -> None:
    """L'Abbé plot of the 2x2 ``data`` (an EffectData) pooled as ``result``."""
    from ivigmeta.render.figures.diagnostics import labbe_plot
    from ivigmeta.render.figures.style import save_figure
    from ivigmeta.stats.models.displays import labbe_coordinates

    x, y = labbe_coordinates(data.measure, *labbe_arms(data))
    weights = [s.weight for s in result.studies]
    save_figure(labbe_plot(x, y, weights, data.measure, result.estimate), path)


def save_drapery(result, path) -> None:
    """Drapery plot of ``result`` (from :func:`ivigmeta.pool`) to ``path``."""
    import math

    from ivigmeta.render.figures.diagnostics import drapery_plot
    from ivigmeta.render.figures.style import save_figure

    yi = [s.yi for s in result.studies]
    sei = [math.sqrt(s.vi) for s in result.studies]
    pi = (result.pi_low, result.pi_high) if result.pi_low is not None else None
    figure = drapery_plot(yi, sei, [s.id for s in result.studies], estimate=result.estimate,
                          se=result.se, df=result.df, measure=result.measure, pi=pi)  # fmt: skip
    save_figure(figure, path)
