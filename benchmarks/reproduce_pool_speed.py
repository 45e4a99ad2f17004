"""Speed of ``reproduce_pool`` (a script, not a timed test): seconds per printed meta-analysis.

    PYTHONPATH=src python benchmarks/reproduce_pool_speed.py [--repeat 3]

For k = 5, 10, 20 and 40 studies (seeded random log odds ratios and variances), the studies
printed as odds ratios with 95% CIs to two decimals (or given as exact yi, vi: measure GEN)
and the REML/z pooled line printed as a journal would (estimate, CI, PI to two decimals,
I² as an integer, tau² to two decimals, p). Each case tries 36 models (9 estimators x 4
tests) with their PI and I² rules; the time includes reading the file and, on the first run
only, importing scipy's LP solver. No peer does this search, so there is no ratio: the
reference point is one metafor ``rma()`` fit, a few milliseconds.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from ivigmeta.analyses.reproduce_pool import reproduce_pool
from ivigmeta.stats.models.pool_many import pool_many

Z = 1.959963984540054


def case_text(k: int, printed: bool, seed: int) -> str:
    rng = np.random.default_rng(seed)
    yi = rng.normal(-0.3, 0.4, k)
    vi = rng.uniform(0.02, 0.2, k)
    fit = pool_many([(yi, vi)], method="REML", test="z")
    if printed:
        rows = [
            f'  - {{effect: "{math.exp(y):.2f}", ci: ["{math.exp(y - Z * v**0.5):.2f}", '
            f'"{math.exp(y + Z * v**0.5):.2f}"]}}'
            for y, v in zip(yi, vi, strict=True)
        ]
        measure = "OR"
        nat = math.exp
    else:
        rows = [f"  - {{yi: {float(y)!r}, vi: {float(v)!r}}}" for y, v in zip(yi, vi, strict=True)]
        measure = "GEN"
        nat = float
    p = fit.p[0]
    pooled = (f'estimate: "{nat(fit.estimate[0]):.2f}", ci: ["{nat(fit.ci_low[0]):.2f}", '
              f'"{nat(fit.ci_high[0]):.2f}"], pi: ["{nat(fit.pi_low[0]):.2f}", '
              f'"{nat(fit.pi_high[0]):.2f}"], i2: "{fit.i2[0]:.0f}%", tau2: "{fit.tau2[0]:.2f}", '
              f'p: "{"<0.001" if p < 0.001 else f"{p:.3f}"}"')  # fmt: skip
    return f"measure: {measure}\nstudies:\n" + "\n".join(rows) + f"\npooled: {{{pooled}}}\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    print("rows     k   wall s (best)   cpu s (best)   REML/z found")
    for printed in (True, False):
        for k in (5, 10, 20, 40):
            path = folder / f"case{k}{printed}.yaml"
            path.write_text(case_text(k, printed, seed=k))
            walls, cpus = [], []
            for _ in range(args.repeat):
                wall, cpu = time.perf_counter(), time.process_time()
                result = reproduce_pool(path)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            found = "REML/z" in result.reproduced_by
            kind = "printed" if printed else "exact"
            print(f"{kind:8} {k:2d}   {min(walls):13.3f}   {min(cpus):12.3f}   {found}")


if __name__ == "__main__":
    main()
