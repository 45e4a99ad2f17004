"""Open records: a user's own folder (tests/fixtures/user_records: rituximab and tocilizumab,
outcomes declared in its outcomes.yaml) pools, reports and batches without touching the bundled
vocabulary; binary outcomes pool by MH/Peto/GLMM and hazard ratios from their CIs.

Expected numbers: metafor 5.0-1 (tests/oracle/open_records.R -> golden/open_records.json), the
same data through ``pool --csv`` (itself metafor-checked) and hand derivations written here.
Tolerance 1e-9 relative against the golden values, 1e-6 for the GLMM (its optimiser, as in
tests/test_glmm_oracle.py); largest deviations measured: 3.5e-15 (MH, Peto, REML, HR), GLMM
5.5e-9 on its estimate and SE."""

import json
import math
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivigmeta
from ivigmeta.analyses.comparison_rows import count_from_percent
from ivigmeta.cli import cli
from ivigmeta.printed import PrintedNumber
from ivigmeta.records.vocabulary import OUTCOMES

ROOT = Path(__file__).resolve().parents[1]
USER = ROOT / "tests" / "fixtures" / "user_records"
GOLDEN = json.loads((ROOT / "tests" / "oracle" / "golden" / "open_records.json").read_text())
# serious_infection of the three rituximab records: (a, n1, c, n2)
TABLES = [(3, 30, 1, 29), (4, 32, 2, 30), (5, 40, 0, 38)]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def pooled(outcome, **options):
    return ivigmeta.pool(outcome, studies_path=USER, **options)


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def write_tables_csv(tmp_path):
    lines = ["study,ai,n1i,ci,n2i"]
    lines += [f"s{i},{a},{n1},{c},{n2}" for i, (a, n1, c, n2) in enumerate(TABLES)]
    path = tmp_path / "tables.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------ the folder and its vocabulary


def test_the_bundled_vocabulary_is_untouched_by_the_folder():
    ivigmeta.pool("fvc_percent", studies_path=USER)
    assert "fvc_percent" not in OUTCOMES and "serious_infection" not in OUTCOMES
    with pytest.raises(ivigmeta.errors.InputError, match="unknown outcome 'fvc_percent'"):
        ivigmeta.pool("fvc_percent")  # the bundled records do not know it


def test_outcomes_and_studies_list_show_what_the_folder_holds():
    usage = {u["name"]: u for u in json.loads(run("outcomes", "--studies", USER, "--format",
                                                  "json").output)}  # fmt: skip
    fvc = usage["fvc_percent"]
    assert (fvc["kind"], fvc["unit"], fvc["better"], fvc["minimum"], fvc["maximum"]) == (
        "continuous", "% predicted", "higher", 0, 200)  # fmt: skip
    assert fvc["studies"] == 4 and fvc["agents"] == ["rituximab", "tocilizumab"]
    assert fvc["declared"].endswith("user_records/outcomes.yaml:3")
    assert usage["disease_progression"]["kind"] == "time-to-event"
    assert usage["mrss"]["declared"] is None and usage["mrss"]["studies"] == 0
    rows = json.loads(run("studies", "list", "--studies", USER, "--format", "json").output)[
        "studies"
    ]
    assert {r["id"]: r["agent"] for r in rows}["fixtured2023"] == "tocilizumab"
    assert rows[0]["outcomes"] == ["fvc_percent", "serious_infection", "disease_progression"]
    assert run("studies", "validate", USER).output == "4 records OK\n"


# ------------------------------------------------------------------ --agent


def test_a_folder_without_ivig_pools_every_agent_and_agent_selects_one():
    every = pooled("fvc_percent")
    assert every.k == 4
    assert every.notes[0] == (
        "studies: 4 of 4 records (every intervention agent, as none is IVIG: rituximab, "
        "tocilizumab; systematic reviews left out)"
    )
    one = pooled("fvc_percent", agent="RITUXIMAB")  # any case; fixtureb2021 writes Rituximab
    assert one.k == 3 and [s.id for s in one.studies] == [
        "fixturea2019", "fixtureb2021", "fixturec2022"]  # fmt: skip
    assert one.notes[0] == (
        "studies: 3 of 4 records (intervention agent rituximab, systematic reviews left out)"
    )
    assert "default for outcomes measured before and after rituximab" in one.notes[1]
    golden = GOLDEN["reml_fvc_rituximab"]
    assert close(one.estimate, golden["estimate"]) and close(one.se, golden["se"])
    assert close(one.tau2, golden["tau2"]) and close(one.q, golden["q"])


def test_the_bundled_records_default_to_ivig():
    assert ivigmeta.pool("mrss").notes[0] == (
        "studies: 6 of 13 records (intervention agent IVIG, systematic reviews left out)"
    )
    result = run("pool", "--outcome", "mrss", "--agent", "ivig", "--format", "json")
    assert json.loads(result.output)["k"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--studies", USER, "--outcome", "fvc_percent", "--agent", "ritux"),
            "ivigmeta: error: agent: no record has the intervention agent 'ritux' (did you mean "
            "'rituximab'? agents: rituximab, tocilizumab)\n",
        ),
        (
            ("--csv", ROOT / "examples" / "bcg.csv", "--measure", "RR", "--agent", "IVIG"),
            "ivigmeta: error: agent: --agent selects study records, not CSV rows\n",
        ),
        (
            ("--studies", USER, "--outcome", "fvc_pecent"),
            "ivigmeta: error: outcome: unknown outcome 'fvc_pecent' (did you mean "
            "'fvc_percent'?)\n",
        ),
        (
            ("--studies", USER, "--outcome", "serious_infection", "--measure", "MD"),
            "ivigmeta: error: measure: from study records, expected one of RR, OR, RD, PETO for "
            "the binary outcome 'serious_infection', got 'MD' (other measures: use --csv)\n",
        ),
        (
            ("--studies", USER, "--outcome", "fvc_percent", "--add", "0.5"),
            "ivigmeta: error: add: --add/--to/--drop00 correct the counts of 2x2 tables or "
            "proportions (a CSV table, or a binary outcome of the records)\n",
        ),
        (
            ("--studies", USER, "--outcome", "fvc_percent", "--method", "MH"),
            "ivigmeta: error: method: Mantel-Haenszel pools 2x2 tables (a CSV table with ai bi ci "
            "di or ai n1i ci n2i, or a binary outcome of the records) with --measure OR or RR or "
            "RD; got MC\n",
        ),
        (
            ("--studies", USER, "--outcome", "fvc_percent", "--method", "GLMM"),
            "ivigmeta: error: method: --method GLMM needs --csv (a table of counts) or a binary "
            "outcome of the records (counts per arm); 'fvc_percent' is continuous\n",
        ),
    ],
)
def test_selection_errors_are_one_line(args, message):
    result = run("pool", *args)
    assert (result.exit_code, result.output) == (2, message)


def test_one_record_file_reads_the_outcomes_yaml_beside_it():
    result = ivigmeta.pool("serious_infection", studies_path=USER / "fixturea2019.yaml")
    assert result.k == 1 and [s.id for s in result.studies] == ["fixturea2019"]


def test_an_outcome_name_in_any_case_is_the_declared_one():
    assert run("pool", "--studies", USER, "--outcome", "FVC_Percent").exit_code == 0


# ------------------------------------------------------------------ binary outcomes


def hand_mh_rr(tables):
    """Mantel-Haenszel RR = sum(a n2 / N) / sum(c n1 / N) (Greenland & Robins 1985)."""
    top = sum(Fraction(a * n2, n1 + n2) for a, n1, c, n2 in tables)
    bottom = sum(Fraction(c * n1, n1 + n2) for a, n1, c, n2 in tables)
    return math.log(top / bottom)


def hand_mh_or(tables):
    """Mantel-Haenszel OR = sum(a d / N) / sum(b c / N)."""
    top = sum(Fraction(a * (n2 - c), n1 + n2) for a, n1, c, n2 in tables)
    bottom = sum(Fraction((n1 - a) * c, n1 + n2) for a, n1, c, n2 in tables)
    return math.log(top / bottom)


def hand_peto(tables):
    """Peto: ln OR = sum(O - E) / sum(V), E = n1 (a + c)/N, V = n1 n2 m1 m0 / (N² (N - 1))."""
    o_e = v = Fraction(0)
    for a, n1, c, n2 in tables:
        n, m1 = n1 + n2, a + c
        o_e += a - Fraction(n1 * m1, n)
        v += Fraction(n1 * n2 * m1 * (n - m1), n * n * (n - 1))
    return float(o_e / v), 1 / math.sqrt(v)


@pytest.mark.parametrize("measure", ["RR", "OR", "RD"])
def test_mantel_haenszel_from_records_equals_the_csv_table_and_metafor(tmp_path, measure):
    records = pooled("serious_infection", measure=measure, method="MH", agent="rituximab")
    table = ivigmeta.pool(csv=write_tables_csv(tmp_path), measure=measure, method="MH")
    golden = GOLDEN[f"mh_{measure}"]
    for name in ("estimate", "se", "ci_low", "ci_high", "p", "q"):
        assert close(getattr(records, name), getattr(table, name)), name
        assert close(getattr(records, name), golden[name]), name
    assert all(close(s.weight, w) for s, w in zip(records.studies, golden["weights"], strict=True))
    hand = {"RR": hand_mh_rr, "OR": hand_mh_or}.get(measure)
    if hand:
        assert close(records.estimate, hand(TABLES), 1e-12)


def test_peto_from_records_equals_the_csv_table_metafor_and_the_hand_formula(tmp_path):
    records = pooled("serious_infection", measure="OR", method="PETO")
    default = pooled("serious_infection", method="PETO")  # Peto's method: an odds ratio
    assert default.measure == "OR" and default.estimate == records.estimate
    table = ivigmeta.pool(csv=write_tables_csv(tmp_path), measure="OR", method="PETO")
    estimate, se = hand_peto(TABLES)
    assert close(records.estimate, table.estimate) and close(records.se, table.se)
    assert close(records.estimate, GOLDEN["peto"]["estimate"])
    assert close(records.estimate, estimate, 1e-12) and close(records.se, se, 1e-12)


@pytest.mark.parametrize("measure", ["RR", "OR", "RD"])
def test_random_effects_on_the_tables_equal_metafor(measure):
    result = pooled("serious_infection", measure=measure)
    golden = GOLDEN[f"reml_{measure}"]
    for name in ("estimate", "se", "tau2", "q", "i2"):
        assert close(getattr(result, name), golden[name]), name
    if measure == "RR":
        default = pooled("serious_infection")
        assert default.measure == "RR" and close(default.estimate, result.estimate, 1e-15)
        assert "default for binary outcomes (as RevMan)" in default.notes[1]
    assert "continuity correction: 0.5 added to each cell of fixturec2022 (--add 0.5 --to only0)" \
        in result.notes  # fmt: skip


def test_glmm_from_records_equals_the_csv_table_and_metafor(tmp_path):
    records = pooled("serious_infection", method="GLMM")
    table = ivigmeta.pool(csv=write_tables_csv(tmp_path), measure="OR", method="GLMM")
    assert close(records.estimate, table.estimate) and close(records.se, table.se)
    assert close(records.estimate, GOLDEN["glmm_OR"]["estimate"], 1e-6)
    assert records.outcome == "serious_infection"
    assert not any("--add" in note for note in records.notes)  # the GLMM models the counts


def test_a_percentage_becomes_a_count_only_when_exactly_one_count_rounds_to_it():
    assert count_from_percent(PrintedNumber("12.5"), 32) == [4]
    assert count_from_percent(PrintedNumber("32.3"), 31) == [10]
    assert count_from_percent(PrintedNumber("12.5"), 31) == []  # 3/31 = 9.68%, 4/31 = 12.90%
    assert count_from_percent(PrintedNumber("33"), 300) == [98, 99, 100]  # 32.5% to 33.5%
    assert count_from_percent(PrintedNumber("0"), 10) == [0]
    assert count_from_percent(PrintedNumber("100"), 7) == [7]
    note = ("fixtureb2021 (12 months, rituximab vs placebo): arm 'rituximab' count 4 of 32 from "
            "the printed 12.5% (the only whole count whose percentage rounds to it)")  # fmt: skip
    assert note in pooled("serious_infection").notes


def _folder_with(tmp_path, arm):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "outcomes.yaml").write_text((USER / "outcomes.yaml").read_text())
    for name in ("fixturea2019.yaml", "fixturec2022.yaml"):
        (folder / name).write_text((USER / name).read_text())
    text = (USER / "fixtureb2021.yaml").read_text()
    (folder / "fixtureb2021.yaml").write_text(
        text.replace("arm: {label: rituximab, percent: 12.5, n: 32}", arm)
    )
    return folder


@pytest.mark.parametrize(
    ("arm", "reason"),
    [
        (
            "arm: {label: rituximab, percent: 12.5, n: 31}",
            "arm 'rituximab' 12.5% of n = 31 is no whole count (3/31 = 9.677%, 4/31 = 12.9%, "
            "5/31 = 16.13%); the count is not imputed",
        ),
        (
            "arm: {label: rituximab, percent: 12, n: 320}",
            "arm 'rituximab' 12% of n = 320 fits the counts 37 to 40; the count is not imputed",
        ),
        ("arm: {label: rituximab, percent: 12.5, n: null}", "arm 'rituximab' n not reported"),
    ],
)
def test_a_percentage_no_count_fits_leaves_the_study_out_and_says_why(tmp_path, arm, reason):
    result = ivigmeta.pool("serious_infection", studies_path=_folder_with(tmp_path, arm))
    assert result.k == 2
    assert f"excluded: fixtureb2021 (12 months, rituximab vs placebo): {reason}" in result.notes


def test_a_count_that_disagrees_with_its_printed_percentage_is_used_and_noted(tmp_path):
    folder = _folder_with(tmp_path, "arm: {label: rituximab, count: 5, percent: 12.5, n: 32}")
    result = ivigmeta.pool("serious_infection", studies_path=folder)
    assert result.k == 3
    assert ("fixtureb2021 (12 months, rituximab vs placebo): arm 'rituximab' count 5/32 used; "
            "the printed 12.5% does not round from it (15.62%)") in result.notes  # fmt: skip


# ------------------------------------------------------------------ hazard ratios


def test_hazard_ratios_become_log_hr_and_se_from_the_ci():
    """Cochrane Handbook 6.3.2: SE = (ln upper - ln lower) / (2 z), z = 1.96 for 95% CIs
    (z = 1.645 for the 90% CI of fixturec2022)."""
    result = pooled("disease_progression")
    cases = [(0.62, 0.41, 0.94, 0.95), (0.80, 0.52, 1.23, 0.95), (0.71, 0.45, 1.12, 0.90)]
    for study, (hr, low, high, level) in zip(result.studies, cases, strict=True):
        z = NormalDist().inv_cdf(0.5 + level / 2)
        se = (math.log(high) - math.log(low)) / (2 * z)
        assert close(study.yi, math.log(hr), 1e-15) and close(study.vi, se * se, 1e-12)
        assert close(study.effect, hr, 1e-12)
    assert [round(s.yi, 12) for s in result.studies] == [round(v, 12) for v in GOLDEN["hr_yi"]]
    assert all(close(s.vi, v) for s, v in zip(result.studies, GOLDEN["hr_vi"], strict=True))
    golden = GOLDEN["reml_HR"]
    assert close(result.estimate, golden["estimate"]) and close(result.se, golden["se"])
    assert result.few_studies.bayes is not None  # HR is unit-free: half-normal(0.5) on tau
    assert result.measure == "HR" and close(result.transformed["estimate"],
                                             math.exp(result.estimate))  # fmt: skip
    assert ("fixturec2022 (24 months, rituximab vs standard care): log HR -0.3425 = ln(0.71), SE "
            "0.2772 = (ln 1.12 - ln 0.45) / (2 x 1.6449) from the 90% CI (Cochrane Handbook "
            "6.3.2)") in result.notes  # fmt: skip


def test_an_asymmetric_hazard_ratio_ci_is_noted(tmp_path):
    folder = _folder_with(tmp_path, "arm: {label: rituximab, percent: 12.5, n: 32}")
    path = folder / "fixturea2019.yaml"
    path.write_text(path.read_text().replace("estimate: 0.62, ci_low: 0.41", "estimate: 0.45, "
                                             "ci_low: 0.41"))  # fmt: skip
    notes = ivigmeta.pool("disease_progression", studies_path=folder).notes
    assert any("ln(HR) is 39% of the CI width from the middle of the log CI" in n for n in notes)


# ------------------------------------------------------------------ report and batch


def test_report_of_the_folder(tmp_path):
    out = tmp_path / "report.md"
    result = run("report", "--studies", USER, "--all", "--agent", "rituximab", "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# rituximab: meta-analysis report")
    for title in ("## FVC, % predicted", "## Patients with a serious infection",
                  "## Time to disease progression"):  # fmt: skip
        assert title in text
    assert "| Measure | HR — hazard ratio (pooled on the log scale) |" in text
    assert "within rituximab-treated patients" in text and "IVIG" not in text.replace(
        "none is IVIG", "")  # fmt: skip


def test_batch_of_the_folder_equals_pool(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"studies: {USER}\n"
        "analyses:\n"
        "  - outcome: [fvc_percent, disease_progression]\n"
        "    agent: rituximab\n"
        "    method: [DL, REML]\n"
        "  - outcome: serious_infection\n"
        "    measure: [RR, OR]\n"
    )
    out = tmp_path / "rows.jsonl"
    result = run("batch", plan, "--out", out)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 6 and all(not row["error"] for row in rows)
    for row in rows:
        plan_options = {k: v for k, v in row["plan"].items() if k != "studies"}
        expected = pooled(plan_options.pop("outcome"), **plan_options)
        assert close(row["estimate"], expected.estimate, 1e-9)
        assert close(row["tau2"], expected.tau2, 1e-6)


def test_a_plan_outcome_is_checked_against_the_folder_vocabulary(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"studies: {USER}\nanalyses:\n  - outcome: fvc_pct\n")
    result = run("batch", plan, "--out", tmp_path / "rows.jsonl")
    assert result.exit_code == 2
    assert result.output.startswith(f"ivigmeta: error: {plan}:3: analyses[0].outcome: expected "
                                    "one of ")  # fmt: skip
    assert "fvc_percent" in result.output and not (tmp_path / "rows.jsonl").exists()


# ------------------------------------------------------------------ figures


def test_forest_favours_follow_the_declared_direction_and_agent(tmp_path):
    from ivigmeta.render.figures.forest_from_pool import favours_labels

    higher = OUTCOMES["mrc_sum_score"]  # better: higher
    assert favours_labels("x", "MD", higher, "rituximab") == ("favours control",
                                                                "favours rituximab")  # fmt: skip
    assert favours_labels("mrss", "MD") == ("favours IVIG", "favours control")
    path = tmp_path / "forest.svg"
    result = run("pool", "--studies", USER, "--outcome", "serious_infection", "--agent",
                 "rituximab", "--method", "MH", "--forest", path)  # fmt: skip
    assert result.exit_code == 0, result.output
    svg = path.read_text()
    assert "Favours rituximab" in svg and "Hazard" not in svg


def test_studies_show_prints_binary_arms_and_hazard_ratios():
    result = CliRunner().invoke(
        cli, ["studies", "show", "fixturec2022", "--studies", str(USER)], env={"COLUMNS": "200"}
    )
    assert "rituximab: 5 of 40" in result.output and "standard care: 0 of 38" in result.output
    assert "HR 0.71 (90% CI 0.45 to 1.12)" in result.output
    data = json.loads(run("studies", "show", "fixtureb2021", "--studies", USER, "--format",
                          "json").output)  # fmt: skip
    arm = data["comparisons"][0]["arm"]
    assert (arm["count"], arm["percent"], arm["n"]) == (None, 12.5, 32)
    assert data["comparisons"][1]["hazard_ratio"] == {
        "estimate": 0.8, "ci_low": 0.52, "ci_high": 1.23, "level": None}  # fmt: skip


# ------------------------------------------------------------------ properties


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 2000), st.data(), st.integers(0, 2))
def test_a_printed_percentage_is_matched_by_its_own_count(n, data, decimals):
    """Printing count/n as a percentage to ``decimals`` places (half up) and reading it back
    keeps the count among the candidates, and every candidate lies within the rounding
    interval of the printed text."""
    from decimal import ROUND_HALF_UP, Decimal

    count = data.draw(st.integers(0, n))
    exact = Decimal(100 * count) / Decimal(n)
    text = str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    fits = count_from_percent(PrintedNumber(text), n)
    assert count in fits
    half = Fraction(1, 2 * 10**decimals)
    assert all(abs(Fraction(100 * x, n) - Fraction(text)) <= half for x in fits)


TABLE = st.tuples(st.integers(1, 60), st.integers(1, 60)).flatmap(
    lambda ns: st.tuples(st.integers(0, ns[0]), st.just(ns[0]), st.integers(0, ns[1]),
                         st.just(ns[1])))  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TABLE, min_size=2, max_size=5), st.sampled_from(["RR", "OR", "RD"]))
def test_mh_from_records_equals_mh_from_the_same_csv_table(tables, measure):
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "outcomes.yaml").write_text("outcomes:\n  - {name: event, type: binary}\n")
        lines = ["study,ai,n1i,ci,n2i"]
        for i, (a, n1, c, n2) in enumerate(tables):
            (folder / f"s{i}.yaml").write_text(
                f"id: s{i}\ncitation: x\nyear: 2020\nsource: x\ndesign: rct\ncomparisons:\n"
                f"  - outcome: event\n    timepoint_months: 1\n"
                f"    arm: {{label: a, count: {a}, n: {n1}}}\n"
                f"    control: {{label: b, count: {c}, n: {n2}}}\n"
            )
            lines.append(f"s{i},{a},{n1},{c},{n2}")
        (folder / "t.csv").write_text("\n".join(lines) + "\n")
        records = {"outcome": "event", "studies_path": folder}
        outcomes = []
        for source in (records, {"csv": folder / "t.csv"}):
            try:
                outcomes.append(ivigmeta.pool(measure=measure, method="MH", **source))
            except ivigmeta.errors.AnalysisError as error:
                outcomes.append(str(error))
    records, table = outcomes
    if isinstance(records, str) or isinstance(table, str):
        assert records == table  # the same "not estimable" message
        return
    for name in ("estimate", "se", "q"):
        a, b = getattr(records, name), getattr(table, name)
        assert (math.isnan(a) and math.isnan(b)) or close(a, b, 1e-12), name
