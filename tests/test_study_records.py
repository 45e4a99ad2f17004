"""The bundled study records: they validate, and their numbers are the printed ones.

Expected values are read off the extraction notes (tests/fixtures/reference/, a copy of
/work/shared/reference/ivig-ssc-published-numbers.md, and abstract-notes.md) and the seeds
(tests/fixtures/seeds/), not from the YAML files. That every number of a record is printed in
its own study's sources is tested in test_provenance.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ivigmeta import load_studies
from ivigmeta.printed import PrintedNumber
from ivigmeta.records.loader import default_studies_path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "studies"
REFERENCE = Path(__file__).parent / "fixtures" / "reference" / "ivig-ssc-published-numbers.md"


@pytest.fixture(scope="module")
def studies():
    return {s.id: s for s in load_studies(DATA)}


def test_the_expected_studies_are_there(studies):
    assert sorted(studies) == [
        "agostini2021",
        "chaigne2020",
        "clements1999",
        "garrotecorral2024",
        "khanna2009",
        "koczanowski2024",
        "le2011",
        "nacci2007",
        "poelman2015",
        "postlethwaite2008",
        "raja2016",
        "sanges2017",
        "takehara2013",
    ]
    assert all(s.citation and s.source for s in studies.values())


def test_poelman_mrss_keeps_printed_text(studies):
    poelman = studies["poelman2015"]
    by_month = {o.timepoint_months: o for o in poelman.outcomes}
    assert sorted(by_month) == [6, 12, 18, 24]
    assert by_month[6].baseline.sd.text == "7.2"
    assert (by_month[6].baseline.mean.text, by_month[6].baseline.n) == ("29.6", 30)
    assert (by_month[6].followup.mean.text, by_month[6].followup.sd.text) == ("24.1", "9.6")
    assert by_month[12].followup.sd.text == "10.0"  # not "10": one decimal printed
    assert by_month[12].change.mean.text == "-8"
    assert by_month[12].change.mean.decimals == 0
    assert (by_month[12].change.sd.text, by_month[12].change.n) == ("8.3", 25)
    assert [by_month[m].followup.n for m in (6, 12, 18, 24)] == [29, 25, 23, 15]
    assert [str(by_month[m].reported.p) for m in (6, 12, 18, 24)] == [
        "0.0011",
        "0.0001",
        "0.0001",
        "<0.0001",
    ]
    assert by_month[24].reported.p.relation == "<"
    assert all(by_month[m].reported.test == "paired-t" for m in by_month)
    assert any("follow-up n" in flag for flag in by_month[6].flags)


def test_poelman_control_comparisons(studies):
    rows = [
        (
            c.timepoint_months,
            c.arm.mean.text,
            c.control.mean.text,
            c.control.sd.text,
            c.control.n,
            c.control.study,
            str(c.reported.p),
        )
        for c in studies["poelman2015"].comparisons
    ]
    assert rows == [
        (6, "-5.3", "-4.8", "6.99", None, "khanna2009", "0.74"),
        (6, "-5.3", "-3.4", "7.4", None, None, "0.26"),
        (12, "-8", "-2.47", "8.6", None, "clements1999", "0.005"),
        (12, "-8", "-3.4", "7.12", None, "postlethwaite2008", "0.005"),
        (12, "-8", "-7.1", "9", None, None, "0.67"),
    ]
    for comparison in studies["poelman2015"].comparisons:
        assert any(flag.startswith("⚠ n behind the control") for flag in comparison.flags)


def test_control_trials_carry_poelman_table_1(studies):
    def baseline(study_id):
        (row,) = [
            c
            for c in studies[study_id].characteristics
            if c.name == "mrss_baseline" and c.arm is None
        ]
        return row.mean.text, row.sd.text, row.n, "Poelman 2015 Table 1" in row.notes

    assert baseline("khanna2009") == ("27.3", "6.9", 231, True)
    assert baseline("clements1999") == ("21.0", "8.0", 134, True)
    assert baseline("postlethwaite2008") == ("26.1", "7.8", 168, True)


def test_takehara_week_12_and_week_60_standard_errors(studies):
    week12, dermal, week60 = studies["takehara2013"].comparisons
    assert (week12.timepoint_weeks, week12.timepoint_months) == (12, None)
    assert (week12.arm.mean.text, week12.arm.sd.text, week12.arm.n) == ("-3.3", "4.2", 31)
    assert (week12.control.mean.text, week12.control.sd.text) == ("-4.2", "4.6")
    assert str(week12.reported.p) == "0.3257" and week12.reported.test is None
    assert (dermal.arm.n, dermal.control.n, dermal.arm.sd.text) == (21, 22, "34.48")
    assert week60.timepoint_weeks == 60
    assert (week60.arm.se.text, week60.arm.sd, week60.control.se.text) == ("1.0", None, "1.1")
    assert str(week60.reported.p) == "0.0040"


def test_raja_latest_assessment_and_eular_flag(studies):
    mrss = studies["raja2016"].outcomes[0]
    assert mrss.timepoint_months is None
    assert mrss.timepoint == "latest assessment, mean 2.3 years"
    assert (mrss.baseline.mean.text, mrss.baseline.sd.text) == ("21.5", "13.8")
    assert (mrss.followup.mean.text, mrss.followup.sd.text) == ("10", "10.6")
    assert any("EULAR" in flag and flag.startswith("⚠") for flag in mrss.flags)
    # the source prints "15 patients", not an n per measurement: no imputed n = 15
    raja = studies["raja2016"]
    assert raja.population.n == 15
    parts = [p for o in raja.outcomes for p in (o.baseline, o.followup, o.change) if p]
    assert len(parts) == 4 and all(p.n is None for p in parts)
    assert any("'15 patients'" in flag for flag in raja.flags)


def test_sanges_proportions_have_unknown_denominators(studies):
    sanges = studies["sanges2017"]
    pain = sanges.outcomes[0]
    assert (pain.outcome, pain.before.percent.text, pain.after.percent.text) == (
        "muscle_pain",
        "74",
        "20",
    )
    assert all(o.before.n is None for o in sanges.outcomes if o.type == "paired-proportion")
    assert any("46 is assumed" in flag for flag in sanges.flags)
    ck = next(o for o in sanges.outcomes if o.outcome == "creatine_kinase")
    assert (ck.baseline.mean.text, ck.baseline.sd.text, ck.followup.mean.text) == (
        "1069",
        "1552",
        "288",
    )


def test_every_disagreement_of_the_notes_is_flagged(studies):
    def flagged(study_id, text):
        study = studies[study_id]
        flags = [*study.flags]
        for item in (*study.outcomes, *study.comparisons):
            flags.extend(item.flags)
        return any(f.startswith("⚠") and text in f for f in flags)

    assert flagged("poelman2015", "8.3 ± 4.6")  # ACR 2013 cycles
    assert flagged("poelman2015", "n behind the control change score")
    assert flagged("poelman2015", "Le 2011")  # MMF groups differ
    assert flagged("le2011", "not the same as Poelman")
    assert flagged("raja2016", "20 -> 9.14")
    assert flagged("agostini2021", "183")
    assert flagged("koczanowski2024", "354")


def test_default_path_outside_the_repo_falls_back_to_the_repository_copy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./data/studies here; editable install has no _data
    path = default_studies_path()
    assert path.resolve() == DATA.resolve()
    assert len(load_studies()) == len(list(DATA.glob("*.yaml")))


def test_default_path_prefers_local_data_studies(tmp_path, monkeypatch):
    local = tmp_path / "data" / "studies"
    local.mkdir(parents=True)
    (local / "only2020.yaml").write_text(
        "id: only2020\ncitation: c\nyear: 2020\nsource: s\ndesign: rct\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert [s.id for s in load_studies()] == ["only2020"]


def test_printed_number_type_survives(studies):
    sd = studies["poelman2015"].outcomes[0].baseline.sd
    assert isinstance(sd, PrintedNumber) and sd == 7.2


def test_default_path_uses_the_bundled_copy_when_installed(tmp_path, monkeypatch):
    """In an installed wheel the records sit in ivigmeta/_data/studies (pyproject force-include)."""
    import importlib.resources

    package = tmp_path / "site" / "ivigmeta"
    bundled = package / "_data" / "studies"
    bundled.mkdir(parents=True)
    (bundled / "bundled2020.yaml").write_text(
        "id: bundled2020\ncitation: c\nyear: 2020\nsource: s\ndesign: rct\n", encoding="utf-8"
    )
    monkeypatch.setattr(importlib.resources, "files", lambda name: package)
    monkeypatch.chdir(tmp_path)
    assert default_studies_path() == bundled
    assert [s.id for s in load_studies()] == ["bundled2020"]


def test_chaigne_is_the_retrospective_comparison_it_is(studies):
    chaigne = studies["chaigne2020"]
    assert chaigne.design == "retrospective" and chaigne.review is None
    assert chaigne.population.n == 52
    given = next(c for c in chaigne.characteristics if c.name == "given_ivig")
    assert (given.count, given.percent.text, given.n) == (18, "34.6", 52)
    arms = {(c.arm.label, c.arm.n, c.control.label, c.control.n) for c in chaigne.comparisons}
    assert arms == {("IVIG", 18, "no IVIG", None)}  # 34 = 52 - 18 is not printed
    assert all(c.arm.mean is None and c.reported is None for c in chaigne.comparisons)
    (event,) = chaigne.adverse_events
    assert (event.count, event.percent.text, event.n, event.arm) == (3, "16.7", 18, "IVIG")
    assert (event.severe, event.serious) == (True, None)


def test_severe_is_not_serious(studies):
    """No source calls an adverse event "serious": the flag stays unset everywhere."""
    events = [e for s in studies.values() for e in s.adverse_events]
    assert all(e.serious is None for e in events)
    severe = {(s.id, e.count, e.events) for s in studies.values() for e in s.adverse_events
              if e.severe}  # fmt: skip
    assert severe == {("chaigne2020", 3, None), ("sanges2017", None, 2)}


def test_sanges_counts_events_not_patients(studies):
    (event,) = studies["sanges2017"].adverse_events
    assert (event.count, event.events, event.percent) == (None, 2, None)
    assert any("events, not patients" in flag for flag in studies["sanges2017"].flags)


def test_derived_values_are_flagged_or_null(studies):
    death = next(e for e in studies["poelman2015"].adverse_events if e.event == "death")
    assert (death.count, death.n) == (1, None)  # "1 death", no denominator printed
    clements = studies["clements1999"]
    completers = [c for c in clements.characteristics if c.name == "mrss_baseline" and c.arm]
    assert [(c.arm, c.n) for c in completers] == [("high-dose", 32), ("low-dose", 36)]
    assert any("completer counts" in flag for flag in clements.flags)


def test_citations_hold_nothing_from_memory(studies):
    assert "dcSSc" not in studies["khanna2009"].citation
    assert studies["le2011"].population.subtype is None
    poelman = studies["poelman2015"]
    assert "2015;42(2):236-42" in poelman.citation and "PMID 25433527" in poelman.source
    assert "primary endpoint" in studies["takehara2013"].risk_of_bias
    assert "PMID 23910617" in studies["takehara2013"].source


def test_dermal_thickness_is_histological():
    from ivigmeta.records.vocabulary import OUTCOMES

    description = OUTCOMES["dermal_thickness_change"].description
    assert "histological" in description and "ultrasound" not in description


def test_koczanowski_review_counts_and_journal_flag(studies):
    review = studies["koczanowski2024"].review
    assert {k: review[k] for k in review if k.startswith(("studies_", "pro_", "outcome"))} == {
        "studies_with_concomitant_immunosuppressants": 6,
        "studies_reporting_side_effects": 7,
        "studies_with_corticosteroid_reduction": 3,
        "pro_studies": 5,
        "pro_studies_with_improvement": 2,
        "outcomes": 18,
        "outcome_categories": 5,
    }
    flags = studies["koczanowski2024"].flags
    assert any(f.startswith("⚠ journal") and "Rheumatology" in f for f in flags)


def test_agostini_designs_and_search_years(studies):
    agostini = studies["agostini2021"]
    assert agostini.review["designs"] == {"rct": 1}
    assert (agostini.review["search_start"], agostini.review["search_end"]) == ("2000", "2020")
    assert any(f.startswith("⚠ search years") and "1990" in f for f in agostini.flags)


def test_printed_percents_agree_with_count_and_n(studies):
    """Where count, percent and n are all recorded, count/n rounds to the printed percent."""
    checked = 0
    for study in studies.values():
        rows = [*study.characteristics, *study.adverse_events]
        rows += [p for o in study.outcomes for p in (o.before, o.after) if p]
        for row in rows:
            if row.count is None or row.percent is None or row.n is None:
                continue
            half = 0.5 * 10**-row.percent.decimals
            assert math.isclose(100 * row.count / row.n, float(row.percent), abs_tol=half), (
                study.id,
                row,
            )
            checked += 1
    assert checked == 11  # chaigne2020: 10 characteristics and its adverse event
