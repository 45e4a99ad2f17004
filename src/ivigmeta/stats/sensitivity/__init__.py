"""Sensitivity analyses: leave-one-out, cumulative, influence diagnostics, subgroups and
meta-regression (metafor ``leave1out``, ``cumul``, ``influence``, ``rma(mods=)``)."""
