# bayes: RR, tau prior i2, level 95
# Written by ivigmeta 0.2.0 (--emit-r). Run: Rscript THIS_FILE.R
# It prints one JSON object with the keys and values of this ivigmeta command:
# ivigmeta bayes --csv examples/bcg.csv --measure RR --tau-prior i2 --format json
# computed here by bayesmeta.
# Data: each study's yi and vi as ivigmeta computed them.
# ivigmeta's notes on how the studies were chosen and derived:
#   - 13 rows read from examples/bcg.csv; measure RR
# Keys of ivigmeta's JSON left out (not computed by R here):
#   tau_prior_label, mu_prior: ivigmeta's wording of the priors
#   grid_size: ivigmeta's DIRECT grid (bayesmeta's nrow(b$support) differs)
#   notes, cautions: ivigmeta's wording
# All data below are literals: no input text is ever run as code.

ivigmeta_command <- "ivigmeta bayes --csv examples/bcg.csv --measure RR --tau-prior i2 --format json"
suppressPackageStartupMessages(library(bayesmeta))
if (packageVersion("bayesmeta") != "3.4") message("ivigmeta matches bayesmeta 3.4; this R has bayesmeta ", packageVersion("bayesmeta"))

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
  yi = c(-0.8893113339202054, -1.5853886572014306, -1.3480731482996933, -1.4415511900213054,
      -0.21754732221129558, -0.786115585818864, -1.6208982235983918, 0.011952333523840508,
      -0.4694176487381494, -1.3713448034727844, -0.3393588283383906, 0.44591340057137874,
      -0.017313948216879815),
  vi = c(0.32558476500396133, 0.19458112139814385, 0.4153679653679654, 0.020010031902247573,
      0.05121017216963086, 0.0069056184559087574, 0.22301724757231517, 0.0039615792978177295,
      0.056434210463248966, 0.07302479361302891, 0.01241221397155972, 0.5325058452001528,
      0.0714046596839863),
  stringsAsFactors = FALSE)
level <- 95; lv <- level / 100
sei <- sqrt(dat$vi)
b <- bayesmeta(y = dat$yi, sigma = sei, labels = dat$study, tau.prior = "I2", delta = 1e-4, epsilon = 1e-7)
summ <- function(what) {
  s <- b$summary[, what]
  ci <- if (level == 95) s[c("95% lower", "95% upper")]
    else if (what == "tau") b$post.interval(tau.level = lv)
    else if (what == "mu") b$post.interval(mu.level = lv)
    else b$post.interval(mu.level = lv, predict = TRUE)
  list(mode = num(s["mode"]), median = num(s["median"]), mean = num(s["mean"]),
       sd = num(s["sd"]), ci_low = num(ci[1]), ci_high = num(ci[2]))
}
out <- list(measure = "RR", k = b$k, tau_prior = "i2",
  tau_prior_proper = b$tau.prior.proper, mu_prior_proper = FALSE, level = level,
  tau = summ("tau"), mu = summ("mu"), theta_new = summ("theta"),
  mu_central = arr(b$qposterior(mu.p = c((1 - lv) / 2, 1 - (1 - lv) / 2))),
  p_mu_below_0 = num(b$pposterior(mu = 0)),
  i2_median = num(100 * b$I2(b$summary["median", "tau"])),
  marginal_likelihood = num(b$marginal.likelihood),
  bayes_factor_tau0 = num(b$bayesfactor["actual", "tau=0"]),
  bayes_factor_mu0 = num(b$bayesfactor["actual", "mu=0"]),
  delta = 1e-4, epsilon = 1e-7)
out$studies <- lapply(seq_len(b$k), function(i) {
  ci <- if (level == 95) b$theta[c("95% lower", "95% upper"), i]
        else b$post.interval(mu.level = lv, individual = i)
  list(id = dat$study[i], yi = num(dat$yi[i]), sei = num(sei[i]), shrinkage = list(
    mean = num(b$theta["mean", i]), median = num(b$theta["median", i]),
    sd = num(b$theta["sd", i]), ci_low = num(ci[1]), ci_high = num(ci[2])))
})

cat(ivigmeta_json(out), "\n")
