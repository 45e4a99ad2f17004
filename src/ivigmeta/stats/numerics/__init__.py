"""Numerical building blocks: distributions and special functions, root finding, projections."""
