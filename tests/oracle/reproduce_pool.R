# Golden cases for tests/test_reproduce_pool_oracle.py: printed meta-analyses made by metafor
# 5.0-1 from seeded random data, for `ivigmeta reproduce-pool`.
#
# Each case: random 2x2 tables (OR, RR, RD) or two-group means and SDs to 2 decimals (MD,
# SMD), k from 3 to 12 or 20; the studies given as raw data, as printed rows (estimate and 95%
# CI to 2 decimals, natural scale for ratios, as a forest plot prints them) or a mix; a random
# model: rma() with a random tau² estimator and test (and, with zero cells, a random escalc
# `to`/`drop00`), or (half of the all-raw table cases) rma.mh / rma.peto. The pooled line is
# rounded as journals print it: estimate and CI to 2 decimals on the natural scale; I² as an
# integer percent (metafor's I² or the Q-based one, at random), tau² and Q to 2 decimals, p to
# 3 decimals or "<0.001", each printed with probability 0.6 (no tau² under rma.mh/rma.peto);
# with probability 0.5 (not under EE, rma.mh, rma.peto) the PI from predict() with a random
# `predtype`. The printed line is computed from the unrounded effect sizes (as the authors had
# them), so the truth lies inside the rounding boxes of the printed rows.
#
# Corrupted copies: the same case with the estimate moved 6 rounding units (0.06) beyond the
# range of the estimates of every method/test metafor gives on these data, or I² moved 10
# points beyond every model's I² (both definitions): no model gives those.
#
# Run from the repository root:  Rscript tests/oracle/reproduce_pool.R
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
stopifnot(packageVersion("metafor") == "5.0.1")

methods <- c("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
tests <- c("z", "t", "knha", "adhoc")
f2 <- function(x) formatC(x, format = "f", digits = 2)
fp <- function(p) if (p < 0.001) "<0.001" else formatC(p, format = "f", digits = 3)
q <- function(x) paste0('"', x, '"')

make_case <- function(id) {
  kind <- sample(c("tables", "tables", "means"), 1)
  measure <- if (kind == "tables") sample(c("OR", "RR", "RD"), 1) else sample(c("MD", "SMD"), 1)
  ratio <- measure %in% c("OR", "RR")
  k <- sample(c(3:12, 20, 20), 1)
  rows <- sample(c("raw", "printed", "mixed"), 1)
  printed_row <- switch(rows, raw = rep(FALSE, k), printed = rep(TRUE, k),
                        mixed = sample(c(TRUE, FALSE), k, replace = TRUE))
  tau <- sample(c(0, 0.2, 0.5), 1)
  if (kind == "tables") {
    n1 <- sample(20:200, k, replace = TRUE); n2 <- sample(20:200, k, replace = TRUE)
    p2 <- runif(k, 0.05, 0.5)
    lor <- rnorm(k, rnorm(1, -0.3, 0.3), tau)
    p1 <- plogis(qlogis(p2) + lor)
    ai <- rbinom(k, n1, p1); ci <- rbinom(k, n2, p2)
    to <- "only0"; drop00 <- FALSE
    zero <- any(c(ai, n1 - ai, ci, n2 - ci) == 0)
    if (zero) { to <- sample(c("only0", "if0all", "all"), 1); drop00 <- sample(c(TRUE, FALSE), 1) }
    es <- escalc(measure, ai = ai, n1i = n1, ci = ci, n2i = n2, to = to, drop00 = drop00)
  } else {
    n1 <- sample(10:100, k, replace = TRUE); n2 <- sample(10:100, k, replace = TRUE)
    sd1 <- runif(k, 1, 4); sd2 <- runif(k, 1, 4)
    sd1 <- round(sd1, 2); sd2 <- round(sd2, 2)
    m2 <- round(rnorm(k, 10, 2), 2); m1 <- round(m2 + rnorm(k, rnorm(1, 0.5, 0.5), tau * 2), 2)
    es <- escalc(measure, m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2, n2i = n2)
    zero <- FALSE
  }
  keep <- !is.na(es$yi)
  if (sum(keep & !printed_row) + sum(printed_row) < 3) return(NULL)
  table_model <- kind == "tables" && rows == "raw" && runif(1) < 0.5
  if (table_model) {
    method <- if (measure == "OR" && runif(1) < 0.4) "PETO" else "MH"
    test <- "z"
    res <- if (method == "MH") rma.mh(ai = ai, n1i = n1, ci = ci, n2i = n2, measure = measure)
           else rma.peto(ai = ai, n1i = n1, ci = ci, n2i = n2)
  } else {
    method <- sample(methods, 1); test <- sample(tests, 1)
    res <- try(rma(es$yi, es$vi, method = method, test = test), silent = TRUE)
    if (inherits(res, "try-error")) return(NULL)
  }
  tr <- if (ratio) exp else identity
  # study rows
  z <- qnorm(0.975)
  lines <- character(0)
  for (i in seq_len(k)) {
    if (printed_row[i]) {
      if (is.na(es$yi[i])) return(NULL)
      e <- tr(es$yi[i]); lo <- tr(es$yi[i] - z * sqrt(es$vi[i])); hi <- tr(es$yi[i] + z * sqrt(es$vi[i]))
      if (ratio && (f2(lo) == "0.00")) return(NULL)
      lines <- c(lines, sprintf('  - {id: s%02d, effect: %s, ci: [%s, %s]}', i, q(f2(e)), q(f2(lo)), q(f2(hi))))
    } else if (kind == "tables") {
      lines <- c(lines, sprintf("  - {id: s%02d, ai: %d, n1i: %d, ci: %d, n2i: %d}", i, ai[i], n1[i], ci[i], n2[i]))
    } else {
      lines <- c(lines, sprintf("  - {id: s%02d, m1i: %.2f, sd1i: %.2f, n1i: %d, m2i: %.2f, sd2i: %.2f, n2i: %d}",
                                i, m1[i], sd1[i], n1[i], m2[i], sd2[i], n2[i]))
    }
  }
  # the pooled line
  est <- as.numeric(res$beta)
  i2_rule <- sample(c("metafor", "Q"), 1)
  df <- res$k - 1
  i2 <- if (i2_rule == "metafor" || table_model) res$I2 else max(0, 100 * (res$QE - df) / res$QE)
  pooled <- list(estimate = q(f2(tr(est))), ci = sprintf("[%s, %s]", q(f2(tr(res$ci.lb))), q(f2(tr(res$ci.ub)))))
  if (runif(1) < 0.6) pooled$i2 <- q(paste0(formatC(i2, format = "f", digits = 0), "%"))
  if (!table_model && runif(1) < 0.6) pooled$tau2 <- q(f2(res$tau2))
  if (runif(1) < 0.6) pooled$q <- q(f2(res$QE))
  if (runif(1) < 0.6) pooled$p <- q(fp(res$pval))
  predtype <- NA
  if (!table_model && method != "EE" && runif(1) < 0.5) {
    predtype <- sample(c("default", "riley", "t", "simple"), 1)
    if (predtype == "riley" && res$k < 3) predtype <- "default"
    pr <- predict(res, predtype = predtype)
    if (ratio && f2(tr(pr$pi.lb)) == "0.00") predtype <- NA
    else pooled$pi <- sprintf("[%s, %s]", q(f2(tr(pr$pi.lb))), q(f2(tr(pr$pi.ub))))
  }
  # every model's estimate and I² on these data, to place the corruptions beyond them
  all_est <- c(); all_i2 <- c()
  for (m in methods) {
    r <- try(rma(es$yi, es$vi, method = m), silent = TRUE)
    if (!inherits(r, "try-error")) {
      all_est <- c(all_est, tr(as.numeric(r$beta)))
      all_i2 <- c(all_i2, r$I2, max(0, 100 * (r$QE - (r$k - 1)) / r$QE))
    }
  }
  if (kind == "tables") {
    for (m in c("MH", "PETO")) {
      if (m == "PETO" && measure != "OR") next
      r <- try(if (m == "MH") rma.mh(ai = ai, n1i = n1, ci = ci, n2i = n2, measure = measure)
               else rma.peto(ai = ai, n1i = n1, ci = ci, n2i = n2), silent = TRUE)
      if (!inherits(r, "try-error")) { all_est <- c(all_est, tr(as.numeric(r$beta))); all_i2 <- c(all_i2, r$I2) }
    }
  }
  all_est <- c(all_est, tr(est)); all_i2 <- c(all_i2, i2)
  yaml <- function(p) {
    fields <- paste(sprintf("%s: %s", names(p), unlist(p)), collapse = ", ")
    paste0(c(sprintf("measure: %s", measure), "studies:", lines, sprintf("pooled: {%s}", fields)), collapse = "\n")
  }
  out <- list(list(name = sprintf("case%03d", id), corrupted = FALSE, model = paste0(method, "/", test),
                   measure = measure, k = k, rows = rows, zero_cells = zero, to = if (zero) to else NA,
                   drop00 = if (zero) drop00 else NA, i2_rule = i2_rule, predtype = predtype,
                   yaml = paste0(yaml(pooled), "\n")))
  bad <- pooled
  shifted <- if (!ratio || min(all_est) - 0.06 <= 0.05) max(all_est) + 0.06 else
             if (runif(1) < 0.5) max(all_est) + 0.06 else min(all_est) - 0.06
  bad$estimate <- q(f2(shifted))
  out[[2]] <- list(name = sprintf("case%03d-estimate", id), corrupted = TRUE, model = "", measure = measure,
                   k = k, rows = rows, yaml = paste0(yaml(bad), "\n"))
  if (!is.null(pooled$i2)) {
    bad <- pooled
    target <- if (max(all_i2) + 10 <= 100) max(all_i2) + 10 else if (min(all_i2) - 10 >= 0) min(all_i2) - 10 else NA
    if (!is.na(target)) {
      bad$i2 <- q(paste0(formatC(target, format = "f", digits = 0), "%"))
      out[[3]] <- list(name = sprintf("case%03d-i2", id), corrupted = TRUE, model = "", measure = measure,
                       k = k, rows = rows, yaml = paste0(yaml(bad), "\n"))
    }
  }
  out
}

set.seed(20261202)
cases <- list()
id <- 0
while (sum(!sapply(cases, `[[`, "corrupted")) < 120) {
  id <- id + 1
  made <- suppressWarnings(make_case(id))
  if (!is.null(made)) cases <- c(cases, made)
}
writeLines(toJSON(list(metafor = as.character(packageVersion("metafor")), cases = cases),
                  auto_unbox = TRUE, pretty = TRUE, digits = NA, na = "null"),
           "tests/oracle/golden/reproduce_pool.json")
cat(length(cases), "cases\n")
