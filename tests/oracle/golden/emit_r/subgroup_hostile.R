# subgroup: RR, method REML, test z, level 95
# Written by ivigmeta 0.2.0 (--emit-r). Run: Rscript THIS_FILE.R
# It prints one JSON object with the keys and values of this ivigmeta command:
# ivigmeta subgroup --by place --csv tests/fixtures/emit_r_hostile.csv --measure RR --format json
# computed here by metafor.
# Data: each study's yi and vi as ivigmeta computed them from the CSV table.
# Groups: the values of 'place' in ivigmeta's order (the first is the reference level); studies without a value are left out.
# ivigmeta's notes on how the studies were chosen and derived:
#   - 5 rows read from tests/fixtures/emit_r_hostile.csv; measure RR
# Keys of ivigmeta's JSON left out (not computed by R here):
#   notes, cautions: ivigmeta's wording
# All data below are literals: no input text is ever run as code.

ivigmeta_command <- "ivigmeta subgroup --by place --csv tests/fixtures/emit_r_hostile.csv --measure RR --format json"
suppressPackageStartupMessages(library(metafor))
if (packageVersion("metafor") != "5.0.1") message("ivigmeta matches metafor 5.0-1; this R has metafor ", packageVersion("metafor"))

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

dat <- data.frame(
  study = c("a\"); system(\"touch x\"); (\"", "back\\slash \"quoted\"",
      "not a newline: \\n \\u{41} \\x00", "M\u{00fc}ller 2020 \u{2013} \u{00fc} \U{0001f600}",
      "#comment ' `tick` ${x}"),
  yi = c(-0.8893113339202054, -1.5853886572014306, -1.3480731482996933, -1.4415511900213054,
      -0.21754732221129558),
  vi = c(0.32558476500396133, 0.19458112139814385, 0.4153679653679654, 0.020010031902247573,
      0.05121017216963086),
  group = c("g\"); system(\"touch x", "z\u{00fc}rich", "g\"); system(\"touch x", "z\u{00fc}rich",
      "z\u{00fc}rich"),
  stringsAsFactors = FALSE)
level <- 95
res <- rma(yi, vi, data = dat, method = "REML", test = "z", level = level, slab = dat$study)
k <- res$k
groups <- c("g\"); system(\"touch x", "z\u{00fc}rich")
dat$group <- factor(dat$group, levels = groups)
out <- list(measure = "RR", method = res$method, test = res$test, level = level, k = k)
out$by <- "place"
fits <- lapply(groups, function(g) rma(yi, vi, data = dat, subset = group == g, method = res$method, test = res$test, level = level))
out$groups <- lapply(seq_along(groups), function(j) with(fits[[j]], list(
  name = groups[j], k = k, estimate = num(beta), se = num(se), ci_low = num(ci.lb),
  ci_high = num(ci.ub), statistic = num(zval), p = num(pval), tau2 = num(tau2),
  i2 = num(I2), q = num(QE), q_p = num(QEp))))
between <- rma(sapply(fits, function(f) num(f$beta)), sei = sapply(fits, function(f) f$se), method = "EE")
out$q_between <- num(between$QE); out$q_between_df <- length(groups) - 1
out$q_between_p <- num(between$QEp)
common <- tryCatch(rma(yi, vi, mods = ~ group, data = dat, method = res$method, test = res$test, level = level), error = function(e) NULL)
if (!is.null(common)) {
  out$common_tau2 <- num(common$tau2); out$common_qm <- num(common$QM)
  out$common_qm_df <- num(common$QMdf[1])
  out$common_qm_df2 <- if (common$test == "z") NULL else num(common$QMdf[2])
  out$common_qm_p <- num(common$QMp)
}

cat(ivigmeta_json(out), "\n")
