"""``ivigmeta batch``: one process against ``--jobs 2``, and memory against plan size.

    python benchmarks/batch_jobs.py [--repeat 3]

(a) wall time of ``ivigmeta batch examples/plan-mrss.yaml`` (864 analyses over the bundled
    records) with ``--jobs 1`` and ``--jobs 2``, best of ``--repeat`` runs each, and the ratio.
    Processes start only after 0.5 s of effect-size work, so ``--jobs 2`` should cost no more
    than one process on this plan.
(b) peak memory (``ru_maxrss`` of the child) of plans of 864 and 34,560 analyses (the same
    entry with 40 confidence levels, over two chunks of 16,384): rows are streamed, so memory
    should stop growing once a plan exceeds one chunk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).parents[1]
PLAN = REPO / "examples" / "plan-mrss.yaml"
LEVELS = 40  # the big plan: plan-mrss.yaml x 40 confidence levels = 34,560 analyses


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MiB of ``ivigmeta ARGS`` (stdout discarded)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    start = time.perf_counter()
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run([sys.executable, '-m', 'ivigmeta', *sys.argv[1:]],"
        " stdout=subprocess.DEVNULL, check=False);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    times = {}
    for jobs in (1, 2):
        times[jobs] = min(
            run(["batch", str(PLAN), "--jobs", str(jobs)])[0] for _ in range(options.repeat)
        )
        print(f"(a) plan-mrss.yaml, --jobs {jobs}: {times[jobs]:.2f} s (best of {options.repeat})")
    print(f"    ratio jobs 2 / jobs 1: {times[2] / times[1]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "plan-big.yaml"
        levels = ", ".join(f"{50 + i * 45 / LEVELS:.3f}" for i in range(LEVELS))
        text = PLAN.read_text(encoding="utf-8")
        big.write_text(text.rstrip() + f"\n    level: [{levels}]\n", encoding="utf-8")
        for plan, size in ((PLAN, 864), (big, 864 * LEVELS)):
            seconds, peak = run(["batch", str(plan), "--out", str(Path(folder) / "o.jsonl")])
            print(f"(b) {size:>6} analyses: {seconds:6.1f} s, peak RSS {peak:6.1f} MiB")


if __name__ == "__main__":
    main()
