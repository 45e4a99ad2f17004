"""Time of ``reproduce``'s search over an unreported denominator of paired proportions.

    python benchmarks/paired_proportion_search.py            # n = 46, 200, 1,000, 10^5
    python benchmarks/paired_proportion_search.py --n 46 200 --timeout 120

The bundled record sanges2017 prints five before/after percentages (74% → 20%, ...) with no
denominator; ``reproduce`` then tries every n from 1 to the enrolled n. The record is copied
into a temporary folder with ``population.n`` set to each n, and the five paired-proportion
rows are recomputed (``ivigmeta.analyses.reproduce.paired``), in a child process so that a
slow version can be stopped at ``--timeout`` seconds. Run it with ``PYTHONPATH`` pointing at
another checkout to compare versions in one run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

RECORD = Path(__file__).resolve().parents[1] / "data" / "studies" / "sanges2017.yaml"

CHILD = textwrap.dedent(
    """
    import sys, time
    import scipy.special  # imported lazily by the exact McNemar test: keep it out of the timing
    from ivigmeta.analyses.reproduce.paired import _paired_proportion
    from ivigmeta.records.loader import load_studies

    (study,) = load_studies(sys.argv[1])
    outcomes = [o for o in study.outcomes if o.type == "paired-proportion"]
    start = time.perf_counter()
    rows = [_paired_proportion(study, o, o.reported.p) for o in outcomes]
    print(f"{time.perf_counter() - start:.3f}")
    print(rows[0][4][:90])
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[46, 200, 1_000, 100_000])
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    text = RECORD.read_text(encoding="utf-8")
    print(f"{'enrolled n':>10} {'seconds':>9}  first row's note")
    with tempfile.TemporaryDirectory() as folder:
        for n in args.n:
            path = Path(folder) / f"n{n}"
            path.mkdir()
            record = re.sub(r"population: \{n: 46,", f"population: {{n: {n},", text, count=1)
            (path / "sanges2017.yaml").write_text(record, encoding="utf-8")
            try:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path)],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                )
            except subprocess.TimeoutExpired:
                print(f"{n:>10} {'>' + format(args.timeout, 'g'):>9}  (stopped)")
                continue
            if done.returncode:
                print(f"{n:>10} {'error':>9}  {done.stderr.strip().splitlines()[-1]}")
                continue
            seconds, note = done.stdout.strip().splitlines()[:2]
            print(f"{n:>10} {seconds:>9}  {note}")


if __name__ == "__main__":
    main()
