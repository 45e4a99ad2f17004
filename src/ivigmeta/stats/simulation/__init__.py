"""Simulation studies of meta-analysis methods: replications drawn in seeded chunks
(``chunks``) and the coverage, error-rate and accuracy summaries computed from them
(``metrics``)."""
