"""The project's own error types.

Every error raised on purpose derives from :class:`IvigmetaError`; the CLI prints its message on
one line and exits with code 2. Anything else escaping is a bug.
"""

from __future__ import annotations


class IvigmetaError(Exception):
    """Base class of all errors ivigmeta raises on purpose."""


class InputError(IvigmetaError):
    """Bad input: a file, a record field, an option value.

    The message reads ``FILE:LINE: FIELD: what was expected`` with the parts that are known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class AnalysisError(IvigmetaError):
    """The input is well formed but the analysis asked for cannot be done (e.g. k too small)."""
