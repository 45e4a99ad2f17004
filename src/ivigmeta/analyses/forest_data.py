"""What a forest plot shows, beyond the pool result: each arm's data, subgroups and models.

- Data columns from the studies' escalc inputs (:meth:`EffectData.inputs`): Events and Total
  per arm for 2x2 data (Total = ai + bi, or n1i); Mean, SD and Total for two-group continuous
  data; follow-up and baseline Mean and SD with the Total for pre-post data from a table;
  Mean change, SD and Total for change rows of the records; Events and Total for proportions.
  CSV cells are shown as written; "Events" and "Total" are summed for the subtotal rows.
- ``by``: a record field or CSV column; one group per value (sorted by name, as
  ``ivigmeta subgroup``), each pooled on its own (its own tau², ``rma(yi, vi, subset = g)``);
  studies without a value form a last group that the subgroup test leaves out. Test for
  subgroup differences (Borenstein et al. 2009, ch. 19; RevMan): Q = sum_g (mu_g - mu)²/se_g²
  with mu the inverse-variance mean of the group estimates, G - 1 df,
  I² = max(0, (Q - df)/Q) (metafor: ``rma(estimates, sei = se, method = "EE")``).
- ``model``: ``random`` (the ``--method`` fit), ``common`` (equal effects) or ``both``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivigmeta.errors import InputError

MODELS = ("random", "common", "both")
SORT_KEYS = ("effect", "weight", "label")
TWO_BY_TWO = ("RR", "OR", "RD", "PETO")
CONTINUOUS = ("MD", "SMD", "SMDH", "ROM")
PRE_POST = ("MC", "SMCC", "SMCR", "SMCRH")
PROPORTIONS = ("PR", "PLO", "PAS", "PFT")
SUMMED = ("Events", "Total")
COMMON_METHODS = ("EE", "MH", "PETO")


@dataclass(frozen=True)
class Group:
    """One block: its name (None: ungrouped), the studies (indices into the data) and one fit
    per model (:class:`~ivigmeta.stats.models.rma.RmaFit`), in the order of ``models``."""

    name: str | None
    members: tuple[int, ...]
    fits: tuple


@dataclass(frozen=True)
class ForestData:
    """Everything the forest plot draws beyond each study's yi and vi."""

    measure: str
    ids: tuple[str, ...]
    yi: np.ndarray
    vi: np.ndarray
    models: tuple[str, ...]  # "random" and/or "common", in drawing order
    method: str
    test: str
    level: float
    arms: tuple[tuple[str, tuple[str, ...]], ...]
    cells: tuple[tuple[str, ...], ...]  # per study, every data column
    overall: tuple  # one RmaFit per model
    groups: tuple[Group, ...]
    by: str | None
    subgroup_test: tuple[tuple[float, int, float], ...]  # (Q, df, p) per model, or ()

    def totals(self, members) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Cells of the subtotal row (summed totals) and of its "Total events" row."""
        headers = [h for _, hs in self.arms for h in hs]
        totals, events = [], []
        for column, header in enumerate(headers):
            values = [_number(self.cells[i][column]) for i in members]
            summed = _format(sum(values)) if None not in values and values else ""
            totals.append(summed if header == "Total" else "")
            events.append(summed if header == "Events" else "")
        return tuple(totals), (tuple(events) if any(events) else ())


def forest_data(
    data,
    *,
    method: str,
    test: str,
    level: float,
    by: str | None = None,
    model: str = "random",
    sort_by: str | None = None,
    arm_names: tuple[str, str] = ("Experimental", "Control"),
    primary=None,
) -> ForestData:
    """Fits, groups and data columns of ``data`` (an :class:`EffectData`) for the forest plot.

    ``primary`` is the pool's own fit over all studies (used as is for its model, so the plot
    shows exactly the pooled numbers, Mantel-Haenszel and Peto included); other fits are
    inverse-variance ``rma``. Subgroups need an inverse-variance method.
    """
    from ivigmeta.stats.models.rma import rma

    if model not in MODELS:
        raise InputError(f"expected one of {', '.join(MODELS)}, got {model!r}", field="model")
    models = ("common", "random") if model == "both" else (model,)
    if method in COMMON_METHODS:
        models = ("common",)
    if by is not None and method in ("MH", "PETO"):
        raise InputError(f"--by needs an inverse-variance method (EE, DL, REML, ...), not "
                         f"{method}", field="by")  # fmt: skip

    def fit(members, which):
        members = list(members)
        return rma(
            data.yi[members],
            data.vi[members],
            method="EE" if which == "common" else method,
            test=test,
            level=level,
        )

    everyone = range(data.k)
    own = "common" if method in COMMON_METHODS else "random"
    overall = tuple(primary if (primary is not None and m == own) else fit(everyone, m)
                    for m in models)  # fmt: skip
    order = _sort_order(data, overall[-1], sort_by)
    groups, test_rows = [], ()
    if by is None:
        groups.append(Group(None, tuple(order), overall))
    else:
        values = data.values(by)  # InputError naming the fields or columns there are
        names = sorted({_label(v) for v in values if v not in (None, "")})
        missing = [i for i in order if values[i] in (None, "")]
        for name in names:
            members = tuple(
                i for i in order if values[i] not in (None, "") and _label(values[i]) == name
            )
            groups.append(Group(name, members, tuple(fit(members, m) for m in models)))
        if len(names) >= 2:
            test_rows = tuple(
                _between(tuple(g.fits[j] for g in groups)) for j in range(len(models))
            )
        if missing:
            groups.append(Group(f"No {by}", tuple(missing), tuple(fit(missing, m) for m in models)))
    arms, cells = _data_columns(data, arm_names)
    return ForestData(
        measure=data.measure,
        ids=data.ids,
        yi=data.yi,
        vi=data.vi,
        models=models,
        method=method,
        test=test,
        level=level,
        arms=arms,
        cells=cells,
        overall=overall,
        groups=tuple(groups),
        by=by,
        subgroup_test=test_rows,
    )


def _between(fits) -> tuple[float, int, float]:
    from ivigmeta.stats.models.rma import rma

    between = rma([f.estimate for f in fits], [f.estimate_se**2 for f in fits], method="EE")
    return float(between.q), int(between.q_df), float(between.q_p)


def _sort_order(data, fit, sort_by: str | None) -> list[int]:
    if sort_by is None:
        return list(range(data.k))
    if sort_by == "effect":
        keys = list(data.yi)
    elif sort_by == "weight":
        keys = [-w for w in fit.weights]
    elif sort_by == "label":
        keys = list(data.ids)
    else:
        values = data.values(sort_by)
        if any(v in (None, "") for v in values):
            missing = [i for i, v in zip(data.ids, values, strict=True) if v in (None, "")]
            raise InputError(
                f"cannot sort by {sort_by!r}: no value for {', '.join(missing)}", field="sort-by"
            )
        numbers = [_number(v) for v in values]
        keys = numbers if None not in numbers else [str(v) for v in values]
    return sorted(range(data.k), key=lambda i: (keys[i], i))


def _data_columns(data, arm_names):
    inputs = study_inputs(data)
    measure = data.measure
    k = data.k

    def column(name):
        return [_cell(v) for v in inputs[name]] if name in inputs else None

    first, second = arm_names
    if measure in TWO_BY_TWO and "ai" in inputs and "ci" in inputs:
        t1 = _sum_columns(inputs, "ai", "bi") if "bi" in inputs else column("n1i")
        t2 = _sum_columns(inputs, "ci", "di") if "di" in inputs else column("n2i")
        spec = [
            (first, [("Events", column("ai")), ("Total", t1)]),
            (second, [("Events", column("ci")), ("Total", t2)]),
        ]
    elif measure in CONTINUOUS:
        spec = [
            (first, [("Mean", column("m1i")), ("SD", column("sd1i")), ("Total", column("n1i"))]),
            (second, [("Mean", column("m2i")), ("SD", column("sd2i")), ("Total", column("n2i"))]),
        ]
    elif measure in PRE_POST and "mean_change" in inputs:
        spec = [
            (
                first,
                [
                    ("Mean change", column("mean_change")),
                    ("SD", column("sd_change")),
                    ("Total", column("ni")),
                ],
            )
        ]
    elif measure in PRE_POST:
        spec = [
            ("Follow-up", [("Mean", column("m1i")), ("SD", column("sd1i"))]),
            ("Baseline", [("Mean", column("m2i")), ("SD", column("sd2i"))]),
            ("", [("Total", column("ni"))]),
        ]
    elif measure in PROPORTIONS:
        spec = [("", [("Events", column("xi")), ("Total", column("ni"))])]
    else:
        spec = []
    arms, cells = [], [[] for _ in range(k)]
    for name, columns in spec:
        kept = [(h, c) for h, c in columns if c is not None]
        if not kept:
            continue
        arms.append((name, tuple(h for h, _ in kept)))
        for _, values in kept:
            for i in range(k):
                cells[i].append(values[i])
    return tuple(arms), tuple(tuple(c) for c in cells)


def study_inputs(data) -> dict[str, list]:
    """Each study's escalc inputs as given: a CSV table's cells as text, the numbers of the
    record rows (:func:`ivigmeta.analyses.study_rows.row_inputs`)."""
    source = data._columns if data.source is not None else data._inputs
    return {name: list(values) for name, values in source.items()}


def _sum_columns(inputs, a, b) -> list[str]:
    out = []
    for x, y in zip(inputs[a], inputs[b], strict=True):
        nx, ny = _number(x), _number(y)
        out.append(_format(nx + ny) if nx is not None and ny is not None else "")
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return f"{float(value):.4g}"


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _number(text) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _label(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
