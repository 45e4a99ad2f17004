"""Cost of ``ivigmeta simulate`` over the fits themselves, measured in one run (not a test).

    python benchmarks/simulate_speed.py [--replications 1000000] [--repeat 3]

(a) ``--replications`` REML fits of k = 10 (tau² = 0.1, v ~ U(0.01, 0.4), z test, one PI
    rule) through ``simulate()`` (plan reading, seeded chunks, drawing, fitting, metrics),
    against ``pool_many`` called on the same number of data sets drawn beforehand: as a list
    of (yi, vi) pairs (its public form) and as padded arrays (``pool_padded``, no padding
    step). Target: simulate at most 1.5x the list form. Prints fits per second.
(b) The extra cost of ``pool_many(tau2_ci=True)`` (SE of tau² and Q-profile CIs, as batch rows
    now carry) per analysis, for 10,000 analyses of k = 10, REML.
Best of ``--repeat`` runs for each timing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from ivigmeta.analyses.simulate import simulate
from ivigmeta.stats.models.pool_many import Padded, pool_many, pool_padded

K = 10


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.replications
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "plan.yaml"
        plan.write_text(
            f"seed: 1\nreplications: {n}\n"
            f"scenarios: {{k: [{K}], tau2: [0.1], mu: [0], vi: {{uniform: [0.01, 0.4]}}}}\n"
            "methods: [REML]\ntests: [z]\npi: [auto]\n",
            encoding="utf-8",
        )
        t_sim = best(lambda: simulate(plan), args.repeat)
    rng = np.random.default_rng(1)
    v = rng.uniform(0.01, 0.4, size=(K, n))
    y = np.sqrt(0.1) * rng.standard_normal((K, n)) + np.sqrt(v) * rng.standard_normal((K, n))
    pairs = [(y[:, j], v[:, j]) for j in range(n)]
    t_list = best(lambda: pool_many(pairs, method="REML"), args.repeat)
    t_padded = best(lambda: pool_padded(Padded.from_columns(y, v), method="REML"), args.repeat)
    print(f"(a) {n:,} REML fits of k = {K}")
    print(f"    simulate()                 {t_sim:8.2f} s  {n / t_sim:12,.0f} fits/s")
    print(f"    pool_many, list of pairs   {t_list:8.2f} s  {n / t_list:12,.0f} fits/s")
    print(f"    pool_padded, arrays        {t_padded:8.2f} s  {n / t_padded:12,.0f} fits/s")
    print(f"    ratio simulate / pool_many (list)   {t_sim / t_list:.2f}  (target <= 1.5)")
    print(f"    ratio simulate / pool_padded        {t_sim / t_padded:.2f}")
    m = 10_000
    few = pairs[:m]
    t_plain = best(lambda: pool_many(few, method="REML"), args.repeat)
    t_ci = best(lambda: pool_many(few, method="REML", tau2_ci=True), args.repeat)
    print(
        f"(b) {m:,} analyses, REML: pool_many {1e6 * t_plain / m:.1f} us each; "
        f"with tau2_ci {1e6 * t_ci / m:.1f} us each (+{1e6 * (t_ci - t_plain) / m:.1f} us)"
    )


if __name__ == "__main__":
    main()
