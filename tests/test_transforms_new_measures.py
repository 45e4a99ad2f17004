"""Natural scale for the log measures added with metafor 5.0-1's escalc (IRLN, MNLN, CVLN,
CVR, VR) and for IRS: exp (or the square) of the model-scale estimate and bounds, as
metafor's ``predict(res, transf = exp)`` computes them (a hand derivation: the back-transform
is applied to each number)."""

import math
from pathlib import Path

import pytest

import ivigmeta
from ivigmeta.effects.transforms import back_transform
from ivigmeta.render.pool import render_pool

GOLDEN = Path(__file__).parent / "oracle" / "golden"


@pytest.mark.parametrize(
    ("measure", "function", "quantity"),
    [("IRLN", "exp", "rate"), ("MNLN", "exp", "mean"), ("CVLN", "exp", "CV"),
     ("CVR", "exp", "ratio"), ("VR", "exp", "ratio"), ("IRS", "square", "rate")],
)  # fmt: skip
def test_registered(measure, function, quantity):
    transform = back_transform(measure)
    assert (transform.function, transform.quantity) == (function, quantity)
    value = transform([0.5])[0]
    assert value == pytest.approx(math.exp(0.5) if function == "exp" else 0.25)


def test_pooled_log_mean_is_shown_as_a_mean():
    result = ivigmeta.pool(csv=GOLDEN / "measures_normand1999_one_group.csv", measure="MNLN")
    t = result.to_dict()["transformed"]
    assert t["function"] == "exp"
    for key in ("estimate", "ci_low", "ci_high"):
        assert t[key] == pytest.approx(math.exp(result.to_dict()[key]), rel=1e-12)
    header = render_pool(result, "table").splitlines()[2].split()
    assert header[:2] == ["study", "mean"]  # the column holds exp(yi), a mean
