"""Numbers as printed: a float that remembers its text, and reported p-values with bounds.

A reviewer distinguishes ``7.90`` from ``7.9``: the first was printed to two decimals and stands
for the interval [7.895, 7.905]. :class:`PrintedNumber` keeps the printed text so analyses that
care about rounding (``reproduce``, GRIM) can recover it, while arithmetic treats it as a float.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

_DECIMAL = re.compile(r"^[+-]?(\d+)(?:\.(\d*))?$")


class PrintedNumber(float):
    """A float carrying the text it was printed as (``PrintedNumber("7.90").decimals == 2``)."""

    text: str

    def __new__(cls, text: str | int | float) -> PrintedNumber:
        """Raises ``ValueError`` for text that is not a finite number (``nan``, ``inf``,
        ``1e309``): a printed number has decimals, infinity has none."""
        text = str(text).strip()
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {text!r}")
        value = super().__new__(cls, number)
        value.text = text
        return value

    @property
    def decimals(self) -> int:
        """Digits printed after the decimal point (0 for ``-8`` or ``12``)."""
        match = _DECIMAL.match(self.text)
        if match is None:  # exponent notation: count from the Decimal exponent
            return max(0, -Decimal(self.text).as_tuple().exponent)
        return len(match.group(2) or "")

    @property
    def rounding_interval(self) -> tuple[float, float]:
        """The interval of true values that print as this text: value ± 0.5 * 10^-decimals."""
        half = 0.5 * 10.0 ** (-self.decimals)
        return float(self) - half, float(self) + half

    def __repr__(self) -> str:
        return f"PrintedNumber({self.text!r})"

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):
        return (PrintedNumber, (self.text,))


_P_TEXT = re.compile(r"^\s*(<=|>=|≤|≥|<|>|=)?\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class ReportedP:
    """A p-value as printed: ``0.005`` (relation ``=``), ``<0.0001`` (``<``), ``>0.05`` (``>``)."""

    relation: str
    value: PrintedNumber

    @classmethod
    def parse(cls, text: str | float) -> ReportedP:
        """Parse ``"0.0011"``, ``"<0.0001"``, ``"< 0.03"``, ``"≤0.05"``; raises ``ValueError``."""
        match = _P_TEXT.match(str(text))
        if match is None:
            raise ValueError(f"not a p-value: {text!r}")
        relation = {"≤": "<=", "≥": ">=", None: "="}.get(match.group(1), match.group(1))
        value = PrintedNumber(match.group(2))
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"p-value outside [0, 1]: {text!r}")
        return cls(relation, value)

    @property
    def text(self) -> str:
        return self.value.text if self.relation == "=" else f"{self.relation}{self.value.text}"

    def __str__(self) -> str:
        return self.text
