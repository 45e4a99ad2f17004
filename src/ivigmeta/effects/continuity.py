"""Continuity correction for zero cells, as metafor's ``add`` and ``to`` arguments."""

from __future__ import annotations

import numpy as np

from ivigmeta.errors import InputError

TO_CHOICES = ("only0", "all", "if0all", "none")


def add_to_cells(cells: list[np.ndarray], add: float, to: str) -> list[np.ndarray]:
    """Add ``add`` to every cell of the rows selected by ``to``.

    ``only0`` (default): rows with at least one zero cell; ``all``: every row; ``if0all``: every
    row if any row has a zero cell; ``none``: no correction.
    """
    if to not in TO_CHOICES:
        raise InputError(f"expected one of {', '.join(TO_CHOICES)}, got {to!r}", field="to")
    if to == "none" or add == 0:
        return cells
    if to == "all":
        rows = np.ones_like(cells[0], dtype=bool)
    else:
        rows = np.zeros_like(cells[0], dtype=bool)
        for cell in cells:
            rows |= cell == 0
        if to == "if0all":
            rows = np.full_like(rows, rows.any())
    return [np.where(rows, cell + add, cell) for cell in cells]
