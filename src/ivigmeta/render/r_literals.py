"""R source text from Python values, so that data written into an R script stays data.

An emitted script (``--emit-r FILE.R``) runs on a reviewer's machine; every string that came
from the input (study ids, group labels, file names, the command line) is written by
:func:`r_string` as a double-quoted R string literal in which the only characters left as they
are is printable ASCII other than ``"`` and ``\\``: quotes and backslashes are escaped, control
characters and everything outside ASCII become ``\\u{XXXX}`` / ``\\U{XXXXXXXX}`` escapes (R
Language Definition, section 10.3.1 "Constants"), so a literal can neither end early nor span
lines, and the script is pure ASCII. R strings cannot hold NUL, and ``\\u`` escapes cannot
hold UTF-16 surrogates: such a string is refused (InputError) rather than altered.
:func:`r_comment` writes input text into a ``#`` comment the same way (no raw newline can end
the comment). Numbers are written by :func:`r_number` with Python's shortest repr that reads
back to the same double (R's parser rounds correctly), ``NaN`` as ``NA``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ivigmeta.errors import InputError

_SIMPLE = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(text: str, what: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in _SIMPLE:
            out.append(_SIMPLE[char])
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code == 0 or 0xD800 <= code <= 0xDFFF:
            raise InputError(
                f"{what} {text[:40]!r} holds {'NUL' if code == 0 else 'a lone surrogate'}, "
                "which an R string cannot hold; --emit-r cannot write it",
                field="emit-r",
            )
        elif code <= 0xFFFF:
            out.append(f"\\u{{{code:04x}}}")
        else:
            out.append(f"\\U{{{code:08x}}}")
    return "".join(out)


def r_string(text: str, what: str = "text") -> str:
    """``text`` as an escaped, pure-ASCII, one-line R string literal (``what`` names the
    value in the error for a string R cannot hold)."""
    return '"' + _escaped(str(text), what) + '"'


def r_comment(text: str) -> str:
    """``text`` as one ``#`` comment line: escaped as in :func:`r_string`, so no newline or
    other character in the input can end the comment."""
    return "# " + _escaped(str(text), "text")


def r_number(value) -> str:
    """A number as R reads it back exactly: shortest round-trip repr; NaN (or None) ``NA``,
    infinities ``Inf``/``-Inf``; booleans ``TRUE``/``FALSE``."""
    if value is None:
        return "NA"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    number = float(value)
    if math.isnan(number):
        return "NA"
    if math.isinf(number):
        return "Inf" if number > 0 else "-Inf"
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def r_vector(
    values: Iterable, *, strings: bool = False, what: str = "text", width: int = 96
) -> str:
    """``c(...)`` of numbers (or of strings with ``strings=True``), wrapped at ``width``."""
    items = [r_string(v, what) if strings else r_number(v) for v in values]
    lines, line = [], "c("
    for index, item in enumerate(items):
        piece = item + ("," if index < len(items) - 1 else "")
        if len(line) + len(piece) + 1 > width and line != "c(":
            lines.append(line)
            line = "  "
        line += piece if line in ("c(", "  ") else " " + piece
    lines.append(line + ")")
    return "\n".join(lines)
