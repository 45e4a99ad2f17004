"""Base for result objects: frozen dataclasses with one ``to_dict()`` used by every renderer."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any


def plain(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and nested results to JSON-ready Python values.

    Non-finite floats become ``None`` (JSON has no NaN); infinities too.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalar or array
        return plain(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


class Result:
    """Mixin for frozen result dataclasses: ``to_dict()`` gives the JSON object (keys = fields)."""

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], /, **extra: Any):
        """An instance from the entries of ``values`` named like this class's fields (others are
        ignored), with ``extra`` added or overriding, e.g.
        ``GroupEstimate.from_mapping(fit.summary(), name="rct")``."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{**{k: v for k, v in values.items() if k in names}, **extra})
