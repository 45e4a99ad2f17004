# Golden values for small-study-effect methods: Egger's regression test (regtest, predictor
# sei, model rma), Begg's rank correlation (ranktest), trim-and-fill (trimfill, L0 and R0)
# and Rosenthal's fail-safe N (fsn).
# Run from the repository root:  Rscript tests/oracle/bias.R
# Writes tests/oracle/golden/bias.json.
source(file.path("tests", "oracle", "sensitivity_datasets.R"))

fits <- list(
  list(method = "REML", test = "z"),
  list(method = "DL", test = "z"),
  list(method = "REML", test = "knha"),
  list(method = "EE", test = "z")
)

trimfill_result <- function(res, estimator, side = NULL) {
  tf <- if (is.null(side)) trimfill(res, estimator = estimator)
        else trimfill(res, estimator = estimator, side = side)
  list(estimator = estimator, side_requested = if (is.null(side)) "auto" else side,
       k0 = tf$k0, side = tf$side, estimate = c(tf$beta), se = tf$se, ci_low = tf$ci.lb,
       ci_high = tf$ci.ub, statistic = tf$zval, p = tf$pval, tau2 = tf$tau2, k = tf$k,
       test = tf$test, filled_yi = tf$yi[tf$fill], filled_vi = tf$vi[tf$fill])
}

cases <- list()
sets <- datasets()
for (name in names(sets)) {
  d <- sets[[name]]
  fsn_result <- fsn(yi, vi, data = d)
  rank <- ranktest(d$yi, d$vi)
  for (f in fits) {
    res <- rma(yi, vi, data = d, method = f$method, test = f$test)
    eg <- regtest(res)
    eg_lm <- regtest(res, model = "lm")
    cases[[length(cases) + 1]] <- list(
      dataset = name, method = f$method, test = f$test,
      data = list(id = d$id, yi = d$yi, vi = d$vi),
      egger = list(statistic = eg$zval, df = eg$dfs, p = eg$pval, limit_estimate = c(eg$est),
                   limit_ci_low = eg$ci.lb, limit_ci_high = eg$ci.ub),
      egger_lm = list(statistic = eg_lm$zval, df = eg_lm$dfs, p = eg_lm$pval,
                      limit_estimate = c(eg_lm$est), limit_ci_low = eg_lm$ci.lb,
                      limit_ci_high = eg_lm$ci.ub),
      rank = list(tau = unname(rank$tau), p = rank$pval),
      trimfill = list(trimfill_result(res, "L0"), trimfill_result(res, "R0"),
                      trimfill_result(res, "L0", "left"), trimfill_result(res, "L0", "right")),
      failsafe_n = fsn_result$fsnum, failsafe_p = fsn_result$pval
    )
  }
}
write_golden(list(metafor = as.character(packageVersion("metafor")), cases = cases),
             "bias.json")
