"""``--emit-r FILE.R``: a self-contained R script that recomputes an analysis with metafor.

The script holds the data ivigmeta analysed (after its record selection: each study's yi and
vi, or the uncorrected counts of 2x2 tables and single proportions, which metafor's ``escalc``
turns into yi and vi with the same ``add``/``to``/``drop00``), the options spelled as
metafor and bayesmeta take them, and comments naming the ivigmeta version and the command.
``Rscript FILE.R`` prints one JSON object whose keys and values are those of the command's
``--format json`` that metafor (bayesmeta for ``bayes``) computes; the keys it cannot compute
are listed in the script's header and left out. The JSON is written by a small R function in
the script (numbers with ``%.17g``), so the script needs no package beyond metafor/bayesmeta.

Every string from the input is an escaped R literal (:mod:`ivigmeta.render.r_literals`). The
per-command bodies are in :mod:`ivigmeta.render.r_pool` (pool),
:mod:`ivigmeta.render.r_analyses` (sensitivity, bias, subgroup, regress) and
:mod:`ivigmeta.render.r_bayes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivigmeta.render.r_literals import r_comment, r_number, r_string, r_vector

COMMANDS = ("pool", "bayes", "sensitivity", "bias", "subgroup", "regress")
COUNT_COLUMNS = {"table": ("ai", "bi", "ci", "di"), "proportion": ("xi", "ni")}

#: JSON writer of the emitted scripts: named lists -> objects, unnamed lists -> arrays,
#: length-1 atomic vectors -> scalars (NA, NaN and +-Inf -> null); strings ASCII-escaped.
R_JSON = r"""
ivigmeta_json_string <- function(s) {
  codes <- utf8ToInt(enc2utf8(as.character(s)))
  chars <- vapply(codes, function(c) {
    if (c == 34) "\\\"" else if (c == 92) "\\\\" else if (c >= 32 && c < 127) intToUtf8(c)
    else if (c < 65536) sprintf("\\u%04x", c)
    else sprintf("\\u%04x\\u%04x", 55296 + (c - 65536) %/% 1024, 56320 + (c - 65536) %% 1024)
  }, "")
  paste0("\"", paste(chars, collapse = ""), "\"")
}
ivigmeta_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (is.null(names(x)))
      return(paste0("[", paste(vapply(x, ivigmeta_json, ""), collapse = ", "), "]"))
    parts <- vapply(seq_along(x), function(i)
      paste0(ivigmeta_json_string(names(x)[i]), ": ", ivigmeta_json(x[[i]])), "")
    return(paste0("{", paste(parts, collapse = ", "), "}"))
  }
  if (length(x) != 1) stop("internal: a JSON scalar of length ", length(x))
  if (is.na(x)) return("null")
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.character(x)) return(ivigmeta_json_string(x))
  x <- as.numeric(x)
  if (!is.finite(x)) return("null")
  sprintf("%.17g", x)
}
num <- function(x) if (is.null(x)) NULL else unname(as.numeric(x))
arr <- function(x) as.list(unname(x))
""".strip("\n")


@dataclass
class Script:
    """An R script being written: ``omitted`` names the JSON keys it leaves out and why;
    ``notes`` (ivigmeta's notes on the data) are copied into the header as comments."""

    title: str
    command_line: str
    packages: tuple[str, ...] = ("metafor",)
    body: list[str] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    notes: tuple[str, ...] = ()

    def add(self, *lines: str) -> None:
        self.body.extend(lines)

    def omit(self, key: str, why: str) -> None:
        self.omitted.append(f"{key}: {why}")

    def text(self) -> str:
        from ivigmeta import __version__

        head = [
            r_comment(self.title),
            f"# Written by ivigmeta {__version__} (--emit-r). Run: Rscript THIS_FILE.R",
            "# It prints one JSON object with the keys and values of this ivigmeta command:",
            r_comment(self.command_line),
            "# computed here by " + " and ".join(self.packages) + ".",
        ]
        for line in self.comments:
            head.append(r_comment(line))
        if self.notes:
            head.append("# ivigmeta's notes on how the studies were chosen and derived:")
            head.extend(r_comment("  - " + note) for note in self.notes)
        if self.omitted:
            head.append("# Keys of ivigmeta's JSON left out (not computed by R here):")
            head.extend(r_comment("  " + line) for line in self.omitted)
        head.append("# All data below are literals: no input text is ever run as code.")
        setup = [f"ivigmeta_command <- {r_string(self.command_line, 'command line')}"]
        for package in self.packages:
            setup.append(f"suppressPackageStartupMessages(library({package}))")
        for package, version, spelled in (
            ("metafor", "5.0.1", "5.0-1"),
            ("bayesmeta", "3.4", "3.4"),
        ):
            if package in self.packages:
                setup.append(
                    f'if (packageVersion("{package}") != "{version}") message("ivigmeta '
                    f'matches {package} {spelled}; this R has {package} ", '
                    f'packageVersion("{package}"))'
                )
        return "\n".join([*head, "", *setup, "", R_JSON, "", *self.body, ""])


def data_frame(data, keep=None, extra: dict | None = None) -> list[str]:
    """R lines defining ``dat``: study ids and yi, vi of ``data`` (an
    :class:`~ivigmeta.analyses.effect_data.EffectData`), rows ``keep`` (default all), plus the
    ``extra`` columns (name -> (values, are_strings))."""
    rows = list(range(data.k)) if keep is None else list(keep)
    columns = {"study": (r_vector([data.ids[i] for i in rows], strings=True, what="study id"))}
    columns["yi"] = r_vector([data.yi[i] for i in rows])
    columns["vi"] = r_vector([data.vi[i] for i in rows])
    for name, (values, strings) in (extra or {}).items():
        columns[name] = r_vector([values[i] for i in rows], strings=strings, what=name)
    return _frame(columns)


def count_frame(data, kind: str) -> list[str]:
    """R lines defining ``dat`` with the study ids and the uncorrected counts of ``data``."""
    columns = {"study": r_vector(data.ids, strings=True, what="study id")}
    for name in COUNT_COLUMNS[kind]:
        columns[name] = r_vector(data.counts[name])
    return _frame(columns)


def _frame(columns: dict[str, str]) -> list[str]:
    lines = ["dat <- data.frame("]
    for name, vector in columns.items():
        vector = vector.replace("\n", "\n    ")
        lines.append(f"  {name} = {vector},")
    lines.append("  stringsAsFactors = FALSE)")
    return lines


def count_kind(data) -> str | None:
    """``"table"`` (2x2 counts) or ``"proportion"`` (xi, ni) when ``data`` holds counts that
    metafor's escalc can take (a CSV table's, or the two-arm binary comparisons of the study
    records), else None (yi, vi are written)."""
    if not data.counts:
        return None
    for kind, names in COUNT_COLUMNS.items():
        if set(names) <= set(data.counts):
            return kind
    return None


def escalc_line(measure: str, kind: str, zero_cells) -> str:
    """``dat <- escalc(...)`` on the counts of ``dat`` with ivigmeta's zero-cell options."""
    from ivigmeta.effects.escalc import escalc_default_add

    add = zero_cells.add if zero_cells.add is not None else escalc_default_add(measure)
    cells = ", ".join(f"{c} = {c}" for c in COUNT_COLUMNS[kind])
    zero = f"add = {r_number(add)}, to = {r_string(zero_cells.to)}"
    if kind == "table":
        zero += f", drop00 = {r_number(bool(zero_cells.drop00))}"
    return f"dat <- escalc(measure = {r_string(measure)}, {cells}, data = dat, {zero})"


def emit_r(command: str, path=None, *, command_line: str | None = None, **options) -> str:
    """The R script of ``command`` (one of :data:`COMMANDS`) run with ``options`` (the
    keyword arguments of the Python function of that name, e.g. ``csv``, ``measure``,
    ``method``, ``by``, ``mods``; others are ignored); written atomically to ``path`` when
    given. ``command_line`` is recorded in the script (default: the Python call)."""
    from ivigmeta.errors import InputError

    if command not in COMMANDS:
        raise InputError(f"expected one of {', '.join(COMMANDS)}, got {command!r}",
                         field="emit-r")  # fmt: skip
    if command_line is None:
        shown = ", ".join(f"{k}={v!r}" for k, v in options.items() if v is not None)
        command_line = f"ivigmeta.{command}({shown})"
    if path is not None:
        from ivigmeta.output import check_output_folder

        check_output_folder(path, field="emit-r")
    if command == "pool":
        from ivigmeta.render.r_pool import pool_script as writer
    elif command == "bayes":
        from ivigmeta.render.r_bayes import bayes_script as writer
    else:
        from ivigmeta.render import r_analyses

        writer = getattr(r_analyses, f"{command}_script")
    text = writer(command_line, options)
    if path is not None:
        from ivigmeta.output import atomic_write

        atomic_write(path, text)
    return text
