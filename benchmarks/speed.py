"""Speed of ivigmeta against its peers, measured in one run (a script, not a timed test).

    python benchmarks/speed.py            # needs the bench extra: pip install -e '.[bench]'

(a) 10,000 random-effects meta-analyses of k = 12 studies (simulated standardised mean
    differences, seed 2024): ``pool_many`` (REML, PM, DL) against loops over statsmodels'
    ``combine_effects`` (``method_re="iterated"`` is Paule-Mandel, ``"chi2"`` is
    DerSimonian-Laird), PyMARE's vectorised ``VarianceBasedLikelihoodEstimator(method="REML")``
    (2-D arrays, one column per analysis) and, when ``Rscript`` is on PATH, metafor's ``rma()``
    looped in R. Loops run on the first ``--loop`` analyses and are compared per analysis.
    Agreement: the largest |difference| in tau² and in the pooled estimate from metafor (or,
    without R, from ivigmeta's one-at-a-time ``rma``) over the first ``--compare`` analyses.
(b) ``ivigmeta --help`` against ``python -c pass`` (best of ``--repeat`` runs each).
(c) ``ivigmeta pool --outcome mrss`` wall time (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from ivigmeta.stats.models.pool_many import pool_many
from ivigmeta.stats.models.rma import rma

K = 12
N_ANALYSES = 10_000


def simulate(n: int, k: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray]:
    """Hedges' g-like effects: n1 = n2 ~ U{10..100}, true mean 0.3, tau² 0.05."""
    rng = np.random.default_rng(seed)
    per_arm = rng.integers(10, 101, size=(n, k)).astype(float)
    theta = rng.normal(0.3, np.sqrt(0.05), size=(n, k))
    v_true = 2.0 / per_arm + theta**2 / (4.0 * per_arm)
    y = rng.normal(theta, np.sqrt(v_true))
    v = 2.0 / per_arm + y**2 / (4.0 * per_arm)
    return y, v


def best_time(function, repeat: int = 3) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def run_metafor(y: np.ndarray, v: np.ndarray) -> dict | None:
    """Time rma(method="REML") looped in R; return REML/PM/DL tau² and estimates."""
    if shutil.which("Rscript") is None:
        return None
    script = r"""
suppressMessages(library(metafor)); library(jsonlite)
args <- commandArgs(TRUE)
y <- as.matrix(read.csv(args[1], header = FALSE)); v <- as.matrix(read.csv(args[2], header = FALSE))
fit <- function(i, m) tryCatch(rma(y[i, ], v[i, ], method = m), error = function(e) NULL)
start <- proc.time()[["elapsed"]]
reml <- lapply(seq_len(nrow(y)), fit, m = "REML")
seconds <- proc.time()[["elapsed"]] - start
pick <- function(fits, f) sapply(fits, function(x) if (is.null(x)) NA else f(x))
out <- list(seconds = seconds)
for (m in c("REML", "PM", "DL")) {
  fits <- if (m == "REML") reml else lapply(seq_len(nrow(y)), fit, m = m)
  out[[m]] <- list(tau2 = pick(fits, function(x) x$tau2),
                   estimate = pick(fits, function(x) c(x$beta)))
}
write_json(out, args[3], digits = NA)
"""
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, name) for name in ("y.csv", "v.csv", "out.json", "b.R")]
        np.savetxt(paths[0], y, delimiter=",", fmt="%.17g")
        np.savetxt(paths[1], v, delimiter=",", fmt="%.17g")
        Path(paths[3]).write_text(script)
        subprocess.run(["Rscript", paths[3], *paths[:3]], check=True, capture_output=True)
        result = json.loads(Path(paths[2]).read_text())
    for method in ("REML", "PM", "DL"):
        for key in ("tau2", "estimate"):
            values = result[method][key]
            result[method][key] = np.array([np.nan if x in (None, "NA") else x for x in values])
    result["seconds"] = float(np.atleast_1d(result["seconds"])[0])
    return result


def reference_from_rma(y: np.ndarray, v: np.ndarray) -> dict:
    """Fallback reference without R: ivigmeta's one-at-a-time rma()."""
    out = {}
    for method in ("REML", "PM", "DL"):
        tau2, estimate = [], []
        for yi, vi in zip(y, v, strict=True):
            try:
                fit = rma(yi, vi, method=method)
                tau2.append(fit.tau2)
                estimate.append(fit.estimate)
            except Exception:
                tau2.append(np.nan)
                estimate.append(np.nan)
        out[method] = {"tau2": np.array(tau2), "estimate": np.array(estimate)}
    return out


def max_abs_difference(tau2, estimate, reference) -> float:
    ok = np.isfinite(reference["tau2"]) & np.isfinite(tau2)
    return float(
        max(
            np.max(np.abs(tau2[ok] - reference["tau2"][ok])),
            np.max(np.abs(estimate[ok] - reference["estimate"][ok])),
        )
    )


def wall(commands: list[list[str]], repeat: int) -> list[float]:
    """Best wall time of each command; runs interleaved so that load affects all alike."""
    best = [float("inf")] * len(commands)
    for _ in range(repeat):
        for i, command in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def console_script() -> str:
    """The ``ivigmeta`` script pip installed beside this Python (not a pyenv/asdf shim)."""
    beside = Path(sys.executable).parent / "ivigmeta"
    return str(beside) if beside.exists() else (shutil.which("ivigmeta") or "ivigmeta")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--subset", type=int, default=1000, help="analyses for the loops and the comparisons"
    )
    parser.add_argument("--repeat", type=int, default=10, help="runs for start-up timings")
    options = parser.parse_args()
    warnings.simplefilter("ignore")

    y, v = simulate(N_ANALYSES, K)
    pairs = list(zip(y, v, strict=True))
    n = options.subset
    print(f"(a) {N_ANALYSES:,} meta-analyses of k = {K}; loops and comparisons: first {n:,}")
    timings: dict[str, float | None] = {}  # seconds per analysis
    values: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # (tau2, estimate), first n
    compared_to: dict[str, str] = {}  # peer -> reference method

    from pymare.estimators import VarianceBasedLikelihoodEstimator

    def pymare_reml():
        estimator = VarianceBasedLikelihoodEstimator(method="REML")
        estimator.fit(y.T, v.T, np.ones((K, 1)))
        return np.ravel(estimator.params_["tau2"]), np.ravel(estimator.params_["fe_params"])

    vectorised = {
        f"ivigmeta pool_many {method}": (lambda m=method: pool_many(pairs, method=m), method)
        for method in ("REML", "PM", "DL")
    }
    vectorised["PyMARE REML (vectorised)"] = (pymare_reml, "REML")
    best = dict.fromkeys(vectorised, float("inf"))
    outputs = {}
    for _ in range(5):  # interleaved, so that every contender sees the same machine load
        for name, (function, _) in vectorised.items():
            seconds, outputs[name] = best_time(function, repeat=1)
            best[name] = min(best[name], seconds)
    for name, (_, method) in vectorised.items():
        timings[name] = best[name] / N_ANALYSES
        out = outputs[name]
        tau2, estimate = (out.tau2, out.estimate) if hasattr(out, "tau2") else out
        values[name] = (tau2[:n], estimate[:n])
        compared_to[name] = method

    from statsmodels.stats.meta_analysis import combine_effects

    for kind, method in (("iterated", "PM"), ("chi2", "DL")):
        name = f"statsmodels combine_effects {method} (loop)"

        def loop(kind=kind):
            return [combine_effects(y[i], v[i], method_re=kind) for i in range(n)]

        seconds, fits = best_time(loop, repeat=1)
        timings[name] = seconds / n
        values[name] = (
            np.array([f.tau2 for f in fits]),
            np.array([f.mean_effect_re for f in fits]),
        )
        compared_to[name] = method

    metafor = run_metafor(y[:n], v[:n])
    name = "metafor rma() REML (R loop)"
    if metafor is None:
        reference, reference_name = reference_from_rma(y[:n], v[:n]), "ivigmeta rma()"
        timings[name] = None
    else:
        reference, reference_name = metafor, "metafor 5.0-1"
        timings[name] = metafor["seconds"] / n

    ours = timings["ivigmeta pool_many REML"]
    print(f"{'':44} {'µs/analysis':>12} {'ratio to':>15}  max |diff| from {reference_name}")
    print(f"{'':44} {'':>12} {'pool_many REML':>15}  in tau² or estimate")
    for name, per in timings.items():
        per_text = "not available" if per is None else f"{per * 1e6:.1f}"
        ratio = "" if per is None else f"{per / ours:.1f}x"
        diff = ""
        if name in values:
            diff = f"{max_abs_difference(*values[name], reference[compared_to[name]]):.1e}"
        print(f"{name:44} {per_text:>12} {ratio:>15}  {diff}")
    unconverged = int(np.sum(~np.isfinite(reference["REML"]["tau2"])))
    print(
        f"(REML: {unconverged} of {n:,} analyses where metafor's Fisher scoring fails are skipped)"
    )

    exact = rma_max_deviation(pairs[:n])
    print(
        f"pool_many vs ivigmeta rma(), {n:,} analyses x REML/PM/DL, every field: "
        f"max relative deviation {exact:.1e}"
    )

    print(f"\n(b) start-up, best of {options.repeat}")
    ivigmeta = console_script()
    bare, helped = wall([[sys.executable, "-c", "pass"], [ivigmeta, "--help"]], options.repeat)
    print(f"python -c pass   {bare * 1e3:7.1f} ms")
    print(f"ivigmeta --help  {helped * 1e3:7.1f} ms   ratio {helped / bare:.2f}x (target <= 1.5x)")

    print("\n(c) ivigmeta pool --outcome mrss")
    try:
        (pooled,) = wall([[ivigmeta, "pool", "--outcome", "mrss"]], max(3, options.repeat // 2))
        print(f"wall time        {pooled * 1e3:7.1f} ms (target < 500 ms)")
    except (subprocess.CalledProcessError, FileNotFoundError):
        print("not available")

    speedup = timings["statsmodels combine_effects PM (loop)"] / ours
    print(f"\ntarget >= 20x faster than the statsmodels loop: {speedup:.0f}x", end=" ")
    print("(met)" if speedup >= 20 else "(NOT met)")
    pymare = timings["PyMARE REML (vectorised)"] / ours
    print(
        f"faster than PyMARE's vectorised REML: {pymare:.1f}x",
        "(met)" if pymare > 1 else "(NOT met)",
    )


def rma_max_deviation(pairs) -> float:
    """Largest relative deviation of pool_many from rma over every reported field."""
    fields = ("estimate", "se", "ci_low", "ci_high", "p", "tau2", "i2", "h2", "q", "pi_low")
    worst = 0.0
    for method in ("REML", "PM", "DL"):
        many = pool_many(pairs, method=method)
        for i, (yi, vi) in enumerate(pairs):
            try:
                fit = rma(yi, vi, method=method)
            except Exception:
                continue
            single = {
                "estimate": fit.estimate, "se": fit.estimate_se, "ci_low": fit.ci_low[0],
                "ci_high": fit.ci_high[0], "p": fit.pval[0], "tau2": fit.tau2, "i2": fit.i2,
                "h2": fit.h2, "q": fit.q, "pi_low": fit.pi_low,
            }  # fmt: skip
            for name in fields:
                a, b = float(getattr(many, name)[i]), float(single[name])
                if b != 0:
                    worst = max(worst, abs(a - b) / abs(b))
    return worst


if __name__ == "__main__":
    main()
