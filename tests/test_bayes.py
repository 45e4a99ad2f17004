"""``ivigmeta bayes``, the few-studies block of ``pool``, cautions and k = 1.

Numbers are checked against independent sources: R (metafor 5.0-1 for Knapp-Hartung; R's
``optimize`` for the Brent port; ``pt`` for the paired t p-value), closed forms (quadrature,
the unit-information SD), and bayesmeta itself in ``tests/test_bayes_oracle.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli
from ivigmeta.stats.models.bayes import bayes_fit
from ivigmeta.stats.models.bayes_priors import parse_tau_prior
from ivigmeta.stats.numerics.fmin import fmin
from ivigmeta.stats.numerics.quadrature import adaptive_partition

ROOT = Path(__file__).resolve().parents[1]
STUDIES = str(ROOT / "data" / "studies")
MRSS_VI = (2.7556000000000007, 0.5690322580645162)  # poelman2015, takehara2013
MRSS_N = (25, 31)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def write_csv(tmp_path, text: str) -> str:
    path = tmp_path / "data.csv"
    path.write_text(text)
    return str(path)


# --------------------------------------------------------------------------- numerics
def test_fmin_follows_r_optimize():
    # R 4.x: optimize(function(x) (x-1/3)^2 + sin(5*x), c(0, 2))$minimum, and a kinked function
    assert fmin(lambda x: (x - 1 / 3) ** 2 + math.sin(5 * x), 0, 2) == pytest.approx(
        0.89700952006365287, rel=1e-15
    )
    assert fmin(lambda x: abs(x - 0.1234567), 0, 1) == pytest.approx(0.1234508730404207, rel=1e-15)


def test_adaptive_quadrature_closed_forms():
    part = adaptive_partition(lambda x: np.vstack([np.exp(-x * x), np.sqrt(x)]), 0.0, 5.0)
    assert part.totals[0] == pytest.approx(math.sqrt(math.pi) / 2 * math.erf(5.0), rel=1e-13)
    assert part.totals[1] == pytest.approx(2 / 3 * 5**1.5, rel=1e-12)


@pytest.mark.parametrize(
    "text",
    ["half-normal:0.5", "half-cauchy:0.5", "half-t:3,0.5", "half-logistic:0.5", "exponential:2",
     "lomax:2,1", "uniform:2", "log-normal:-1,0.8", "dumouchel", "shrinkage", "i2", "turner",
     "turner:pain,pharma,placebo", "rhodes", "rhodes:subjective,non-pharma,pharma,cancer"],
)  # fmt: skip
def test_proper_priors_integrate_to_one(text):
    prior = parse_tau_prior(text, np.array([0.3, 0.5, 1.0]))
    assert prior.proper
    upper = min(prior.upper, 1e9)
    if prior.cdf is not None:  # log-t: unbounded at 0, integrate over log(tau)
        part = adaptive_partition(lambda v: prior.pdf(np.exp(v)) * np.exp(v), -700.0, 20.0)
        total = part.totals[0] + prior.cdf(np.exp(-700.0)) + 1.0 - prior.cdf(np.exp(20.0))
    elif math.isfinite(prior.upper):
        total = adaptive_partition(lambda t: prior.pdf(t), 0.0, upper).totals[0]
    else:
        part = adaptive_partition(lambda u: prior.pdf(u / (1 - u)) / (1 - u) ** 2, 0.0, 1 - 1e-12)
        total = part.totals[0]
    assert total == pytest.approx(1.0, abs=1e-8)


def test_turner_and_rhodes_parameters_as_published():
    # Turner et al. 2015 Table IV, pain, pharmacological vs placebo: log tau^2 ~ N(-1.83, 1.52^2)
    prior = parse_tau_prior("turner:pain,pharma,placebo", np.ones(2))
    assert "mu=-0.915, sigma=0.760" in prior.label
    # Rhodes et al. 2015: marginal log tau^2 ~ t5(-3.44, 2.59)
    assert "location=-1.720, scale=1.295" in parse_tau_prior("rhodes", np.ones(2)).label


@pytest.mark.parametrize(
    ("text", "expected"),
    [("foo:1", "expected one of half-normal"), ("half-normal:-1", "positive"),
     ("half-normal", "1 number"), ("half-t:3", "2 numbers"), ("turner:pain,pharma,pharma,x",
     "turner or"), ("rhodes:nothing,pharma,placebo", "OUTCOME one of"),
     ("turner:pain,placebo,placebo", "other than placebo vs placebo"), ("log-normal:0,0",
     "SIGMA > 0"), ("jeffreys:1", "without arguments")],
)  # fmt: skip
def test_bad_prior_strings(text, expected):
    from ivigmeta.errors import InputError

    with pytest.raises(InputError, match=expected) as error:
        parse_tau_prior(text, np.ones(3))
    assert str(error.value).startswith("--tau-prior: ")


def test_improper_posterior_is_refused():
    from ivigmeta.errors import AnalysisError

    with pytest.raises(AnalysisError, match="posterior is improper"):
        bayes_fit(np.array([0.1]), np.array([0.2]), parse_tau_prior("jeffreys", np.array([0.2])))
    with pytest.raises(AnalysisError, match="posterior is improper"):
        bayes_fit(np.array([0.1, 0.3]), np.array([0.2, 0.3]),
                  parse_tau_prior("uniform", np.array([0.2, 0.3])))  # fmt: skip


def test_k1_posterior_of_tau_is_the_prior():
    # one study and a uniform mu prior: L(tau) is constant, so p(tau | y) = half-normal(0.5)
    fit = bayes_fit(np.array([0.4]), np.array([0.3]), parse_tau_prior("half-normal:0.5", [0.3]))
    assert fit.tau.median == pytest.approx(0.5 * 0.6744897501960817, rel=1e-9)
    assert fit.tau.mean == pytest.approx(0.5 * math.sqrt(2 / math.pi), rel=1e-9)
    assert fit.mu.mean == pytest.approx(0.4, rel=1e-12)


# --------------------------------------------------------------------------- bayes command
def test_bayes_json_contract_and_default_prior():
    out = run_json("bayes", "--outcome", "mrss", "--studies", STUDIES)
    for key in ("k", "measure", "tau_prior", "mu_prior", "level", "mu_central", "p_mu_below_0",
                "marginal_likelihood", "bayes_factor_tau0", "bayes_factor_mu0", "studies",
                "cautions"):  # fmt: skip
        assert key in out
    for name in ("tau", "mu", "theta_new"):
        assert set(out[name]) == {"mode", "median", "mean", "sd", "ci_low", "ci_high"}
    assert set(out["studies"][0]) == {"id", "yi", "sei", "shrinkage"}
    assert set(out["studies"][0]["shrinkage"]) == {"mean", "median", "sd", "ci_low", "ci_high"}
    # unit-information SD sqrt(sum n / sum 1/vi) (Röver et al. 2021), prior scale 0.5 x that
    uisd = math.sqrt(sum(MRSS_N) / sum(1 / v for v in MRSS_VI))
    assert out["tau_prior"] == f"half-normal:{float(f'{0.5 * uisd:.4g}'):g}" == "half-normal:2.57"
    assert out["k"] == 2 and out["mu_prior"] == "uniform" and out["marginal_likelihood"] is None
    assert out["cautions"][0].startswith("few studies (k = 2)")
    assert out["mu"]["ci_low"] < out["mu"]["median"] < out["mu"]["ci_high"] < 0


def test_bayes_table_names_the_priors():
    result = run("bayes", "--outcome", "mrss", "--studies", STUDIES)
    assert result.exit_code == 0
    text = result.output
    assert "tau prior (proper): half-normal(scale=2.57)" in text
    assert "mu prior (improper): uniform(min=-Inf, max=Inf)" in text
    assert "Marginal posterior summary:" in text and "95% upper" in text


def test_bayes_csv_gen_and_proper_priors(tmp_path):
    path = write_csv(tmp_path, "study,yi,vi\nA,-0.9,0.1225\nB,-0.2,0.16\nC,-0.6,0.0625\n")
    out = run_json("bayes", "--csv", path, "--measure", "GEN", "--mu-prior", "normal:0,4")
    assert out["tau_prior"] == "half-normal:0.5"
    assert out["marginal_likelihood"] > 0 and out["bayes_factor_tau0"] > 0
    csv_out = run("bayes", "--csv", path, "--measure", "GEN", "--format", "csv").output
    assert csv_out.splitlines()[0] == "parameter,mode,median,mean,sd,ci_low,ci_high"
    assert csv_out.splitlines()[4].startswith("theta[A],,")
    md = run("bayes", "--csv", path, "--measure", "GEN", "--format", "md").output
    assert "| 95% upper |" in md


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--tau-prior", "half-normal"), "--tau-prior: expected half-normal:SCALE"),
     (("--mu-prior", "normal:1"), "--mu-prior: expected uniform or normal:MEAN,SD"),
     (("--tau-prior", "jeffreys", "--level", "0"), "--level: expected a level")],
)  # fmt: skip
def test_bayes_bad_options_exit_2(args, message, tmp_path):
    path = write_csv(tmp_path, "study,yi,vi\nA,-0.9,0.1225\nB,-0.2,0.16\n")
    result = CliRunner().invoke(cli, ["bayes", "--csv", path, "--measure", "GEN", *args])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_bayes_refuses_improper_posterior_and_zero_variance(tmp_path):
    one = write_csv(tmp_path, "study,yi,vi\nA,-0.9,0.1225\n")
    result = CliRunner().invoke(cli, ["bayes", "--csv", one, "--measure", "GEN",
                                      "--tau-prior", "jeffreys"])  # fmt: skip
    assert result.exit_code == 2 and "posterior is improper" in result.output
    zero = tmp_path / "zero.csv"
    zero.write_text("study,yi,vi\nA,-0.9,0\nB,-0.2,0.16\n")
    result = CliRunner().invoke(cli, ["bayes", "--csv", str(zero), "--measure", "GEN"])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_bayes_figures(tmp_path):
    forest, plot = tmp_path / "f.svg", tmp_path / "p.svg"
    result = run("bayes", "--outcome", "mrss", "--studies", STUDIES, "--forest", str(forest),
                 "--plot", str(plot))  # fmt: skip
    assert result.exit_code == 0
    assert "takehara2013" in forest.read_text() and "theta_new" in forest.read_text()
    assert "p(tau | y)" in plot.read_text()


def test_python_api_mirrors_the_command():
    import ivigmeta

    result = ivigmeta.bayes("mrss", studies_path=STUDIES)
    assert result.to_dict()["tau_prior"] == "half-normal:2.57"


# --------------------------------------------------------------------------- pool at small k
def test_pool_few_studies_block_matches_metafor_knha():
    out = run_json("pool", "--outcome", "mrss", "--studies", STUDIES)
    knha = out["few_studies"]["knha"]
    # metafor 5.0-1: rma(yi, vi, test = "knha"); predict() (t(k - 1) prediction interval)
    expected = {"estimate": -5.4173864104324, "se": 2.33845909050137,
                "ci_low": -35.1303263815117, "ci_high": 24.2955535606469,
                "p": 0.259420412702065, "pi_low": -54.3834048137794,
                "pi_high": 43.5486319929146}  # fmt: skip
    for key, value in expected.items():
        assert knha[key] == pytest.approx(value, rel=1e-6), key
    bayes = out["few_studies"]["bayes"]
    assert "studies" not in bayes
    direct = run_json("bayes", "--outcome", "mrss", "--studies", STUDIES)
    assert bayes["mu"] == direct["mu"] and bayes["tau"] == direct["tau"]
    assert out["cautions"] and out["cautions"][0].startswith("few studies")
    table = run("pool", "--outcome", "mrss", "--studies", STUDIES).output
    assert "Few studies (k = 2 < 5)" in table and "Knapp-Hartung (REML, t(1))" in table
    md = run("pool", "--outcome", "mrss", "--studies", STUDIES, "--format", "md").output
    assert "**Few studies (k = 2 < 5)" in md and "**Cautions**" in md


def test_pool_one_study_pools_nothing_and_uses_the_paired_t():
    args = ("pool", "--outcome", "mrss", "--timepoint", "6", "--studies", STUDIES)
    out = run_json(*args)
    assert out["k"] == 1 and out["studies"][0]["id"] == "poelman2015"
    for key in ("tau2", "tau", "i2", "h2", "q", "q_p", "pi_low", "pi_high"):
        assert out[key] is None, key
    assert out["df"] == 28
    # the paper's paired t test (printed p = 0.0011): R 2 * pt(-5.3 / 1.4669931715987097, 28)
    assert out["p"] == pytest.approx(0.00117410338298797, rel=1e-9)
    assert out["few_studies"] is None
    assert out["cautions"][0].startswith("one study: nothing to pool")
    table = run(*args).output
    assert "one study: nothing to pool" in table and "t(28) = -3.6128, p = 0.0012" in table
    assert "\npooled" not in table


def test_pool_at_five_studies_has_no_block(tmp_path):
    rows = "".join(f"S{i},{v},0.04\n" for i, v in enumerate((0.1, 0.3, -0.2, 0.5, 0.2)))
    out = run_json("pool", "--csv", write_csv(tmp_path, "study,yi,vi\n" + rows), "--measure", "GEN")
    assert out["few_studies"] is None and out["cautions"] == []


def test_bias_and_regression_cautions_below_ten_studies(tmp_path):
    rows = "".join(f"S{i},{0.1 * i},{0.02 + 0.01 * i},{2000 + i}\n" for i in range(6))
    path = write_csv(tmp_path, "study,yi,vi,year\n" + rows)
    bias = run_json("bias", "--csv", path, "--measure", "GEN")
    assert "13.3.5.4" in bias["cautions"][0]
    regress = run_json("regress", "--csv", path, "--measure", "GEN", "--mods", "year")
    assert "10.11.5.1" in regress["cautions"][0]
    assert "Cautions:" in run("bias", "--csv", path, "--measure", "GEN").output


def test_a_posterior_out_of_floating_point_range_is_our_error_not_a_hang():
    """Effects of 1e16 on standard errors of 1e15 send the quantile searches out of the
    finite numbers; R's optimize() stops there with "invalid 'xmin' value", and so do we, as
    an AnalysisError (it used to loop for ever in Brent's search on a NaN interval)."""
    import numpy as np

    from ivigmeta.errors import AnalysisError
    from ivigmeta.stats.models.bayes import bayes_fit
    from ivigmeta.stats.models.bayes_priors import parse_tau_prior
    from ivigmeta.stats.numerics.fmin import fmin

    se = np.array([1e15, 1e15])
    with pytest.raises(AnalysisError, match="floating point"):
        bayes_fit(np.array([1e16, 1.0]), se, parse_tau_prior("half-normal:1", se))
    with pytest.raises(ArithmeticError, match="not finite"):
        fmin(lambda x: x * x, float("nan"), 1.0)
