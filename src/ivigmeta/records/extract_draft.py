"""A draft study record from the statistics found in a text (:mod:`ivigmeta.records.extract`).

Only pairings the text spells out are made, within one sentence:

- **baseline and follow-up** (``paired-continuous`` outcomes): a mean ± SD after the word
  *baseline*, then means ± SD each followed by a timepoint (``… (n = 29, p = 0.0011) at 6
  months``). The n and p in the parenthesis right after a follow-up mean are its n and the
  reported p; the baseline n is null unless printed beside it;
- **before and after percentages** (``paired-proportion`` outcomes): ``muscle pain (74% vs.
  20%)`` in a sentence comparing *before … after*, the outcome named right before the
  parenthesis; n null (the text prints none);
- **two groups** (``comparisons``): a mean ± SD with no p (the arm), then, after *compared
  to/with*, *than*, *versus* or *vs*, means ± SD each with its p (the controls); each control
  pairs with the nearest arm before it; the timepoint is the last ``at N months/weeks`` before
  the arm; labels are the words before each parenthesis.

Either needs the outcome, named in the sentence before the numbers by a name the vocabulary
knows (``mRSS``, ``modified Rodnan skin score``, ``HAQ``, ``CRP``, …; *change in* makes it
``mrss_change``); a sentence naming no outcome, or two, is not paired. The test is taken
from the text when it names it (``paired t test`` for outcomes; ``Student t test``, ``Welch``
for comparisons), else null. Every value placed, and every statistic not placed, gets a
``confirm:`` entry with its quote and offsets: what a person must check before use.

About 440 lines: one reader of sentences whose three pairing rules share the marks found once
per text (outcome names, *baseline*, *versus*, timepoints), which keeps the whole linear.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ivigmeta.printed import PrintedNumber
from ivigmeta.records.extract import Statistic, normalise, sentence_starts
from ivigmeta.records.vocabulary import OUTCOMES

__all__ = ["draft_record"]

#: names in text -> vocabulary outcome (the first match in a sentence wins only if it is alone)
_OUTCOME_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("mrss", r"\bm?RSS\b|\bmodified Rodnan\b|\bRodnan skin"),
        ("haq", r"\bHAQ(?:-DI)?\b|Health Assessment Questionnaire"),
        ("crp", r"\bCRP\b|C-reactive protein"),
        ("creatine_kinase", r"\bCK\b|creatine kinase"),
        ("ucla_git_total", r"\bUCLA\b[^.]{0,20}\bGIT\b"),
        ("mrc_sum_score", r"\bMRC\b[^.]{0,10}\bsum score"),
        ("corticosteroid_dose", r"\b(?:cortico)?steroid dose|prednisone dose"),
    )
)
assert all(name in OUTCOMES for name, _ in _OUTCOME_NAMES)
#: proportion outcomes, read only when the name stands right before ``(74% vs. 20%)``
_PROPORTION_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("muscle_pain", r"\bmuscle pain"),
        ("muscle_weakness", r"\bmuscle weakness"),
        ("joint_pain", r"\bjoint pain"),
        ("gerd", r"\bgastro-?[ ]?o?esophageal reflux(?: disease)?|\bGERD\b"),
        ("bowel_symptoms", r"\bbowel symptoms"),
    )
)
assert all(OUTCOMES[name].kind == "binary" for name, _ in _PROPORTION_NAMES)
_BEFORE_AFTER = re.compile(r"\bbefore\b[^.;:()]{0,80}?\bafter\b[^.;:(),]{0,60}", re.IGNORECASE)
_CHANGE = re.compile(r"\bchange", re.IGNORECASE)
_BASELINE = re.compile(r"\bbaseline\b", re.IGNORECASE)
_VERSUS = re.compile(r"\bcompared (?:to|with)\b|\bthan\b|\bversus\b|\bvs\b", re.IGNORECASE)
_TIMEPOINT = re.compile(
    r"[ ,]{0,3}(?:at|after)[ ](?P<value>\d{1,4}(?:\.\d{1,3})?)[ -](?P<unit>months?|mo|weeks?|wk)\b"
)
_PAIRED_TEST = re.compile(r"\bpaired (?:Student'?s? )?t[- ]tests?\b", re.IGNORECASE)
_TWO_SAMPLE_TEST = re.compile(
    r"(?<!paired )\b(?:Student'?s? t[- ]tests?|unpaired t[- ]tests?|two-sample t[- ]tests?)",
    re.IGNORECASE,
)
_WELCH_TEST = re.compile(r"\bWelch", re.IGNORECASE)
_STOP_WORDS = frozenset(
    ("the", "in", "to", "compared", "than", "and", "or", "of", "with", "versus", "vs", "was",
     "were", "a", "an", "for", "at", "on", "by", "from")
)  # fmt: skip
_LABEL_WORDS = 4


@dataclass
class _Group:
    """A mean ± SD with the n and p printed in its own parenthesis, and where it stands."""

    mean_sd: Statistic
    n: Statistic | None
    p: Statistic | None
    end: int  # end of the parenthesis holding its n/p (or of the mean ± SD)


def _number(text: str | None) -> PrintedNumber | None:
    return None if text is None else PrintedNumber(text)


def _p(stat: Statistic | None) -> PrintedNumber | str | None:
    """A p as the record holds it: the number when printed with ``=``, else ``"<0.0001"``."""
    if stat is None:
        return None
    printed = stat.values["p"]
    return printed.replace(" ", "") if printed[0] in "<>" else PrintedNumber(printed)


def _integer(text: str | None) -> int | None:
    return None if text is None else int(text)


class _Drafter:
    def __init__(self, text: str, statistics: list[Statistic]) -> None:
        self.text = text
        self.plain = normalise(text)
        self.statistics = statistics
        self.placed: set[int] = set()  # ids of statistics placed in the draft
        self.confirm: list[dict] = []
        self.outcomes: list[dict] = []
        self.comparisons: list[dict] = []
        self.paired_test = self._test(_PAIRED_TEST, "paired-t")
        two_sample = _WELCH_TEST.search(self.plain) or _TWO_SAMPLE_TEST.search(self.plain)
        name = "welch-t" if two_sample and two_sample.re is _WELCH_TEST else "two-sample-t"
        self.two_sample_test = (name, two_sample) if two_sample else None
        # every mark is found once, in one pass, and looked up by bisection (linear time)
        self.baselines = list(_BASELINE.finditer(self.plain))
        self.baseline_starts = [m.start() for m in self.baselines]
        self.versus_starts = [m.start() for m in _VERSUS.finditer(self.plain)]
        self.timepoints = list(_TIMEPOINT.finditer(self.plain))
        self.timepoint_starts = [m.start() for m in self.timepoints]
        names = sorted(
            ((m.start(), name, m) for name, pattern in _OUTCOME_NAMES
             for m in pattern.finditer(self.plain)),
            key=lambda item: item[0],
        )  # fmt: skip
        proportions = sorted(
            ((m.end(), name, m) for name, pattern in _PROPORTION_NAMES
             for m in pattern.finditer(self.plain)),
            key=lambda item: item[0],
        )  # fmt: skip
        self.proportion_ends = [end for end, _, _ in proportions]
        self.proportion_names = [(name, match) for _, name, match in proportions]
        self.before_afters = list(_BEFORE_AFTER.finditer(self.plain))
        self.before_after_starts = [m.start() for m in self.before_afters]
        self.name_starts = [start for start, _, _ in names]
        self.names = [(name, match) for _, name, match in names]
        #: index of the next name mark naming another outcome (len(names) when none)
        self.other_name = [len(names)] * len(names)
        for k in range(len(names) - 2, -1, -1):
            differs = self.names[k + 1][0] != self.names[k][0]
            self.other_name[k] = k + 1 if differs else self.other_name[k + 1]

    def _test(self, pattern: re.Pattern[str], name: str):
        match = pattern.search(self.plain)
        return (name, match) if match else None

    def note(self, field: str | None, start: int, end: int, why: str) -> None:
        entry = {"field": field} if field else {}
        self.confirm.append(
            {**entry, "quote": self.text[start:end], "start": start, "end": end, "why": why}
        )

    # -- reading one sentence
    def groups(self, stats: list[Statistic]) -> list[_Group]:
        """Means ± SD of a sentence, each with the n and p of the parenthesis it is in or
        that follows it (``24.1 ± 9.6 (n = 29, p = 0.0011)``, ``(-4.8 ± 6.99, p = 0.74)``)."""
        groups = []
        for i, stat in enumerate(stats):
            if stat.kind != "mean_sd":
                continue
            close = self._parenthesis_end(stat.end)
            n = p = None
            for j in range(i + 1, len(stats)):  # indices, not a slice: linear time
                other = stats[j]
                if other.start >= close or other.kind == "mean_sd":
                    break
                if other.kind == "n" and n is None:
                    n = other
                elif other.kind == "p" and p is None:
                    p = other
            groups.append(_Group(stat, n, p, close if (n or p) else stat.end))
        return groups

    def _parenthesis_end(self, position: int) -> int:
        """End of the parenthesis holding ``position``, or of one opening right after it."""
        window = self.plain[position : position + 120]
        opened = window.lstrip(" ").startswith("(")
        closing = window.find(")")
        if closing < 0 or ("(" in window[:closing] and not opened):
            return position
        return position + closing + 1

    def outcome_before(self, sentence: int, position: int) -> tuple[str, re.Match] | None:
        """The one outcome named between the sentence start and ``position`` (None when no
        outcome or several different ones are named), with its last mention."""
        low = bisect.bisect_left(self.name_starts, sentence)
        high = bisect.bisect_left(self.name_starts, position)
        if low >= high or self.other_name[low] < high:
            return None
        return self.names[high - 1]

    def timepoint_after(self, position: int):
        return _TIMEPOINT.match(self.plain, position)

    @staticmethod
    def last_before(starts: list[int], sentence: int, position: int) -> int | None:
        """Index of the last mark starting in [sentence, position), or None."""
        i = bisect.bisect_left(starts, position) - 1
        return i if i >= 0 and starts[i] >= sentence else None

    def last_timepoint_before(self, sentence: int, position: int):
        i = self.last_before(self.timepoint_starts, sentence, position)
        return None if i is None else self.timepoints[i]

    def sentence(self, sentence: int, stats: list[Statistic]) -> None:
        groups = self.groups(stats)
        self.baseline_followups(sentence, groups)
        self.two_groups(sentence, groups)
        self.before_after_percents(sentence, stats)

    def before_after_percents(self, sentence: int, stats: list[Statistic]) -> None:
        """``muscle pain (74% vs. 20%)`` in a sentence that compares *before … after*: a
        paired-proportion outcome, before = the first percent (n null: not printed)."""
        for i in range(len(stats) - 1):
            first, second = stats[i], stats[i + 1]
            if first.kind != "percent" or "versus" not in first.values:
                continue
            if second.kind != "percent" or second.values.get("versus") != first.values["percent"]:
                continue
            opening = self.plain.rfind("(", max(0, first.start - 2), first.start + 1)
            k = self.last_before(self.before_after_starts, sentence, first.start)
            if opening < 0 or k is None:
                continue
            j = bisect.bisect_right(self.proportion_ends, opening) - 1
            if j < 0 or self.proportion_ends[j] < opening - 3:
                continue
            name, name_match = self.proportion_names[j]
            phrase = self.before_afters[k]
            close = self._parenthesis_end(second.end)
            p = next((s for s in stats[i + 2 : i + 3] if s.kind == "p" and s.start < close), None)
            path = f"outcomes[{len(self.outcomes)}]"
            outcome = {
                "outcome": name,
                "type": "paired-proportion",
                "timepoint": self.text[phrase.start() : phrase.end()].strip(),
                "before": {"percent": _number(first.values["percent"]), "n": None},
                "after": {"percent": _number(second.values["percent"]), "n": None},
            }
            if p is not None:
                outcome["reported"] = {"p": _p(p), "test": None}
            self.outcomes.append(outcome)
            self.placed.update(id(s) for s in (first, second, p) if s)
            self.note(f"{path}.outcome", name_match.start(), name_match.end(),
                      f"outcome {name!r}: the name before the percentages")  # fmt: skip
            self.note(f"{path}.before", first.start, close,
                      "before: the first percent (before … after); no n")  # fmt: skip
            self.note(f"{path}.timepoint", phrase.start(), phrase.end(),
                      "timepoint described by the text")  # fmt: skip

    def baseline_followups(self, sentence: int, groups: list[_Group]) -> None:
        for index, base in enumerate(groups):
            if base.p is not None or id(base.mean_sd) in self.placed:
                continue
            i = self.last_before(self.baseline_starts, sentence, base.mean_sd.start)
            if i is None:
                continue
            word = self.baselines[i]
            named = self.outcome_before(sentence, base.mean_sd.start)
            followups = []
            for j in range(index + 1, len(groups)):
                group = groups[j]
                when = self.timepoint_after(group.end)
                if when is None or (group.p is None and group.n is None):
                    break
                followups.append((group, when))
            if named is None or not followups:
                continue
            name, name_match = named
            if OUTCOMES[name].kind != "continuous":
                continue
            self.placed.add(id(base.mean_sd))
            for group, when in followups:
                self.add_followup(sentence, name, name_match, base, word, group, when)

    def add_followup(self, sentence, name, name_match, base, word, group, when) -> None:
        path = f"outcomes[{len(self.outcomes)}]"
        unit = "timepoint_weeks" if when["unit"].startswith("w") else "timepoint_months"
        outcome = {
            "outcome": name,
            "type": "paired-continuous",
            unit: _number(when["value"]),
            "baseline": self.summary(base),
            "followup": self.summary(group),
            "reported": {
                "p": _p(group.p),
                "test": self.paired_test[0] if self.paired_test else None,
            },
        }
        self.outcomes.append(outcome)
        self.placed.update(id(s) for s in (group.mean_sd, group.n, group.p) if s)
        self.note(f"{path}.outcome", name_match.start(), name_match.end(),
                  f"outcome {name!r} read from the name in the sentence")  # fmt: skip
        self.note(f"{path}.baseline", base.mean_sd.start, base.mean_sd.end,
                  f"baseline: mean ± SD after {word.group()!r}; no n beside it")  # fmt: skip
        self.note(f"{path}.followup", group.mean_sd.start, group.end,
                  "follow-up mean ± SD with the n (and p) in its parenthesis")  # fmt: skip
        self.note(f"{path}.{unit}", when.start("value"), when.end(),
                  "timepoint printed after the follow-up")  # fmt: skip
        self.note_test(path, self.paired_test, "the paired test the text names")

    def note_test(self, path: str, test, what: str) -> None:
        if test:
            self.note(f"{path}.reported.test", test[1].start(), test[1].end(), what)
        else:
            self.confirm.append({"field": f"{path}.reported.test", "why": "no test named: null"})

    def summary(self, group: _Group) -> dict:
        values = group.mean_sd.values
        return {
            "mean": _number(values["mean"]),
            "sd": _number(values["sd"]),
            "n": _integer(group.n.values["n"] if group.n else values.get("n")),
        }

    def two_groups(self, sentence: int, groups: list[_Group]) -> None:
        arm = None
        for group in groups:
            if id(group.mean_sd) in self.placed:
                arm = None
                continue
            if group.p is None:
                arm = group
                continue
            if (
                arm is None
                or self.last_before(self.versus_starts, arm.end, group.mean_sd.start) is None
            ):
                continue
            named = self.outcome_before(sentence, arm.mean_sd.start)
            when = self.last_timepoint_before(sentence, arm.mean_sd.start)
            if named is None or when is None:
                continue
            self.add_comparison(sentence, named, when, arm, group)

    def add_comparison(self, sentence, named, when, arm: _Group, control: _Group) -> None:
        name, name_match = named
        span = self.plain[sentence : arm.mean_sd.start]
        if name == "mrss" and _CHANGE.search(span):
            name = "mrss_change"
        if OUTCOMES[name].kind != "continuous":
            return
        path = f"comparisons[{len(self.comparisons)}]"
        unit = "timepoint_weeks" if when["unit"].startswith("w") else "timepoint_months"
        test = self.two_sample_test
        self.comparisons.append(
            {
                "outcome": name,
                unit: _number(when["value"]),
                "arm": {"label": self.label(arm), **self.summary(arm)},
                "control": {"label": self.label(control), **self.summary(control)},
                "reported": {"p": _p(control.p), "test": test[0] if test else None},
            }
        )
        self.placed.update(id(s) for s in (arm.mean_sd, arm.n, control.mean_sd, control.n,
                                           control.p) if s)  # fmt: skip
        self.note(f"{path}.outcome", name_match.start(), name_match.end(),
                  f"outcome {name!r} read from the name in the sentence")  # fmt: skip
        self.note(f"{path}.{unit}", when.start("value"), when.end(),
                  "the last timepoint printed before the arm")  # fmt: skip
        for side, group in (("arm", arm), ("control", control)):
            self.note(f"{path}.{side}", self.label_start(group), group.end,
                      f"{side}: label from the words before its parenthesis")  # fmt: skip
        self.note_test(path, test, "the two-sample test the text names")

    def _label_words(self, group: _Group) -> tuple[int, str]:
        opening = self.plain.rfind("(", max(0, group.mean_sd.start - 3), group.mean_sd.start + 1)
        before = opening if opening >= 0 else group.mean_sd.start
        words = list(re.finditer(r"[\w-]+", self.plain[max(0, before - 80) : before]))
        words = words[-_LABEL_WORDS:]
        kept = []
        for word in reversed(words):
            if word.group().lower() in _STOP_WORDS:
                break
            kept.insert(0, word)
        if not kept:
            return before, ""
        offset = max(0, before - 80)
        return offset + kept[0].start(), self.text[
            offset + kept[0].start() : offset + kept[-1].end()
        ]

    def label(self, group: _Group) -> str:
        return self._label_words(group)[1] or "unlabelled group"

    def label_start(self, group: _Group) -> int:
        return self._label_words(group)[0]

    # -- everything
    def run(self) -> None:
        starts = sentence_starts(self.plain)
        first = [s.start for s in self.statistics]  # sorted: statistics are in text order
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else len(self.plain)
            stats = self.statistics[
                bisect.bisect_left(first, start) : bisect.bisect_left(first, end)
            ]
            if stats:
                self.sentence(start, stats)
        for stat in self.statistics:
            if id(stat) not in self.placed:
                self.note(None, stat.start, stat.end, f"{stat.kind} not placed in the draft")


def draft_record(text: str, statistics: list[Statistic], study_id: str, source: str) -> dict:
    """The draft record (a dict in the order of the YAML schema; numbers as
    :class:`PrintedNumber`, so their printed text is kept) for ``text``.

    ``citation``, ``year`` and ``design`` are null (no abstract body prints them reliably);
    the ``confirm:`` list says so first, then lists every placed value and every statistic
    left out, each with its quote and its offsets (Python ``str`` indices) into ``text``.
    """
    drafter = _Drafter(text, statistics)
    drafter.run()
    record: dict = {
        "id": study_id,
        "citation": None,
        "year": None,
        "source": source,
        "design": None,
    }
    if drafter.outcomes:
        record["outcomes"] = drafter.outcomes
    if drafter.comparisons:
        record["comparisons"] = drafter.comparisons
    missing = [
        {"field": key, "why": "not read from the text: fill in"}
        for key in ("citation", "year", "design")
    ]
    record["confirm"] = missing + sorted(
        drafter.confirm, key=lambda c: (c.get("start", -1), c.get("field", ""))
    )
    return record
