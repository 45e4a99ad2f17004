"""ivigmeta: meta-analysis from summary statistics, checked against R's metafor.

The public API mirrors the command line (``ivigmeta pool`` is :func:`ivigmeta.pool`, and so on).
Names are imported lazily so that ``import ivigmeta`` and ``ivigmeta --help`` stay fast:
numpy and scipy load only when an analysis runs.
"""

from __future__ import annotations

import importlib

__version__ = "0.3.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "load_studies": "ivigmeta.records.loader",
    "pool": "ivigmeta.analyses.pool",
    "import_rm5": "ivigmeta.analyses.revman_import",
    "bayes": "ivigmeta.analyses.bayes",
    "bayes_fit": "ivigmeta.stats.models.bayes",
    "load_effect_data": "ivigmeta.analyses.effect_data",
    "escalc": "ivigmeta.effects.escalc",
    "convert_fivenum": "ivigmeta.effects.conversions",
    "convert_wald": "ivigmeta.effects.conversions",
    "convert_2x2": "ivigmeta.effects.conversions",
    "reproduce": "ivigmeta.analyses.reproduce",
    "reproduce_pool": "ivigmeta.analyses.reproduce_pool",
    "extract": "ivigmeta.analyses.extract",
    "extract_text": "ivigmeta.analyses.extract",
    "grim": "ivigmeta.stats.checks.grim",
    "debit": "ivigmeta.stats.checks.debit",
    "ci_p_check": "ivigmeta.stats.checks.ci_p",
    "ci_from_p": "ivigmeta.stats.checks.ci_p",
    "se_sd_check": "ivigmeta.stats.checks.arithmetic",
    "percent_check": "ivigmeta.stats.checks.arithmetic",
    "n_flow_check": "ivigmeta.stats.checks.arithmetic",
    "baseline_balance": "ivigmeta.stats.checks.baseline",
    "paired_t": "ivigmeta.analyses.tests_from_records",
    "one_sample_t": "ivigmeta.analyses.tests_from_records",
    "two_sample_t": "ivigmeta.analyses.tests_from_records",
    "two_proportions": "ivigmeta.analyses.tests_from_records",
    "paired_proportions": "ivigmeta.analyses.tests_from_records",
    "sensitivity": "ivigmeta.analyses.sensitivity",
    "subgroup": "ivigmeta.analyses.subgroup",
    "regress": "ivigmeta.analyses.regress",
    "multilevel": "ivigmeta.analyses.multilevel",
    "bias": "ivigmeta.analyses.bias",
    "report": "ivigmeta.analyses.report",
    "pool_many": "ivigmeta.stats.models.pool_many",
    "batch": "ivigmeta.analyses.batch",
    "rma": "ivigmeta.stats.models.rma",
    "tau2_confint": "ivigmeta.stats.models.confint",
    "emit_r": "ivigmeta.render.r_script",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ivigmeta' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
