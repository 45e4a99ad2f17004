"""Baujat, radial and L'Abbé plots: their coordinates against metafor 5.0-1 (``baujat()``,
``radial()``, ``labbe()`` on dat.bcg, ``tests/oracle/figures.R``), then the drawn points
against the SVG's own axes. Tolerance: relative 1e-9 (largest deviation measured 4.7e-15)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli
from ivigmeta.effects.escalc import escalc
from ivigmeta.stats.models.displays import labbe_coordinates, radial_coordinates
from ivigmeta.stats.models.rma import rma
from ivigmeta.stats.sensitivity.baujat import baujat
from svg_probe import (
    SVG,
    group,
    marker_positions,
    parse,
    path_centres,
    path_points,
    x_axis_map,
    y_axis_map,
)

ROOT = Path(__file__).parent.parent
GOLDEN = json.loads((ROOT / "tests" / "oracle" / "golden" / "figures.json").read_text())
BCG = str(ROOT / "examples" / "bcg.csv")
ROWS = list(csv.DictReader(Path(BCG).read_text(encoding="utf-8").splitlines()))
ARMS = {k: np.array([float(r[k]) for r in ROWS]) for k in ("ai", "bi", "ci", "di")}
EFFECTS = escalc("RR", **ARMS)
TOL = 1e-9


@pytest.mark.parametrize("case", GOLDEN["baujat"], ids=lambda c: c["method"])
def test_baujat_coordinates_match_metafor(case):
    result = baujat(EFFECTS.yi, EFFECTS.vi, method=case["method"])
    assert result.x == pytest.approx(case["x"], rel=TOL)
    assert result.y == pytest.approx(case["y"], rel=TOL)


@pytest.mark.parametrize("case", GOLDEN["radial"], ids=lambda c: c["method"])
def test_radial_coordinates_match_metafor(case):
    fit = rma(EFFECTS.yi, EFFECTS.vi, method=case["method"])
    x, y = radial_coordinates(EFFECTS.yi, EFFECTS.vi, fit.tau2)
    assert x == pytest.approx(case["x"], rel=TOL)
    assert y == pytest.approx(case["y"], rel=TOL)
    assert fit.estimate == pytest.approx(case["slope"], rel=TOL)


def test_labbe_coordinates_match_metafor():
    x, y = labbe_coordinates("RR", ARMS["ai"], ARMS["bi"], ARMS["ci"], ARMS["di"])
    assert x == pytest.approx(GOLDEN["labbe"]["x"], rel=TOL)
    assert y == pytest.approx(GOLDEN["labbe"]["y"], rel=TOL)


def test_labbe_adds_a_half_to_an_arm_with_a_zero_cell():
    x, _ = labbe_coordinates("OR", [1], [9], [0], [10])
    assert x[0] == pytest.approx(math.log(0.5 / 10.5))  # (0 + 1/2) / (10 + 1/2)


def test_baujat_svg_points_are_the_golden_coordinates(tmp_path):
    path = tmp_path / "b.svg"
    result = CliRunner().invoke(cli, ["sensitivity", "--csv", BCG, "--measure", "RR",
                                      "--baujat", str(path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    root = parse(path.read_text())
    to_x, to_y = x_axis_map(root), y_axis_map(root)
    case = GOLDEN["baujat"][0]  # REML
    drawn = marker_positions(root, "baujat-points")
    expected = [(to_x(a), to_y(b)) for a, b in zip(case["x"], case["y"], strict=True)]
    assert np.array(drawn) == pytest.approx(np.array(expected), abs=0.02)


def test_radial_and_labbe_svg_points_are_the_golden_coordinates(tmp_path):
    radial, labbe = tmp_path / "r.svg", tmp_path / "l.svg"
    result = CliRunner().invoke(cli, ["pool", "--csv", BCG, "--measure", "RR", "--radial",
                                      str(radial), "--labbe", str(labbe)])  # fmt: skip
    assert result.exit_code == 0, result.output
    root = parse(radial.read_text())
    to_x, to_y = x_axis_map(root), y_axis_map(root)
    case = GOLDEN["radial"][0]
    expected = [(to_x(a), to_y(b)) for a, b in zip(case["x"], case["y"], strict=True)]
    assert np.array(marker_positions(root, "radial-points")) == pytest.approx(
        np.array(expected), abs=0.02
    )
    root = parse(labbe.read_text())
    drawn = np.array(path_centres(root, "labbe-points"))
    gold = GOLDEN["labbe"]
    # log axes: SVG position is linear in log(risk) = the golden PLN values
    fit_x = np.polyfit(gold["x"], drawn[:, 0], 1)
    fit_y = np.polyfit(gold["y"], drawn[:, 1], 1)
    assert drawn[:, 0] == pytest.approx(np.polyval(fit_x, gold["x"]), abs=0.02)
    assert drawn[:, 1] == pytest.approx(np.polyval(fit_y, gold["y"]), abs=0.02)


@pytest.mark.parametrize("args, message", [
    (["sensitivity", "--csv", BCG, "--measure", "RR", "--baujat", "b.bmp"], "unknown figure"),
    (["sensitivity", "--csv", BCG, "--measure", "RR", "--baujat", "no/b.svg"], "does not exist"),
    (["pool", "--outcome", "mrss", "--labbe", "l.svg"], "L'Abbé plots need 2x2 data"),
    (["pool", "--csv", BCG, "--measure", "RR", "--radial", "no/r.svg"], "does not exist"),
])  # fmt: skip
def test_bad_figure_paths_exit_2_with_nothing_on_stdout(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


ABLAT = np.array([float(r["ablat"]) for r in ROWS])


@pytest.mark.parametrize("case", GOLDEN["regplot"], ids=lambda c: c["test"])
def test_bubble_points_sizes_fit_and_band_match_metafor_regplot(case):
    from ivigmeta.stats.sensitivity.bubble import band, bubble_data

    data = bubble_data(EFFECTS.yi, EFFECTS.vi, ABLAT, test=case["test"])
    assert data.x == pytest.approx(case["xi"], rel=TOL)
    assert data.y == pytest.approx(case["yi"], rel=TOL)
    assert data.size == pytest.approx(case["psize"], rel=TOL)
    assert data.fitted == pytest.approx(case["pred"], rel=TOL)
    fit = rma(EFFECTS.yi, EFFECTS.vi, mods=ABLAT[:, None], test=case["test"])
    pred, low, high = band(fit, case["at"], 95.0)
    assert pred == pytest.approx(case["band_pred"], rel=TOL)
    assert low == pytest.approx(case["band_low"], rel=TOL)
    assert high == pytest.approx(case["band_high"], rel=TOL)


def test_bubble_svg_draws_the_points_and_line(tmp_path):
    path = tmp_path / "b.svg"
    result = CliRunner().invoke(cli, ["regress", "--csv", BCG, "--measure", "RR", "--mods",
                                      "ablat", "--bubble", str(path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    root = parse(path.read_text())
    to_x = x_axis_map(root)
    centres = sorted(x for x, _ in path_centres(root, "bubble-points"))
    assert centres == pytest.approx(sorted(to_x(a) for a in ABLAT), abs=0.05)
    many = CliRunner().invoke(cli, ["regress", "--csv", BCG, "--measure", "RR", "--mods",
                                    "ablat,year", "--bubble", str(path)])  # fmt: skip
    assert many.exit_code == 2 and "one moderator" in many.stderr


def test_drapery_curves_are_p_value_functions():
    from ivigmeta.render.figures.diagnostics import drapery_curves

    # H0: theta = t for y = 0.5, se = 0.2: p = 1 at t = y, p = 0.05 at y ± 1.96 se
    z = 1.959963984540054
    p = drapery_curves([0.5], [0.2], [0.5, 0.5 - z * 0.2, 0.5 + z * 0.2, 0.0])[0]
    assert p[:3] == pytest.approx([1.0, 0.05, 0.05], abs=1e-12)
    assert p[3] == pytest.approx(2 * (1 - 0.9937903346742238), abs=1e-12)  # Phi(2.5)


def test_drapery_svg_has_a_curve_per_study_and_the_pooled_curve(tmp_path):
    path = tmp_path / "d.svg"
    result = CliRunner().invoke(cli, ["pool", "--csv", BCG, "--measure", "RR", "--drapery",
                                      str(path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    root = parse(path.read_text())
    assert len([g for g in root.iter(f"{SVG}g") if g.get("id") == "drapery-study"]) == 13
    pooled = path_points(group(root, "drapery-pooled"))
    top = min(pooled, key=lambda point: point[1])  # the peak: p = 1 at the estimate
    to_x = x_axis_map(root, log=True)
    out = json.loads(CliRunner().invoke(cli, ["pool", "--csv", BCG, "--measure", "RR",
                                              "--format", "json"]).output)  # fmt: skip
    assert top[0] == pytest.approx(to_x(math.exp(out["estimate"])), abs=1.0)


def test_influence_panel_points_are_metafors_influence_values(tmp_path):
    path = tmp_path / "i.svg"
    args = ["sensitivity", "--csv", BCG, "--measure", "RR"]
    result = CliRunner().invoke(cli, [*args, "--plot", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    root = parse(path.read_text())
    for name in ("rstudent", "cook_d", "hat", "weight"):
        drawn = np.array(marker_positions(root, f"influence-{name}"))
        values = np.array([row[name] for row in out["influence"]])
        assert len(drawn) == 13
        assert (np.diff(drawn[:, 0]) > 0).all()  # one point per study, in input order
        slope, offset = np.polyfit(values, drawn[:, 1], 1)
        assert slope < 0  # SVG y grows downwards
        assert drawn[:, 1] == pytest.approx(slope * values + offset, abs=0.02)
    # leave-one-out estimates: a log axis, so SVG x is linear in the log ratio
    xs = np.array([x for x, _ in marker_positions(root, "leave-one-out-point")])
    estimates = np.array([row["estimate"] for row in out["leave_one_out"]])
    slope, offset = np.polyfit(estimates, xs, 1)
    assert slope > 0 and xs == pytest.approx(slope * estimates + offset, abs=0.02)
