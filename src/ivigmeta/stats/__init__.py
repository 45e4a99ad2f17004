"""Stats core: pure functions, numpy arrays in, frozen result dataclasses out.

No printing, no files, nothing from ``records/``. One subpackage per kind of thing:

* ``numerics/``: distributions, special functions, root finding, linear algebra helpers.
* ``models/``: the pooling models (``rma`` and its tau² estimators, heterogeneity, prediction
  intervals, Q-profile CIs, the vectorised ``pool_many``; Mantel-Haenszel, Peto, GLMM,
  Bayesian and multilevel models, cluster-robust CR2).
* ``sensitivity/``: leave-one-out, cumulative, influence, subgroups, meta-regression, GOSH,
  Baujat and bubble-plot coordinates.
* ``bias/``: small-study tests and adjustments (Egger, rank correlation, trim-and-fill,
  fail-safe N).
* ``checks/``: tests from summary statistics and the checks of reported results (t tests,
  proportion tests, rounding intervals, GRIM/GRIMMER, statcheck-style rows, the McNemar range,
  solving for an unreported n or r).
* ``simulation/``: simulation studies of the methods (seeded chunks, coverage and error rates).
"""
