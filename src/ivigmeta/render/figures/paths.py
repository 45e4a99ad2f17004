"""Figure file names: the format an extension names, checked before any analysis runs.

No matplotlib here, so the command line can refuse ``--forest plot.jpg`` (or a missing folder)
before it computes and prints anything.
"""

from __future__ import annotations

import os
from pathlib import Path

from ivigmeta.errors import InputError
from ivigmeta.output import check_target

#: The extensions ivigmeta writes, and matplotlib's name of each format.
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def format_for(path: str | os.PathLike[str]) -> str:
    """The output format named by the file extension (svg, png or pdf)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"unknown figure format {suffix or '(none)'!r}; expected .svg, .png or .pdf",
            file=os.fspath(path),
        )
    return FORMATS[suffix]


def check_figure_path(path: str | os.PathLike[str]) -> str:
    """The format of ``path`` (see :func:`format_for`), or InputError unless it names a figure
    format and a file ivigmeta can write: call before computing anything."""
    fmt = format_for(path)
    check_target(path)
    return fmt
