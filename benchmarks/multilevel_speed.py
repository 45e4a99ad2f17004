"""Speed of multilevel models against metafor's ``rma.mv``, measured in one run.

    python benchmarks/multilevel_speed.py [--repeat 20]

The REML fit of dat.konstantopoulos2011 (k = 56, ``random = ~ 1 | district/school``; data
from tests/oracle/golden/multilevel.json) with and without CR2 robust tests: ivigmeta's
``multilevel_model`` against ``rma.mv`` (and ``clubSandwich::coef_test``) timed inside one R
process when ``Rscript`` is on PATH; and the unstructured (UN) fits of dat.berkey1998
(k = 10, 2 outcomes, V from v1i/v2i) and dat.ishak2007 (k = 125, 4 times, 10 variance
parameters; tests/oracle/golden/multilevel_struct.json). Mean seconds per fit over
``--repeat`` fits (after one warm-up), and the ratio ivigmeta / R.
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
STRUCT_GOLDEN = GOLDEN.with_name("multilevel_struct.json")
R_SCRIPT = """
suppressPackageStartupMessages({library(metafor); library(clubSandwich)})
d <- dat.konstantopoulos2011; n <- as.integer(commandArgs(TRUE)[1])
res <- rma.mv(yi, vi, random = ~ 1 | district/school, data = d)
t0 <- proc.time()[["elapsed"]]
for (i in seq_len(n)) res <- rma.mv(yi, vi, random = ~ 1 | district/school, data = d)
t1 <- proc.time()[["elapsed"]]
for (i in seq_len(n)) ct <- coef_test(res, vcov = "CR2", cluster = d$district)
t2 <- proc.time()[["elapsed"]]
b <- dat.berkey1998
V <- vcalc(vi = 1, cluster = trial, rvars = c(v1i, v2i), data = b)
un <- function() rma.mv(yi, V, mods = ~ outcome, random = ~ outcome | trial, struct = "UN",
                        data = b)
invisible(un())
t3 <- proc.time()[["elapsed"]]
for (i in seq_len(n)) un()
t4 <- proc.time()[["elapsed"]]
ishak <- dat.ishak2007
long <- do.call(rbind, lapply(1:4, function(t) data.frame(
  study = ishak$study, time = t, yi = ishak[[paste0("y", t, "i")]],
  vi = ishak[[paste0("v", t, "i")]])))
long <- long[!is.na(long$yi), ]
long <- long[order(long$study, long$time), ]
VI <- vcalc(vi, cluster = study, obs = time, rho = 0.8, data = long)
ish <- function() rma.mv(yi, VI, mods = ~ factor(time), random = ~ time | study, struct = "UN",
                         data = long)
invisible(ish())
t5 <- proc.time()[["elapsed"]]
for (i in seq_len(n)) ish()
t6 <- proc.time()[["elapsed"]]
cat((t1 - t0) / n, (t2 - t1) / n, (t4 - t3) / n, (t6 - t5) / n, "\\n")
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
    struct_cases = json.loads(STRUCT_GOLDEN.read_text())["cases"]

    def struct_fit(name):
        case = next(c for c in struct_cases if c["name"] == name and c["struct"] == "UN"
                    and c["method"] == "REML")  # fmt: skip
        d = case["data"]
        columns = [d["columns"][v] for v in case["rvars"]] if case["rvars"] else None
        names = [case["mods"]] if isinstance(case["mods"], str) else case["mods"]
        mods = {m: d["moderators"][m] for m in names} if names else None
        return lambda: multilevel_model(d["yi"], d["vi"], levels=[d["labels"][case["cluster"]]],
                                        mods=mods, rho=case["rho_v"], vcov_columns=columns,
                                        struct="UN", time=d["time"])  # fmt: skip

    ours_berkey = per_fit(struct_fit("berkey1998"), args.repeat)
    ours_ishak = per_fit(struct_fit("ishak2007_time"), max(1, args.repeat // 4))
    print(f"ivigmeta multilevel_model (k = 56, REML): {ours * 1e3:.1f} ms per fit")
    print(f"  with CR2 robust tests:                  {ours_robust * 1e3:.1f} ms per fit")
    print(f"struct UN, dat.berkey1998 (k = 10):       {ours_berkey * 1e3:.1f} ms per fit")
    print(f"struct UN, dat.ishak2007 (k = 125):       {ours_ishak * 1e3:.1f} ms per fit")
    if shutil.which("Rscript") is None:
        print("Rscript not found: no comparison with metafor")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as handle:
        handle.write(R_SCRIPT)
    output = subprocess.run(["Rscript", handle.name, str(args.repeat)], check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    Path(handle.name).unlink()
    r_fit, r_cr2, r_berkey, r_ishak = (float(x) for x in output.split())
    print(f"metafor rma.mv:                           {r_fit * 1e3:.1f} ms per fit")
    print(f"  + clubSandwich coef_test(CR2):          {(r_fit + r_cr2) * 1e3:.1f} ms")
    print(f"rma.mv struct UN, dat.berkey1998:         {r_berkey * 1e3:.1f} ms per fit")
    print(f"rma.mv struct UN, dat.ishak2007:          {r_ishak * 1e3:.1f} ms per fit")
    print(f"ratio ivigmeta / R: fit {ours / r_fit:.2f}, fit + CR2 "
          f"{ours_robust / (r_fit + r_cr2):.2f}, UN berkey1998 {ours_berkey / r_berkey:.2f}, "
          f"UN ishak2007 {ours_ishak / r_ishak:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
