"""Collect the golden values that metafor 5.0-1 changed from 3.8-1, with the NEWS entry.

The 3.8-1 values are the golden files as the same R scripts wrote them under metafor 3.8-1
(Debian 12's r-cran-metafor), committed at ``BASE``; the 5.0-1 values are the current golden
files. Run from the repository root after regenerating the goldens:
    python tests/oracle/metafor_versions.py
Writes tests/oracle/golden/metafor_versions.json (read by tests/test_metafor_versions.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

BASE = "d332a40"  # last commit with golden files from metafor 3.8-1
GOLDEN = Path("tests/oracle/golden")

NEWS = {
    "SMDH": (
        "4.6-0",
        'calculation of the sampling variances for measures "SMDH", "SMD1H", and "SMCRH" '
        "was slightly adjusted for consistency",
    ),
    "SMCRH": (
        "4.6-0",
        'calculation of the sampling variances for measures "SMDH", "SMD1H", and "SMCRH" '
        "was slightly adjusted for consistency",
    ),
    "ROM": (
        "5.0-1",
        'for measures "ROM", "ROMC", "CVR", and "CVRC", the bias corrections based on the '
        "second-order Taylor expansions are now applied by default in escalc() (use "
        "correct=FALSE to switch this off)",
    ),
    "R2": (
        "5.0-1",
        "rma() nows calculates R^2 as long as a standard random-effects model is nested "
        "within the fitted mixed-effects model",
    ),
}


def _old(name: str):
    text = subprocess.run(
        ["git", "show", f"{BASE}:{GOLDEN / name}"], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(text)


def _new(name: str):
    return json.loads((GOLDEN / name).read_text())


def main() -> None:
    changes = []
    for old, new in zip(_old("escalc.json"), _new("escalc.json"), strict=True):
        assert old["name"] == new["name"]
        for field in ("yi", "vi"):
            if any(
                abs(a - b) > 1e-9 * max(abs(a), abs(b))
                for a, b in zip(old[field], new[field], strict=True)
                if a is not None and b is not None
            ):
                version, entry = NEWS[new["measure"]]
                changes.append(
                    {
                        "kind": "escalc",
                        "case": new["name"],
                        "measure": new["measure"],
                        "args": new["args"],
                        "inputs": new["inputs"],
                        "field": field,
                        "metafor_3.8-1": old[field],
                        "metafor_5.0-1": new[field],
                        "news_version": version,
                        "news": entry,
                    }
                )
    for old, new in zip(_old("rma.json")["datasets"], _new("rma.json")["datasets"], strict=True):
        for f_old, f_new in zip(old["fits"], new["fits"], strict=True):
            if "error" in f_new or f_old.get("r2") == f_new.get("r2"):
                continue
            version, entry = NEWS["R2"]
            changes.append(
                {
                    "kind": "rma",
                    "case": new["name"],
                    "method": f_new["method"],
                    "test": f_new["test"],
                    "yi": new["yi"],
                    "vi": new["vi"],
                    "mods": new["mods"],
                    "field": "r2",
                    "metafor_3.8-1": f_old.get("r2"),
                    "metafor_5.0-1": f_new["r2"],
                    "news_version": version,
                    "news": entry,
                }
            )
    out = GOLDEN / "metafor_versions.json"
    out.write_text(json.dumps(changes, indent=1) + "\n")
    print(f"{len(changes)} changed golden values written to {out}")


if __name__ == "__main__":
    main()
