"""GOSH output: one CSV row per subset (``subset,k,q,i2,h2,tau2,estimate``).

Numbers are written as Python's shortest round-trip repr (exact); failed fits are empty
cells. ``subset`` joins the study ids of the subset with ``;`` in input order.
"""

from __future__ import annotations

from collections.abc import Iterator

COLUMNS = ("subset", "k", "q", "i2", "h2", "tau2", "estimate")
ROWS_PER_CHUNK = 50_000


def gosh_csv_chunks(analysis) -> Iterator[str]:
    """The CSV text of a :class:`~ivigmeta.analyses.gosh.GoshAnalysis` in pieces of
    :data:`ROWS_PER_CHUNK` rows (so 10^6 subsets never sit in memory as one string)."""
    fits = analysis.fits
    yield ",".join(COLUMNS) + "\n"
    for start in range(0, len(fits), ROWS_PER_CHUNK):
        rows = slice(start, start + ROWS_PER_CHUNK)
        labels = [_quote(label) for label in analysis.subset_labels(rows)]
        numbers = [_format(getattr(fits, name)[rows]) for name in COLUMNS[2:]]
        k = fits.k[rows].astype(str)
        yield "".join(",".join(row) + "\n" for row in zip(labels, k, *numbers, strict=True))


def _format(values) -> list[str]:
    return [repr(v) if v == v else "" for v in values.tolist()]  # NaN (failed fit): empty


def _quote(label: str) -> str:
    if any(c in label for c in ',"\n'):
        return '"' + label.replace('"', '""') + '"'
    return label


def gosh_summary(analysis, out: str | None) -> str:
    """One line per note, then where the CSV went."""
    lines = [f"note: {note}" for note in analysis.notes]
    if out:
        lines.append(f"wrote {len(analysis.fits)} subsets to {out}")
    return "\n".join(lines) + "\n"
