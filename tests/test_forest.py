"""RevMan-style forest plots end to end: the numbers read back from the SVG text against
``pool --format json`` and ``subgroup --format json`` (both tested against metafor), the
squares and diamonds against the SVG's own axis, and no text overlapping another text or a
whisker (text extents measured with the font's metrics, DejaVu Sans, as the SVG names it)."""

from __future__ import annotations

import functools
import json
import math
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath

from ivigmeta.cli import cli
from svg_probe import SVG, group, ids, parse, path_points, x_axis_map

ROOT = Path(__file__).parent.parent
BCG = str(ROOT / "examples" / "bcg.csv")
RR = ("--csv", BCG, "--measure", "RR")


def run(*args):
    return CliRunner().invoke(cli, list(args))


@functools.cache
def _drawn(args: tuple[str, ...]) -> str:
    path = Path(tempfile.mkdtemp()) / "f.svg"
    result = run("pool", *RR, "--forest", str(path), *args)
    assert result.exit_code == 0, result.output
    return path.read_text()


def draw(_tmp_path, *args):
    """The forest plot of BCG with ``args`` (drawn once per set of options)."""
    return parse(_drawn(args))


@functools.cache
def pool_json(*args):
    result = run("pool", *RR, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def shown(root):
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def value(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def ratio_text(estimate, low, high):
    return f"{math.exp(estimate):.2f} [{math.exp(low):.2f}, {math.exp(high):.2f}]"


@pytest.fixture(scope="module")
def by_alloc():
    return draw(None, "--by", "alloc")


def test_revman_columns_blocks_and_subgroup_test_are_drawn(by_alloc):
    text = shown(by_alloc)
    for header in (
        "Study or Subgroup",
        "Experimental",
        "Control",
        "Events",
        "Total",
        "Weight",
        "Risk Ratio",
        "IV, Random, 95% CI",
        "Favours experimental",
        "Favours control",
    ):
        assert header in text, header
    assert {"alternate", "random", "systematic"} <= set(text)
    assert text.count("Subtotal (95% CI)") == 3 and "Total (95% CI)" in text
    assert ids(by_alloc, "diamond-") == [
        "diamond-subgroup-1",
        "diamond-subgroup-2",
        "diamond-subgroup-3",
        "diamond-overall",
    ]
    # Aronson 1948: 4/123 vaccinated, 11/139 controls (ai, ai + bi, ci, ci + di)
    row = text.index("Aronson1948")
    assert text[row + 1 : row + 5] == ["4", "123", "11", "139"]
    # Total row: summed n, then the summed events on "Total events"
    total = text.index("Total (95% CI)")
    assert text[total + 1 : total + 3] == [
        str(
            sum(
                (
                    4,
                    119,
                    6,
                    300,
                    3,
                    228,
                    62,
                    13536,
                    33,
                    5036,
                    180,
                    1361,
                    8,
                    2537,
                    505,
                    87886,
                    29,
                    7470,
                    17,
                    1699,
                    186,
                    50448,
                    5,
                    2493,
                    27,
                    16886,
                )
            )
        ),
        str(
            sum(
                (
                    11,
                    128,
                    29,
                    274,
                    11,
                    209,
                    248,
                    12619,
                    47,
                    5761,
                    372,
                    1079,
                    10,
                    619,
                    499,
                    87892,
                    45,
                    7232,
                    65,
                    1600,
                    141,
                    27197,
                    3,
                    2338,
                    29,
                    17825,
                )
            )
        ),
    ]
    events = [i for i, t in enumerate(text) if t == "Total events"][-1]
    assert text[events + 1 : events + 3] == [
        str(4 + 6 + 3 + 62 + 33 + 180 + 8 + 505 + 29 + 17 + 186 + 5 + 27),
        "1510",
    ]


def test_numbers_in_the_svg_equal_pool_json(by_alloc):
    out = pool_json()
    text = shown(by_alloc)
    assert ratio_text(out["estimate"], out["ci_low"], out["ci_high"]) in text
    assert f"[{math.exp(out['pi_low']):.2f}, {math.exp(out['pi_high']):.2f}]" in text
    for study in out["studies"]:
        half = 1.959963984540054 * math.sqrt(study["vi"])
        row = text.index(study["id"])
        assert (
            ratio_text(study["yi"], study["yi"] - half, study["yi"] + half) in text[row : row + 8]
        )
        assert f"{study['weight']:.1f}%" in text[row : row + 8]
    line = next(t for t in text if t.startswith("Heterogeneity: Tau²") and "df = 12" in t)
    numbers = [value(x) for x in re.findall(r"−?\d+\.?\d*", line.replace("²", ""))]
    assert numbers[:3] == [round(out["tau2"], 2), round(out["q"], 2), 12]
    assert line.endswith(f"I² = {out['i2']:.0f}%") and "(P < 0.00001)" in line
    assert f"Test for overall effect: Z = {abs(out['statistic']):.2f} (P < 0.0001)" in text


def test_subgroup_blocks_equal_subgroup_json(by_alloc):
    result = run("subgroup", "--by", "alloc", *RR, "--format", "json")
    out = json.loads(result.output)
    text = shown(by_alloc)
    for g in out["groups"]:
        expected = ratio_text(g["estimate"], g["ci_low"], g["ci_high"])
        block = text.index(g["name"])
        assert expected in text[block:], g["name"]
    p = out["q_between_p"]
    i2 = max(0.0, 100 * (out["q_between"] - out["q_between_df"]) / out["q_between"])
    assert (
        f"Test for subgroup differences: Chi² = {out['q_between']:.2f}, df = "
        f"{out['q_between_df']} (P = {p:.2f}), I² = {i2:.1f}%"
    ) in text


def test_squares_and_diamond_are_at_the_estimates_on_the_log_axis(by_alloc):
    out = pool_json()
    to_x = x_axis_map(by_alloc, log=True)
    left, top, right, _ = path_points(group(by_alloc, "diamond-overall"))
    expected = [math.exp(out[k]) for k in ("ci_low", "estimate", "ci_high")]
    assert [left[0], top[0], right[0]] == pytest.approx([to_x(v) for v in expected], abs=0.05)
    squares = [
        float(group(by_alloc, f"study-square-{i}").find(f".//{SVG}use").get("x"))
        for i in range(1, 14)
    ]
    # blocks: alternate (Frimodt-Moller, Stein), then random, then systematic, input order inside
    order = [4, 5, 0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12]
    yi = [out["studies"][i]["yi"] for i in order]
    assert squares == pytest.approx([to_x(math.exp(y)) for y in yi], abs=0.05)


def _extents(root):
    """(x0, x1, y) of every text: width from the font metrics, anchored as the SVG says."""
    boxes = []
    for t in root.iter(f"{SVG}text"):
        style = t.get("style")
        size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))
        bold = "font-weight: 700" in style
        prop = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
        content = "".join(t.itertext())
        width = TextPath((0, 0), content, size=size, prop=prop).get_extents().width
        x, y = float(t.get("x")), float(t.get("y"))
        anchor = re.search(r"text-anchor: (\w+)", style).group(1)
        x0 = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        boxes.append((x0, x0 + width, y, size, content))
    return boxes


@pytest.mark.parametrize(
    "args",
    [
        ("--by", "alloc"),
        ("--layout", "metafor", "--model", "both"),
        ("--digits", "4", "--sort-by", "effect"),
    ],
)
def test_no_text_overlaps_another_text_or_a_whisker(tmp_path, args):
    root = draw(tmp_path, *args)
    boxes = _extents(root)
    whiskers = [path_points(group(root, i)) for i in ids(root, "study-ci-")]
    for n, (a0, a1, ay, size, text) in enumerate(boxes):
        for b0, b1, by, _, other in boxes[n + 1 :]:
            if abs(ay - by) < size * 0.8:  # the same line
                assert a1 <= b0 or b1 <= a0, (text, other)
        for (x0, y0), (x1, _) in whiskers:
            if ay - size <= y0 <= ay + 0.3 * size:
                assert a1 <= min(x0, x1) or max(x0, x1) <= a0, (text, x0, x1)


def test_metafor_layout_has_no_data_columns_and_both_diamonds(tmp_path):
    root = draw(tmp_path, "--layout", "metafor", "--model", "both")
    text = shown(root)
    assert "Events" not in text and "Study" in text
    assert ids(root, "diamond-overall") == ["diamond-overall", "diamond-overall-2"]
    common = pool_json("--method", "EE")
    assert ratio_text(common["estimate"], common["ci_low"], common["ci_high"]) in text
    assert any(t.startswith("Test for overall effect (common effect): Z = ") for t in text)


def test_digits_xlim_label_and_favours(tmp_path):
    root = draw(
        tmp_path,
        "--digits",
        "3",
        "--xlim",
        "0.05,20",
        "--label",
        "RR of TB",
        "--favours",
        "BCG,Unvaccinated",
    )
    text = shown(root)
    out = pool_json()
    assert (
        f"{math.exp(out['estimate']):.3f} [{math.exp(out['ci_low']):.3f}, "
        f"{math.exp(out['ci_high']):.3f}]"
    ) in text
    assert {"BCG", "Unvaccinated", "Favours BCG", "Favours Unvaccinated"} <= set(text)
    assert "RR of TB (log scale)" in text
    ticks = [t for t in text if re.fullmatch(r"[\d.]+", t)]
    assert "0.05" in ticks or ("0.1" in ticks and "10" in ticks)


def test_sort_by_effect_orders_the_rows(tmp_path):
    text = shown(draw(tmp_path, "--sort-by", "effect"))
    out = pool_json()
    by_effect = [s["id"] for s in sorted(out["studies"], key=lambda s: s["yi"])]
    assert [t for t in text if t in by_effect] == by_effect


def test_forest_from_records_shows_the_change_columns(tmp_path):
    path = tmp_path / "r.svg"
    result = run("pool", "--outcome", "mrss", "--forest", str(path), "--by", "design")
    assert result.exit_code == 0, result.output
    text = shown(parse(path.read_text()))
    assert {"IVIG", "Mean change", "SD", "Total", "Improvement", "Worsening"} <= set(text)
    assert any(t.startswith("Test for subgroup differences: Chi² = ") for t in text)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--forest", "f.svg", "--by", "country"), "no column 'country'; columns: study, ai"),
        (("--forest", "f.gif"), "unknown figure format '.gif'"),
        (("--forest", "missing/f.svg"), "folder 'missing' does not exist"),
        (("--by", "alloc"), "by: needs --forest FILE"),
        (("--forest", "f.svg", "--xlim", "2,1"), "xlim: expected LOW < HIGH"),
        (("--forest", "f.svg", "--favours", "BCG"), "favours: expected two names"),
    ],
)
def test_bad_forest_options_exit_2_with_nothing_on_stdout(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("pool", *RR, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "missing").exists() and not (tmp_path / "f.svg").exists()
