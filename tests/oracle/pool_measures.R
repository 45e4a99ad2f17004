# Golden values for `ivigmeta pool --csv FILE --measure M` with the measures and conversions
# added for metafor 5.0-1: escalc() + rma() (REML, z test) on CSV tables of metadat data sets,
# with medians/quartiles/ranges converted by conv.fivenum() and CIs by conv.wald().
# Run from the repository root:  Rscript tests/oracle/pool_measures.R
# Writes tests/oracle/golden/pool_measures.json and the CSV inputs tests/oracle/golden/measures_*.csv.
suppressPackageStartupMessages({ library(metafor); library(metadat); library(jsonlite) })
dir <- "tests/oracle/golden"
exact <- function(x) as.numeric(sprintf("%.12g", x))
cases <- list()
add_case <- function(file, measure, table, dat) {
  write.csv(table, file.path(dir, file), row.names = FALSE, na = "", quote = FALSE)
  res <- rma(yi, vi, data = dat, method = "REML")
  cases[[length(cases) + 1]] <<- list(csv = file, measure = measure, k = res$k,
    yi = as.numeric(dat$yi), vi = as.numeric(dat$vi), estimate = as.numeric(res$beta),
    se = res$se, tau2 = res$tau2, q = res$QE, metafor = as.character(packageVersion("metafor")))
}

molloy <- data.frame(study = gsub(",", "", dat.molloy2014$authors), ri = dat.molloy2014$ri, ni = dat.molloy2014$ni)
add_case("measures_molloy2014.csv", "ZCOR", molloy, escalc("ZCOR", ri = ri, ni = ni, data = molloy))
hart <- data.frame(study = dat.hart1999$study, dat.hart1999[c("x1i", "t1i", "x2i", "t2i")])
add_case("measures_hart1999.csv", "IRR", hart, escalc("IRR", x1i = x1i, t1i = t1i, x2i = x2i, t2i = t2i, data = hart))
yusuf <- dat.yusuf1985[dat.yusuf1985$table == "6" & !is.na(dat.yusuf1985$ai), ]
yusuf <- data.frame(study = gsub(" ", "_", yusuf$trial), yusuf[c("ai", "n1i", "ci", "n2i")])
add_case("measures_yusuf1985.csv", "PETO", yusuf, escalc("PETO", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = yusuf))

# medians: Normand (1999) group means/SDs, with three studies given as median and quartiles
# (arm 1) or median and range (arm 2) instead, generated from normal samples
set.seed(20261203)
norm <- dat.normand1999[c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")]
table <- data.frame(study = dat.normand1999$source, norm, q1i1 = NA, mdi1 = NA, q3i1 = NA, min2 = NA, mdi2 = NA, max2 = NA)
for (i in c(2, 5, 8)) {
  x <- rnorm(table$n1i[i], table$m1i[i], table$sd1i[i])
  table[i, c("q1i1", "mdi1", "q3i1")] <- exact(quantile(x, c(0.25, 0.5, 0.75)))
  y <- rnorm(table$n2i[i], table$m2i[i], table$sd2i[i])
  table[i, c("min2", "mdi2", "max2")] <- exact(quantile(y, c(0, 0.5, 1)))
  table[i, c("m1i", "sd1i", "m2i", "sd2i")] <- NA
}
g1 <- conv.fivenum(q1 = q1i1, median = mdi1, q3 = q3i1, n = n1i, data = table)
g2 <- conv.fivenum(min = min2, median = mdi2, max = max2, n = n2i, data = table)
filled <- table
filled$m1i <- replmiss(filled$m1i, g1$mean); filled$sd1i <- replmiss(filled$sd1i, g1$sd)
filled$m2i <- replmiss(filled$m2i, g2$mean); filled$sd2i <- replmiss(filled$sd2i, g2$sd)
for (m in c("MD", "SMD")) {
  add_case("measures_normand1999_medians.csv", m, table,
           escalc(m, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = filled))
}
one <- data.frame(study = table$study, mi = table$m1i, sdi = table$sd1i, ni = table$n1i,
                  q1i = table$q1i1, mdi = table$mdi1, q3i = table$q3i1)
one_filled <- one; one_filled$mi <- filled$m1i; one_filled$sdi <- filled$sd1i
add_case("measures_normand1999_one_group.csv", "MN", one, escalc("MN", mi = mi, sdi = sdi, ni = ni, data = one_filled))

# CIs: BCG log risk ratios given as estimate and 95% CI (rounded to 4 decimals, as printed)
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
ci <- data.frame(study = paste(dat.bcg$author, dat.bcg$year), yi = round(bcg$yi, 4),
                 ci_low = round(bcg$yi - 1.959964 * sqrt(bcg$vi), 4), ci_high = round(bcg$yi + 1.959964 * sqrt(bcg$vi), 4))
add_case("measures_bcg_ci.csv", "GEN", ci, conv.wald(out = yi, ci.lb = ci_low, ci.ub = ci_high, data = ci))

write_json(cases, file.path(dir, "pool_measures.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
cat(length(cases), "cases written\n")
