# Golden values for multilevel models (metafor rma.mv with nested random effects) and their
# cluster-robust tests (clubSandwich CR2 + Satterthwaite; metafor robust(adjust = TRUE) = CR1).
# Run from the repository root:  Rscript tests/oracle/multilevel.R
# Writes tests/oracle/golden/multilevel.json.
#
# Each case: the data (yi, vi, one label column per level, outermost first, moderators),
# rho (V from vcalc(vi, cluster, obs, rho), cluster = the innermost level above the rows) and
# metafor's results: sigma2, b, se, z, p, CIs, QE, QM, fit statistics, the multilevel I² of
# the metafor FAQ (Cheung 2014), CR2 and CR1 robust tests clustered by the outermost level.
suppressPackageStartupMessages({
  library(metafor)
  library(clubSandwich)
})

write_golden <- function(x, name) {
  jsonlite::write_json(x, file.path("tests", "oracle", "golden", name), digits = NA,
                       auto_unbox = TRUE, pretty = TRUE, na = "null")
}

# multilevel I² (metafor FAQ): typical sampling variance (k - p) / tr(P), P from W = V^-1
i2_levels <- function(res, V) {
  W <- solve(V)
  X <- model.matrix(res)
  P <- W - W %*% X %*% solve(t(X) %*% W %*% X) %*% t(X) %*% W
  100 * res$sigma2 / (sum(res$sigma2) + (res$k - res$p) / sum(diag(P)))
}

# (clubSandwich evaluates the cluster argument in the model's data first: the name
# robust_cluster_ must not be a column)
robust_of <- function(res, robust_cluster_) {
  cr2 <- coef_test(res, vcov = "CR2", test = "Satterthwaite", cluster = robust_cluster_)
  ci2 <- conf_int(res, vcov = "CR2", test = "Satterthwaite", cluster = robust_cluster_)
  cr1 <- robust(res, cluster = robust_cluster_, adjust = TRUE)
  # the same CR1 from clubSandwich (CR1p, naive-tp), as a cross-check inside the oracle
  cr1p <- coef_test(res, vcov = "CR1p", test = "naive-tp", cluster = robust_cluster_)
  stopifnot(max(abs(cr1p$SE - cr1$se)) < 1e-10)
  list(
    CR2 = list(se = cr2$SE, df = cr2$df_Satt, p = cr2$p_Satt, statistic = cr2$tstat,
               ci_low = ci2$CI_L, ci_high = ci2$CI_U),
    CR1 = list(se = cr1$se, df = cr1$ddf, p = cr1$pval, statistic = cr1$zval,
               ci_low = cr1$ci.lb, ci_high = cr1$ci.ub)
  )
}

one_case <- function(name, d, levels, mods = character(0), method = "REML", rho = NULL) {
  inner <- if (length(levels) > 1) levels[length(levels) - 1] else levels[1]
  if (is.null(rho)) {
    V <- diag(d$vi)
  } else {
    d$obs_ <- ave(seq_len(nrow(d)), d[[inner]], FUN = seq_along)
    V <- vcalc(vi, cluster = d[[inner]], obs = obs_, rho = rho, data = d)
  }
  random <- as.formula(paste("~ 1 |", paste(levels, collapse = "/")))
  mf <- if (length(mods)) as.formula(paste("~", paste(mods, collapse = " + "))) else ~ 1
  res <- rma.mv(d$yi, V, mods = mf, random = random, data = d, method = method)
  fs <- fitstats(res)
  labels <- lapply(levels, function(l) as.character(d[[l]]))
  names(labels) <- levels
  list(
    name = name, method = method, rho = if (is.null(rho)) NA else rho, levels = levels, mods = mods,
    data = c(list(yi = d$yi, vi = d$vi), list(labels = labels),
             list(moderators = lapply(setNames(mods, mods), function(m) d[[m]]))),
    sigma2 = res$sigma2, n_levels = res$s.nlevels,
    beta = c(res$b), se = res$se, zval = res$zval, pval = res$pval,
    ci_low = res$ci.lb, ci_high = res$ci.ub,
    qe = res$QE, qe_df = res$k - res$p, qe_p = res$QEp,
    qm = if (length(mods)) res$QM else NA, qm_p = if (length(mods)) res$QMp else NA,
    loglik = fs[1, 1], deviance = fs[2, 1], aic = fs[3, 1], bic = fs[4, 1], aicc = fs[5, 1],
    i2 = i2_levels(res, V),
    sigma2_ci = lapply(seq_along(res$sigma2), function(j) {
      ci <- confint(res, sigma2 = j)$random[1, 2:3]
      unname(ci)
    }),
    robust = robust_of(res, d[[levels[1]]])
  )
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

k11 <- dat.konstantopoulos2011
k11$year_c <- k11$year - mean(k11$year)
for (method in c("REML", "ML")) {
  add(one_case("konstantopoulos2011", k11, c("district", "school"), method = method))
  add(one_case("konstantopoulos2011_year", k11, c("district", "school"), "year_c", method))
}
add(one_case("konstantopoulos2011_rho", k11, c("district", "school"), rho = 0.3))

a16 <- dat.assink2016
a16$year_c <- a16$year - mean(a16$year)
a16$overt <- as.numeric(a16$deltype == "overt")
add(one_case("assink2016", a16, c("study", "esid")))
add(one_case("assink2016_mods", a16, c("study", "esid"), c("year_c", "overt")))
add(one_case("assink2016_rho", a16, c("study", "esid"), rho = 0.6))
add(one_case("assink2016_ml_rho_mods", a16, c("study", "esid"), "year_c", "ML", rho = 0.4))

# seeded random data: J clusters of 1-5 effects (a four-level case too)
set.seed(20261201)
for (i in 1:10) {
  J <- sample(6:15, 1)
  sizes <- sample(1:5, J, replace = TRUE)
  sizes[1:2] <- pmax(sizes[1:2], 2)
  cl <- rep(seq_len(J), sizes)
  k <- length(cl)
  s2 <- c(runif(1, 0, 0.2), runif(1, 0, 0.1))
  vi <- runif(k, 0.01, 0.2)
  x <- round(rnorm(k), 3)
  yi <- round(0.3 + 0.2 * x * (i %% 2) + rnorm(J, 0, sqrt(s2[1]))[cl] +
              rnorm(k, 0, sqrt(s2[2])) + rnorm(k, 0, sqrt(vi)), 4)
  d <- data.frame(cluster = paste0("c", cl), es = ave(cl, cl, FUN = seq_along),
                  yi = yi, vi = round(vi, 4), x = x)
  method <- if (i %% 3 == 0) "ML" else "REML"
  mods <- if (i %% 2 == 0) "x" else character(0)
  rho <- if (i %% 4 == 1) 0.5 else NULL
  if (i == 10) {
    d$site <- paste0("s", (cl - 1) %/% 3)
    add(one_case(sprintf("random%02d_four_level", i), d, c("site", "cluster", "es"),
                 mods, method, rho))
  } else {
    add(one_case(sprintf("random%02d", i), d, c("cluster", "es"), mods, method, rho))
  }
}

# correlated random effects over time: random = ~ time | cluster, struct = "CS" | "AR"
struct_case <- function(name, d, cluster, time, struct, mods = character(0), method = "REML",
                        rho = NULL) {
  random <- as.formula(paste("~", time, "|", cluster))
  mf <- if (length(mods)) as.formula(paste("~", paste(mods, collapse = " + "))) else ~ 1
  V <- if (is.null(rho)) diag(d$vi) else vcalc(vi, cluster = d[[cluster]], obs = d[[time]],
                                               rho = rho, data = d)
  res <- rma.mv(d$yi, V, mods = mf, random = random, struct = struct, data = d, method = method)
  fs <- fitstats(res)
  labels <- list(as.character(d[[cluster]]))
  names(labels) <- cluster
  list(
    name = name, method = method, struct = struct, cluster = cluster, time = time, mods = mods,
    rho_v = if (is.null(rho)) NA else rho,
    data = list(yi = d$yi, vi = d$vi, labels = labels, time = d[[time]],
                moderators = lapply(setNames(mods, mods), function(m) d[[m]])),
    tau2 = res$tau2, rho = res$rho,
    beta = c(res$b), se = res$se, zval = res$zval, pval = res$pval,
    ci_low = res$ci.lb, ci_high = res$ci.ub,
    qe = res$QE, qe_p = res$QEp,
    loglik = fs[1, 1], deviance = fs[2, 1], aic = fs[3, 1], bic = fs[4, 1], aicc = fs[5, 1],
    robust = robust_of(res, d[[cluster]])
  )
}

ishak <- dat.ishak2007
long <- do.call(rbind, lapply(1:4, function(t) data.frame(
  study = ishak$study, time = t, yi = ishak[[paste0("y", t, "i")]],
  vi = ishak[[paste0("v", t, "i")]], mbase = ishak$mbase)))
long <- long[!is.na(long$yi), ]
long <- long[order(long$study, long$time), ]
for (t in 2:4) long[[paste0("t", t)]] <- as.numeric(long$time == t)
# metafor's help(dat.ishak2007) model with constant sampling correlation 0.8 (vcalc rho)
# instead of its AR(1) phi = 0.97: the optimum of rho is interior
struct_cases <- list()
for (struct in c("AR", "CS")) {
  for (method in c("REML", "ML")) {
    struct_cases[[length(struct_cases) + 1]] <- struct_case(
      "ishak2007_time", long, "study", "time", struct, c("t2", "t3", "t4"), method, rho = 0.8)
  }
}
set.seed(20261202)
for (i in 1:4) {
  J <- sample(15:25, 1)
  d <- do.call(rbind, lapply(seq_len(J), function(j) {
    times <- sort(sample(c(3, 6, 12, 24), sample(2:4, 1)))
    data.frame(trial = sprintf("t%02d", j), month = times)
  }))
  d$vi <- round(runif(nrow(d), 0.02, 0.2), 4)
  u <- rnorm(J, 0, 0.3)[as.integer(factor(d$trial))]
  d$yi <- round(0.4 + u + rnorm(nrow(d), 0, 0.2) + rnorm(nrow(d), 0, sqrt(d$vi)), 4)
  struct <- if (i %% 2) "AR" else "CS"
  struct_cases[[length(struct_cases) + 1]] <- struct_case(
    sprintf("random_struct%02d", i), d, "trial", "month", struct,
    method = if (i > 2) "ML" else "REML")
}

write_golden(list(metafor = as.character(packageVersion("metafor")),
                  clubSandwich = as.character(packageVersion("clubSandwich")),
                  cases = cases, struct_cases = struct_cases),
             "multilevel.json")
