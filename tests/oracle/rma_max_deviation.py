"""Print the largest relative deviation of rma()/tau2_confint() from metafor's golden values.

Run from the repository root:  python tests/oracle/rma_max_deviation.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_rma_oracle import GOLDEN, compared_values, fit_from, relative_deviation


def main() -> None:
    worst = (0.0, "")
    count = 0
    for dataset in GOLDEN["datasets"]:
        for expected in dataset["fits"]:
            if "error" in expected:
                continue
            for name, ours, theirs in compared_values(
                dataset, expected, fit_from(dataset, expected)
            ):
                count += int(theirs.size)
                deviation = relative_deviation(ours, theirs)
                if deviation > worst[0]:
                    where = f"{dataset['name']} {expected['method']}/{expected['test']} {name}"
                    worst = (deviation, where)
    print(f"{count} values compared; largest relative deviation {worst[0]:.3g} ({worst[1]})")


if __name__ == "__main__":
    main()
