"""GOSH speed: ``ivigmeta gosh`` (whole process) against metafor's ``gosh()`` (R's own timing).

    python benchmarks/gosh.py [--k 12 16 20] [--r-sample 2000] [--r-full-up-to 12]

For each k: simulated standardised mean differences (seed 2024, as ``benchmarks/speed.py``),
REML, all 2^k - 1 subsets (k = 20: 1,048,575 > 10^6, so 10^6 random subsets on both sides).
ivigmeta is timed as a whole process (``python -m ivigmeta gosh --csv ... --out ...``:
start-up, reading, fitting, writing the CSV; best of ``--repeat``). metafor is timed inside R
(``system.time(gosh(res, progbar = FALSE))``, R's start-up and writing not counted, which
favours R). For k above ``--r-full-up-to`` R fits a random sample of ``--r-sample`` subsets
(``gosh(res, subsets = n)``) and its time is scaled linearly to the full count (metafor fits
one model per subset, so its time is linear in the count); the output says so.
Target (issue 16): at least 50x faster at k = 12.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

R_SCRIPT = """
suppressPackageStartupMessages(library(metafor))
d <- read.csv("{csv}")
res <- rma(yi, vi, data = d, method = "REML")
n <- {subsets}
t <- system.time(g <- if (n > 0) gosh(res, subsets = n, progbar = FALSE) else
                          gosh(res, progbar = FALSE))[["elapsed"]]
cat(t, nrow(g$res), "\\n")
"""


def simulate(k: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 101, size=k).astype(float)
    theta = rng.normal(0.3, np.sqrt(0.05), size=k)
    y = rng.normal(theta, np.sqrt(2.0 / n + theta**2 / (4.0 * n)))
    return y, 2.0 / n + y**2 / (4.0 * n)


def time_ivigmeta(csv: Path, out: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "ivigmeta", "gosh", "--csv", str(csv),
                               "--out", str(out)], capture_output=True, text=True)  # fmt: skip
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
    return best


def time_metafor(csv: Path, subsets: int) -> tuple[float, int]:
    script = R_SCRIPT.format(csv=csv, subsets=subsets)
    done = subprocess.run(["Rscript", "-e", script], check=True, capture_output=True, text=True)
    elapsed, fitted = done.stdout.split()
    return float(elapsed), int(fitted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[12, 16, 20])
    parser.add_argument("--r-sample", type=int, default=2000)
    parser.add_argument("--r-full-up-to", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    have_r = shutil.which("Rscript") is not None
    print(f"{'k':>3} {'subsets':>9} {'ivigmeta s':>11} {'metafor s':>11} {'ratio':>8}  note")
    with tempfile.TemporaryDirectory() as folder:
        for k in args.k:
            y, v = simulate(k)
            csv = Path(folder) / f"k{k}.csv"
            rows = "".join(
                f"s{i + 1},{a!r},{b!r}\n"
                for i, (a, b) in enumerate(zip(y.tolist(), v.tolist(), strict=True))
            )
            csv.write_text("study,yi,vi\n" + rows)
            count = min(2**k - 1, 10**6)
            ours = time_ivigmeta(csv, Path(folder) / "out.csv", args.repeat)
            if not have_r:
                print(f"{k:>3} {count:>9} {ours:>11.2f} {'(no R)':>11}")
                continue
            full = k <= args.r_full_up_to
            elapsed, fitted = time_metafor(csv, 0 if full else args.r_sample)
            theirs = elapsed * count / fitted
            note = "measured" if full else f"R: {fitted} subsets timed, scaled to {count}"
            print(f"{k:>3} {count:>9} {ours:>11.2f} {theirs:>11.1f} {theirs / ours:>7.0f}x  {note}")


if __name__ == "__main__":
    main()
