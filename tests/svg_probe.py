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
            label = "".join(tick.find(f".//{SVG}text").itertext())
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
