"""Regenerate the golden outputs of ``--emit-r`` scripts (needs R with metafor 5.0-1 and
bayesmeta 3.4; CI has no R and compares against the committed files).

Run from the repository root:  PYTHONPATH=src python tests/oracle/emit_r.py [NAME ...]
(about 20 minutes: bayesmeta at ivigmeta's tight settings takes minutes per bayes case)

For each case below it runs ``ivigmeta ARGS --emit-r tests/oracle/golden/emit_r/NAME.R``, then
``Rscript NAME.R`` in an empty temporary folder, and commits R's standard output as NAME.json
(exactly as printed). ``cases.json`` lists the cases and the R package versions used.
``tests/test_emit_r.py`` regenerates each script and checks it equals NAME.R (but for the
version line), and compares NAME.json with ``ivigmeta ARGS --format json`` at 1e-6 relative.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

GOLDEN = Path("tests/oracle/golden/emit_r")
BCG = ["--csv", "examples/bcg.csv"]
HOSTILE = ["--csv", "tests/fixtures/emit_r_hostile.csv", "--measure", "RR"]
CASES = {
    "pool_bcg_rr": ["pool", *BCG, "--measure", "RR"],
    "pool_bcg_rr_dl_knha_hts": ["pool", *BCG, "--measure", "RR", "--method", "DL", "--test",
                                "knha", "--pi", "hts"],
    "pool_bcg_rr_pm_knha_piz": ["pool", *BCG, "--measure", "RR", "--method", "PM", "--test",
                                "knha", "--pi", "z"],
    "pool_bcg_rd_sj_t_pit": ["pool", *BCG, "--measure", "RD", "--method", "SJ", "--test", "t",
                             "--pi", "t", "--level", "90"],
    "pool_bcg_or_ee": ["pool", *BCG, "--measure", "OR", "--method", "EE"],
    "pool_bcg_or_mh": ["pool", *BCG, "--measure", "OR", "--method", "MH"],
    "pool_bcg_rr_mh_level90": ["pool", *BCG, "--measure", "RR", "--method", "MH", "--level",
                               "90"],
    "pool_bcg_peto": ["pool", *BCG, "--measure", "OR", "--method", "PETO"],
    "pool_nielweise_or_add_all": ["pool", "--csv", "examples/nielweise2007.csv", "--measure",
                                  "OR", "--add", "0.25", "--to", "all"],
    "pool_nielweise_rr_mh_no_drop00": ["pool", "--csv", "examples/nielweise2007.csv",
                                       "--measure", "RR", "--method", "MH", "--no-drop00"],
    "pool_pritz_plo": ["pool", "--csv", "examples/pritz1997.csv", "--measure", "PLO"],
    "pool_pritz_pft_hs": ["pool", "--csv", "examples/pritz1997.csv", "--measure", "PFT",
                          "--method", "HS"],
    "pool_mrss": ["pool", "--outcome", "mrss"],
    "pool_mrss_ml_knha": ["pool", "--outcome", "mrss", "--method", "ML", "--test", "knha"],
    "pool_mrss_6_months": ["pool", "--outcome", "mrss", "--timepoint", "6"],
    "pool_hostile": ["pool", *HOSTILE],
    "bayes_mrss": ["bayes", "--outcome", "mrss"],
    "bayes_bcg_rr_normal_level90": ["bayes", *BCG, "--measure", "RR", "--mu-prior",
                                    "normal:0,4", "--level", "90"],
    "bayes_bcg_or_turner": ["bayes", *BCG, "--measure", "OR", "--tau-prior",
                            "turner:all-cause-mortality,non-pharma,pharma"],
    "bayes_bcg_rr_half_cauchy": ["bayes", *BCG, "--measure", "RR", "--tau-prior",
                                 "half-cauchy:0.3"],
    "bayes_bcg_rr_i2": ["bayes", *BCG, "--measure", "RR", "--tau-prior", "i2"],
    "sensitivity_bcg_rr": ["sensitivity", *BCG, "--measure", "RR"],
    "sensitivity_bcg_rr_dl_knha_input": ["sensitivity", *BCG, "--measure", "RR", "--method",
                                         "DL", "--test", "knha", "--order", "input"],
    "sensitivity_hostile": ["sensitivity", *HOSTILE, "--order", "study"],
    "bias_bcg_rr": ["bias", *BCG, "--measure", "RR"],
    "bias_bcg_rr_lm_r0_left": ["bias", *BCG, "--measure", "RR", "--egger-model", "lm",
                               "--estimator", "R0", "--side", "left"],
    "bias_bcg_or_ee_knha": ["bias", *BCG, "--measure", "OR", "--method", "EE", "--test",
                            "knha"],
    "subgroup_bcg_alloc": ["subgroup", *BCG, "--measure", "RR", "--by", "alloc"],
    "subgroup_bcg_alloc_dl_knha": ["subgroup", *BCG, "--measure", "RR", "--by", "alloc",
                                   "--method", "DL", "--test", "knha"],
    "subgroup_hostile": ["subgroup", *HOSTILE, "--by", "place"],
    "regress_bcg_ablat_year": ["regress", *BCG, "--measure", "RR", "--mods", "ablat,year"],
    "regress_bcg_ablat_knha": ["regress", *BCG, "--measure", "RR", "--mods", "ablat",
                               "--test", "knha"],
}  # fmt: skip


def main(only: list[str]) -> None:
    environment = {**os.environ, "PYTHONPATH": "src"}
    for name, args in CASES.items():
        if only and name not in only:
            continue
        script = GOLDEN / f"{name}.R"
        subprocess.run([sys.executable, "-m", "ivigmeta", *args, "--emit-r", str(script)],
                       check=True, env=environment, stdout=subprocess.DEVNULL)  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            run = subprocess.run(["Rscript", str(script.resolve())], cwd=folder, check=True,
                                 capture_output=True, text=True)  # fmt: skip
            assert os.listdir(folder) == [], f"{name}: the script wrote {os.listdir(folder)}"
        json.loads(run.stdout)
        (GOLDEN / f"{name}.json").write_text(run.stdout, encoding="utf-8")
        print(name, "ok", flush=True)
    versions = subprocess.run(
        ["Rscript", "-e", 'cat(R.version.string, as.character(packageVersion("metafor")), '
         'as.character(packageVersion("bayesmeta")), sep = "\\n")'],
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")  # fmt: skip
    (GOLDEN / "cases.json").write_text(
        json.dumps({"r": versions[0], "metafor": versions[1], "bayesmeta": versions[2],
                    "cases": CASES}, indent=1) + "\n", encoding="utf-8")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])  # case names: only those (default: all)
