"""Alias of :mod:`ivigmeta.stats.models.confint`, kept for the import path ivigmeta 0.1
documented (``from ivigmeta.stats.confint import tau2_confint``)."""

from ivigmeta.stats.models.confint import tau2_confint

__all__ = ["tau2_confint"]
