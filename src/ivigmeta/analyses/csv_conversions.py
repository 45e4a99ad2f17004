"""Summaries in a ``pool --csv`` table converted to the columns escalc needs (metafor 5.0-1).

Which column combinations are converted, only where the target cell is empty (metafor's
``replace="ifna"``) and the summaries are there (a row without them keeps its missing value
and is left out, as metafor's ``na.omit``):

- median with quartiles and/or range -> mean and SD (``conv.fivenum``, default methods; see
  :func:`ivigmeta.effects.conversions.convert_fivenum`): for MN, MNLN and CVLN the columns
  ``min q1i mdi q3i max`` (with ``ni``) fill ``mi`` and ``sdi``; for the two-group measures
  MD, SMD, SMDH, ROM, CVR and VR the same names with the group number appended
  (``min1 q1i1 mdi1 q3i1 max1`` with ``n1i``; ``min2 ... max2`` with ``n2i``) fill
  ``m1i sd1i`` and ``m2i sd2i``. A study needs the median and the range, the quartiles, or
  both; one too skewed for a normal distribution (Shi et al. 2023 test) or with n < 5 gets no
  mean, and the error says so.
- a 95% confidence interval -> sampling variance (``conv.wald``): for GEN, ``yi`` with
  ``ci_low ci_high`` (on the scale of yi, e.g. log odds ratios) fills ``vi``.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.errors import InputError

SINGLE_GROUP = ("MN", "MNLN", "CVLN")
TWO_GROUPS = ("MD", "SMD", "SMDH", "ROM", "CVR", "VR")
CI_LEVEL = 95.0


def _fivenum_groups(measure: str) -> list[tuple[str, str, str, str]]:
    """(suffix of the summary columns, mean column, SD column, n column) per group."""
    if measure in SINGLE_GROUP:
        return [("", "mi", "sdi", "ni")]
    if measure in TWO_GROUPS:
        return [(g, f"m{g}i", f"sd{g}i", f"n{g}i") for g in ("1", "2")]
    return []


def convert_columns(measure: str, columns: dict, table) -> tuple[dict, list[str]]:
    """``columns`` (name -> float array) with converted cells filled in, and the notes."""
    from ivigmeta.effects.conversions import convert_fivenum, convert_wald

    columns = dict(columns)
    notes: list[str] = []
    k = len(table.studies)
    empty = np.full(k, np.nan)
    for suffix, mean_name, sd_name, n_name in _fivenum_groups(measure):
        names = [f"{stat}{suffix}" for stat in ("min", "q1i", "mdi", "q3i", "max")]
        if names[2] not in columns:
            continue
        mean = columns.get(mean_name, empty)
        sd = columns.get(sd_name, empty)
        wanted = (np.isnan(mean) | np.isnan(sd)) & ~np.isnan(columns[names[2]])
        wanted &= ~np.isnan(columns.get(n_name, empty))  # without n: a missing value (na.omit)
        if not wanted.any():
            continue
        values = [np.where(wanted, columns.get(name, empty), np.nan) for name in names]
        try:
            result = convert_fivenum(*values, n=columns.get(n_name, empty))
        except InputError as error:
            row = getattr(error, "row", 0)
            raise InputError(
                error.message.split(": ", 1)[-1],
                file=table.file,
                line=table.line_of(row),
                field=names[2],
            ) from None
        for row in np.flatnonzero(wanted & np.isnan(result.mean)):
            why = (
                f"too skewed for a normal distribution (Shi et al. 2023: T = "
                f"{result.skewness[row]:.4g} >= {result.critical[row]:.4g})"
                if result.skewed[row]
                else f"no estimate (needs the median with the range and/or the quartiles and "
                f"{n_name} >= 5)"
            )
            raise InputError(
                f"cannot convert to a mean and SD: {why}; enter {mean_name} and {sd_name}",
                file=table.file,
                line=table.line_of(int(row)),
                field=names[2],
            )
        columns[mean_name] = np.where(np.isnan(mean) & wanted, result.mean, mean)
        columns[sd_name] = np.where(np.isnan(sd) & wanted, result.sd, sd)
        summaries = {"range": "range", "iqr": "quartiles", "both": "range and quartiles"}
        for case, summary in summaries.items():
            rows = [i for i in np.flatnonzero(wanted) if result.case[i] == case]
            if rows:
                notes.append(
                    f"{mean_name}, {sd_name} from the median and {summary} for "
                    f"{', '.join(table.studies[i] for i in rows)} ({result.method[rows[0]]}; "
                    f"metafor conv.fivenum)"
                )
    if measure == "GEN" and "ci_low" in columns and "ci_high" in columns and "yi" in columns:
        vi = columns.get("vi", empty)
        if "sei" in columns:
            vi = np.where(np.isnan(vi), columns["sei"] ** 2, vi)
        wanted = np.isnan(vi) & ~np.isnan(columns["ci_high"])
        wanted &= ~np.isnan(columns["ci_low"]) & ~np.isnan(columns["yi"])  # else na.omit
        if wanted.any():
            try:
                result = convert_wald(
                    columns["yi"], columns["ci_low"], columns["ci_high"], level=CI_LEVEL
                )
            except InputError as error:
                raise InputError(
                    error.message.split(": ", 1)[-1],
                    file=table.file,
                    line=table.line_of(getattr(error, "row", 0)),
                    field=error.field,
                ) from None
            columns["vi"] = np.where(wanted, result.vi, vi)
            columns.pop("sei", None)
            rows = [table.studies[i] for i in np.flatnonzero(wanted)]
            notes.append(
                f"vi from the {CI_LEVEL:g}% CI (ci_low, ci_high) for {', '.join(rows)}: "
                f"((ci_high - ci_low) / (2 x 1.96))^2 (metafor conv.wald)"
            )
            asymmetric = [table.studies[i] for i in np.flatnonzero(wanted) if result.asymmetric[i]]
            if asymmetric:
                notes.append(
                    f"CI not symmetric around yi for {', '.join(asymmetric)} (is it on the "
                    f"scale of yi, e.g. log odds ratios?)"
                )
    return columns, notes
