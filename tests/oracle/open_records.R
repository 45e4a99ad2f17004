# Golden values for tests/test_open_records.py: metafor 5.0-1 on the numbers of the fixture
# folder tests/fixtures/user_records (a user's own rituximab records with outcomes declared in
# its outcomes.yaml). serious_infection: 2x2 tables (fixtureb2021's arm count 4 of 32 is the
# count whose percentage rounds to its printed 12.5%); disease_progression: hazard ratios with
# CIs converted by conv.wald(transf = log); fvc_percent: mean changes (MC) with the SD of change.
# Run from the repository root:  Rscript tests/oracle/open_records.R
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
stopifnot(packageVersion("metafor") == "5.0.1")

ai <- c(3, 4, 5); n1i <- c(30, 32, 40); ci <- c(1, 2, 0); n2i <- c(29, 30, 38)
num <- function(x) if (length(x) == 0 || is.null(x) || is.na(x[1])) NA else unname(x[1])
fields <- function(res) list(
  estimate = num(res$beta), se = num(res$se), ci_low = num(res$ci.lb), ci_high = num(res$ci.ub),
  p = num(res$pval), tau2 = num(res$tau2), q = num(res$QE), i2 = num(res$I2),
  weights = if (inherits(res, "rma.glmm")) NA else unname(weights(res)))
out <- list()
for (m in c("RR", "OR", "RD")) {
  out[[paste0("mh_", m)]] <- fields(rma.mh(measure = m, ai = ai, n1i = n1i, ci = ci, n2i = n2i))
  out[[paste0("reml_", m)]] <- fields(rma(measure = m, ai = ai, n1i = n1i, ci = ci, n2i = n2i))
}
out$peto <- fields(rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i))
out$glmm_OR <- fields(rma.glmm(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i,
                               model = "UM.FS", method = "ML"))

hr <- data.frame(est = c(0.62, 0.80, 0.71), lb = c(0.41, 0.52, 0.45), ub = c(0.94, 1.23, 1.12),
                 level = c(95, 95, 90))
hr <- conv.wald(out = est, ci.lb = lb, ci.ub = ub, level = level, data = hr, transf = log)
out$hr_yi <- hr$yi
out$hr_vi <- hr$vi
out$reml_HR <- fields(rma(yi, vi, data = hr))

fvc <- escalc("MC", m1i = c(2.8, 1.9, 0.9), m2i = rep(0, 3), sd1i = c(6.1, 5.2, 7.4),
              sd2i = rep(0, 3), ni = c(30, 31, 38), ri = rep(0, 3))
out$reml_fvc_rituximab <- fields(rma(yi, vi, data = fvc))
write_json(out, "tests/oracle/golden/open_records.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
