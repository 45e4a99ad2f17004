"""Figures (matplotlib, Agg backend): forest, funnel and leave-one-out plots.

Each figure function takes plain inputs (labels, numbers, the measure's name) and returns a
``matplotlib.figure.Figure``; :func:`ivigmeta.render.figures.style.save_figure` writes it.
matplotlib is imported only here, never at command-line start-up.
"""
