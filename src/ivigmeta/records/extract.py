"""Reported statistics found in plain text (an abstract, a results paragraph).

:func:`find_statistics` returns one :class:`Statistic` per reported value, in text order:

- ``mean_sd``: ``24.1 ± 9.6``, ``24.1 +/- 9.6``, ``10.2 (s.d. 4.5)``, ``32.4 (SD 4.5)``, and
  ``14.75 (10.72)`` in a sentence that declares ``mean (SD)``; ``values`` ``{mean, sd}`` plus
  ``n`` when a parenthesis right after it starts with ``n = …`` (``24.1 ± 9.6 (n = 29, …)``);
- ``n``: ``n = 29``, ``N=231``, ``n: 30`` (``values`` ``{n}``);
- ``percent``: ``74%``, ``12 (40%)`` (``{count, percent}``), ``12/30 (40%)`` (``{count, n,
  percent}``), ``20–27%`` (``{low, high}``), and each side of ``74% vs. 20%`` or
  ``16.9 vs. 30.0%`` (``{percent, versus}``); the level of a CI (``95% CI``) is not a percent;
- ``p``: ``P < 0.001``, ``p=0.03``, ``P=.234``, ``P value = 0.50``, ``p-value 0.0008``
  (``{p}``: ``"< 0.001"``, or the number alone after ``=``);
- ``ci``: ``95% CI 0.8 to 1.9``, ``95% CI: -1.2, 3.4``, ``95% confidence interval [CI],
  0.216–3.512``, ``[95% CI, 0.62 to 0.89]``, and ``1.2 (0.8–1.9)`` or ``1.2 [0.8, 1.9]`` after
  a ratio or difference or in a sentence that names a CI (``{estimate, low, high}``, plus
  ``level`` when printed; ``estimate`` is the number printed just before, or null).

Offsets ``start``/``end`` are Python ``str`` indices into the text as given (code points, not
bytes), ``text[start:end] == statistic.text``. ``values`` hold the printed strings with the
typography made plain: the minus sign U+2212 and dashes used as signs become ``-`` and the
Lancet's raised decimal point ``·`` becomes ``.``; digits are never rounded or re-formatted.

Linear time: the text is normalised character for character (same length, so offsets
carry over), and every pattern has bounded repetitions only (no nested quantifiers), so no
input can make the regular expressions backtrack catastrophically.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

__all__ = ["KINDS", "Statistic", "find_statistics", "normalise", "sentence_starts"]

KINDS = ("mean_sd", "n", "percent", "p", "ci")

#: one code point -> one code point, so offsets into the normalised text are offsets into the
#: original: minus signs and hyphens, spaces of every width. En dashes stay (a range separator,
#: or a sign before a digit: ``_DASH_SIGN``); a middle dot between digits is a decimal point.
_SAME_LENGTH = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u2008": " ",
        "\u2009": " ",  # thin space
        "\u200a": " ",  # hair space
        "\u202f": " ",  # narrow no-break space
        "\t": " ",
        "\r": " ",
        "\uff05": "%",  # fullwidth percent
    }
)
_DOT_DECIMAL = re.compile(r"\u00b7(?<=\d\u00b7)(?=\d)")  # the literal first: fast to scan
_DASH_SIGN = re.compile(r"(?<![\w.\u00b7])[\u2013\u2014](?=[.\d])")

# A number as printed: optional sign, digits with optional decimals, or a leading dot.
_NUM = r"-?(?:\d{1,15}(?:\.\d{1,15})?|\.\d{1,15})"
_NUMBER = re.compile(_NUM)
_S = r"[ \n]{0,3}"  # at most three spaces or line breaks between tokens
_RANGE_SEP = rf"{_S}(?:to|–|—|-|,|;){_S}"
_EDGE = r"(?<![\w.])"  # a number does not start inside a word or another number
_END = r"(?![\w])"

_PLUS_MINUS = re.compile(rf"{_EDGE}(?P<mean>{_NUM}){_S}(?:±|\+/-|\+-){_S}(?P<sd>{_NUM}){_END}")
_MEAN_SD_PAREN = re.compile(
    rf"{_EDGE}(?P<mean>{_NUM}){_S}\({_S}(?P<label>s\.?d\.?|SD|S\.D\.)?{_S}[,:=]?{_S}"
    rf"(?P<sd>{_NUM}){_S}\)"
)
_SD_DECLARED = re.compile(r"\(\s?(?:SD|s\.d\.|sd|S\.D\.)\s?\)|±\s?(?:SD|s\.d\.)", re.IGNORECASE)
_N = re.compile(rf"(?<![\w.])[nN]{_S}[=:]{_S}(?P<n>\d{{1,3}}(?:,\d{{3}}){{1,4}}|\d{{1,12}}){_END}")
_N_AFTER = re.compile(rf"{_S}\({_S}[nN]{_S}[=:]{_S}(?P<n>\d{{1,12}}){_END}")
_PERCENT_PAIR = re.compile(
    rf"{_EDGE}(?P<a>{_NUM}){_S}(?P<a_pct>%)?{_S}(?:vs\.?|versus){_S}(?P<b>{_NUM}){_S}%"
)
_PERCENT_RANGE = re.compile(rf"{_EDGE}(?P<low>{_NUM}){_S}(?:–|-|to){_S}(?P<high>{_NUM}){_S}%")
_COUNT_PERCENT = re.compile(
    rf"{_EDGE}(?P<count>\d{{1,12}})(?:{_S}/{_S}(?P<n>\d{{1,12}}))?{_S}[\(\[]{_S}"
    rf"(?P<percent>{_NUM}){_S}%{_S}[\)\]]"
)
_PERCENT = re.compile(rf"{_EDGE}(?P<percent>{_NUM}){_S}%")
_CI_LEVEL_AFTER = re.compile(rf"{_S}(?:CI\b|C\.I\.|Cl\b|confidence|credible)", re.IGNORECASE)
_P = re.compile(
    rf"(?<![\w.])[pP](?:{_S}-?{_S}values?)?{_S}(?P<rel><=|>=|=|<|>|≤|≥){_S}(?P<p>{_NUM})"
    r"(?![\d.]?\d)"
)
#: ``p-value 0.0008``: the word "value" stands for the missing "="
_P_VALUE_WORD = re.compile(rf"(?<![\w.])[pP]{_S}-?{_S}values?{_S}(?P<p>{_NUM})(?![\d.]?\d)")
_CI_KEYWORD = re.compile(
    rf"(?:(?P<level>\d{{2}}(?:\.\d{{1,3}})?){_S}%{_S})?"
    r"(?:CI\b|C\.I\.|Cl\b|confidence intervals?|credible intervals?)"
    rf"(?:{_S}\[{_S}C[Il]{_S}\])?{_S}[,:;]?{_S}[\(\[]?{_S}"
    rf"(?P<low>{_NUM}){_RANGE_SEP}(?P<high>{_NUM})(?:{_S}[\)\]])?",
    re.IGNORECASE,
)
_BARE_CI = re.compile(
    rf"{_EDGE}(?P<estimate>{_NUM}){_S}(?P<open>[\(\[]){_S}(?P<low>{_NUM})"
    rf"{_S}(?:–|—|-|to|,){_S}(?P<high>{_NUM}){_S}[\)\]]"
)
_EFFECT_WORDS = re.compile(
    r"\b(?:HR|OR|RR|IRR|aOR|aHR|MD|SMD|ratios?|difference|CIs?|confidence)\b", re.IGNORECASE
)
_NOT_CI_WORDS = re.compile(r"\b(?:IQR|interquartile|range|median|aged?|years?)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(
    r"[.!?](?<!\bvs\.)(?<!\bal\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bFig\.)(?<!\bno\.)(?<!\bNo\.)"
    r"[ \n]{1,8}(?=[A-Z(\[])|\n[ ]{0,8}\n"
)
_ESTIMATE_WINDOW = 60


@dataclass(frozen=True)
class Statistic:
    """One reported statistic: its kind, the quote and where it stands, the printed values."""

    kind: str
    text: str
    start: int
    end: int
    values: dict[str, str | None] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "values": dict(self.values),
        }


def normalise(text: str) -> str:
    """The text with plain typography, the same length (offsets carry over)."""
    plain = text.translate(_SAME_LENGTH)
    plain = _DOT_DECIMAL.sub(".", plain)
    return _DASH_SIGN.sub("-", plain)


def sentence_starts(plain: str) -> list[int]:
    """Offsets where sentences start (0 first), for context checks within one sentence."""
    return [0, *(m.end() for m in _SENTENCE_END.finditer(plain))]


class _Spans:
    """Characters already read as part of a statistic (so a number is read once): a mask,
    so that checking and taking a span costs its length."""

    def __init__(self, length: int) -> None:
        self.mask = bytearray(length)

    def free(self, start: int, end: int) -> bool:
        return not any(self.mask[start:end])

    def take(self, start: int, end: int) -> None:
        self.mask[start:end] = b"\x01" * (end - start)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.plain = normalise(text)
        self.sentences = sentence_starts(self.plain)
        self.taken = _Spans(len(text))
        self.found: list[Statistic] = []
        self.sd_declared = [m.start() for m in _SD_DECLARED.finditer(self.plain)]
        self.effect_words = [m.start() for m in _EFFECT_WORDS.finditer(self.plain)]
        self.not_ci_words = [m.start() for m in _NOT_CI_WORDS.finditer(self.plain)]

    def sentence_start(self, position: int) -> int:
        return self.sentences[bisect.bisect_right(self.sentences, position) - 1]

    def in_sentence_before(self, marks: list[int], position: int, window: int = 10**9) -> bool:
        """A mark in the same sentence before ``position`` (at most ``window`` characters)."""
        i = bisect.bisect_left(marks, position)
        return i > 0 and marks[i - 1] >= max(self.sentence_start(position), position - window)

    def add(self, kind: str, start: int, end: int, values: dict, spans=None) -> bool:
        spans = spans or [(start, end)]
        if not all(self.taken.free(a, b) for a, b in spans):
            return False
        for a, b in spans:
            self.taken.take(a, b)
        self.found.append(Statistic(kind, self.text[start:end], start, end, values))
        return True

    # -- kinds, most specific first
    def confidence_intervals(self) -> None:
        for m in _BARE_CI.finditer(self.plain):
            low, estimate, high = (float(m[k]) for k in ("low", "estimate", "high"))
            if not low <= estimate <= high or low == high:
                continue
            if not self.in_sentence_before(self.effect_words, m.start(), 80):
                continue
            if self.in_sentence_before(self.not_ci_words, m.start(), 80):
                continue
            values = {"estimate": m["estimate"], "low": m["low"], "high": m["high"]}
            self.add("ci", m.start(), m.end(), values)
        for m in _CI_KEYWORD.finditer(self.plain):
            values = {
                "estimate": self.estimate_before(m.start()),
                "low": m["low"],
                "high": m["high"],
            }
            if m["level"]:
                values["level"] = m["level"]
            self.add("ci", m.start(), m.end(), values)

    def estimate_before(self, position: int) -> str | None:
        """The number printed just before a CI (``odds ratio, 9.12; 95% CI ...``), or None
        when none stands within the window, in the sentence, outside other statistics."""
        lower = max(self.sentence_start(position), position - _ESTIMATE_WINDOW)
        last = None
        for m in _NUMBER.finditer(self.plain, lower, position):
            after = self.plain[m.end() : m.end() + 2]
            before = self.plain[max(m.start() - 1, 0) : m.start()]
            if "%" in after or before.isalnum() or before == ".":
                continue
            if not self.taken.free(m.start(), m.end()):
                continue
            last = m
        return last.group() if last else None

    def mean_sds(self) -> None:
        for m in _PLUS_MINUS.finditer(self.plain):
            self.add_mean_sd(m)
        for m in _MEAN_SD_PAREN.finditer(self.plain):
            if m["label"] or self.in_sentence_before(self.sd_declared, m.start()):
                self.add_mean_sd(m)

    def add_mean_sd(self, m: re.Match) -> None:
        values = {"mean": m["mean"], "sd": m["sd"]}
        after = _N_AFTER.match(self.plain, m.end())
        if after:
            values["n"] = after["n"]
        self.add("mean_sd", m.start(), m.end(), values)

    def p_values(self) -> None:
        for m in _P.finditer(self.plain):
            relation = m["rel"].replace("≤", "<=").replace("≥", ">=")
            p = m["p"] if relation == "=" else f"{relation} {m['p']}"
            self.add("p", m.start(), m.end(), {"p": p})
        for m in _P_VALUE_WORD.finditer(self.plain):
            self.add("p", m.start(), m.end(), {"p": m["p"]})

    def ns(self) -> None:
        for m in _N.finditer(self.plain):
            self.add("n", m.start(), m.end(), {"n": m["n"].replace(",", "")})

    def percents(self) -> None:
        for m in _COUNT_PERCENT.finditer(self.plain):
            values = {"count": m["count"], "percent": m["percent"]}
            if m["n"]:
                values = {"count": m["count"], "n": m["n"], "percent": m["percent"]}
            self.add("percent", m.start(), m.end(), values)
        for m in _PERCENT_PAIR.finditer(self.plain):
            if _CI_LEVEL_AFTER.match(self.plain, m.end()):
                continue
            first_end = m.end("a_pct") if m["a_pct"] else m.end("a")
            second = (m.start("b"), m.end())
            if self.taken.free(m.start(), first_end) and self.taken.free(*second):
                self.add("percent", m.start(), first_end, {"percent": m["a"], "versus": m["b"]})
                self.add("percent", *second, {"percent": m["b"], "versus": m["a"]})
        for m in _PERCENT_RANGE.finditer(self.plain):
            if not _CI_LEVEL_AFTER.match(self.plain, m.end()):
                self.add("percent", m.start(), m.end(), {"low": m["low"], "high": m["high"]})
        for m in _PERCENT.finditer(self.plain):
            if not _CI_LEVEL_AFTER.match(self.plain, m.end()):
                self.add("percent", m.start(), m.end(), {"percent": m["percent"]})


def find_statistics(text: str) -> list[Statistic]:
    """Every statistic :mod:`this module <ivigmeta.records.extract>` recognises, in text order.

    A number belongs to one statistic at most: p-values and ``n = …`` are read first, then
    means with SDs, CIs (so ``95%`` is a level, not a percent, and a CI's estimate is never a
    p or an n) and percentages.
    """
    scanner = _Scanner(text)
    scanner.p_values()
    scanner.ns()
    scanner.mean_sds()
    scanner.confidence_intervals()
    scanner.percents()
    return sorted(scanner.found, key=lambda s: (s.start, s.end))
