"""Reading drawn content back from matplotlib SVG output (for the figure and report tests).

Positions are recovered from the SVG itself: the x-axis tick marks and their printed labels
give the pixel <-> value map, so an element drawn in the wrong place (or on the wrong scale)
is caught without trusting the plotting code's own transforms.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def group(root: ET.Element, gid: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@id='{gid}']")
    assert found is not None, f"no element with id {gid!r}"
    return found


def ids(root: ET.Element, prefix: str) -> list[str]:
    return [g.get("id") for g in root.iter(f"{SVG}g") if g.get("id", "").startswith(prefix)]


def number(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def x_axis_map(root: ET.Element, log: bool = False, prefix: str = ""):
    """Value -> SVG x from the tick marks and their printed labels (linear fit, checked).

    ``prefix``: the id prefix of an SVG inlined in the HTML report (e.g. ``forest-mrss-``).
    """
    points = []
    for tick in root.iter(f"{SVG}g"):
        if re.fullmatch(rf"{re.escape(prefix)}xtick_\d+", tick.get("id", "")):
            x = float(tick.find(f".//{SVG}use").get("x"))
            text = tick.find(f".//{SVG}text")
            if text is None:  # a shared axis without labels (marginal panels)
                continue
            label = "".join(text.itertext())
            value = number(label)
            points.append((math.log(value) if log else value, x))
    assert len(points) >= 3
    (v0, x0), (v1, x1) = points[0], points[-1]
    slope = (x1 - x0) / (v1 - v0)
    for v, x in points:  # the ticks themselves are evenly mapped
        assert x == pytest.approx(x0 + slope * (v - v0), abs=0.01)
    return lambda value: x0 + slope * ((math.log(value) if log else value) - v0)


def path_points(element: ET.Element) -> list[tuple[float, float]]:
    d = element.find(f".//{SVG}path").get("d")
    pairs = re.findall(r"[ML] (-?[\d.]+) (-?[\d.]+)", d)
    return [(float(x), float(y)) for x, y in pairs]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def y_axis_map(root: ET.Element, prefix: str = ""):
    """Value -> SVG y from the y-axis tick marks and their printed labels (linear, checked)."""
    points = []
    for tick in root.iter(f"{SVG}g"):
        if re.fullmatch(rf"{re.escape(prefix)}ytick_\d+", tick.get("id", "")):
            text = tick.find(f".//{SVG}text")
            if text is None:
                continue
            points.append((number("".join(text.itertext())),
                           float(tick.find(f".//{SVG}use").get("y"))))  # fmt: skip
    assert len(points) >= 3
    (v0, y0), (v1, y1) = points[0], points[-1]
    slope = (y1 - y0) / (v1 - v0)
    for v, y in points:
        assert y == pytest.approx(y0 + slope * (v - v0), abs=0.01)
    return lambda value: y0 + slope * (value - v0)


def marker_positions(root: ET.Element, gid: str) -> list[tuple[float, float]]:
    """Centres of the markers (``<use x= y=>``) of a scatter or line artist with id ``gid``."""
    return [(float(u.get("x")), float(u.get("y"))) for u in group(root, gid).iter(f"{SVG}use")]


def path_centres(root: ET.Element, gid: str) -> list[tuple[float, float]]:
    """Centres (middle of the bounding box) of each ``<path>`` in the artist ``gid`` (markers
    of a scatter with varying sizes are drawn as one path each)."""
    centres = []
    for path in group(root, gid).iter(f"{SVG}path"):
        values = [float(v) for v in re.findall(r"-?[\d.]+", path.get("d"))]
        xs, ys = values[0::2], values[1::2]
        centres.append((0.5 * (min(xs) + max(xs)), 0.5 * (min(ys) + max(ys))))
    return centres
