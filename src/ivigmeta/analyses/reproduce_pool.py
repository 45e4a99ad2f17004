"""``ivigmeta reproduce-pool``: which model gives a pooled result as a paper prints it?

Input: the measure, the studies (raw data, or the printed estimate and CI of each) and the
printed pooled line (:mod:`ivigmeta.analyses.reproduce_pool_input`). Every model a paper may
have used is tried:

- rma with each tau² estimator (EE, DL, HE, HS, SJ, ML, REML, EB, PM) and each test (z, t,
  knha, adhoc), each PI rule and I² definition (:mod:`ivigmeta.stats.checks.pooled_line`);
  printed study rows range over their rounding boxes (:mod:`ivigmeta.stats.checks.
  pool_search` explains the search and its limits); raw rows are taken as exact;
- with 2x2 tables that have a zero cell, metafor's zero-cell conventions for the studies'
  effect sizes: add 1/2 with ``to`` = only0 (metafor's default), if0all or all, each with and
  without ``drop00``;
- when every study is a 2x2 table: Mantel-Haenszel (OR, RR, RD; metafor ``rma.mh``, Q from
  the studies' effect sizes with add 1/2, only0, drop00; the pooled tables as given, or with
  1/2 added to the tables with a zero cell as R's meta does unless ``MH.exact``) and Peto
  (OR; ``rma.peto``), z tests.

Each printed number is judged against its rounding interval; a model *reproduces* the line
when one admissible point gives every printed number at once. Exit 0 when some model does, 1
when none does.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivigmeta.analyses.reproduce_pool_input import PrintedRow, is_ratio, read_printed_meta
from ivigmeta.effects.escalc import escalc
from ivigmeta.errors import AnalysisError, InputError
from ivigmeta.results import Result
from ivigmeta.stats.checks.pool_search import search
from ivigmeta.stats.checks.pooled_line import QUANTITIES, Targets, Variant, judge
from ivigmeta.stats.checks.rounding import reported_p_interval, value_interval
from ivigmeta.stats.checks.study_boxes import log_interval, study_box
from ivigmeta.stats.numerics.distributions import z_crit

RMA_METHODS = ("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
TESTS = ("z", "t", "knha", "adhoc")
TABLE_MEASURES = ("OR", "RR", "RD", "PETO")
_ON_RATIO_SCALE = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")


@dataclass(frozen=True)
class Candidate(Result):
    """One method and test: ``verdict`` consistent (some setting gives every printed number
    at once) or inconsistent; ``quantities`` each printed number's own verdict (reachable by
    this model alone); ``pi``/``i2``/``zero_cells`` the conventions that reproduce (None when
    not printed or not applicable); ``values`` the model's pooled line at the reproducing
    point (printed scale); ``ranges`` the values found per printed quantity (printed scale)."""

    method: str
    test: str
    verdict: str
    quantities: dict
    pi_rules: list | None
    i2_rules: list | None
    zero_cells: list | None
    values: dict | None
    ranges: dict


@dataclass(frozen=True)
class ReproducePoolResult(Result):
    """``reproduced_by`` lists ``METHOD/TEST``; ``printed`` the numbers as printed and
    ``intervals`` what each stands for (printed scale); ``notes`` one per printed quantity no
    model reaches (and one when each is reached but never all at once)."""

    file: str
    measure: str
    level: float
    k: int
    printed_rows: int
    printed: dict
    intervals: dict
    reproduced_by: list
    candidates: list
    notes: dict
    cautions: list


def reproduce_pool(path: str | Path) -> ReproducePoolResult:
    """Try every model on the printed meta-analysis in ``path`` (see the module docstring);
    InputError (exit 2) for bad input."""
    meta = read_printed_meta(path)
    ratio = is_ratio(meta.measure)
    z = z_crit(meta.level)
    printed = [s for s in meta.studies if isinstance(s, PrintedRow)]
    raw = [s for s in meta.studies if not isinstance(s, PrintedRow)]
    cautions = []
    boxes = []
    for i, row in enumerate(meta.studies):
        if not isinstance(row, PrintedRow):
            continue
        scale = log_interval if ratio else (lambda lo, hi: (lo, hi))
        try:
            box = study_box(scale(*row.effect.rounding_interval),
                            scale(*row.low.rounding_interval),
                            scale(*row.high.rounding_interval), z)  # fmt: skip
        except AnalysisError as error:
            raise InputError(str(error), file=meta.file, line=row.line,
                             field=f"studies[{i}].ci") from None  # fmt: skip
        if not box.uses_estimate:
            cautions.append(f"{row.id}: the printed estimate {row.effect} is not the centre of "
                            f"its printed CI{' on the log scale' if ratio else ''} within "
                            "rounding; its yi is taken from the CI alone")  # fmt: skip
        boxes.append(box)
    intervals = _intervals(meta.pooled, ratio)
    candidates: dict[tuple[str, str], list] = {}
    for label, yi, vi in _conventions(meta.measure, raw):
        keep = np.isfinite(yi) & np.isfinite(vi)
        targets = Targets(intervals, int(keep.sum()) + len(boxes))
        if targets.k == 0:
            continue
        for method in RMA_METHODS:
            for outcome in search(method, yi[keep], vi[keep], boxes, targets, TESTS,
                                  level=meta.level):  # fmt: skip
                candidates.setdefault((method, outcome.variant.test), []).append((label, outcome))
    if raw and not printed and meta.measure in TABLE_MEASURES:
        for method, label, outcome in _table_models(meta.measure, raw, intervals, meta.level):
            candidates.setdefault((method, "z"), []).append((label, outcome))
    has_zero = _has_zero_cells(meta.measure, raw)
    rows = [_candidate(m, t, found, ratio, has_zero) for (m, t), found in candidates.items()]
    notes = _notes(rows, meta.pooled, intervals, ratio)
    return ReproducePoolResult(
        file=meta.file,
        measure=meta.measure,
        level=meta.level,
        k=len(meta.studies),
        printed_rows=len(printed),
        printed=_printed_texts(meta.pooled),
        intervals={n: list(_shown(n, lo, hi, ratio)) for n, (lo, hi) in intervals.items()},
        reproduced_by=[f"{c.method}/{c.test}" for c in rows if c.verdict == "consistent"],
        candidates=rows,
        notes=notes,
        cautions=cautions,
    )


def _intervals(pooled: dict, ratio: bool) -> dict[str, tuple[float, float]]:
    """Each printed quantity's interval on the model scale (p, q_p as p-value intervals)."""
    out = {}
    for name, value in pooled.items():
        pairs = (zip((f"{name}_low", f"{name}_high"), value, strict=True)
                 if name in ("ci", "pi") else [(name, value)])  # fmt: skip
        for key, number in pairs:
            if key in ("p", "q_p"):
                out[key] = reported_p_interval(number)
                continue
            low, high = value_interval(number)
            if key == "i2":
                low, high = max(low, 0.0), min(high, 100.0)
            elif key in ("tau2", "tau", "q"):
                low = max(low, 0.0)
            if ratio and key in _ON_RATIO_SCALE:
                low, high = log_interval(max(low, 0.0), high)
            out[key] = (low, high)
    return {n: out[n] for n in QUANTITIES if n in out}


def _shown(name: str, low: float, high: float, ratio: bool) -> tuple[float, float]:
    if ratio and name in _ON_RATIO_SCALE:
        return math.exp(low), math.exp(high)
    return low, high


def _printed_texts(pooled: dict) -> dict:
    out = {}
    for name, value in pooled.items():
        out[name] = [v.text for v in value] if name in ("ci", "pi") else value.text
        if name == "i2":
            out[name] += "%"
    return out


def _tables(raw) -> dict:
    """The raw rows' columns as arrays, in one column set: rows may use either of escalc's
    alternatives (``sei`` for ``vi``; ``n1i``/``n2i`` for ``bi``/``di``), made ``vi`` and
    ``bi``/``di`` here."""
    rows = []
    for row in raw:
        c = {name: float(value) for name, value in row.columns.items()}
        if "sei" in c:
            c["vi"] = c.pop("sei") ** 2
        if "ai" in c and "n1i" in c:
            c["bi"], c["di"] = c.pop("n1i") - c["ai"], c.pop("n2i") - c["ci"]
        rows.append(c)
    names = list(dict.fromkeys(name for c in rows for name in c))
    return {n: np.array([c.get(n, math.nan) for c in rows]) for n in names}


def _cells(measure: str, raw):
    from ivigmeta.effects.two_by_two import table_cells

    c = _tables(raw)
    return table_cells(c["ai"], c.get("bi"), c.get("ci"), c.get("di"), c.get("n1i"), c.get("n2i"))


def _has_zero_cells(measure: str, raw) -> bool:
    if measure not in TABLE_MEASURES or not raw:
        return False
    return bool(any((cell == 0).any() for cell in _cells(measure, raw)))


def _conventions(measure: str, raw):
    """(labels, yi, vi) of the raw rows under each zero-cell convention worth trying (labels:
    the conventions giving these effect sizes; empty without zero cells)."""
    if not raw:
        return [((), np.zeros(0), np.zeros(0))]
    columns = _tables(raw)
    if not _has_zero_cells(measure, raw):
        effects = escalc(measure, **columns)
        return [((), effects.yi, effects.vi)]
    out: dict = {}  # conventions giving the same effect sizes share one entry
    for to in ("only0", "if0all", "all"):
        for drop00 in (False, True):
            effects = escalc(measure, add=0.5, to=to, drop00=drop00, **columns)
            key = (effects.yi.tobytes(), effects.vi.tobytes())
            label = f"add=1/2, to={to}, drop00={'TRUE' if drop00 else 'FALSE'}"
            labels = out.get(key, ((), None, None))[0]
            out[key] = ((*labels, label), effects.yi, effects.vi)
    return list(out.values())


def _table_models(measure: str, raw, intervals: dict, level: float):
    """Mantel-Haenszel and Peto fits (z tests, no PI) as search outcomes."""
    from ivigmeta.effects.continuity import add_to_cells
    from ivigmeta.stats.checks.pool_search import VariantOutcome
    from ivigmeta.stats.models.mantel_haenszel import mantel_haenszel
    from ivigmeta.stats.models.peto import peto

    cells = list(_cells(measure, raw))
    zeros = any((cell == 0).any() for cell in cells)
    fits = []
    if measure in ("OR", "RR", "RD"):
        effects = escalc(measure, add=0.5, to="only0", drop00=True, **_tables(raw))
        pooled_cells = [("tables as given", cells)]
        if zeros:
            pooled_cells.append(("1/2 added to tables with a zero cell",
                                 add_to_cells(cells, 0.5, "only0")))  # fmt: skip
        for label, table in pooled_cells:
            fit = mantel_haenszel(*table, effects.yi, effects.vi, measure=measure, level=level)
            fits.append(("MH", (label,) if zeros else (), fit))
    if measure in ("OR", "PETO"):
        effects = escalc("PETO", add=0.5, to="only0", drop00=True, **_tables(raw))
        with contextlib.suppress(AnalysisError):  # no table has both outcomes: metafor stops
            fits.append(("PETO", (), peto(*cells, effects.yi, effects.vi, level=level)))
    k = sum(1 for _ in raw)
    for method, label, fit in fits:
        values = {
            name: np.array([float(getattr(fit, name))])
            for name in ("estimate", "ci_low", "ci_high", "statistic", "p", "q", "q_p")
        }
        values |= {"tau2": np.zeros(1), "tau": np.zeros(1), "i2:metafor": np.array([fit.i2]),
                   "i2:Q": np.array([fit.i2])}  # fmt: skip
        targets = Targets(intervals, fit.k_yi or k)
        for variant in targets.variants(("z",)):
            for rule in ("pi_low", "pi_high"):
                values[variant.key(rule)] = np.full(1, np.nan)
            ok = judge(values, targets, variant)
            every = all(bool(v[0]) for v in ok.values())
            ranges = {n: (float(values[variant.key(n)][0]),) * 2 for n in targets.names
                      if math.isfinite(values[variant.key(n)][0])}  # fmt: skip
            yield method, label, VariantOutcome(
                variant, every, {c: float(v[0]) for c, v in values.items()} if every else None,
                ranges, {n: bool(v[0]) for n, v in ok.items()})  # fmt: skip


def _candidate(method: str, test: str, found: list, ratio: bool, has_zero: bool) -> Candidate:
    hits = [(label, o) for label, o in found if o.reproduced]
    names = list(found[0][1].consistent)
    quantities = {n: "consistent" if any(o.consistent[n] for _, o in found) else "inconsistent"
                  for n in names}  # fmt: skip
    ranges: dict = {}
    for _, o in found:
        for n, (low, high) in o.ranges.items():
            old = ranges.get(n, (math.inf, -math.inf))
            ranges[n] = (min(old[0], low), max(old[1], high))
    variant: Variant = hits[0][1].variant if hits else found[0][1].variant

    def rules(attribute: str):
        if getattr(variant, attribute) is None:
            return None
        return sorted({getattr(o.variant, attribute) for _, o in hits}) if hits else []

    values = None
    if hits:
        witness = hits[0][1].witness
        values = {n: _shown(n, witness[variant.key(n)], witness[variant.key(n)], ratio)[0]
                  for n in QUANTITIES if variant.key(n) in witness}  # fmt: skip
    zero_cells = None
    if has_zero:
        zero_cells = list(dict.fromkeys(label for labels, _ in hits if labels for label in labels))
    return Candidate(
        method=method,
        test=test,
        verdict="consistent" if hits else "inconsistent",
        quantities=quantities,
        pi_rules=rules("pi"),
        i2_rules=rules("i2"),
        zero_cells=zero_cells,
        values=values,
        ranges={n: list(_shown(n, lo, hi, ratio)) for n, (lo, hi) in ranges.items()},
    )


def _notes(rows: list[Candidate], pooled: dict, intervals: dict, ratio: bool) -> dict:
    """A note per printed quantity that no model reaches, with the values the models give."""
    notes = {}
    texts = {}
    for name, value in _printed_texts(pooled).items():
        if name in ("ci", "pi"):
            texts[f"{name}_low"], texts[f"{name}_high"] = value
        else:
            texts[name] = value
    for name in intervals:
        if any(c.quantities.get(name) == "consistent" for c in rows):
            continue
        low, high = _shown(name, *intervals[name], ratio)
        spans = [c.ranges[name] for c in rows if name in c.ranges]
        reached = (
            (f"the models give {min(s[0] for s in spans):.4g} to {max(s[1] for s in spans):.4g}")
            if spans
            else "no model gives a value"
        )
        notes[name] = (f"printed {texts[name]} stands for [{low:.6g}, {high:.6g}]; no model "
                       f"reaches it: {reached}")  # fmt: skip
    if not notes and rows and not any(c.verdict == "consistent" for c in rows):
        notes["all"] = ("each printed number is reached by some model, but no model gives "
                        "them all at once")  # fmt: skip
    return notes
