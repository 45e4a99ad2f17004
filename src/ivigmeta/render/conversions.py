"""Output of ``ivigmeta convert``: one study's converted numbers as a table, JSON, CSV or
Markdown (the layout of the test results, :func:`ivigmeta.render.reproduce.render_results`)."""

from __future__ import annotations

from ivigmeta.render.reproduce import render_results


class _OneStudy:
    """A conversion result for one study: its one-element columns as plain values."""

    def __init__(self, result, label: str) -> None:
        self._values = {
            "record": label,
            **{k: v[0] if isinstance(v, list) else v for k, v in result.to_dict().items()},
        }

    def to_dict(self) -> dict:
        return self._values


def render_conversion(result, label: str, output_format: str = "table") -> str:
    """``result`` (a conversion of one study) in ``output_format``; ``label`` heads the column."""
    return render_results([_OneStudy(result, label)], output_format)
