"""Print the largest deviation of bayes_fit from bayesmeta per quantity (golden bayes.json).

Run from the repository root: ``PYTHONPATH=src python tests/oracle/bayes_max_deviation.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_bayes_oracle import CASES, deviations, fit_case

worst: dict[str, tuple[float, str]] = {}
for case in CASES:
    for key, value in deviations(case, fit_case(case)).items():
        group = key.split(".")[0].split("[")[0]
        if value > worst.get(group, (-1.0, ""))[0]:
            worst[group] = (value, f"{case['name']}: {key}")
for group, (value, where) in sorted(worst.items()):
    print(f"{group:22s} {value:.2e}  ({where})")
print(f"{len(CASES)} bayesmeta cases, relative deviations (near 0: relative to the posterior sd)")
