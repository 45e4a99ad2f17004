# Golden values for rma.mv with correlated random effects over time / outcomes:
# random = ~ time | cluster, struct = "CS" | "HCS" | "AR" | "HAR" | "UN", their
# profile-likelihood CIs (confint(res, tau2 = j), confint(res, rho = j)), and sampling
# covariances given by columns (vcalc(vi = 1, cluster, rvars = c(...)): dat.berkey1998).
# Run from the repository root:  Rscript tests/oracle/multilevel_struct.R
# Writes tests/oracle/golden/multilevel_struct.json.
suppressPackageStartupMessages({
  library(metafor)
  library(clubSandwich)
})

profile_of <- function(res) {
  one <- function(arg, j) {
    ci <- do.call(confint, c(list(res), setNames(list(j), arg)))
    # metafor prints a bound it did not reach with "<" / ">": NA here
    list(lb = if (ci$lb.sign != "") NA else ci$random[1, 2],
         ub = if (ci$ub.sign != "") NA else ci$random[1, 3])
  }
  list(tau2 = lapply(seq_along(res$tau2), function(j) one("tau2", j)),
       rho = lapply(seq_along(res$rho), function(j) one("rho", j)))
}

struct_case <- function(name, d, cluster, time, struct, mods = character(0), method = "REML",
                        rvars = NULL, rho_v = NULL, profile = FALSE) {
  random <- as.formula(paste("~", time, "|", cluster))
  mf <- if (length(mods)) as.formula(paste("~", paste(mods, collapse = " + "))) else ~ 1
  if (!is.null(rvars)) {
    V <- do.call(vcalc, list(vi = 1, cluster = d[[cluster]], data = d,
                             rvars = as.call(c(as.name("c"), lapply(rvars, as.name)))))
  } else if (!is.null(rho_v)) {
    V <- vcalc(vi, cluster = d[[cluster]], obs = d[[time]], rho = rho_v, data = d)
  } else {
    V <- diag(d$vi)
  }
  res <- rma.mv(d$yi, V, mods = mf, random = random, struct = struct, data = d, method = method)
  fs <- fitstats(res)
  labels <- list(as.character(d[[cluster]]))
  names(labels) <- cluster
  cr2 <- coef_test(res, vcov = "CR2", test = "Satterthwaite", cluster = d[[cluster]])
  out <- list(
    name = name, method = method, struct = struct, cluster = cluster, time = time, mods = mods,
    rvars = if (is.null(rvars)) list() else rvars, rho_v = if (is.null(rho_v)) NA else rho_v,
    data = c(list(yi = d$yi, vi = d$vi, labels = labels, time = d[[time]],
                  moderators = lapply(setNames(mods, mods), function(m) d[[m]])),
             if (is.null(rvars)) list() else list(columns = lapply(setNames(rvars, rvars),
                                                                   function(v) d[[v]]))),
    tau2 = res$tau2, rho = res$rho, time_levels = res$g.levels.f[[1]],
    beta = c(res$b), se = res$se, zval = res$zval, pval = res$pval,
    ci_low = res$ci.lb, ci_high = res$ci.ub, qe = res$QE, qe_p = res$QEp,
    qm = if (res$p > 1) res$QM else NA,
    loglik = fs[1, 1], deviance = fs[2, 1], aic = fs[3, 1], bic = fs[4, 1], aicc = fs[5, 1],
    cr2 = list(se = cr2$SE, df = cr2$df_Satt, p = cr2$p_Satt)
  )
  if (profile) out$profile <- profile_of(res)
  out
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

# dat.berkey1998 (metafor's help example): two outcomes per trial, sampling covariances in
# the columns v1i, v2i; the outcome means as intercept + PD (metafor: ~ outcome - 1)
b98 <- dat.berkey1998
b98$pd <- as.numeric(b98$outcome == "PD")
for (method in c("REML", "ML")) {
  add(struct_case("berkey1998", b98, "trial", "outcome", "UN", "pd", method,
                  rvars = c("v1i", "v2i"), profile = method == "REML"))
}
add(struct_case("berkey1998_year", transform(b98, year_c = year - 1983), "trial", "outcome",
                "UN", c("pd", "year_c"), rvars = c("v1i", "v2i")))
for (struct in c("HCS", "CS")) {
  add(struct_case("berkey1998", b98, "trial", "outcome", struct, "pd", rvars = c("v1i", "v2i")))
}
# the help page's parameterisation, for the published numbers
res <- rma.mv(yi, vcalc(vi = 1, cluster = trial, rvars = c(v1i, v2i), data = b98),
              mods = ~ outcome - 1, random = ~ outcome | trial, struct = "UN", data = b98)
published <- list(beta = c(res$b), se = res$se, tau2 = res$tau2, rho = res$rho)

ishak <- dat.ishak2007
long <- do.call(rbind, lapply(1:4, function(t) data.frame(
  study = ishak$study, time = t, yi = ishak[[paste0("y", t, "i")]],
  vi = ishak[[paste0("v", t, "i")]])))
long <- long[!is.na(long$yi), ]
long <- long[order(long$study, long$time), ]
for (t in 2:4) long[[paste0("t", t)]] <- as.numeric(long$time == t)
for (struct in c("HAR", "HCS", "UN")) {
  add(struct_case("ishak2007_time", long, "study", "time", struct, c("t2", "t3", "t4"),
                  rho_v = 0.8))
}
add(struct_case("ishak2007_time", long, "study", "time", "HAR", c("t2", "t3", "t4"), "ML",
                rho_v = 0.8))
for (struct in c("AR", "CS")) {
  add(struct_case("ishak2007_time", long, "study", "time", struct, c("t2", "t3", "t4"),
                  rho_v = 0.8, profile = TRUE))
}

set.seed(20261204)
for (i in 1:6) {
  J <- sample(25:40, 1)
  d <- do.call(rbind, lapply(seq_len(J), function(j) {
    times <- sort(sample(c(3, 6, 12), sample(2:3, 1)))
    data.frame(trial = sprintf("t%02d", j), month = times)
  }))
  d$vi <- round(runif(nrow(d), 0.02, 0.2), 4)
  u <- MASS::mvrnorm(J, c(0, 0, 0), matrix(c(0.2, 0.1, 0.05, 0.1, 0.15, 0.08, 0.05, 0.08, 0.1),
                                            3))
  idx <- cbind(as.integer(factor(d$trial)), match(d$month, c(3, 6, 12)))
  d$yi <- round(0.4 + u[idx] + rnorm(nrow(d), 0, sqrt(d$vi)), 4)
  struct <- c("UN", "HCS", "HAR")[(i - 1) %% 3 + 1]
  add(struct_case(sprintf("random_struct%02d", i), d, "trial", "month", struct,
                  method = if (i > 3) "ML" else "REML", profile = i <= 3))
}

jsonlite::write_json(list(metafor = as.character(packageVersion("metafor")),
                          cases = cases, berkey1998_published = published),
                     file.path("tests", "oracle", "golden", "multilevel_struct.json"),
                     digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
