"""Recall and precision of ``ivigmeta extract`` on real abstracts, per kind of statistic.

The fixtures (``tests/fixtures/abstracts/*.txt``) are abstracts and results paragraphs found
with a web search, stored with their source URL in ``labels.json``; the expected statistics
there are one developer's hand labels (see its ``about``). A statistic found counts as correct
when a label of the same kind overlaps it (each label is matched once); ``values`` counts the
correct ones whose printed values equal the label's exactly.

    PYTHONPATH=src python benchmarks/extract_recall.py [--verbose]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from ivigmeta.records.extract import KINDS, find_statistics

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "abstracts"


def score(verbose: bool = False) -> dict[str, Counter]:
    """Per kind: ``expected``, ``found``, ``correct`` and ``values`` (exact values) counts."""
    labels = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))["fixtures"]
    counts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for name, entry in sorted(labels.items()):
        text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
        expected = entry["statistics"]
        found = find_statistics(text)
        unmatched = list(range(len(expected)))
        for stat in found:
            counts[stat.kind]["found"] += 1
            hit = next(
                (
                    i
                    for i in unmatched
                    if expected[i]["kind"] == stat.kind
                    and expected[i]["start"] < stat.end
                    and stat.start < expected[i]["end"]
                ),
                None,
            )
            if hit is None:
                if verbose:
                    print(f"{name}: extra {stat.kind} {stat.text!r}")
                continue
            unmatched.remove(hit)
            counts[stat.kind]["correct"] += 1
            if stat.values == expected[hit]["values"]:
                counts[stat.kind]["values"] += 1
            elif verbose:
                print(f"{name}: values {stat.values} != {expected[hit]['values']}")
        for label in expected:
            counts[label["kind"]]["expected"] += 1
        if verbose:
            for i in unmatched:
                print(f"{name}: missed {expected[i]['kind']} {expected[i]['text']!r}")
    return counts


def main() -> None:
    counts = score(verbose="--verbose" in sys.argv)
    total = sum(counts.values(), Counter())
    print(
        f"{'kind':8} {'labels':>6} {'found':>6} {'recall':>7} {'precision':>9} {'exact values':>12}"
    )
    for kind, c in [*counts.items(), ("all", total)]:
        recall = c["correct"] / c["expected"] if c["expected"] else float("nan")
        precision = c["correct"] / c["found"] if c["found"] else float("nan")
        exact = f"{c['values']}/{c['correct']}"
        line = f"{kind:8} {c['expected']:6d} {c['found']:6d} {recall:7.1%} {precision:9.1%}"
        print(f"{line} {exact:>12}")


if __name__ == "__main__":
    main()
