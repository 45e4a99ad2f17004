"""Provenance: every number in every study record is printed in that study's own sources.

A record's sources are (1) its sections of the extraction notes
(`tests/fixtures/reference/ivig-ssc-published-numbers.md`, a copy of
`../shared/reference/`), listed per study in ``SECTIONS``; (2) its section of
`tests/fixtures/reference/abstract-notes.md` (what the cited publication's own abstract prints);
(3) the seed files its ``source`` field cites (``seeds/004`` -> `tests/fixtures/seeds/004_*.txt`,
copies of `../shared/seeds/`). A number of another study is not enough: 83 printed for
Koczanowski 2024 does not vouch for an 83 in any other record.

Numbers are compared as printed text without the sign (``-8`` matches ``-8 ± 8.3`` but not
``8.5``; ``10.0`` does not match ``10``), token by token; number words of the sources (``six
studies``, ``Thirty patients``) count as their digits. Checked: every numeric YAML value and
every number inside a text value (citation, notes, flags, labels, descriptions), except the
``id`` (the file name), the ``source`` field (locators such as ``seeds/004``, ``PMC4314512``),
``study:`` references and record ids or seed names inside texts (``khanna2009``, ``seeds/001``).

Exceptions are listed one by one with the reason. ``CROSS_REFERENCES`` are numbers quoted from
another study's section (e.g. a flag citing Le 2011's print of Poelman's control change); the
test still checks that they are printed there. ``UNPRINTED`` are numbers in no source at all.
An exception that is no longer needed fails the test, so the lists stay exact.

A count with its n (``count: 21, n: 30``) must also be printed together, as ``21/30`` or as
``21 (70%)`` with the recorded percent; ``SEPARATE_PAIRS`` lists the entries whose source prints
them apart. The matching is by printed number, not by meaning: a value replaced by another
number printed in the same form for the same study (12/30 for headache put on MMF) passes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "studies"
FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "reference" / "ivig-ssc-published-numbers.md"
ABSTRACTS = FIXTURES / "reference" / "abstract-notes.md"
SEEDS = FIXTURES / "seeds"

#: The sections of the reference notes that belong to each study.
SECTIONS: dict[str, tuple[str, ...]] = {
    "agostini2021": ("Agostini 2021",),
    "chaigne2020": ("Chaigne 2020",),
    # the control trials' Table 1 values (n enrolled, baseline mRSS, disease duration) and
    # their pooled change scores are printed in Poelman 2015, which used them as controls
    "clements1999": ("Clements 1999", "Poelman 2015"),
    "garrotecorral2024": ("Garrote-Corral 2024",),
    "khanna2009": ("Poelman 2015",),  # no section of its own: known only from Poelman 2015
    "koczanowski2024": ("Koczanowski 2024",),
    "le2011": ("Le 2011",),
    "nacci2007": ("Nacci 2007",),
    "poelman2015": ("Poelman 2015",),
    "postlethwaite2008": ("Postlethwaite 2008", "Poelman 2015"),
    "raja2016": ("Raja 2016",),
    "sanges2017": ("Sanges 2017",),
    "takehara2013": ("Takehara 2013",),
}

#: (study, number as printed) -> (the other study's section that prints it, why it is quoted).
CROSS_REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("poelman2015", "4.83"): ("Le 2011", "flag: Le 2011 prints the relaxin control as -4.83"),
    ("poelman2015", "3.05"): ("Le 2011", "flag: Le 2011's own MMF cohort at 6 months"),
    ("poelman2015", "7.59"): ("Le 2011", "flag: Le 2011's own MMF cohort at 12 months"),
    ("poelman2015", "10.1"): ("Le 2011", "flag: Le 2011's own MMF cohort at 12 months"),
    ("le2011", "4.8"): ("Poelman 2015", "flag: Poelman 2015 prints the relaxin control as -4.8"),
    ("le2011", "0.74"): ("Poelman 2015", "flag: Poelman 2015's p for IVIG vs relaxin"),
    ("khanna2009", "4.83"): ("Le 2011", "notes: Le 2011 prints its 6-month change as -4.83"),
    ("poelman2015", "2011"): ("Le 2011", "flags name the study 'Le 2011'"),
    ("le2011", "2015"): ("Poelman 2015", "flags and notes name the study 'Poelman 2015'"),
    ("khanna2009", "2011"): ("Le 2011", "notes name the study 'Le 2011'"),
}

#: (study, number as printed) -> why it is printed in none of the study's sources.
UNPRINTED: dict[tuple[str, str], str] = {}

#: A count with its n must be printed together (``21/30``, or ``34 (65.4%)`` with the recorded
#: percent), so that swapping two numbers of the same study fails. (study, field) -> why the
#: source prints the two apart.
SEPARATE_PAIRS: dict[tuple[str, str], str] = {
    (
        "clements1999",
        "characteristics[0]",
    ): "completers 32 and 36 printed apart from the arms' 66, 68",
    (
        "clements1999",
        "characteristics[1]",
    ): "completers 32 and 36 printed apart from the arms' 66, 68",
    (
        "postlethwaite2008",
        "characteristics[0]",
    ): "arm sizes 83 and 85 printed apart from 168 enrolled",
    (
        "postlethwaite2008",
        "characteristics[1]",
    ): "arm sizes 83 and 85 printed apart from 168 enrolled",
}

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: not numbers of a study: seed file names (seeds/004) and record ids (khanna2009) in texts
_LOCATOR = re.compile(r"seeds/\d{3}|\b[a-z]+\d{4}\b")
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = re.compile(
    rf"\b({'|'.join(_TENS)})(?:[- ]({'|'.join(_UNITS)}))?\b|\b({'|'.join(_UNITS)})\b",
    re.IGNORECASE,
)


def tokens(text: str) -> set[str]:
    """Numbers printed in a text, as printed (no sign), plus the digits of number words."""
    found = set(_NUMBER.findall(text))
    for tens, unit, alone in _WORD.findall(text):
        if alone:
            found.add(str(_UNITS[alone.lower()]))
        else:
            found.add(str(_TENS[tens.lower()] + (_UNITS[unit.lower()] if unit else 0)))
    return found


def reference_sections(text: str) -> dict[str, str]:
    """``## Title — ...`` sections; the bullets of the systematic-reviews section are split."""
    sections: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title = block.split("—")[0].strip()
        if title.startswith("Systematic reviews"):
            for bullet in re.split(r"^- ", block, flags=re.MULTILINE)[1:]:
                sections[bullet.split("—")[0].strip()] = bullet
        else:
            sections[title] = block
    return sections


def cited_seeds(source: str, seeds: Path) -> list[Path]:
    """The seed files a record's ``source`` field names (``seeds/004``)."""
    files = []
    for number in re.findall(r"seeds/(\d{3})", source):
        (path,) = seeds.glob(f"{number}_*.txt")
        files.append(path)
    return files


def record_numbers(path: Path):
    """(line, field path, number text) of every number in a record, text values included."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    stack = [(root, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if where == "" and key.value in ("id", "source"):
                    continue
                stack.append((value, f"{where}.{key.value}" if where else key.value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node.value))
        elif node.tag.endswith(("int", "float")) and not node.style:
            yield node.start_mark.line + 1, where, node.value.lstrip("-+")
        elif node.tag.endswith("str") and not where.endswith(".study"):
            text = _LOCATOR.sub(" ", node.value)
            for number in sorted(set(_NUMBER.findall(text))):
                yield node.start_mark.line + 1, where, number


def study_text(study: str, source_field: str, reference: dict[str, str], abstracts: dict):
    """All source text of one study: its reference sections, abstract notes and cited seeds."""
    texts = [reference[title] for title in SECTIONS[study]]
    texts += [abstracts[study]] if study in abstracts else []
    texts += [p.read_text(encoding="utf-8") for p in cited_seeds(source_field, SEEDS)]
    return "\n".join(texts)


def study_sources(study: str, source_field: str, reference: dict[str, str], abstracts: dict):
    return tokens(study_text(study, source_field, reference, abstracts))


def record_pairs(path: Path):
    """(line, field path, count, n, percent) of every entry giving both a count and its n."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    stack = [(root, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, yaml.MappingNode):
            fields = {key.value: value for key, value in node.value}
            values = {
                k: fields[k].value
                for k in ("count", "n", "percent")
                if k in fields and fields[k].tag.endswith(("int", "float"))
            }
            if "count" in values and "n" in values:
                yield (
                    node.start_mark.line + 1,
                    where,
                    values["count"],
                    values["n"],
                    values.get("percent"),
                )
            stack.extend(
                (value, f"{where}.{key.value}" if where else key.value) for key, value in node.value
            )
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node.value))


def pair_printed(text: str, count: str, n: str, percent: str | None) -> bool:
    """``count/n`` printed, or ``count (percent%)`` with the recorded percent."""
    if re.search(rf"(?<![\d.]){count}\s*/\s*{n}(?!\d|\.\d)", text):
        return True
    return percent is not None and bool(
        re.search(rf"(?<![\d.]){count}\s*\(\s*{re.escape(percent)}\s*%", text)
    )


def unsourced(folder: Path) -> list[str]:
    """``file:line: field: number`` for every number not in its study's sources."""
    reference = reference_sections(REFERENCE.read_text(encoding="utf-8"))
    abstracts = {
        title.split()[0]: block
        for title, block in reference_sections(ABSTRACTS.read_text(encoding="utf-8")).items()
    }
    problems = []
    for path in sorted(folder.glob("*.yaml")):
        study = path.stem
        source_field = yaml.safe_load(path.read_text(encoding="utf-8"))["source"]
        text = study_text(study, source_field, reference, abstracts)
        printed = tokens(text)
        for line, where, number in record_numbers(path):
            if number in printed or (study, number) in UNPRINTED:
                continue
            cross = CROSS_REFERENCES.get((study, number))
            if cross and number in tokens(reference[cross[0]]):
                continue
            problems.append(f"{path.name}:{line}: {where}: {number}")
        for line, where, count, n, percent in record_pairs(path):
            if pair_printed(text, count, n, percent) or (study, where) in SEPARATE_PAIRS:
                continue
            problems.append(f"{path.name}:{line}: {where}: count {count} of n {n} not printed so")
    return problems


def test_every_number_is_printed_in_its_own_studys_sources():
    assert unsourced(DATA) == []


def test_every_study_has_its_sources_listed():
    assert sorted(SECTIONS) == sorted(p.stem for p in DATA.glob("*.yaml"))
    reference = reference_sections(REFERENCE.read_text(encoding="utf-8"))
    assert all(title in reference for titles in SECTIONS.values() for title in titles)


def test_exceptions_are_all_still_needed():
    """An exception whose number the study's own sources now print is stale."""
    reference = reference_sections(REFERENCE.read_text(encoding="utf-8"))
    abstracts = {
        t.split()[0]: b
        for t, b in reference_sections(ABSTRACTS.read_text(encoding="utf-8")).items()
    }
    for study, number in [*CROSS_REFERENCES, *UNPRINTED]:
        path = DATA / f"{study}.yaml"
        source_field = yaml.safe_load(path.read_text(encoding="utf-8"))["source"]
        numbers = {n for _, _, n in record_numbers(path)}
        assert number in numbers, f"{study}: {number} is no longer in the record"
        printed = study_sources(study, source_field, reference, abstracts)
        assert number not in printed, f"{study}: {number} is printed in its own sources"


def test_cited_seeds_are_copies_of_the_shared_seeds():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds not present")
    for path in SEEDS.glob("*.txt"):
        assert path.read_bytes() == (shared / path.name).read_bytes(), path.name


def _plant(tmp_path: Path, study: str, old: str, new: str) -> Path:
    folder = tmp_path / "studies"
    shutil.copytree(DATA, folder)
    path = folder / f"{study}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_fails_on_a_planted_wrong_number(tmp_path):
    folder = _plant(
        tmp_path,
        "poelman2015",
        "followup: {mean: 24.1, sd: 9.6, n: 29}",
        "followup: {mean: 24.2, sd: 9.6, n: 29}",
    )
    assert unsourced(folder) == ["poelman2015.yaml:27: outcomes[0].followup.mean: 24.2"]


def test_fails_on_another_studys_number(tmp_path):
    """29.6 is printed in the notes, but for Poelman 2015, not for Raja 2016."""
    folder = _plant(tmp_path, "raja2016", "baseline: {mean: 21.5,", "baseline: {mean: 29.6,")
    assert unsourced(folder) == ["raja2016.yaml:16: outcomes[0].baseline.mean: 29.6"]


def test_fails_on_a_count_swapped_with_another_printed_number(tmp_path):
    """23 is printed for Poelman 2015 (n = 23 at 18 months), but not as 23/30."""
    folder = _plant(
        tmp_path, "poelman2015", "{agent: MMF, count: 21, n: 30}", "{agent: MMF, count: 23, n: 30}"
    )
    assert unsourced(folder) == [
        "poelman2015.yaml:9: concomitant[0]: count 23 of n 30 not printed so"
    ]


def test_exceptions_of_pairs_are_all_still_needed():
    reference = reference_sections(REFERENCE.read_text(encoding="utf-8"))
    abstracts = {
        t.split()[0]: b
        for t, b in reference_sections(ABSTRACTS.read_text(encoding="utf-8")).items()
    }
    for study, where in SEPARATE_PAIRS:
        path = DATA / f"{study}.yaml"
        source_field = yaml.safe_load(path.read_text(encoding="utf-8"))["source"]
        text = study_text(study, source_field, reference, abstracts)
        (pair,) = [p for p in record_pairs(path) if p[1] == where]
        assert not pair_printed(text, *pair[2:]), (study, where)


def test_fails_on_a_number_in_a_flag(tmp_path):
    folder = _plant(tmp_path, "raja2016", "gives mRSS 20 -> 9.14", "gives mRSS 20 -> 9.15")
    assert unsourced(folder) == ["raja2016.yaml:9: flags[0]: 9.15"]


def test_printed_precision_counts(tmp_path):
    """10.0 is printed for Poelman's 12-month SD; 10 would be another number."""
    folder = _plant(
        tmp_path,
        "poelman2015",
        "followup: {mean: 22.5, sd: 10.0, n: 25}",
        "followup: {mean: 22.5, sd: 10.00, n: 25}",
    )
    assert unsourced(folder) == ["poelman2015.yaml:35: outcomes[1].followup.sd: 10.00"]


def test_tokens_read_number_words_and_printed_text():
    assert tokens("In six studies; Thirty patients; Fifty-two; 8.5 (5.3); -8 ± 8.3") == {
        "6", "30", "52", "8.5", "5.3", "8", "8.3",
    }  # fmt: skip
    assert "10" not in tokens("22.5 ± 10.0")
