"""Alias of :mod:`ivigmeta.stats.models.rma`, kept for the import path ivigmeta 0.1 documented
(``from ivigmeta.stats.rma import rma``). New code imports from ``ivigmeta.stats.models``."""

from ivigmeta.stats.models.rma import METHODS, TESTS, RmaFit, rma

__all__ = ["METHODS", "TESTS", "RmaFit", "rma"]
