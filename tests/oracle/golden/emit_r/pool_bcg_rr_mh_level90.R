# pool: RR, method MH, test z, level 90
# Written by ivigmeta 0.2.0 (--emit-r). Run: Rscript THIS_FILE.R
# It prints one JSON object with the keys and values of this ivigmeta command:
# ivigmeta pool --csv examples/bcg.csv --measure RR --method MH --level 90.0 --format json
# computed here by metafor.
# Data: the counts of the CSV table; escalc() computes yi and vi.
# ivigmeta's notes on how the studies were chosen and derived:
#   - 13 rows read from examples/bcg.csv; measure RR
# Keys of ivigmeta's JSON left out (not computed by R here):
#   tau2_ci_low_sign, tau2_ci_high_sign: ivigmeta's marks of a bound at the search limit
#   studies[].timepoint, effect, effect_ci_*: ivigmeta's display of each study
#   notes, cautions, study_ci: ivigmeta's wording
#   sweep: --r-sweep recomputes the record-derived effect sizes (not done in R)
#   few_studies.bayes: run ivigmeta bayes --emit-r for the Bayesian analysis
# All data below are literals: no input text is ever run as code.

ivigmeta_command <- "ivigmeta pool --csv examples/bcg.csv --measure RR --method MH --level 90.0 --format json"
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
  study = c("Aronson1948", "Ferguson&Simes1949", "Rosenthaletal1960", "Hart&Sutherland1977",
      "Frimodt-Molleretal1973", "Stein&Aronson1953", "Vandiviereetal1973", "TPTMadras1980",
      "Coetzee&Berjak1968", "Rosenthaletal1961", "Comstocketal1974", "Comstock&Webster1969",
      "Comstocketal1976"),
  ai = c(4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27),
  bi = c(119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886),
  ci = c(11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29),
  di = c(128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825),
  stringsAsFactors = FALSE)
dat <- escalc(measure = "RR", ai = ai, bi = bi, ci = ci, di = di, data = dat, add = 0.5, to = "only0", drop00 = TRUE)
level <- 90
res <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, data = dat, measure = "RR", add = c(0.5, 0), to = c("only0", "none"), drop00 = c(TRUE, FALSE), level = level)
k <- res$k
out <- list(
  test = "z", level = level, k = k,
  estimate = num(res$beta), se = num(res$se), ci_low = num(res$ci.lb),
  ci_high = num(res$ci.ub), statistic = num(res$zval), df = NULL, p = num(res$pval),
  tau2 = 0, tau = 0, i2 = num(res$I2), h2 = num(res$H2),
  q = num(res$QE), q_df = res$k.yi - 1, q_p = num(res$QEp),
  pi_low = NULL, pi_high = NULL)
w <- weights(res)
out$measure <- "RR"; out$method <- "MH"
out$studies <- lapply(seq_len(nrow(dat)), function(i)
  list(id = dat$study[i], yi = num(dat$yi[i]), vi = num(dat$vi[i]), weight = num(w[i])))
if (k == 1) {  # as ivigmeta: nothing is pooled, so no heterogeneity and no PI
  for (key in c("tau2", "tau", "i2", "h2", "q", "q_p", "pi_low", "pi_high", "pi_df"))
    out[key] <- list(NULL)
}
tr <- exp
at <- function(x) if (is.null(x)) NULL else num(tr(x))
out$transformed <- list(`function` = "exp",
  estimate = at(out$estimate), ci_low = at(out$ci_low), ci_high = at(out$ci_high),
  pi_low = at(out$pi_low), pi_high = at(out$pi_high))
if (k >= 2 && k < 5) {  # few studies: the Knapp-Hartung reading, as ivigmeta
  ok <- !is.na(dat$yi)
  kh <- rma(dat$yi[ok], dat$vi[ok], method = "REML", test = "knha", level = level)
  khp <- predict(kh)
  out$few_studies <- list(knha = list(method = "REML", estimate = num(kh$beta),
    se = num(kh$se), ci_low = num(kh$ci.lb), ci_high = num(kh$ci.ub), df = num(kh$ddf),
    p = num(kh$pval), pi_low = num(khp$pi.lb), pi_high = num(khp$pi.ub)))
}

cat(ivigmeta_json(out), "\n")
