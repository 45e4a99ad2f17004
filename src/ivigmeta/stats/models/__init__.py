"""Pooling models: random/equal-effects ``rma``, tau² estimators, heterogeneity, prediction
intervals, Q-profile confidence intervals and the vectorised ``pool_many``."""
