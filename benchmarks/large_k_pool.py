"""Time and peak memory of ``ivigmeta pool --csv FILE --measure GEN`` at large k (a script).

    python benchmarks/large_k_pool.py                 # k = 10^3, 10^4, 10^5, REML, test z
    python benchmarks/large_k_pool.py --k 100000 --method PM --test knha

Writes seeded CSV tables (``yi``, ``vi``: true effect 0.3, tau² 0.05, v_i ~ U(0.01, 0.5),
seed 2026) into a temporary folder, runs the command under ``/usr/bin/time -v`` (GNU time)
when present and prints wall time and maximum resident set size per k. The pool path is
O(k) in time and memory (``ivigmeta.stats.numerics.projection``), so both should grow
about linearly with k.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_table(path: Path, k: int, seed: int = 2026) -> None:
    """k rows of ``study,yi,vi``: y_i ~ N(0.3, 0.05 + v_i), v_i ~ U(0.01, 0.5)."""
    rng = np.random.default_rng(seed)
    vi = rng.uniform(0.01, 0.5, size=k)
    yi = rng.normal(0.3, np.sqrt(0.05 + vi))
    with path.open("w", encoding="utf-8") as handle:
        handle.write("study,yi,vi\n")
        for i in range(k):
            handle.write(f"s{i + 1},{yi[i]:.6f},{vi[i]:.6f}\n")


def run(path: Path, extra: list[str]) -> tuple[float, float | None, int]:
    """Wall seconds, max RSS in MiB (None without GNU time) and the exit code."""
    command = [sys.executable, "-m", "ivigmeta", "pool", "--csv", str(path), "--measure", "GEN"]
    command += extra
    timed = ["/usr/bin/time", "-v", *command] if os.path.exists("/usr/bin/time") else command
    start = time.perf_counter()
    done = subprocess.run(timed, capture_output=True, text=True)
    wall = time.perf_counter() - start
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    rss = int(match.group(1)) / 1024 if match else None
    return wall, rss, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--method", default="REML")
    parser.add_argument("--test", default="z")
    args = parser.parse_args()
    extra = ["--method", args.method, "--test", args.test]
    with tempfile.TemporaryDirectory() as folder:
        print(f"pool --csv FILE --measure GEN --method {args.method} --test {args.test}")
        print(f"{'k':>8} {'wall s':>8} {'max RSS MiB':>12} exit")
        for k in args.k:
            path = Path(folder) / f"k{k}.csv"
            write_table(path, k)
            wall, rss, code = run(path, extra)
            shown = f"{rss:12.1f}" if rss is not None else f"{'n/a':>12}"
            print(f"{k:>8} {wall:8.2f} {shown} {code}")


if __name__ == "__main__":
    main()
