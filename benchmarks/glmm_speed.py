"""Speed of ``rma_glmm`` against metafor 5.0-1's ``rma.glmm`` (a script, not a timed test).

    PYTHONPATH=src python benchmarks/glmm_speed.py [--repeat 3] [--cases 10] [--no-r]

Data: dat.nielweise2007 and the first ``--cases`` seeded random tables of
``tests/oracle/golden/glmm.json`` for each model (OR with UM.FS, UM.RS, CM.AL; PLO; IRLN;
k = 5 ... 20, zero cells). For each model it reports the summed best-of-``--repeat`` wall time
of ivigmeta and of metafor at its defaults (timed inside R, so R's start-up is not counted)
and their ratio. metafor's defaults stop lme4 early (tests/test_glmm_tight.py); ivigmeta runs
its optimiser to convergence, so the comparison favours metafor.
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

from ivigmeta.stats.models.glmm import rma_glmm

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "oracle" / "golden" / "glmm.json"
MODELS = (("OR", "UM.FS"), ("OR", "UM.RS"), ("OR", "CM.AL"), ("PLO", None), ("IRLN", None))

R_SCRIPT = r"""
suppressPackageStartupMessages(library(metafor))
d <- jsonlite::fromJSON(commandArgs(TRUE)[1], simplifyVector = FALSE)
out <- lapply(d$cases, function(case) {
  args <- c(lapply(case$data, unlist), list(measure = case$measure, method = "ML"))
  if (case$measure == "OR") args$model <- case$model
  best <- Inf
  for (r in seq_len(d$repeat_)) {
    t0 <- proc.time()[["elapsed"]]
    suppressWarnings(try(do.call(rma.glmm, args), silent = TRUE))
    best <- min(best, proc.time()[["elapsed"]] - t0)
  }
  best
})
cat(jsonlite::toJSON(unlist(out), digits = NA))
"""


def selected(count: int) -> list[dict]:
    cases = json.loads(GOLDEN.read_text())["cases"]
    out = []
    for measure, model in MODELS:
        of_kind = [c for c in cases if c["measure"] == measure and c["model"] == model
                   and "error" not in c["result"]]  # fmt: skip
        fixed = [c for c in of_kind if not c["name"].startswith("random")]
        out += fixed + [c for c in of_kind if c["name"].startswith("random")][:count]
    return out


def fit(case):
    data = {k: np.asarray(v, dtype=float) for k, v in case["data"].items()}
    if "n1i" in data:
        data["bi"] = data.pop("n1i") - data["ai"]
        data["di"] = data.pop("n2i") - data["ci"]
    return rma_glmm(case["measure"], model=case["model"] or "UM.FS", **data)


def time_python(case, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fit(case)
        best = min(best, time.perf_counter() - start)
    return best


def time_r(cases, repeat: int) -> list[float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        data.write_text(json.dumps({"cases": cases, "repeat_": repeat}))
        run = subprocess.run(["Rscript", "-e", R_SCRIPT, str(data)], capture_output=True,
                             text=True, check=True)  # fmt: skip
    return json.loads(run.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    cases = selected(args.cases)
    python = [time_python(c, args.repeat) for c in cases]
    r = None if args.no_r else time_r(cases, args.repeat)
    print(f"{'model':<10} {'fits':>4} {'ivigmeta s':>11} {'metafor s':>10} {'ratio':>6}")
    for measure, model in MODELS:
        idx = [i for i, c in enumerate(cases) if (c["measure"], c["model"]) == (measure, model)]
        ours = sum(python[i] for i in idx)
        label = model or measure
        if r is None:
            print(f"{label:<10} {len(idx):>4} {ours:>11.2f}")
            continue
        theirs = sum(r[i] for i in idx)
        print(f"{label:<10} {len(idx):>4} {ours:>11.2f} {theirs:>10.2f} {theirs / ours:>6.1f}")


if __name__ == "__main__":
    main()
