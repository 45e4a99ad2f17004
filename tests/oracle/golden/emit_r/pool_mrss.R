# pool: MC, method REML, test z, level 95
# Written by ivigmeta 0.2.0 (--emit-r). Run: Rscript THIS_FILE.R
# It prints one JSON object with the keys and values of this ivigmeta command:
# ivigmeta pool --outcome mrss --format json
# computed here by metafor.
# Data: each study's yi and vi as ivigmeta computed them from the study records (see ivigmeta's notes).
# ivigmeta's notes on how the studies were chosen and derived:
#   - studies: 6 of 13 records (intervention agent IVIG, systematic reviews left out)
#   - measure: MC (raw mean change, follow-up minus baseline); default for outcomes measured before and after IVIG; --measure to change
#   - timepoint: the timepoint closest to 12 months (ties: the later; --timepoint to choose)
#   - excluded: nacci2007 (6 months): no mean change and no baseline and follow-up means
#   - poelman2015: 12 months used (available: 6 months, 12 months, 18 months, 24 months)
#   - excluded: raja2016 (latest assessment, mean 2.3 years): n at follow-up not reported (a study size is not imputed as an n)
#   - takehara2013: 12 weeks used (available: 12 weeks, 60 weeks)
#   - not usable: takehara2013 (60 weeks, two IVIG courses arm): mean change or n not reported
#   - takehara2013 (12 weeks, IVIG arm): change in the IVIG arm of a two-arm comparison
# Keys of ivigmeta's JSON left out (not computed by R here):
#   tau2_ci_low_sign, tau2_ci_high_sign: ivigmeta's marks of a bound at the search limit
#   studies[].timepoint, effect, effect_ci_*: ivigmeta's display of each study
#   notes, cautions, study_ci: ivigmeta's wording
#   sweep: --r-sweep recomputes the record-derived effect sizes (not done in R)
#   few_studies.bayes: run ivigmeta bayes --emit-r for the Bayesian analysis
# All data below are literals: no input text is ever run as code.

ivigmeta_command <- "ivigmeta pool --outcome mrss --format json"
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
  study = c("poelman2015", "takehara2013"),
  yi = c(-8, -3.3),
  vi = c(2.7556000000000007, 0.5690322580645162),
  stringsAsFactors = FALSE)
level <- 95
res <- rma(yi, vi, data = dat, method = "REML", test = "z", level = level)
k <- res$k
pred <- predict(res)
pi_df <- if (identical(pred$pi.dist, "t")) num(pred$pi.ddf) else NULL
ci <- if (res$k > 1 && res$method != "EE") confint(res)$random else NULL
ci_of <- function(row, end) if (is.null(ci)) NULL else num(ci[row, end])
out <- list(
  test = res$test, level = level, k = k,
  estimate = num(res$beta), se = num(res$se), ci_low = num(res$ci.lb),
  ci_high = num(res$ci.ub), statistic = num(res$zval),
  df = if (res$test == "z") NULL else num(res$ddf), p = num(res$pval),
  tau2 = num(res$tau2), se_tau2 = if (res$method == "EE") NULL else num(res$se.tau2),
  tau = sqrt(num(res$tau2)), i2 = num(res$I2), h2 = num(res$H2),
  tau2_ci_low = ci_of("tau^2", "ci.lb"), tau2_ci_high = ci_of("tau^2", "ci.ub"),
  tau_ci_low = ci_of("tau", "ci.lb"), tau_ci_high = ci_of("tau", "ci.ub"),
  i2_ci_low = ci_of("I^2(%)", "ci.lb"), i2_ci_high = ci_of("I^2(%)", "ci.ub"),
  h2_ci_low = ci_of("H^2", "ci.lb"), h2_ci_high = ci_of("H^2", "ci.ub"),
  q = num(res$QE), q_df = k - res$p, q_p = num(res$QEp),
  pi_low = if (res$method == "EE") NULL else num(pred$pi.lb),
  pi_high = if (res$method == "EE") NULL else num(pred$pi.ub),
  pi_df = if (res$method == "EE") NULL else pi_df)
w <- rep(NA_real_, nrow(dat)); w[!is.na(dat$yi)] <- weights(res)
out$measure <- "MC"; out$method <- "REML"
out$studies <- lapply(seq_len(nrow(dat)), function(i)
  list(id = dat$study[i], yi = num(dat$yi[i]), vi = num(dat$vi[i]), weight = num(w[i])))
if (k == 1) {  # as ivigmeta: nothing is pooled, so no heterogeneity and no PI
  for (key in c("tau2", "tau", "i2", "h2", "q", "q_p", "pi_low", "pi_high", "pi_df"))
    out[key] <- list(NULL)
  for (key in c("ci_low", "ci_high", "statistic", "df", "p")) out[[key]] <- NULL
}
if (k >= 2 && k < 5) {  # few studies: the Knapp-Hartung reading, as ivigmeta
  ok <- !is.na(dat$yi)
  kh <- rma(dat$yi[ok], dat$vi[ok], method = "REML", test = "knha", level = level)
  khp <- predict(kh)
  out$few_studies <- list(knha = list(method = "REML", estimate = num(kh$beta),
    se = num(kh$se), ci_low = num(kh$ci.lb), ci_high = num(kh$ci.ub), df = num(kh$ddf),
    p = num(kh$pval), pi_low = num(khp$pi.lb), pi_high = num(khp$pi.ub)))
}

cat(ivigmeta_json(out), "\n")
