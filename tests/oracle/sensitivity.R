# Golden values for leave-one-out, cumulative meta-analysis and influence diagnostics.
# Run from the repository root:  Rscript tests/oracle/sensitivity.R
# Writes tests/oracle/golden/sensitivity.json (metafor leave1out(), cumul(), influence()).
# metafor 5.0-1 labels a leave1out() row "-id" (the study left out); the '-' is dropped here,
# ivigmeta labels the row by the study left out.
source(file.path("tests", "oracle", "sensitivity_datasets.R"))

fits <- list(
  list(method = "REML", test = "z"),
  list(method = "DL", test = "z"),
  list(method = "REML", test = "knha"),
  list(method = "PM", test = "z"),
  list(method = "EE", test = "z")
)

list_rma <- function(x) {
  list(estimate = x$estimate, se = x$se, statistic = if (is.null(x$zval)) x$tval else x$zval,
       p = x$pval, ci_low = x$ci.lb, ci_high = x$ci.ub, q = x$Q, q_p = x$Qp,
       tau2 = if (is.null(x$tau2)) rep(0, length(x$estimate)) else x$tau2, i2 = x$I2, h2 = x$H2)
}

cases <- list()
sets <- datasets()
for (name in names(sets)) {
  d <- sets[[name]]
  for (f in fits) {
    res <- rma(yi, vi, data = d, method = f$method, test = f$test, slab = d$id)
    l1o <- leave1out(res)
    cum <- cumul(res, order = d$year)
    inf <- influence(res)
    cases[[length(cases) + 1]] <- list(
      dataset = name, method = f$method, test = f$test,
      data = list(id = d$id, yi = d$yi, vi = d$vi, year = d$year),
      leave_one_out = c(list(id = sub("^-", "", l1o$slab)), list_rma(l1o)),
      cumulative_by_year = c(list(id = cum$slab), list_rma(cum)),
      influence = list(id = inf$inf$slab, rstudent = inf$inf$rstudent, dffits = inf$inf$dffits,
                       cook_d = inf$inf$cook.d, cov_r = inf$inf$cov.r,
                       tau2_del = inf$inf$tau2.del, qe_del = inf$inf$QE.del, hat = inf$inf$hat,
                       weight = inf$inf$weight, dfbetas = inf$dfbs[[1]],
                       influential = inf$is.infl)
    )
  }
}
write_golden(list(metafor = as.character(packageVersion("metafor")), cases = cases),
             "sensitivity.json")
