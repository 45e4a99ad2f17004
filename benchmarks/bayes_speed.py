"""Speed of ``ivigmeta bayes`` against R's bayesmeta, k = 3 ... 20 (a script, not a timed test).

    PYTHONPATH=src python benchmarks/bayes_speed.py [--repeat 3] [--no-r]

Data: the k = 1 ... 20 series of ``tests/oracle/bayes.R`` (effects and standard errors drawn in
R with ``set.seed(15)``), tau prior half-normal(0.5), uniform mu prior. For each k it reports
the best of ``--repeat`` wall times of ``bayes_fit`` (at its default, bayesmeta's tight
settings delta = 1e-4, epsilon = 1e-7) and of ``bayesmeta()`` at bayesmeta's *default*
settings (delta = 0.01, epsilon = 1e-4; timed inside R, so R's start-up is not counted), their
ratio, and the grid sizes. bayesmeta at its default is the less accurate of the two: it moves
mu's interval bounds by up to 2e-3 against its tight settings (``tests/oracle/bayes.R``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from ivigmeta.stats.models.bayes import bayes_fit
from ivigmeta.stats.models.bayes_priors import parse_tau_prior

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "oracle" / "golden" / "bayes.json"

R_SCRIPT = r"""
suppressPackageStartupMessages(library(bayesmeta))
d <- jsonlite::fromJSON(commandArgs(TRUE)[1])
out <- lapply(seq_along(d$yi), function(i) {
  y <- d$yi[[i]]; s <- d$sei[[i]]; best <- Inf
  for (r in seq_len(d$repeat_)) {
    t0 <- proc.time()[["elapsed"]]
    b <- bayesmeta(y, s, tau.prior = function(t) dhalfnormal(t, scale = 0.5))
    best <- min(best, proc.time()[["elapsed"]] - t0)
  }
  list(k = length(y), seconds = best, grid = nrow(b$support))
})
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def series() -> tuple[np.ndarray, np.ndarray]:
    cases = json.loads(GOLDEN.read_text())["cases"]
    full = next(c for c in cases if c["name"] == "k=20 half-normal(0.5)")
    return np.array(full["yi"], dtype=float), np.array(full["sei"], dtype=float)


def time_python(y, s, repeat: int) -> tuple[float, int]:
    prior = parse_tau_prior("half-normal:0.5", s)
    best, fit = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        fit = bayes_fit(y, s, prior)
        best = min(best, time.perf_counter() - start)
    return best, fit.grid_size


def time_r(ys, ss, repeat: int) -> list[dict] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        data.write_text(json.dumps({"yi": [list(y) for y in ys], "sei": [list(s) for s in ss],
                                    "repeat_": repeat}))  # fmt: skip
        run = subprocess.run(["Rscript", "-e", R_SCRIPT, str(data)], capture_output=True,
                             text=True, check=True)  # fmt: skip
    return json.loads(run.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    y, s = series()
    ks = range(3, 21)
    python = [time_python(y[:k], s[:k], args.repeat) for k in ks]
    r = None if args.no_r else time_r([y[:k] for k in ks], [s[:k] for k in ks], args.repeat)
    print(f"{'k':>3} {'ivigmeta s':>11} {'grid':>5} {'bayesmeta s':>12} {'grid':>5} {'ratio':>6}")
    ratios = []
    for i, k in enumerate(ks):
        seconds, grid = python[i]
        if r is None:
            print(f"{k:>3} {seconds:>11.3f} {grid:>5}")
            continue
        ratio = r[i]["seconds"] / seconds
        ratios.append(ratio)
        print(f"{k:>3} {seconds:>11.3f} {grid:>5} {r[i]['seconds']:>12.3f} {r[i]['grid']:>5} "
              f"{ratio:>6.1f}")  # fmt: skip
    if ratios:
        print(f"bayesmeta (default settings) / ivigmeta (tight settings): median ratio "
              f"{np.median(ratios):.1f}, range {min(ratios):.1f} to {max(ratios):.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
