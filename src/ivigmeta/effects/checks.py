"""Input checks shared by the effect-size functions.

A failed check raises :class:`~ivigmeta.errors.InputError` naming the argument (``field``) and
the first offending row; the error's ``row`` attribute holds that 0-based row index so that
readers (e.g. the CSV reader) can translate it into a file line.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.errors import InputError


def as_column(name: str, values) -> np.ndarray:
    """``values`` as a 1-d float array; scalars broadcast later by numpy."""
    try:
        return np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise InputError("expected numbers", field=name) from None


def require(bad, name: str, expected: str) -> None:
    """Raise InputError for the first row where ``bad`` is true (NaN rows are never bad)."""
    bad = np.atleast_1d(np.asarray(bad, dtype=bool))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        error = InputError(f"row {row + 1}: expected {expected}", field=name)
        error.row = row
        raise error


def nonnegative(name: str, values: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        require(values < 0, name, "a value >= 0")


def positive(name: str, values: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        require(values <= 0, name, "a value > 0")


def correlation(name: str, values: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        require(np.abs(values) > 1, name, "a correlation between -1 and 1")


def vtype_choice(vtype: str, allowed: tuple[str, ...], measure: str) -> None:
    if vtype not in allowed:
        raise InputError(
            f"vtype {vtype!r} is not available for {measure}; choose one of {', '.join(allowed)}",
            field="vtype",
        )


def finish(yi: np.ndarray, vi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """metafor's post-processing: infinite or NaN yi/vi become NaN; negative vi become NaN."""
    yi = np.array(yi, dtype=float)
    vi = np.array(vi, dtype=float)
    invalid = ~np.isfinite(yi) | ~np.isfinite(vi)
    yi[invalid] = np.nan
    vi[invalid] = np.nan
    with np.errstate(invalid="ignore"):
        vi[vi < 0] = np.nan
    return yi, vi
