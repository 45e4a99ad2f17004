"""Checks of reported results from summary statistics: t and proportion tests with rounding
intervals, GRIM/GRIMMER, statcheck-style recomputation, the McNemar range, solving for n or r."""
