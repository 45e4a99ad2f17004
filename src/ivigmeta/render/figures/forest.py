"""Forest plot: one row per study, pooled diamonds, prediction interval, heterogeneity lines.

Two layouts. ``revman`` (default) as the Cochrane Review Manager prints it: study label, the
data of each arm (Events/Total, Mean/SD/Total, ...) under the arm's name, the weight
(``12.3%``), the effect with its CI as text (``0.49 [0.34, 0.70]``), then the squares and
whiskers on an axis symmetric about the null; under each block a subtotal row with the summed
totals, "Total events", the heterogeneity line (``Heterogeneity: Tau² = 0.31; Chi² = 152.23,
df = 12 (P < 0.00001); I² = 92%``) and ``Test for overall effect: Z = 3.97 (P < 0.0001)``
(``t`` under Knapp-Hartung); "Favours ..." under the axis. ``metafor`` is the compact look of
metafor's ``forest()``: label, the plot, then the effect text and weight on the right.

Columns are laid out from the measured width of their text (DejaVu Sans, the font the SVG
names), so no label reaches into the plot. Ratio measures
(:data:`~ivigmeta.render.figures.style.RATIO_MEASURES`) carry log ratios: drawn as exp on a log
axis, text on the ratio scale. A CI beyond the axis is clipped with an arrow head. SVG ids:
``study-square-N``, ``study-ci-N``, ``clip-arrow``, ``diamond-overall`` (``-2`` for the second
model), ``diamond-subgroup-N``, ``prediction-interval``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.transforms import blended_transform_factory

from ivigmeta.render.figures.forest_rows import (
    FONT_SIZE,
    ForestBlock,
    ForestColumns,
    ForestStudy,
    ForestSummary,
    axis_limits,
    format_effect,
    format_revman_p,
    square_sizes,
    text_width,
)
from ivigmeta.render.figures.style import (
    ACCENT,
    GRID,
    HIGHLIGHT,
    INK,
    MUTED,
    RATIO_MEASURES,
    figure_context,
    format_number,
    new_figure,
    ratio_axis,
)

__all__ = [
    "ForestBlock",
    "ForestColumns",
    "ForestStudy",
    "ForestSummary",
    "forest_plot",
    "format_effect",
    "format_revman_p",
]

LAYOUTS = ("revman", "metafor")
ROW_HEIGHT = 0.2  # inches
PAD = 0.12  # inches, between columns
LEFT = 0.1
PLOT_WIDTH = 2.4
DIAMOND_HALF_HEIGHT = 0.38  # row units


def forest_plot(
    blocks: Sequence[ForestBlock],
    measure: str,
    *,
    overall: Sequence[ForestSummary] = (),
    notes: Sequence[str] = (),
    columns: ForestColumns | None = None,
    layout: str = "revman",
    effect_head: tuple[str, str] = ("", ""),
    favours: tuple[str, str] | None = None,
    effect_label: str | None = None,
    xlim: tuple[float, float] | None = None,
    digits: int = 2,
    null_line: bool = True,
) -> Figure:
    """Draw a forest plot and return the matplotlib ``Figure``.

    ``blocks`` hold the study rows (one untitled block, or one per subgroup with subtotal
    diamonds); ``overall`` the pooled diamonds over all studies; ``notes`` the lines under
    everything (test for subgroup differences); ``null_line=False`` draws no line of no effect
    (single proportions have none). ``effect_head`` is the two-line header of the
    effect column (``Risk Ratio`` / ``IV, Random, 95% CI``). ``xlim`` is on the analysis scale.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}")
    with figure_context():
        return _Drawing(
            blocks,
            measure,
            overall,
            notes,
            columns,
            layout,
            effect_head,
            favours,
            effect_label,
            xlim,
            digits,
            null_line,
        ).figure


class _Drawing:
    def __init__(
        self,
        blocks,
        measure,
        overall,
        notes,
        columns,
        layout,
        effect_head,
        favours,
        effect_label,
        xlim,
        digits,
        null_line=True,
    ):
        self.null_line = null_line
        self.ratio = measure.upper() in RATIO_MEASURES
        self.digits = digits
        self.revman = layout == "revman"
        self.columns = columns if (self.revman and columns) else ForestColumns()
        self.rows = self._rows(blocks, overall, notes)
        self._layout(effect_head)
        self._draw(blocks, overall, effect_head, favours, effect_label or measure.upper(), xlim)

    def scale(self, value: float) -> float:
        return math.exp(value) if self.ratio else value

    # --- rows -----------------------------------------------------------------------------

    def _rows(self, blocks, overall, notes) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = []
        grouped = any(b.title for b in blocks)
        for block in blocks:
            if block.title:
                rows.append(("title", block.title))
            rows += [("study", s) for s in block.studies]
            rows += self._summary_rows(block.summaries, subgroup=True)
            if grouped:
                rows.append(("gap", None))
        rows += self._summary_rows(overall, subgroup=False)
        rows += [("note", text) for text in notes]
        return rows

    def _summary_rows(self, summaries, subgroup: bool) -> list[tuple[str, object]]:
        rows = [("subgroup" if subgroup else "summary", s) for s in summaries]
        for s in summaries:
            if s.pi_low is not None and s.pi_high is not None:
                rows.append(("pi", s))
        if summaries and any(summaries[0].events):
            rows.append(("events", summaries[0].events))
        for s in summaries:
            rows += [("note", text) for text in s.notes]
        return rows

    # --- horizontal layout ---------------------------------------------------------------

    def _layout(self, effect_head) -> None:
        """Column positions in inches (right edges for right-aligned text)."""
        studies = [p for kind, p in self.rows if kind == "study"]
        summaries = [p for kind, p in self.rows if kind in ("summary", "subgroup")]
        labels = [text_width(s.label) for s in studies]
        labels += [text_width(p, bold=True) for kind, p in self.rows if kind == "title"]
        labels += [text_width(s.label, bold=True) for s in summaries]
        labels += [text_width("Study or Subgroup", bold=True), text_width("Total events")]
        x = LEFT + max(labels) + PAD
        self.cell_right = []
        self.arm_spans = []
        cells = [
            *(s.cells for s in studies),
            *(s.cells for s in summaries),
            *(p for kind, p in self.rows if kind == "events"),
        ]
        index = 0
        for _name, headers in self.columns.arms:
            start = x
            for header in headers:
                width = max(
                    [text_width(header, bold=True)]
                    + [text_width(c[index], bold=True) for c in cells if len(c) > index]
                )
                x += width
                self.cell_right.append(x)
                x += PAD
                index += 1
            self.arm_spans.append((start, x - PAD))
            x += PAD / 2
        effects = [text_width(self._effect(s)) for s in studies]
        effects += [text_width(self._effect(s), bold=True) for s in summaries]
        effect_width = max(
            effects + [text_width(h, bold=True) for h in effect_head] + [text_width("[0.00, 0.00]")]
        )
        weight_width = max(text_width("Weight", bold=True), text_width("100.0%", bold=True))
        if self.revman:
            self.weight_right = x + weight_width
            self.effect_right = self.weight_right + PAD + effect_width
            self.plot_left = self.effect_right + PAD * 1.5
            self.width = self.plot_left + PLOT_WIDTH + 0.3
        else:
            self.plot_left = x
            self.effect_right = self.plot_left + PLOT_WIDTH + PAD * 1.5 + effect_width
            self.weight_right = self.effect_right + PAD + weight_width
            self.width = self.weight_right + LEFT
        notes = [text_width(p, size=FONT_SIZE - 0.5) for kind, p in self.rows if kind == "note"]
        self.width = max([self.width] + [LEFT * 2 + w for w in notes])

    def _effect(self, item) -> str:
        return format_effect(
            item.yi if isinstance(item, ForestStudy) else item.estimate,
            item.ci_low,
            item.ci_high,
            self.ratio,
            self.digits,
        )

    # --- drawing -------------------------------------------------------------------------

    def _draw(self, blocks, overall, effect_head, favours, effect_label, xlim) -> None:
        n = len(self.rows)
        top_margin = 2.4 * ROW_HEIGHT + 0.1
        bottom_margin = 0.75
        height = top_margin + bottom_margin + ROW_HEIGHT * max(n, 3)
        self.figure = figure = new_figure(self.width, height)
        left, width = self.plot_left / self.width, PLOT_WIDTH / self.width
        bottom = bottom_margin / height
        ax = figure.add_axes((left, bottom, width, ROW_HEIGHT * max(n, 3) / height))
        self.ax = ax
        ax.set_ylim(max(n, 3) - 0.5, -0.5)  # row 0 at the top
        low, high = (
            xlim
            if xlim is not None
            else axis_limits(blocks, overall, self.revman and self.null_line)
        )
        ax.set_xlim(self.scale(low), self.scale(high))
        if self.ratio:
            ratio_axis(ax)
        ax.yaxis.set_visible(False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=FONT_SIZE)
        if self.null_line:
            ax.axvline(self.scale(0.0), color=INK, linewidth=0.7, zorder=1)
        self.at = blended_transform_factory(figure.dpi_scale_trans, ax.transData)
        self._headers(effect_head)
        studies = [p for kind, p in self.rows if kind == "study"]
        sizes = iter(square_sizes([s.weight for s in studies]))
        counts = {"study": 0, "subgroup": 0, "summary": 0}
        for y, (kind, payload) in enumerate(self.rows):
            if kind in counts:
                counts[kind] += 1
            if kind == "title":
                self._text(LEFT, y, payload, bold=True)
            elif kind == "study":
                self._study(y, payload, next(sizes), counts["study"])
            elif kind in ("summary", "subgroup"):
                gid = (
                    f"diamond-subgroup-{counts[kind]}"
                    if kind == "subgroup"
                    else "diamond-overall" + ("" if counts[kind] == 1 else f"-{counts[kind]}")
                )
                self._summary(y, payload, gid, bold=kind == "summary")
            elif kind == "pi":
                self._prediction(y, payload)
            elif kind == "events":
                self._text(LEFT, y, "Total events")
                self._cells(y, payload)
            elif kind == "note":
                self._text(LEFT, y, payload, size=FONT_SIZE - 0.5, color=MUTED)
        ax.set_xlabel(
            effect_label + (" (log scale)" if self.ratio else ""),
            fontsize=FONT_SIZE,
            labelpad=16 if favours else 4,
        )
        if favours:
            self._favours(favours)

    def _text(self, x, y, text, *, align="left", bold=False, size=FONT_SIZE, color=INK):
        self.ax.text(
            x,
            y,
            text,
            transform=self.at,
            ha=align,
            va="center",
            fontsize=size,
            fontweight="bold" if bold else "normal",
            color=color,
            clip_on=False,
        )

    def _headers(self, effect_head) -> None:
        top, sub = -2.0, -1.05
        for (name, _), (start, end) in zip(self.columns.arms, self.arm_spans, strict=True):
            self.ax.text(
                0.5 * (start + end),
                top,
                name,
                transform=self.at,
                ha="center",
                va="center",
                fontsize=FONT_SIZE,
                fontweight="bold",
                clip_on=False,
            )
        headers = [h for _, hs in self.columns.arms for h in hs]
        for right, header in zip(self.cell_right, headers, strict=True):
            self._text(right, sub, header, align="right", bold=True)
        self._text(LEFT, sub, "Study or Subgroup" if self.revman else "Study", bold=True)
        self._text(self.weight_right, sub, "Weight", align="right", bold=True)
        head, method = effect_head
        self._text(self.effect_right, top, head, align="right", bold=True)
        self._text(self.effect_right, sub, method, align="right", bold=True)
        if self.revman:
            middle = self.plot_left + PLOT_WIDTH / 2
            for y, text in ((top, head), (sub, method)):
                self.ax.text(
                    middle,
                    y,
                    text,
                    transform=self.at,
                    ha="center",
                    va="center",
                    fontsize=FONT_SIZE,
                    fontweight="bold",
                    clip_on=False,
                )

    def _cells(self, y, cells, bold=False) -> None:
        for right, cell in zip(self.cell_right, cells, strict=False):
            self._text(right, y, cell, align="right", bold=bold)

    def _weight(self, y, weight, bold=False) -> None:
        if weight is not None:
            self._text(self.weight_right, y, f"{weight:.1f}%", align="right", bold=bold)

    def _study(self, y, study: ForestStudy, size, number) -> None:
        self._text(LEFT, y, study.label)
        self._cells(y, study.cells)
        self._weight(y, study.weight)
        self._text(self.effect_right, y, self._effect(study), align="right")
        values = (study.yi, study.ci_low, study.ci_high)
        if not all(math.isfinite(v) for v in values):
            return
        ax = self.ax
        x_low, x_high = ax.get_xlim()
        low, high = self.scale(study.ci_low), self.scale(study.ci_high)
        ax.plot(
            [max(low, x_low), min(high, x_high)],
            [y, y],
            color=INK,
            linewidth=0.9,
            solid_capstyle="butt",
            gid=f"study-ci-{number}",
            zorder=2,
        )
        for clipped, x, marker in ((low < x_low, x_low, "<"), (high > x_high, x_high, ">")):
            if clipped:
                ax.plot(
                    [x],
                    [y],
                    marker=marker,
                    markersize=4.5,
                    color=INK,
                    linestyle="none",
                    gid="clip-arrow",
                    clip_on=False,
                    zorder=3,
                )
        if x_low <= self.scale(study.yi) <= x_high:
            ax.plot(
                [self.scale(study.yi)],
                [y],
                marker="s",
                markersize=size,
                color="#2e7d32" if self.revman else INK,
                markeredgewidth=0,
                linestyle="none",
                gid=f"study-square-{number}",
                zorder=3,
            )

    def _summary(self, y, summary: ForestSummary, gid, bold) -> None:
        self._text(LEFT, y, summary.label, bold=True)
        self._cells(y, summary.cells, bold=True)
        self._weight(y, summary.weight, bold=True)
        self._text(self.effect_right, y, self._effect(summary), align="right", bold=True)
        if not all(math.isfinite(v) for v in (summary.estimate, summary.ci_low, summary.ci_high)):
            return
        h = DIAMOND_HALF_HEIGHT
        e = self.scale(summary.estimate)
        vertices = [
            (self.scale(summary.ci_low), y),
            (e, y - h),
            (self.scale(summary.ci_high), y),
            (e, y + h),
        ]
        color = INK if self.revman else ACCENT
        self.ax.add_patch(
            Polygon(
                vertices,
                closed=True,
                facecolor=color,
                edgecolor=color,
                linewidth=0.6,
                gid=gid,
                zorder=3,
            )
        )
        if bold and not self.revman:
            self.ax.axvline(e, color=GRID, linewidth=0.7, linestyle=(0, (4, 3)), zorder=0)

    def _prediction(self, y, summary: ForestSummary) -> None:
        self._text(LEFT + 0.1, y, "Prediction interval", size=FONT_SIZE - 0.5, color=HIGHLIGHT)
        low, high = summary.pi_low, summary.pi_high
        shown = [format_number(self.scale(v), self.digits) for v in (low, high)]
        self._text(
            self.effect_right,
            y,
            f"[{shown[0]}, {shown[1]}]",
            align="right",
            size=FONT_SIZE - 0.5,
            color=HIGHLIGHT,
        )
        x_low, x_high = self.ax.get_xlim()
        a, b = max(self.scale(low), x_low), min(self.scale(high), x_high)
        self.ax.add_patch(
            Polygon(
                [(a, y - 0.12), (b, y - 0.12), (b, y + 0.12), (a, y + 0.12)],
                closed=True,
                facecolor=HIGHLIGHT,
                edgecolor="none",
                gid="prediction-interval",
                zorder=3,
            )
        )

    def _favours(self, favours) -> None:
        null = self.scale(0.0)
        for text, offset, align in ((favours[0], -5, "right"), (favours[1], 5, "left")):
            if text:
                self.ax.annotate(
                    text,
                    xy=(null, 0),
                    xycoords=("data", "axes fraction"),
                    xytext=(offset, -16),
                    textcoords="offset points",
                    ha=align,
                    va="top",
                    fontsize=FONT_SIZE,
                    annotation_clip=False,
                )
