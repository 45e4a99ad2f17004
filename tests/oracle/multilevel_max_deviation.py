"""Print the largest absolute deviation of multilevel_model() from metafor / clubSandwich.

Run from the repository root:  PYTHONPATH=src python tests/oracle/multilevel_max_deviation.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import test_multilevel_struct as struct_tests
import test_multilevel_t as t_tests
from test_multilevel_oracle import CASES, as_list, fit_case


def quantities(case, fit, cr1):
    coefficients, robust = fit.coefficients, case["robust"]
    yield "sigma2", fit.sigma2, case["sigma2"]
    yield "estimate", [c.estimate for c in coefficients], case["beta"]
    yield "se", [c.se for c in coefficients], case["se"]
    yield "loglik", [fit.loglik], case["loglik"]
    yield "I2 (%)", fit.i2_levels, case["i2"]
    yield "CR2 se", [c.robust.se for c in coefficients], robust["CR2"]["se"]
    yield "CR2 df", [c.robust.df for c in coefficients], robust["CR2"]["df"]
    yield "CR1 se", [c.robust.se for c in cr1.coefficients], robust["CR1"]["se"]
    yield "sigma2 CI", [b for pair in fit.sigma2_ci for b in pair], np.ravel(case["sigma2_ci"])


def struct_quantities(case, fit):
    """--struct cases (tests/test_multilevel_struct.py): deviations relative to the size of
    the coefficients for b, SEs and CIs (dat.ishak2007's are ~ 27)."""
    coefficients = fit.coefficients
    scale = max(1.0, *np.abs(as_list(case["beta"])))
    yield "tau2", fit.tau2, case["tau2"]
    yield "rho", fit.rho, case["rho"]
    yield (
        "b / max(1, |b|)",
        [c.estimate / scale for c in coefficients],
        np.divide(as_list(case["beta"]), scale),
    )
    yield (
        "se / max(1, |b|)",
        [c.se / scale for c in coefficients],
        np.divide(as_list(case["se"]), scale),
    )
    yield "loglik", [fit.loglik], case["loglik"]
    yield (
        "CR2 se / max(1, |b|)",
        [c.robust.se / scale for c in coefficients],
        np.divide(as_list(case["cr2"]["se"]), scale),
    )
    yield (
        "CR2 df (relative)",
        [c.robust.df / d for c, d in zip(coefficients, as_list(case["cr2"]["df"]), strict=True)],
        [1.0] * len(coefficients),
    )
    if case.get("profile"):
        profile = case["profile"]
        expected = [
            b
            for item in as_list(profile["tau2"]) + as_list(profile["rho"])
            for b in (item["lb"], item["ub"])
        ]
        ours = [b for pair in (*fit.tau2_ci, *fit.rho_ci) for b in pair]
        assert [b is None for b in ours] == [b is None for b in expected]
        yield (
            "tau2/rho CI",
            [b for b in ours if b is not None],
            [b for b in expected if b is not None],
        )


def t_quantities(case, fit):
    coefficients = fit.coefficients
    yield "t-test p", [c.p for c in coefficients], case["pval"]
    yield "t-test CI", [c.ci_low for c in coefficients], case["ci_low"]
    assert [c.df for c in coefficients] == as_list(case["df"])


def main() -> None:
    worst: dict[str, tuple[float, str]] = {}

    def record(quantities, where):
        for name, ours, theirs in quantities:
            theirs = theirs if isinstance(theirs, np.ndarray) else as_list(theirs)
            deviation = float(np.max(np.abs(np.subtract(ours, theirs))))
            if deviation >= worst.get(name, (-1.0, ""))[0]:
                worst[name] = (deviation, where)

    for case in CASES:
        fit, cr1 = fit_case(case, profile_ci=True), fit_case(case, robust="CR1")
        record(quantities(case, fit, cr1), f"{case['name']} {case['method']}")
    for case in struct_tests.CASES:
        fit = struct_tests.fit_case(case, profile_ci=bool(case.get("profile")))
        record(struct_quantities(case, fit), f"{case['name']} {case['struct']} {case['method']}")
    for case in t_tests.CASES + t_tests.STRUCT_CASES:
        record(t_quantities(case, t_tests.fit_case(case)), f"{case['name']} {case['dfs']}")
    for name, (deviation, where) in worst.items():
        print(f"{name:22s} {deviation:.2e}  ({where})")


if __name__ == "__main__":
    main()
