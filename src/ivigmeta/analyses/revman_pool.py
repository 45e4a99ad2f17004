"""``ivigmeta pool --rm5 FILE --comparison N --outcome M``: pool one outcome of a RevMan review
the way RevMan 5 pooled it (Deeks & Higgins, Statistical algorithms in Review Manager 5,
2010; R meta's ``metacr`` maps it the same way).

RevMan's settings become ivigmeta's (:func:`revman_method`): ``METHOD="MH"`` fixed effect is
Mantel-Haenszel (``--method MH``); ``MH`` random effects is DerSimonian-Laird with tau²
from the heterogeneity statistic around the Mantel-Haenszel estimate (R meta's
``Q.Cochrane``), then inverse-variance weights 1/(v_i + tau²); ``IV`` fixed is the
inverse-variance equal-effects model (``EE``), ``IV`` random is ``DL``; ``PETO`` (and the
measure ``PETO_OR``) is Peto's odds ratio. RevMan's study effects: OR, RR and RD from the
counts with 1/2 added to every cell of a table with a zero cell (metafor escalc's default),
tables without events or without non-events in both groups are not estimable for OR and RR;
an RD is the uncorrected a/n1 - c/n2 with the variance of the corrected table (as R meta).
The Mantel-Haenszel OR and RR use the same corrected tables (R meta's ``MH.exact = FALSE``,
as RevMan); the Mantel-Haenszel RD is RevMan's (:mod:`ivigmeta.stats.models.revman_mh`).
Fixed-effect results report tau² = 0 (RevMan stores 0; R meta prints the DL tau² beside a
common-effect model). MD as metafor; SMD is RevMan's Hedges' g
(:mod:`ivigmeta.effects.revman`). Studies RevMan cannot estimate (a group of 0 patients, an
SD of 0) are left out with a note. ``method``/``measure``/``level`` override RevMan's.
Heterogeneity (``q``, ``i2``) is RevMan's Chi² and I² = (Q - df)/Q.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import InputError

DICHOTOMOUS = ("OR", "RR", "RD")
CONTINUOUS = ("MD", "SMD")
#: (RevMan METHOD, random) -> ivigmeta method; "MH-DL": RevMan's Mantel-Haenszel random effects
METHODS = {("MH", False): "MH", ("MH", True): "MH-DL", ("IV", False): "EE", ("IV", True): "DL",
           ("PETO", False): "PETO", ("PETO", True): "PETO"}  # fmt: skip


@dataclass(frozen=True)
class RevmanPlan:
    """How an outcome is pooled: ivigmeta ``measure`` and ``method`` (an rma estimator, MH,
    PETO or MH-DL) at ``level``, and the words for the notes."""

    measure: str
    method: str
    level: float
    description: str


def read_review(path):
    """The review in ``path``: a RevMan Web data package for a ``.zip`` or ``...data-rows.csv``
    name, RevMan 5's CSV export for another ``.csv`` name, else an RM5 file."""
    import os

    from ivigmeta.records.revman_web import is_data_rows, read_revman_web

    name = os.fspath(path).lower()
    if name.endswith(".zip") or is_data_rows(name):
        return read_revman_web(path)
    if name.endswith(".csv"):
        from ivigmeta.records.revman_csv import read_revman_csv

        return read_revman_csv(path)
    from ivigmeta.records.revman import read_rm5

    return read_rm5(path)


def revman_method(outcome, method: str | None = None, measure: str | None = None,
                  level: float | None = None) -> RevmanPlan:  # fmt: skip
    """The :class:`RevmanPlan` of ``outcome`` (a :class:`~ivigmeta.records.revman.Outcome`):
    RevMan's measure, method and model unless ``method``/``measure``/``level`` are given."""
    where = {"file": None, "line": outcome.line}
    stored = outcome.measure
    revman = "PETO" if stored == "PETO_OR" else outcome.method
    allowed = DICHOTOMOUS if outcome.data_type == "dichotomous" else CONTINUOUS
    chosen = (measure or ("OR" if stored == "PETO_OR" else stored)).upper()
    if chosen not in allowed:
        raise InputError(f"expected a measure of {outcome.data_type} data "
                         f"({', '.join(allowed)}), got {chosen or 'none'}", field="measure",
                         **where)  # fmt: skip
    if method is None:
        if (revman, outcome.random) not in METHODS:
            raise InputError(f"expected RevMan's method MH, IV or PETO, got {revman!r}",
                             field="METHOD", **where)  # fmt: skip
        method = METHODS[(revman, outcome.random)]
        if outcome.data_type == "continuous":
            method = "DL" if outcome.random else "EE"
    method = method.upper()
    if method in ("MH", "MH-DL") and chosen not in DICHOTOMOUS:
        raise InputError(f"Mantel-Haenszel pools OR, RR or RD; got {chosen}", field="method")
    if method == "PETO" and chosen != "OR":
        raise InputError(f"Peto's method pools odds ratios; got {chosen}", field="method")
    if method == "GLMM":
        raise InputError("GLMM pools a CSV table (import the review with `ivigmeta import "
                         "rm5`)", field="method")  # fmt: skip
    words = {"MH": "Mantel-Haenszel, fixed effect", "MH-DL": "Mantel-Haenszel, random effects "
             "(DerSimonian-Laird tau² from the Mantel-Haenszel Q)", "EE": "inverse variance, "
             "fixed effect", "DL": "inverse variance, random effects (DerSimonian-Laird)",
             "PETO": "Peto, fixed effect"}  # fmt: skip
    description = words.get(method, f"inverse variance, random effects ({method})")
    return RevmanPlan(chosen, method, outcome.level if level is None else level, description)


def pool_rm5(path, comparison: int, outcome: int, *, method: str | None = None,
             measure: str | None = None, level: float | None = None, test: str = "z",
             pi: str = "auto"):  # fmt: skip
    """Pool outcome ``outcome`` of comparison ``comparison`` of the RevMan file ``path``
    (:func:`read_review`) as RevMan did (module docstring); returns a
    :class:`~ivigmeta.analyses.pool.PoolResult`."""
    from ivigmeta.analyses.few_studies import with_small_k
    from ivigmeta.analyses.pool import pool_result

    review = read_review(path)
    chosen = review.outcome(_number(comparison, "comparison"), _number(outcome, "outcome"))
    if not chosen.readable:
        raise InputError(f"outcome {outcome} holds {chosen.data_type} data, which ivigmeta "
                         "does not read yet (dichotomous and continuous only)",
                         file=review.file, line=chosen.line, field="outcome")  # fmt: skip
    plan = revman_method(chosen, method, measure, level)
    if plan.method in ("MH", "PETO", "MH-DL") and test != "z":
        raise InputError(f"{plan.description} uses z tests; got --test {test}", field="test")
    data = revman_effect_data(review, chosen, plan)
    fields, weights, notes = _fit(data, plan, test=test, pi=pi)
    stored = chosen.stored
    notes = [
        f"{review.format}: comparison {comparison}, outcome {outcome} "
        f"({chosen.name}); {chosen.measure}, {plan.description}",
        *data.notes,
        *notes,
    ]
    if stored.get("EFFECT_SIZE"):
        notes.append(f"RevMan stored: {chosen.measure} {stored['EFFECT_SIZE']} "
                     f"[{stored['CI_START']}, {stored['CI_END']}], Chi² {stored['CHI2']}, "
                     f"I² {stored['I2']}%")  # fmt: skip
    result = pool_result(data, fields, weights, pi=pi, notes=tuple(notes))
    return with_small_k(result, data, method="DL" if plan.method == "MH-DL" else plan.method,
                        level=plan.level)  # fmt: skip


def revman_effect_data(review, outcome, plan: RevmanPlan):
    """The estimable studies of ``outcome`` as an
    :class:`~ivigmeta.analyses.effect_data.EffectData` (counts: the uncorrected 2x2 tables,
    events swapped where RevMan swaps them); InputError if none is estimable."""
    from ivigmeta.analyses.effect_data import EffectData
    from ivigmeta.effects.escalc import escalc
    from ivigmeta.effects.revman import revman_smd

    rows = outcome.rows
    if not rows:
        raise InputError(f"outcome {outcome.number} has no study data", file=review.file,
                         line=outcome.line, field="outcome")  # fmt: skip
    column = {name: np.array([row.values[name] for row in rows]) for name in rows[0].values}
    counts = {}
    if outcome.data_type == "dichotomous":
        ai, ci = column["ai"], column["ci"]
        if outcome.swap_events:
            ai, ci = column["n1i"] - ai, column["n2i"] - ci
        keep = (column["n1i"] > 0) & (column["n2i"] > 0)
        a, b, c, d = ai, column["n1i"] - ai, ci, column["n2i"] - ci
        if plan.measure in ("OR", "RR") or plan.method == "PETO":
            keep &= ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
        counts = {"ai": a[keep], "bi": b[keep], "ci": c[keep], "di": d[keep]}
        effects = escalc("PETO" if plan.method == "PETO" else plan.measure, **counts)
        yi, vi = np.asarray(effects.yi, dtype=float), np.asarray(effects.vi, dtype=float)
        if plan.measure == "RD" and plan.method != "PETO":  # R meta: RD as is, its SE corrected
            yi = counts["ai"] / (counts["ai"] + counts["bi"])
            yi = yi - counts["ci"] / (counts["ci"] + counts["di"])
    else:
        keep = (column["n1i"] > 0) & (column["n2i"] > 0)
        keep &= (column["sd1i"] > 0) & (column["sd2i"] > 0)
        values = [column[name][keep] for name in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")]
        if plan.measure == "SMD":
            yi, vi = revman_smd(*values)
        else:
            effects = escalc("MD", **dict(zip(("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
                                              values, strict=True)))  # fmt: skip
            yi, vi = np.asarray(effects.yi, dtype=float), np.asarray(effects.vi, dtype=float)
        finite = np.isfinite(yi) & np.isfinite(vi)
        index = np.flatnonzero(keep)
        keep[index[~finite]] = False
        yi, vi = yi[finite], vi[finite]
    kept = [row for row, k in zip(rows, keep, strict=True) if k]
    if not kept:
        raise InputError(f"outcome {outcome.number}: no study is estimable (RevMan: 'Not "
                         "estimable')", file=review.file, line=outcome.line)  # fmt: skip
    notes = []
    left = [row.study for row, k in zip(rows, keep, strict=True) if not k]
    if left:
        notes.append(f"not estimable, left out as RevMan does: {', '.join(left)}")
    if outcome.swap_events:
        notes.append("events and non-events swapped, as RevMan's setting says")
    return EffectData(
        outcome=f"{outcome.comparison}.{outcome.number} {outcome.name}".strip(),
        measure=plan.measure,
        ids=tuple(row.study for row in kept),
        timepoints=(None,) * len(kept),
        yi=yi,
        vi=vi,
        notes=tuple(notes),
        uses_r=False,
        source=review.file,
        counts=counts,
        _columns={"study": [row.study for row in kept],
                  "subgroup": [row.subgroup or "" for row in kept]},
        _lines=tuple(row.line for row in kept),
    )  # fmt: skip


def _fit(data, plan: RevmanPlan, *, test: str, pi: str):
    """(fields, weights in percent, notes) of ``plan``'s method on ``data``."""
    from ivigmeta.analyses.pool import tau2_ci_fields
    from ivigmeta.stats.models.rma import rma

    if plan.method in ("MH", "MH-DL", "PETO"):
        from ivigmeta.stats.models.mantel_haenszel import mantel_haenszel
        from ivigmeta.stats.models.peto import peto

        if plan.method == "PETO":
            fit = peto(**data.counts, yi=data.yi, vi=data.vi, level=plan.level)
            return fit.summary(), fit.weights, ()
        fit = mantel_haenszel(**corrected_tables(data.counts), yi=data.yi, vi=data.vi,
                              measure=plan.measure, level=plan.level)  # fmt: skip
        fields, weights = fit.summary(), fit.weights
        if plan.measure == "RD":
            from ivigmeta.stats.models.mantel_haenszel import heterogeneity_from_effects
            from ivigmeta.stats.models.revman_mh import revman_mh_risk_difference

            fields.update(revman_mh_risk_difference(**data.counts, level=plan.level))
            weights = fields.pop("weights")
            q, q_df, q_p, i2, h2 = heterogeneity_from_effects(data.yi, data.vi,
                                                              fields["estimate"])  # fmt: skip
            fields.update(q=q, q_df=q_df, q_p=q_p, i2=i2, h2=h2, cmh=None, cmh_p=None)
        if plan.method == "MH":
            return fields, weights, ()
        tau2 = dersimonian_laird_tau2(data.vi, fields["q"])
        random = rma(data.yi, data.vi, method="DL", tau2=tau2, test=test, level=plan.level,
                     pi=pi)  # fmt: skip
        fields = {
            **random.summary(),
            "method": "DL",
            **{key: fields[key] for key in ("q", "q_df", "q_p", "i2", "h2")},
        }
        note = (
            f"tau² = {tau2:.4g}: DerSimonian-Laird from the Mantel-Haenszel Q, as RevMan; "
            "Q and I² are RevMan's (around the Mantel-Haenszel estimate)"
        )
        return fields, random.weights, (note,)
    fit = rma(data.yi, data.vi, method=plan.method, test=test, level=plan.level, pi=pi)
    fields = {**fit.summary(), "se_tau2": fit.se_tau2, **tau2_ci_fields(fit)}
    return fields, fit.weights, fit.notes


def corrected_tables(counts: dict) -> dict:
    """The 2x2 tables with 1/2 added to every cell of a table with a zero cell (RevMan's
    Mantel-Haenszel, R meta's ``MH.exact = FALSE``)."""
    cells = [np.asarray(counts[name], dtype=float) for name in ("ai", "bi", "ci", "di")]
    zero = np.any([cell == 0 for cell in cells], axis=0)
    return {name: cell + 0.5 * zero for name, cell in zip(("ai", "bi", "ci", "di"), cells,
                                                            strict=True)}  # fmt: skip


def dersimonian_laird_tau2(vi, q: float) -> float:
    """tau² = max(0, (Q - df) / (sum w - sum w² / sum w)), w = 1/v_i, df = k - 1
    (DerSimonian & Laird 1986) for a given heterogeneity statistic Q."""
    w = 1 / np.asarray(vi, dtype=float)
    k = w.size
    if k < 2:
        return 0.0
    return max(0.0, (q - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))


def _number(value, name: str) -> int:
    """A comparison or outcome number (a whole number >= 1, also as text), or InputError."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not text.isdigit() or len(text) > 9 or int(text) < 1:
        got = repr(value) if value is not None else "nothing"
        raise InputError(f"expected RevMan's {name} number (1, 2, ...), got {got}", field=name)
    return int(text)
