"""Small wording helpers for messages and tables."""

from __future__ import annotations

_IRREGULAR = {"study": "studies", "analysis": "analyses", "entry": "entries", "is": "are"}


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun in the right number: ``count(1, "study")`` is ``"1 study"``,
    ``count(2, "study")`` is ``"2 studies"`` (regular nouns take an ``s``)."""
    if n == 1:
        return f"{n} {singular}"
    return f"{n} {plural or _IRREGULAR.get(singular, singular + 's')}"
