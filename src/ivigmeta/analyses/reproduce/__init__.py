"""Recompute every reported p-value in the study records from the summary statistics printed.

For each reported p the test stated in the record is rerun on the printed numbers, allowing
for their rounding (:mod:`ivigmeta.stats.checks.rounding`). When the record does not state the test,
the plausible alternatives are all tried (paired data: paired t; two arms: Student and Welch;
paired proportions: McNemar exact, asymptotic, and asymptotic with continuity correction) and
the p is consistent if any of them reproduces it; the note gives each one's range.

A number the test needs but the paper does not print (an n, the change SD, a correlation) is
not guessed. The row is ``not-checkable`` and its note names the missing number, unless no
admissible value of it (an n up to the enrolled size, a correlation in [-1, 1]) reproduces the
printed p — then the p is ``inconsistent`` whatever the missing number was, and the note says
which values were tried. Where one value range of the missing number would make it consistent
(e.g. control-arm sizes n2), the note gives it.

Means and SDs of integer-valued scores (``integer: true`` in the outcome vocabulary, such as
the mRSS) also get GRIM/GRIMMER rows (:mod:`ivigmeta.stats.checks.grim`).
"""

from ivigmeta.analyses.reproduce.driver import (
    has_problems,
    reported_test,
    reproduce,
    reproduce_study,
)
from ivigmeta.analyses.reproduce.grim_rows import grim_rows
from ivigmeta.analyses.reproduce.rows import PROBLEMS, ReproducedP, fmt_p

__all__ = [
    "PROBLEMS",
    "ReproducedP",
    "fmt_p",
    "grim_rows",
    "has_problems",
    "reported_test",
    "reproduce",
    "reproduce_study",
]
