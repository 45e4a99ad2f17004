"""rma() input checks and edge cases with defined behaviour (numbers checked by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.stats.models.confint import tau2_confint
from ivigmeta.stats.models.rma import rma

YI = [0.1, 0.5, -0.2, 0.8]
VI = [0.04, 0.09, 0.05, 0.1]


@pytest.mark.parametrize(
    ("yi", "vi", "field"),
    [
        ([0.1, math.nan, 0.3], [0.1, 0.1, 0.1], "yi"),
        ([0.1, 0.2, 0.3], [0.1, math.inf, 0.1], "vi"),
        ([0.1, 0.2, 0.3], [0.1, 0.1], "vi"),
        ([0.1, 0.2, 0.3], [0.1, -0.1, 0.1], "vi"),
        (["a", 0.2], [0.1, 0.1], "yi"),
    ],
)
def test_bad_inputs_name_the_field(yi, vi, field):
    with pytest.raises(InputError) as error:
        rma(yi, vi)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("method", "XYZ"),
        ("test", "wald"),
        ("level", 0.95),
        ("level", 100),
        ("pi", "wide"),
        ("tau2", -0.1),
        ("control", {"maxiters": 5}),
    ],
)
def test_bad_options_name_the_option(option, value):
    with pytest.raises(InputError) as error:
        rma(YI, VI, **{option: value})
    assert error.value.field == option


def test_fe_is_an_alias_of_ee():
    assert rma(YI, VI, method="fe").method == "EE"


def test_no_studies():
    with pytest.raises(AnalysisError, match="k = 0"):
        rma([], [])


def test_single_study_returns_its_own_effect():
    fit = rma([0.7], [0.09], method="REML", test="knha")
    assert fit.estimate == pytest.approx(0.7, rel=1e-15)
    assert fit.estimate_se == pytest.approx(0.3)
    assert fit.tau2 == 0 and math.isnan(fit.se_tau2)
    assert (fit.q, fit.q_df, fit.q_p, fit.i2, fit.h2) == (0.0, 0, 1.0, 0.0, 1.0)
    assert fit.test == "z" and fit.df is None
    assert "k = 1" in fit.notes[0]
    with pytest.raises(AnalysisError, match="k = 1"):
        tau2_confint(fit)


def test_more_parameters_than_studies():
    with pytest.raises(AnalysisError, match="parameters"):
        rma([0.1, 0.2], [0.1, 0.1], mods=[1.0, 2.0])


def test_collinear_moderators():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(AnalysisError, match="collinear"):
        rma(YI, VI, mods=np.column_stack([x, 2 * x]))


def test_zero_variance_study_with_tau2_zero_has_infinite_weight():
    with pytest.raises(AnalysisError, match="infinite"):
        rma([0.1, 0.2, 0.3], [0.0, 0.1, 0.1], method="EE")


def test_dl_refuses_zero_variance():
    with pytest.raises(AnalysisError, match="DL"):
        rma([0.1, 0.2, 0.3], [0.0, 0.1, 0.1], method="DL")


def test_hts_interval_needs_three_studies():
    fit = rma([0.1, 1.4], [0.04, 0.09], pi="hts")
    assert fit.pi_df == 0 and math.isnan(fit.pi_low)


def test_two_studies_dl_by_hand():
    # w = (25, 100/9); Q = sum w (y - ybar_w)^2; tau2 = (Q - 1) / (sum w - sum w^2 / sum w)
    w1, w2 = 1 / 0.04, 1 / 0.09
    ybar = (w1 * 0.1 + w2 * 1.4) / (w1 + w2)
    q = w1 * (0.1 - ybar) ** 2 + w2 * (1.4 - ybar) ** 2
    tau2 = (q - 1) / (w1 + w2 - (w1**2 + w2**2) / (w1 + w2))
    r1, r2 = 1 / (0.04 + tau2), 1 / (0.09 + tau2)
    fit = rma([0.1, 1.4], [0.04, 0.09], method="DL")
    assert fit.q == pytest.approx(q, rel=1e-12)
    assert fit.tau2 == pytest.approx(tau2, rel=1e-12)
    assert fit.estimate == pytest.approx((r1 * 0.1 + r2 * 1.4) / (r1 + r2), rel=1e-12)
    assert fit.i2 == pytest.approx(100 * (q - 1) / q, rel=1e-12)  # DL: I2 = (Q - df)/Q


def test_to_dict_is_json_ready():
    d = rma(YI, VI).to_dict()
    assert d["weights"] and isinstance(d["beta"], list) and d["df"] is None
    assert rma(YI, VI).summary()["p"] == d["pval"][0]
