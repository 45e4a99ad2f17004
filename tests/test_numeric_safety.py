"""Hostile numbers (issue 13, items 1-3): non-finite and out-of-range typed numbers, extreme
record values, and inputs whose cost used to grow without bound, all end in a result or our
own one-line error (exit 2), quickly.

Admissible ranges (stats/numerics/limits.py, docs/records.md): counts <= 10^9, real numbers of
magnitude <= 10^15, positive divisors >= 10^-15, levels 1 <= level < 100.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ivigmeta.cli import cli
from ivigmeta.errors import AnalysisError, InputError, IvigmetaError
from ivigmeta.printed import PrintedNumber
from ivigmeta.stats.checks.grim import grim
from ivigmeta.stats.checks.mcnemar_range import (
    METHODS,
    mcnemar_p,
    paired_p_bounds,
    paired_proportions_range,
)
from ivigmeta.stats.checks.proportion_tests import two_proportions_test
from ivigmeta.stats.checks.solve import consistent_n2
from ivigmeta.stats.checks.t_tests import (
    one_sample_t_test,
    paired_t_test,
    two_sample_t_test,
)

RECORD = Path(__file__).resolve().parents[1] / "data" / "studies" / "sanges2017.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- item 1: typed numbers


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN", "1e309", "1e16"])
@pytest.mark.parametrize(
    "command",
    [
        ["grim", "--n", "28", "--mean", "{}"],
        ["grim", "--n", "28", "--mean", "5.19", "--sd", "{}"],
        ["test", "paired", "--mean-change", "{}", "--sd-change", "2", "--n", "10"],
        ["test", "one-sample", "--mean", "1", "--sd", "{}", "--n", "10"],
        ["test", "one-sample", "--mean", "1", "--sd", "1", "--n", "10", "--mu", "{}"],
        ["test", "proportions", "--percent1", "{}", "--n1", "10", "--x2", "3", "--n2", "10"],
        ["test", "paired-proportions", "--n", "20", "--percent-before", "{}", "--after", "3"],
        ["pool", "--outcome", "mrss", "--r", "{}"],
        ["convert", "fivenum", "--median", "{}", "--n", "20", "--q1", "1", "--q3", "5"],
        ["convert", "fivenum", "--median", "3", "--n", "{}", "--q1", "1", "--q3", "5"],
        ["convert", "wald", "--estimate", "{}", "--ci-low", "1", "--ci-high", "2"],
    ],
)
def test_non_finite_and_huge_typed_numbers_are_refused(command, bad):
    result = run(*[part.replace("{}", bad) for part in command])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    option = next(
        p for p in command if p.startswith("--") and "{}" in command[command.index(p) + 1]
    )
    assert option in result.output
    assert "finite" in result.output or "magnitude" in result.output


@pytest.mark.parametrize("level", ["0", "100", "150", "-5", "nan", "inf", "0.5"])
@pytest.mark.parametrize(
    "command",
    [
        ["test", "paired", "--mean-change", "1", "--sd-change", "2", "--n", "10"],
        [
            "test",
            "two-sample",
            "--mean1",
            "1",
            "--sd1",
            "1",
            "--n1",
            "10",
            "--mean2",
            "2",
            "--sd2",
            "1",
            "--n2",
            "10",
        ],
        ["report", "--outcome", "mrss", "--out", "never-written.md"],
        ["pool", "--outcome", "mrss"],
    ],
)
def test_levels_outside_1_to_100_are_refused_as_pool_does(command, level, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*command, "--level", level)
    assert result.exit_code == 2, result.output
    assert "--level" in result.output and "confidence level in percent" in result.output
    assert not (tmp_path / "never-written.md").exists()


def test_library_callers_get_input_error():
    with pytest.raises(InputError, match="mean: expected a finite number"):
        grim(float("nan"), 28)
    with pytest.raises(InputError, match="sd: expected a finite number"):
        grim("5.19", 28, sd=math.inf)
    with pytest.raises(InputError, match="level"):
        paired_t_test(1.0, 2.0, 10, level=0)
    with pytest.raises(InputError, match="level"):
        two_sample_t_test(1, 1, 10, 2, 1, 10, level=math.nan)
    with pytest.raises(InputError, match="mean1"):
        two_sample_t_test(math.inf, 1, 10, 2, 1, 10)
    with pytest.raises(InputError, match="mu"):
        one_sample_t_test(1, 1, 10, mu=math.nan)
    with pytest.raises(InputError, match="level"):
        two_proportions_test(10, 10, 3, 4, level=100)


finite_or_not = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e15, -1e15, 1e16, 1e308, 5e-324, 0.0]),
)


@settings(max_examples=150, deadline=None)
@given(mean=finite_or_not, sd=finite_or_not, n=st.integers(-5, 10**10), level=finite_or_not)
def test_any_typed_number_gives_a_result_or_our_error(mean, sd, n, level):
    """t tests and GRIM from arbitrary floats: a finite result or an IvigmetaError."""
    for call in (
        lambda: one_sample_t_test(mean, sd, n, level=level),
        lambda: two_sample_t_test(mean, sd, n, 0.0, 1.0, 10, level=level),
        lambda: grim(repr(mean), n, items=1),
    ):
        try:
            result = call()
        except IvigmetaError:
            continue
        values = [v for v in result.to_dict().values() if isinstance(v, float)]
        assert not any(math.isnan(v) for v in values if v is not None), result


# ---------------------------------------------------------------- item 2: extreme record values


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        ("9" * 5000, "n", "whole number <= 1,000,000,000"),
        ("12345678901234567890", "n", "whole number <= 1,000,000,000"),
        ("1000000001", "n", "whole number <= 1000000000"),
        ("1.0e+309", "mean", "magnitude at most 1e+15"),
        ("1.0e+308", "sd", "magnitude at most 1e+15"),
        ("1.0e-300", "sd", "positive number of at least 1e-15"),
    ],
)
def test_extreme_record_values_are_named_at_their_line(tmp_path, value, field, expected):
    text = RECORD.read_text(encoding="utf-8")
    old = "baseline: {mean: 1069, sd: 1552, n: null}"
    fields = {"mean": "1069", "sd": "1552", "n": "null", field: value}
    new = f"baseline: {{mean: {fields['mean']}, sd: {fields['sd']}, n: {fields['n']}}}"
    assert old in text
    (tmp_path / "sanges2017.yaml").write_text(text.replace(old, new), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    result = run("studies", "validate", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert f"sanges2017.yaml:{line}: outcomes[5].baseline.{field}: expected" in result.output
    assert expected.replace(",", "") in result.output.replace(",", "")
    assert "Traceback" not in result.output


def test_csv_numbers_beyond_the_range_are_refused(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("study,yi,vi\na,0.1,0.02\nb,1e300,0.03\n", encoding="utf-8")
    result = run("pool", "--csv", str(table), "--measure", "GEN")
    assert result.exit_code == 2
    assert "t.csv:3: yi: expected a number of magnitude at most 1e+15" in result.output


def test_largest_admissible_numbers_pool_without_overflow(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("study,yi,vi\na,1e15,1e15\nb,-1e15,1e-15\nc,0,1\n", encoding="utf-8")
    result = run("pool", "--csv", str(table), "--measure", "GEN", "--format", "json")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output and "LinAlgError" not in result.output


# ---------------------------------------------------------------- item 3: bounded cost


def enumerate_range(n, counts_before, counts_after, method):
    """The former full enumeration of every table (reference for the fast search)."""
    best = worst = None
    tables = 0
    for k1 in counts_before:
        for k2 in counts_after:
            for a in range(max(0, k1 + k2 - n), min(k1, k2) + 1):
                p = mcnemar_p(k1 - a, k2 - a, method)[1]
                table = (a, k1 - a, k2 - a, n - k1 - k2 + a)
                tables += 1
                if best is None or p < best[0]:
                    best = (p, table)
                if worst is None or p > worst[0]:
                    worst = (p, table)
    return best, worst, tables


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 70),
    data=st.data(),
    method=st.sampled_from(METHODS),
)
def test_mcnemar_search_equals_full_enumeration(n, data, method):
    low1 = data.draw(st.integers(0, n))
    high1 = data.draw(st.integers(low1, min(n, low1 + 5)))
    low2 = data.draw(st.integers(0, n))
    high2 = data.draw(st.integers(low2, min(n, low2 + 5)))
    before, after = range(low1, high1 + 1), range(low2, high2 + 1)
    best, worst, tables = enumerate_range(n, before, after, method)
    assert paired_p_bounds(n, before, after, method) == (best[0], worst[0])
    if len(before) == 1 and len(after) == 1:
        result = paired_proportions_range(n, before=low1, after=low2, method=method)
        assert (result.p_min, result.p_max, result.tables) == (best[0], worst[0], tables)
        assert (result.table_p_min, result.table_p_max) == (best[1], worst[1])


def test_exact_mcnemar_with_one_discordant_difference_is_exactly_one():
    """2 P(X <= k) = 1 for X ~ Bin(2k + 1, 1/2) by symmetry; floating sums gave 1 - 1e-16."""
    assert all(mcnemar_p(k, k + 1)[1] == 1.0 for k in range(200))


def test_paired_proportions_at_n_10000_is_quick():
    start = time.perf_counter()
    results = run("test", "paired-proportions", "--n", "10000", "--percent-before", "74",
                  "--percent-after", "20", "--format", "json")  # fmt: skip
    assert results.exit_code == 0, results.output
    assert time.perf_counter() - start < 30  # was: did not finish


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["test", "proportions", "--n1", "1000000", "--percent1", "10", "--n2", "1000000",
          "--percent2", "12"], "at most 10,000 are searched"),
        (["grim", "--mean", "5", "--n", str(10**18)], "--n"),
        (["grim", "--mean", "5.19", "--n", "28", "--sd", "1.1", "--items", str(10**9)],
         "at most 1,000,000 are checked"),
        (["test", "two-sample", "--mean1", "1", "--sd1", "1", "--n1", "10", "--mean2", "2",
          "--sd2", "1", "--solve", "n2", "--p", "0.03", "--n2-max", str(10**7)],
         "n2_max: expected a whole number <= 100,000"),
    ],
)  # fmt: skip
def test_unbounded_searches_stop_with_a_stated_limit(args, message):
    start = time.perf_counter()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert time.perf_counter() - start < 30


def test_grim_at_a_billion_items_without_sd_is_closed_form():
    result = grim("5.19", 28, items=10**9)
    assert result.grim == "consistent" and not result.informative
    assert result.sums == (145_320_000_000 - 140_000_000, 145_320_000_000 + 140_000_000)


def test_consistent_n2_in_blocks_equals_one_pass():
    """n2 up to 10^5 runs in blocks of 2*10^4: the runs equal one vectorised pass."""
    import numpy as np

    from ivigmeta.printed import PrintedNumber as P
    from ivigmeta.printed import ReportedP
    from ivigmeta.stats.checks.rounding import overlaps, reported_p_interval
    from ivigmeta.stats.checks.solve import MAX_N2
    from ivigmeta.stats.checks.t_tests import two_sample_p_bounds

    args = (P("5.1"), P("2.0"), 30, P("4.0"), P("2.1"))
    whole = consistent_n2(*args, "0.2", False, MAX_N2)
    sizes = np.arange(2, MAX_N2 + 1)
    p_min, p_max = two_sample_p_bounds(*args[:4], args[4], sizes, False)
    low, high = reported_p_interval(ReportedP.parse("0.2"))
    fits = [
        int(n) for n, a, b in zip(sizes, p_min, p_max, strict=True) if overlaps(a, b, low, high)
    ]
    assert fits and whole.ranges[0][0] == fits[0] and whole.ranges[-1][-1] == fits[-1]
    assert sum(b - a + 1 for a, b in whole.ranges) == len(fits)
    assert whole.p_min == float(p_min.min()) and whole.p_max == float(p_max.max())
    with pytest.raises(InputError, match="n2_max"):
        consistent_n2(*args, "0.03", False, MAX_N2 + 1)


def test_reproduce_with_a_huge_enrolment_is_bounded(tmp_path):
    text = RECORD.read_text(encoding="utf-8")
    text = re.sub(r"population: \{n: 46,", "population: {n: 1000000000,", text, count=1)
    (tmp_path / "sanges2017.yaml").write_text(text, encoding="utf-8")
    from ivigmeta.analyses.reproduce.paired import (
        DENOMINATOR_LIMIT,
        _paired_from_arms,
        _search_bound,
    )
    from ivigmeta.records.loader import load_studies

    (study,) = load_studies(tmp_path)
    crp = next(o for o in study.outcomes if o.outcome == "crp")
    start = time.perf_counter()
    row = _paired_from_arms(study, crp.baseline, crp.followup, None, crp.reported.p)
    assert time.perf_counter() - start < 10  # was: a list of 10^9 sizes
    assert "n ≤ 1000000000 (enrolled)" in row[4]

    assert _search_bound(10**9) == (
        DENOMINATOR_LIMIT,
        f"; searched only up to n = {DENOMINATOR_LIMIT:,} (of 1,000,000,000)",
    )
    assert _search_bound(46) == (46, "")


def test_grid_of_both_sizes_is_capped():
    from ivigmeta.stats.checks.solve import consistent_sizes

    with pytest.raises(AnalysisError, match="at most 10,000,000 are searched"):
        consistent_sizes(
            *(PrintedNumber(x) for x in ("5.1", "2.0", "4.0", "2.1")), "0.03", False, 10**5, 10**5
        )


extreme_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([1e15, -1e15, 1e-15, 1e16, 1e308, -1e308, 5e-324, 0.0, 1.0]),
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(extreme_floats, extreme_floats), min_size=1, max_size=5),
    method=st.sampled_from(["REML", "DL", "PM", "EE"]),
)
def test_any_csv_number_pools_or_gives_our_error(rows, method):
    """CSV numbers reaching escalc and rma: a result with finite estimate, or IvigmetaError."""
    import tempfile

    from ivigmeta.analyses.pool import pool

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        lines = ["study,yi,vi", *(f"s{i},{y!r},{v!r}" for i, (y, v) in enumerate(rows))]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            result = pool(csv=str(path), measure="GEN", method=method)
        except IvigmetaError:
            return
    assert math.isfinite(result.estimate) and math.isfinite(result.se)
    if result.k == 1:  # nothing is pooled: no heterogeneity (issue 15)
        assert result.tau2 is None
        return
    assert math.isfinite(result.tau2) and result.tau2 >= 0
