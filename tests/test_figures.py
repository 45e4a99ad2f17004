"""Figures: drawn content (rows, diamond position, arrows, axes) and byte-identical output.

Positions are checked in the SVG itself: the x-axis tick marks and their printed labels give
the pixel <-> value map, so a diamond drawn in the wrong place (or on the wrong scale) fails.
The inputs are plain numbers made up for drawing, not study data.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from ivigmeta.errors import InputError
from ivigmeta.render.figures.forest import ForestBlock, ForestStudy, ForestSummary, forest_plot
from ivigmeta.render.figures.funnel import funnel_plot
from ivigmeta.render.figures.leave_one_out import leave_one_out_plot
from ivigmeta.render.figures.style import figure_bytes, figure_svg, save_figure
from svg_probe import SVG, group, ids, parse, path_points, texts, x_axis_map

STUDIES = (
    ForestStudy("Alpha 2001", -8.0, -11.3, -4.7, 30.0),
    ForestStudy("Beta 2002", -11.5, -17.2, -5.8, 15.0),
    ForestStudy("Gamma 2003", -9.3, -14.0, -4.6, 20.0),
    ForestStudy("Delta 2004 (imprecise)", -0.9, -60.0, 58.0, 2.0),
    ForestStudy("Epsilon 2005", -5.0, -9.0, -1.0, 33.0),
)
OVERALL = (ForestSummary(
    "Total (95% CI)", -7.5, -10.0, -5.0, weight=100.0, pi_low=-12.0, pi_high=-3.0,
    notes=("Heterogeneity: Tau² = 2.50; Chi² = 6.20, df = 4 (P = 0.19); I² = 35%",),
),)  # fmt: skip


def test_forest_rows_diamond_and_prediction_interval_are_where_the_numbers_say():
    root = parse(figure_svg(forest_plot([ForestBlock(None, STUDIES)], "MD", overall=OVERALL)))
    assert ids(root, "study-square-") == [f"study-square-{i}" for i in range(1, 6)]
    to_x = x_axis_map(root)
    left, top, right, bottom = path_points(group(root, "diamond-overall"))
    assert left[0] == pytest.approx(to_x(-10.0), abs=0.05)
    assert top[0] == pytest.approx(to_x(-7.5), abs=0.05)
    assert right[0] == pytest.approx(to_x(-5.0), abs=0.05)
    assert bottom[0] == pytest.approx(to_x(-7.5), abs=0.05)
    pi = [x for x, _ in path_points(group(root, "prediction-interval"))]
    assert min(pi) == pytest.approx(to_x(-12.0), abs=0.05)
    assert max(pi) == pytest.approx(to_x(-3.0), abs=0.05)
    # The diamond sits below the last study row (SVG y grows downwards).
    last_square_y = float(group(root, "study-square-5").find(f".//{SVG}use").get("y"))
    assert top[1] > last_square_y
    shown = texts(root)
    assert "−8.00 [−11.30, −4.70]" in shown and "30.0%" in shown
    assert "−7.50 [−10.00, −5.00]" in shown
    assert "Heterogeneity: Tau² = 2.50; Chi² = 6.20, df = 4 (P = 0.19); I² = 35%" in shown
    assert "100.0%" in shown


def test_forest_clips_a_very_wide_interval_with_arrows_at_both_ends():
    root = parse(figure_svg(forest_plot([ForestBlock(None, STUDIES)], "MD", overall=OVERALL)))
    assert ids(root, "clip-arrow") == ["clip-arrow", "clip-arrow"]
    to_x = x_axis_map(root)
    whisker = [x for x, _ in path_points(group(root, "study-ci-4"))]
    assert to_x(-60.0) < min(whisker) and max(whisker) < to_x(58.0)
    whisker_1 = [x for x, _ in path_points(group(root, "study-ci-1"))]
    assert whisker_1 == pytest.approx([to_x(-11.3), to_x(-4.7)], abs=0.05)
    assert "−0.90 [−60.00, 58.00]" in texts(root)  # the text keeps the whole interval


def test_forest_ratio_measure_plots_exp_on_a_log_axis():
    studies = (
        ForestStudy("A", math.log(0.5), math.log(0.25), math.log(1.0), 60.0),
        ForestStudy("B", math.log(2.0), math.log(0.8), math.log(5.0), 40.0),
    )
    summary = ForestSummary("Pooled", math.log(0.8), math.log(0.4), math.log(1.6))
    root = parse(figure_svg(forest_plot([ForestBlock(None, studies)], "OR", overall=(summary,))))
    to_x = x_axis_map(root, log=True)
    left, top, right, _ = path_points(group(root, "diamond-overall"))
    assert (left[0], top[0], right[0]) == pytest.approx((to_x(0.4), to_x(0.8), to_x(1.6)), abs=0.05)
    assert "0.50 [0.25, 1.00]" in texts(root)
    assert "OR (log scale)" in texts(root)


def test_forest_subgroups_get_their_own_blocks_and_diamonds():
    blocks = [
        ForestBlock("RCT", STUDIES[:2], (ForestSummary("Subtotal", -9.0, -12.0, -6.0),)),
        ForestBlock("Cohort", STUDIES[2:], (ForestSummary("Subtotal", -6.0, -9.0, -3.0),)),
    ]  # fmt: skip
    figure = forest_plot(blocks, "MD", overall=OVERALL, favours=("IVIG better", "IVIG worse"))
    root = parse(figure_svg(figure))
    assert ids(root, "diamond-") == ["diamond-subgroup-1", "diamond-subgroup-2", "diamond-overall"]
    assert len(ids(root, "study-square-")) == 5
    shown = texts(root)
    assert {"RCT", "Cohort", "IVIG better", "IVIG worse"} <= set(shown)
    to_x = x_axis_map(root)
    assert path_points(group(root, "diamond-subgroup-2"))[1][0] == pytest.approx(
        to_x(-6.0), abs=0.05
    )


def test_funnel_axis_is_inverted_and_filled_studies_are_open():
    figure = funnel_plot([-0.8, -0.5, -0.3], [0.3, 0.2, 0.1], estimate=-0.4, measure="SMCC",
                         filled_yi=[0.1, 0.2], filled_sei=[0.3, 0.25])  # fmt: skip
    root = parse(figure_svg(figure))
    observed = group(root, "observed-studies").findall(f".//{SVG}use")
    filled = group(root, "filled-studies").findall(f".//{SVG}use")
    assert len(observed) == 3 and len(filled) == 2
    assert "fill: #ffffff" in filled[0].get("style")
    # SE 0.1 (most precise) is drawn above SE 0.3: inverted axis.
    ys = {round(float(u.get("x")), 3): float(u.get("y")) for u in observed}
    assert ys[min(ys)] > ys[max(ys)]  # x=-0.8 (SE 0.3) lower than x=-0.3 (SE 0.1)
    apex = min(path_points(group(root, "pseudo-ci")), key=lambda p: p[1])
    to_x = x_axis_map(root)
    assert apex[0] == pytest.approx(to_x(-0.4), abs=0.05)


def test_contour_enhanced_funnel_has_legend_of_significance_bands():
    figure = funnel_plot([0.2, 0.5], [0.1, 0.2], estimate=0.3, measure="MD", contours=True)
    shown = texts(parse(figure_svg(figure)))
    assert {"p > 0.10", "0.10 > p > 0.05", "0.05 > p > 0.01", "p < 0.01"} <= set(shown)


def test_leave_one_out_has_one_row_per_omitted_study():
    figure = leave_one_out_plot(
        ["A", "B", "C"], [-1.0, -2.0, -1.5], [-2.0, -3.0, -2.5], [0.0, -1.0, -0.5],
        overall_estimate=-1.5, overall_ci=(-2.4, -0.6), measure="MD",
    )  # fmt: skip
    root = parse(figure_svg(figure))
    assert ids(root, "omitted-") == ["omitted-1", "omitted-2", "omitted-3"]
    to_x = x_axis_map(root)
    x = float(group(root, "omitted-2").find(f".//{SVG}use").get("x"))
    assert x == pytest.approx(to_x(-2.0), abs=0.05)


RENDER = """
import hashlib, sys
from ivigmeta.render.figures.forest import ForestBlock, ForestStudy, ForestSummary, forest_plot
from ivigmeta.render.figures.style import figure_bytes
studies = (ForestStudy("A", -1.0, -2.0, 0.0, 50.0), ForestStudy("B", -2.0, -3.5, -0.5, 50.0))
fig = forest_plot([ForestBlock(None, studies)], "MD",
                  overall=(ForestSummary("Pooled", -1.5, -2.3, -0.7, notes=("Heterogeneity",)),))
for fmt in ("svg", "png", "pdf"):
    print(fmt, hashlib.sha256(figure_bytes(fig, fmt)).hexdigest())
"""


def test_same_input_gives_byte_identical_files_across_processes():
    outputs = {
        subprocess.run(
            [sys.executable, "-c", RENDER],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1, outputs
    assert len(outputs.pop().splitlines()) == 3


def test_save_figure_picks_the_format_from_the_extension(tmp_path):
    figure = leave_one_out_plot(["A", "B", "C"], [1, 2, 3], [0, 1, 2], [2, 3, 4],
                                overall_estimate=2, overall_ci=(1, 3), measure="MD")  # fmt: skip
    for name, magic in (("f.svg", b"<?xml"), ("f.png", b"\x89PNG"), ("f.pdf", b"%PDF")):
        save_figure(figure, tmp_path / name)
        assert (tmp_path / name).read_bytes().startswith(magic)
    svg = figure_bytes(figure, "svg")
    assert b"<dc:date>" not in svg
    with pytest.raises(InputError, match=r"f\.gif: unknown figure format '\.gif'"):
        save_figure(figure, tmp_path / "f.gif")
