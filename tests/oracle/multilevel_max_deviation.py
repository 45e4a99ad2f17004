"""Print the largest absolute deviation of multilevel_model() from metafor / clubSandwich.

Run from the repository root:  PYTHONPATH=src python tests/oracle/multilevel_max_deviation.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def main() -> None:
    worst: dict[str, tuple[float, str]] = {}
    for case in CASES:
        fit, cr1 = fit_case(case, profile_ci=True), fit_case(case, robust="CR1")
        for name, ours, theirs in quantities(case, fit, cr1):
            deviation = float(np.max(np.abs(np.subtract(ours, as_list(theirs)))))
            if deviation >= worst.get(name, (-1.0, ""))[0]:
                worst[name] = (deviation, f"{case['name']} {case['method']}")
    for name, (deviation, where) in worst.items():
        print(f"{name:10s} {deviation:.2e}  ({where})")


if __name__ == "__main__":
    main()
