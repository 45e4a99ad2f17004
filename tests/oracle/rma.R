# Golden values for ivigmeta.stats.models.rma / ivigmeta.stats.models.confint from metafor's rma.uni(),
# predict() and confint().
# Run from the repository root:  Rscript tests/oracle/rma.R
# Writes tests/oracle/golden/rma.json: a list of data sets (yi, vi, optional moderator matrix),
# each with a list of fits (method, test, optional fixed tau2) and every output field; a fit
# metafor refuses is stored as {"error": "<metafor's message>"}.
suppressPackageStartupMessages(library(metafor))

methods <- c("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
tests <- c("z", "t", "knha", "adhoc")

# NA/NaN -> null; +-Inf -> "Inf"/"-Inf" (JSON has no infinities)
num <- function(x) {
  x <- as.numeric(x)
  x[is.nan(x)] <- NA
  if (!any(is.infinite(x))) return(x)
  lapply(x, function(v) if (is.infinite(v)) (if (v > 0) "Inf" else "-Inf") else v)
}

one_fit <- function(yi, vi, mods, method, test, tau2 = NULL, level = 95, intercept = TRUE) {
  args <- list(yi = yi, vi = vi, method = method, test = test, level = level,
               intercept = intercept)
  if (!is.null(mods)) args$mods <- mods
  if (!is.null(tau2)) args$tau2 <- tau2
  warned <- character(0)
  res <- withCallingHandlers(
    tryCatch(do.call(rma.uni, args), error = function(e) e),
    warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  out <- list(method = method, test = test, level = level, intercept = intercept,
              tau2_fixed = if (is.null(tau2)) NA else tau2)
  if (inherits(res, "error")) {
    out$error <- conditionMessage(res)
    return(out)
  }
  out$warnings <- as.list(warned)
  out$test_used <- res$test
  out$beta <- num(res$beta)
  out$se <- num(res$se)
  out$statistic <- num(res$zval)
  out$pval <- num(res$pval)
  out$ci_low <- num(res$ci.lb)
  out$ci_high <- num(res$ci.ub)
  out$df <- num(res$ddf)
  out$tau2 <- num(res$tau2)
  out$se_tau2 <- num(res$se.tau2)
  out$i2 <- num(res$I2)
  out$h2 <- num(res$H2)
  out$s2 <- num(res$vt)
  out$q <- num(res$QE)
  out$q_p <- num(res$QEp)
  out$qm <- num(res$QM)
  out$qm_df <- num(res$QMdf)
  out$qm_p <- num(res$QMp)
  out$r2 <- if (is.null(res$R2)) NA else num(res$R2)
  out$weights <- num(weights(res))
  if (is.null(mods)) {
    pr <- predict(res)
    se <- res$se
    half <- function(crit) crit * sqrt(se^2 + res$tau2)
    crit_t <- function(df) if (df > 0) qt(1 - (1 - level / 100) / 2, df) else NA
    out$pi_auto <- num(c(pr$pi.lb, pr$pi.ub))
    zc <- qnorm(1 - (1 - level / 100) / 2)
    out$pi_z <- num(c(res$beta - half(zc), res$beta + half(zc)))
    out$pi_t <- num(c(res$beta - half(crit_t(res$k - 1)), res$beta + half(crit_t(res$k - 1))))
    out$pi_hts <- num(c(res$beta - half(crit_t(res$k - 2)), res$beta + half(crit_t(res$k - 2))))
  }
  if (!is.element(method, c("EE")) && is.null(tau2) && res$k > 1 && all(vi > 0)) {
    ci <- tryCatch(suppressWarnings(confint(res)), error = function(e) e)
    if (inherits(ci, "error")) {
      out$confint_error <- conditionMessage(ci)
    } else {
      r <- ci$random
      out$confint <- list(
        tau2 = num(r["tau^2", 2:3]), tau = num(r["tau", 2:3]),
        i2 = num(r["I^2(%)", 2:3]), h2 = num(r["H^2", 2:3]),
        low_sign = ci$lb.sign, high_sign = ci$ub.sign, ci_null = ci$ci.null
      )
    }
  }
  out
}

all_fits <- function(yi, vi, mods, pairs) {
  lapply(seq_len(nrow(pairs)), function(i) one_fit(yi, vi, mods, pairs$method[i], pairs$test[i]))
}

every_pair <- expand.grid(method = methods, test = tests, stringsAsFactors = FALSE)

# every method with z plus one other test, rotating so all pairs occur across data sets
rotating_pairs <- function(d) {
  other <- tests[((d + seq_along(methods)) %% 3) + 2]
  rbind(data.frame(method = methods, test = "z", stringsAsFactors = FALSE),
        data.frame(method = methods, test = other, stringsAsFactors = FALSE))
}

dataset <- function(name, yi, vi, mods = NULL, pairs = every_pair, source = "") {
  list(name = name, source = source, yi = num(yi), vi = num(vi),
       mods = if (is.null(mods)) NULL else unname(as.matrix(mods)),
       fits = all_fits(yi, vi, mods, pairs))
}

sets <- list()

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
sets[[length(sets) + 1]] <- dataset("bcg_logrr", bcg$yi, bcg$vi,
                                    source = "metadat dat.bcg, escalc RR")
sets[[length(sets) + 1]] <- dataset("bcg_logrr_ablat_year", bcg$yi, bcg$vi,
                                    mods = cbind(bcg$ablat, bcg$year),
                                    source = "metadat dat.bcg, escalc RR, mods ablat + year")

normand <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
                  n2i = n2i, data = dat.normand1999)
sets[[length(sets) + 1]] <- dataset("normand1999_smd", normand$yi, normand$vi,
                                    source = "metadat dat.normand1999, escalc SMD")
normand_md <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
                     n2i = n2i, data = dat.normand1999)
sets[[length(sets) + 1]] <- dataset("normand1999_md", normand_md$yi, normand_md$vi,
                                    source = "metadat dat.normand1999, escalc MD")

hine <- escalc(measure = "RD", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.hine1989)
sets[[length(sets) + 1]] <- dataset("hine1989_rd", hine$yi, hine$vi,
                                    source = "metadat dat.hine1989, escalc RD")

ishak <- dat.ishak2007[!is.na(dat.ishak2007$y1i), ]
sets[[length(sets) + 1]] <- dataset("ishak2007_mean_change", ishak$y1i, ishak$v1i,
                                    source = "metadat dat.ishak2007, 3-month mean change (y1i, v1i)")

raud <- dat.raudenbush1985
sets[[length(sets) + 1]] <- dataset("raudenbush1985_weeks", raud$yi, raud$vi,
                                    mods = cbind(raud$weeks),
                                    source = "metadat dat.raudenbush1985, mods weeks")

# seeded random data sets: k from 1 to 40, narrow to wide vi ranges, tau2 from 0 to large
ks <- c(1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 18, 20, 22, 24, 25, 27, 30,
        32, 35, 38, 40, 40, 14, 17)
for (d in seq_along(ks)) {
  set.seed(20261124 + d)
  k <- ks[d]
  scale <- c(0.001, 0.05, 1, 25)[(d %% 4) + 1]
  vi <- runif(k, 0.2, c(1.2, 5, 40)[(d %% 3) + 1]) * scale
  tau2 <- c(0, 0.1, 0.5, 2, 8)[(d %% 5) + 1] * scale
  mu <- rnorm(1, 0, 2 * sqrt(scale))
  yi <- mu + rnorm(k, 0, sqrt(tau2)) + rnorm(k, 0, sqrt(vi))
  sets[[length(sets) + 1]] <- dataset(sprintf("random%02d_k%d", d, k), yi, vi,
                                      pairs = rotating_pairs(d),
                                      source = sprintf("set.seed(%d)", 20261124 + d))
}

# seeded meta-regressions: one or two continuous moderators and a three-level factor
for (d in 1:10) {
  set.seed(20261200 + d)
  k <- c(6, 8, 10, 12, 15, 18, 20, 25, 30, 40)[d]
  vi <- runif(k, 0.02, 0.5)
  x1 <- rnorm(k)
  x2 <- runif(k, 0, 10)
  f <- factor(rep(c("a", "b", "c"), length.out = k))
  tau2 <- c(0, 0.05, 0.2, 0.6)[(d %% 4) + 1]
  yi <- 0.3 + 0.2 * x1 - 0.03 * x2 + 0.25 * (f == "b") + rnorm(k, 0, sqrt(tau2)) +
    rnorm(k, 0, sqrt(vi))
  mods <- switch((d %% 3) + 1, cbind(x1), cbind(x1, x2), cbind(x1, fb = f == "b", fc = f == "c"))
  sets[[length(sets) + 1]] <- dataset(sprintf("metareg%02d_k%d", d, k), yi, vi, mods = mods,
                                      pairs = rotating_pairs(d),
                                      source = sprintf("set.seed(%d)", 20261200 + d))
}

# edge cases
edge_pairs <- rotating_pairs(0)
sets[[length(sets) + 1]] <- dataset("edge_identical", rep(0.4, 6), rep(0.05, 6), pairs = every_pair,
                                    source = "six identical studies")
sets[[length(sets) + 1]] <- dataset("edge_homogeneous", c(0.1, 0.12, 0.09, 0.11, 0.1),
                                    c(0.04, 0.05, 0.03, 0.06, 0.05), pairs = every_pair,
                                    source = "Q far below df: tau2 = 0, Q-profile CI null")
sets[[length(sets) + 1]] <- dataset("edge_k1", 0.7, 0.09, pairs = every_pair, source = "k = 1")
sets[[length(sets) + 1]] <- dataset("edge_k2", c(0.1, 1.4), c(0.04, 0.09), pairs = every_pair,
                                    source = "k = 2")
sets[[length(sets) + 1]] <- dataset("edge_zero_variance", c(0.2, 0.5, 0.9, 1.6, -0.3),
                                    c(0, 0.04, 0.05, 0.02, 0.06), pairs = every_pair,
                                    source = "one study with vi = 0")
sets[[length(sets) + 1]] <- dataset("edge_huge_tiny_variances", c(0.3, 0.5, 0.1, 2.0, -1.0, 0.8),
                                    c(1e-6, 2e-6, 5e3, 1e4, 3e-6, 2e4), pairs = edge_pairs,
                                    source = "variances spanning 10 orders of magnitude")
sets[[length(sets) + 1]] <- dataset("edge_fisher_scoring_cycles", c(0, 0, 0, 0, 0, 1),
                                    c(1, 1, 1, 1, 1, 0.125), pairs = edge_pairs,
                                    source = "REML Fisher scoring does not converge in metafor")
sets[[length(sets) + 1]] <- dataset("edge_tiny_scale", c(2e-4, 5e-4, -1e-4, 9e-4, 3e-4),
                                    c(1e-8, 3e-8, 2e-8, 4e-8, 1e-8), pairs = edge_pairs,
                                    source = "effects and variances on a 1e-4 scale")

# fixed tau2 and other confidence levels
fixed <- list(
  one_fit(bcg$yi, bcg$vi, NULL, "REML", "z", tau2 = 0.1),
  one_fit(bcg$yi, bcg$vi, NULL, "DL", "knha", tau2 = 0.25),
  one_fit(bcg$yi, bcg$vi, NULL, "SJ", "t", tau2 = 0),
  one_fit(bcg$yi, bcg$vi, NULL, "PM", "z", tau2 = 0.5),
  one_fit(bcg$yi, bcg$vi, NULL, "HS", "adhoc", tau2 = 0.05),
  one_fit(bcg$yi, bcg$vi, NULL, "REML", "z", level = 90),
  one_fit(bcg$yi, bcg$vi, NULL, "DL", "knha", level = 99),
  one_fit(bcg$yi, bcg$vi, cbind(bcg$ablat), "ML", "t", level = 80)
)
sets[[length(sets) + 1]] <- list(name = "bcg_fixed_tau2_and_levels", source = "dat.bcg RR",
                                 yi = num(bcg$yi), vi = num(bcg$vi), mods = NULL, fits = fixed[1:7])
sets[[length(sets) + 1]] <- list(name = "bcg_ablat_level80", source = "dat.bcg RR, mods ablat",
                                 yi = num(bcg$yi), vi = num(bcg$vi),
                                 mods = unname(cbind(bcg$ablat)), fits = fixed[8])

# data sets on which metafor's Fisher scoring stops at a local maximum for ML or REML and
# metafor sets tau2 to 0 (its 'll0check'); found by searching seeds 1..3000 of this generator
for (seed in c(5, 27, 47)) {
  set.seed(seed)
  k <- sample(3:6, 1)
  vi <- exp(runif(k, -6, 3))
  yi <- rnorm(k, 0, sqrt(vi) * runif(1, 0.5, 3))
  sets[[length(sets) + 1]] <- dataset(sprintf("local_maximum_seed%d", seed), yi, vi,
                                      source = sprintf("set.seed(%d), ll0check", seed))
}

# models without an intercept: a cell-means factor model and a slope through the origin
# (metafor estimates tau2 from mean-centred yi even then; ivigmeta mirrors that)
grp <- cbind(a = rep(c(1, 0, 0), length.out = 13), b = rep(c(0, 1, 0), length.out = 13),
             c = rep(c(0, 0, 1), length.out = 13))
no_int <- function(mods) {
  lapply(seq_len(nrow(every_pair)), function(i)
    one_fit(bcg$yi, bcg$vi, mods, every_pair$method[i], every_pair$test[i], intercept = FALSE))
}
sets[[length(sets) + 1]] <- list(name = "bcg_no_intercept_groups", source = "dat.bcg RR, 3 groups",
                                 yi = num(bcg$yi), vi = num(bcg$vi), mods = unname(grp),
                                 intercept = FALSE, fits = no_int(grp))
sets[[length(sets) + 1]] <- list(name = "bcg_no_intercept_ablat", source = "dat.bcg RR, ablat",
                                 yi = num(bcg$yi), vi = num(bcg$vi),
                                 mods = unname(cbind(bcg$ablat / 10)), intercept = FALSE,
                                 fits = no_int(cbind(bcg$ablat / 10)))

out <- list(metafor_version = as.character(packageVersion("metafor")), datasets = sets)
jsonlite::write_json(out, file.path("tests", "oracle", "golden", "rma.json"), digits = NA,
                     auto_unbox = TRUE, na = "null", null = "null")
