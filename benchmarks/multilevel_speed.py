"""Speed of the three-level model against metafor's ``rma.mv``, measured in one run.

    python benchmarks/multilevel_speed.py [--repeat 20]

The REML fit of dat.konstantopoulos2011 (k = 56, ``random = ~ 1 | district/school``; data
from tests/oracle/golden/multilevel.json) with and without CR2 robust tests: ivigmeta's
``multilevel_model`` against ``rma.mv`` (and ``clubSandwich::coef_test``) timed inside one R
process when ``Rscript`` is on PATH. Mean seconds per fit over ``--repeat`` fits (after one
warm-up), and the ratio ivigmeta / R.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ivigmeta.stats.models.multilevel import multilevel_model

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "oracle" / "golden" / "multilevel.json"
R_SCRIPT = """
suppressPackageStartupMessages({library(metafor); library(clubSandwich)})
d <- dat.konstantopoulos2011; n <- as.integer(commandArgs(TRUE)[1])
res <- rma.mv(yi, vi, random = ~ 1 | district/school, data = d)
t0 <- proc.time()[["elapsed"]]
for (i in seq_len(n)) res <- rma.mv(yi, vi, random = ~ 1 | district/school, data = d)
t1 <- proc.time()[["elapsed"]]
for (i in seq_len(n)) ct <- coef_test(res, vcov = "CR2", cluster = d$district)
t2 <- proc.time()[["elapsed"]]
cat((t1 - t0) / n, (t2 - t1) / n, "\\n")
"""


def per_fit(function, repeat: int) -> float:
    function()
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    case = next(c for c in json.loads(GOLDEN.read_text())["cases"]
                if c["name"] == "konstantopoulos2011" and c["method"] == "REML")  # fmt: skip
    data = case["data"]
    levels = [data["labels"]["district"], data["labels"]["school"]]

    def fit(robust=None):
        return multilevel_model(data["yi"], data["vi"], levels=levels, robust=robust)

    ours = per_fit(fit, args.repeat)
    ours_robust = per_fit(lambda: fit("CR2"), args.repeat)
    print(f"ivigmeta multilevel_model (k = 56, REML): {ours * 1e3:.1f} ms per fit")
    print(f"  with CR2 robust tests:                  {ours_robust * 1e3:.1f} ms per fit")
    if shutil.which("Rscript") is None:
        print("Rscript not found: no comparison with metafor")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as handle:
        handle.write(R_SCRIPT)
    output = subprocess.run(["Rscript", handle.name, str(args.repeat)], check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    Path(handle.name).unlink()
    r_fit, r_cr2 = (float(x) for x in output.split())
    print(f"metafor rma.mv:                           {r_fit * 1e3:.1f} ms per fit")
    print(f"  + clubSandwich coef_test(CR2):          {(r_fit + r_cr2) * 1e3:.1f} ms")
    print(f"ratio ivigmeta / R: fit {ours / r_fit:.2f}, fit + CR2 "
          f"{ours_robust / (r_fit + r_cr2):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
