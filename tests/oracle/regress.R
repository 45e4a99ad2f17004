# Golden values for mixed-effects meta-regression (rma with mods) and subgroup analysis.
# Run from the repository root:  Rscript tests/oracle/regress.R
# Writes tests/oracle/golden/regress.json.
#
# Subgroups, two tau² assumptions:
#  - separate tau² per group: one rma() per group, then the Wald-type test of the group
#    estimates, rma(estimates, sei = se, method = "EE") -> QE, df = groups - 1;
#  - common tau²: rma(yi, vi, mods = ~ factor(group)) -> QM (omnibus test of the group terms).
source(file.path("tests", "oracle", "sensitivity_datasets.R"))

fits <- list(
  list(method = "REML", test = "z"),
  list(method = "DL", test = "z"),
  list(method = "REML", test = "knha"),
  list(method = "ML", test = "z"),
  list(method = "PM", test = "knha")
)

regressions <- list(
  list(dataset = "bcg", mods = c("ablat", "year")),
  list(dataset = "bcg", mods = c("ablat")),
  list(dataset = "hackshaw", mods = c("year")),
  list(dataset = "random_k15_ties", mods = c("x1")),
  list(dataset = "random_k30", mods = c("x1", "year")),
  list(dataset = "random_k60", mods = c("x1"))
)
subgroups <- list(
  list(dataset = "bcg", by = "alloc"),
  list(dataset = "hackshaw", by = "design"),
  list(dataset = "random_k30", by = "grp"),
  list(dataset = "random_k60", by = "grp")
)

# influence() of a meta-regression: every column, dfbetas one list per coefficient
influence_of <- function(res) {
  inf <- influence(res)
  list(rstudent = inf$inf$rstudent, dffits = inf$inf$dffits, cook_d = inf$inf$cook.d,
       cov_r = inf$inf$cov.r, tau2_del = inf$inf$tau2.del, qe_del = inf$inf$QE.del,
       hat = inf$inf$hat, weight = inf$inf$weight,
       dfbetas = lapply(seq_len(res$p), function(j) inf$dfbs[[j]]),
       influential = inf$is.infl)
}

sets <- datasets()
reg_cases <- list()
for (r in regressions) {
  d <- sets[[r$dataset]]
  X <- as.matrix(d[, r$mods, drop = FALSE])
  for (f in fits) {
    res <- rma(yi, vi, mods = X, data = d, method = f$method, test = f$test)
    reg_cases[[length(reg_cases) + 1]] <- list(
      dataset = r$dataset, mods = r$mods, method = f$method, test = f$test,
      data = c(list(id = d$id, yi = d$yi, vi = d$vi), as.list(d[, r$mods, drop = FALSE])),
      coefficients = list(name = c("intercept", r$mods), estimate = c(res$beta), se = res$se,
                          ci_low = res$ci.lb, ci_high = res$ci.ub, statistic = res$zval,
                          p = res$pval),
      df = res$ddf[1],
      tau2 = res$tau2, qm = res$QM, qm_df = res$QMdf, qm_p = res$QMp,
      qe = res$QE, qe_df = res$k - res$p, qe_p = res$QEp, r2 = res$R2, i2 = res$I2, h2 = res$H2,
      influence = influence_of(res)
    )
  }
}

sub_cases <- list()
for (s in subgroups) {
  d <- sets[[s$dataset]]
  g <- d[[s$by]]
  for (f in fits) {
    names_g <- sort(unique(g))
    groups <- lapply(names_g, function(level) {
      res <- rma(yi, vi, data = d, subset = g == level, method = f$method, test = f$test)
      list(name = level, k = res$k, estimate = c(res$beta), se = res$se, ci_low = res$ci.lb,
           ci_high = res$ci.ub, tau2 = res$tau2, i2 = res$I2, q = res$QE, q_p = res$QEp)
    })
    est <- sapply(groups, function(x) x$estimate)
    se <- sapply(groups, function(x) x$se)
    between <- rma(est, sei = se, method = "EE")
    common <- rma(yi, vi, mods = ~ factor(g), data = d, method = f$method, test = f$test)
    sub_cases[[length(sub_cases) + 1]] <- list(
      dataset = s$dataset, by = s$by, method = f$method, test = f$test,
      data = list(id = d$id, yi = d$yi, vi = d$vi, group = g),
      groups = groups,
      q_between = between$QE, q_between_df = between$k - 1, q_between_p = between$QEp,
      common = list(tau2 = common$tau2, statistic = common$QM, df = common$QMdf,
                    p = common$QMp)
    )
  }
}
write_golden(list(metafor = as.character(packageVersion("metafor")),
                  regressions = reg_cases, subgroups = sub_cases),
             "regress.json")
