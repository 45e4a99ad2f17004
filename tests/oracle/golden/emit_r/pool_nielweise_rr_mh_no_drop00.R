# pool: RR, method MH, test z, level 95
# Written by ivigmeta 0.2.0 (--emit-r). Run: Rscript THIS_FILE.R
# It prints one JSON object with the keys and values of this ivigmeta command:
# ivigmeta pool --csv examples/nielweise2007.csv --measure RR --method MH --no-drop00 --format json
# computed here by metafor.
# Data: the counts of the CSV table; escalc() computes yi and vi.
# ivigmeta's notes on how the studies were chosen and derived:
#   - 18 rows read from examples/nielweise2007.csv; measure RR
#   - double zero (no events, or only events, in both groups): Yucel2004; corrected like the other zero-cell tables (--drop00 to leave them without an effect size)
#   - continuity correction: 0.5 added to each cell of Bach1996, Raad1997, Chatzinikolaou2003, Corral2003, Yucel2004, Moretti2005 (--add 0.5 --to only0)
# Keys of ivigmeta's JSON left out (not computed by R here):
#   tau2_ci_low_sign, tau2_ci_high_sign: ivigmeta's marks of a bound at the search limit
#   studies[].timepoint, effect, effect_ci_*: ivigmeta's display of each study
#   notes, cautions, study_ci: ivigmeta's wording
#   sweep: --r-sweep recomputes the record-derived effect sizes (not done in R)
#   few_studies.bayes: run ivigmeta bayes --emit-r for the Bayesian analysis
# All data below are literals: no input text is ever run as code.

ivigmeta_command <- "ivigmeta pool --csv examples/nielweise2007.csv --measure RR --method MH --no-drop00 --format json"
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
  study = c("Bach1996", "George1997", "Maki1997", "Raad1997", "Heard1998", "Collin1999", "Hannan1999",
      "Marik1999", "Pierce2000", "Sheng2000", "Chatzinikolaou2003", "Corral2003",
      "Brun-Buisson2004", "Leon2004", "Yucel2004", "Moretti2005", "Rupp2005", "Osma2006"),
  ai = c(0, 1, 2, 0, 5, 1, 1, 1, 1, 1, 0, 0, 3, 6, 0, 0, 1, 4),
  bi = c(116, 43, 206, 130, 146, 97, 173, 73, 96, 112, 66, 70, 185, 181, 118, 252, 344, 60),
  ci = c(3, 3, 9, 7, 6, 4, 3, 2, 19, 2, 7, 1, 5, 11, 0, 1, 3, 1),
  di = c(114, 32, 186, 129, 151, 135, 174, 37, 84, 120, 57, 57, 170, 169, 105, 261, 359, 68),
  stringsAsFactors = FALSE)
dat <- escalc(measure = "RR", ai = ai, bi = bi, ci = ci, di = di, data = dat, add = 0.5, to = "only0", drop00 = FALSE)
level <- 95
res <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, data = dat, measure = "RR", add = c(0.5, 0), to = c("only0", "none"), drop00 = c(FALSE, FALSE), level = level)
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
