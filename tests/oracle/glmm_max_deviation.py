"""Print, per GLMM model, the largest relative deviation of rma_glmm() from metafor's golden
values (tests/oracle/golden/glmm.json), over every data set, and where it occurs.

Run from the repository root:  PYTHONPATH=src python tests/oracle/glmm_max_deviation.py
(about 2 minutes: every random data set).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_glmm_oracle import CASES, _fit, _lme4_unconverged, _rel

FIELDS = (("estimate", "estimate"), ("se", "se"), ("tau2", "tau2"), ("q", "QE_Wld"),
          ("q_lrt", "QE_LRT"), ("loglik", "ll"))  # fmt: skip


def main() -> None:
    worst: dict[tuple, tuple[float, str]] = {}
    for case in CASES:
        if "error" in case["result"]:
            continue
        fit = _fit(case)
        kind = (case["measure"], case["model"], _lme4_unconverged(case["result"]))
        for ours_name, theirs_name in FIELDS:
            theirs = case["result"][theirs_name]
            ours = getattr(fit, ours_name)
            if theirs is None or ours is None:
                continue
            if ours_name == "tau2" and theirs < 1e-3:
                deviation = abs(ours - theirs)
                ours_name = "tau2 (abs, < 1e-3)"
            else:
                deviation = _rel(ours, theirs)
            key = (*kind, ours_name)
            if deviation >= worst.get(key, (-1.0, ""))[0]:
                worst[key] = (deviation, case["name"])
    for (measure, model, unconverged, name), (deviation, where) in sorted(
        worst.items(), key=lambda item: tuple(str(x) for x in item[0])
    ):
        flag = " (lme4 did not converge)" if unconverged else ""
        print(f"{measure} {model or '':5} {name:20} {deviation:.2e}  {where}{flag}")


if __name__ == "__main__":
    main()
