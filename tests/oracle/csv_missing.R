# Golden values for CSV tables with missing values (issue 17): metafor drops the studies whose
# yi or vi escalc leaves NA (rma's na.action = "na.omit", "Studies with NAs omitted from
# model fitting"), so ivigmeta's `--csv` analyses must equal rma() on the complete rows.
# Run from the repository root:  Rscript tests/oracle/csv_missing.R
# Writes tests/oracle/golden/csv_missing.json and the CSV inputs tests/oracle/golden/missing_*.csv
# (empty cells and NA both mean missing).
suppressPackageStartupMessages({ library(metafor); library(metadat); library(jsonlite) })
dir <- "tests/oracle/golden"
cases <- list()
fit_fields <- function(res, omitted) {
  pred <- predict(res)
  list(k = res$k, k_all = res$k.all, omitted = omitted, estimate = as.numeric(res$beta),
       se = res$se, ci_low = res$ci.lb, ci_high = res$ci.ub, tau2 = res$tau2, i2 = res$I2,
       q = res$QE, pi_low = pred$pi.lb, pi_high = pred$pi.ub,
       metafor = as.character(packageVersion("metafor")))
}
write_table <- function(table, file, na_rows = integer(0)) {
  # blanks as empty cells, except the rows in na_rows, written with NA
  text <- format(table, trim = TRUE, scientific = FALSE, digits = 15)
  text[is.na(table)] <- ""
  for (i in na_rows) text[i, is.na(table[i, ])] <- "NA"
  lines <- c(paste(names(table), collapse = ","), apply(text, 1, paste, collapse = ","))
  writeLines(lines, file.path(dir, file))
}

# dat.bcg (2x2 counts) with four cells blanked in three studies
bcg <- data.frame(study = gsub("[^A-Za-z]", "", dat.bcg$author), year = dat.bcg$year,
                  ai = dat.bcg$tpos, bi = dat.bcg$tneg, ci = dat.bcg$cpos, di = dat.bcg$cneg,
                  ablat = dat.bcg$ablat)
bcg$study <- paste0(bcg$study, bcg$year)
bcg$ai[4] <- NA; bcg$di[9] <- NA; bcg$bi[11] <- NA; bcg$ci[11] <- NA
write_table(bcg, "missing_bcg.csv", na_rows = 9)
omitted <- bcg$study[c(4, 9, 11)]
for (method in c("REML", "DL")) {
  res <- suppressWarnings(rma(measure = "RR", ai = ai, bi = bi, ci = ci, di = di, data = bcg,
                              method = method))
  cases[[length(cases) + 1]] <- c(list(csv = "missing_bcg.csv", measure = "RR", method = method),
                                  fit_fields(res, omitted))
}
# a moderator missing in one more study: rma omits it from the meta-regression as well
bcg_mods <- bcg; bcg_mods$ablat[2] <- NA
write_table(bcg_mods, "missing_bcg_mods.csv")
res <- suppressWarnings(rma(measure = "RR", ai = ai, bi = bi, ci = ci, di = di, mods = ~ ablat,
                            data = bcg_mods, method = "REML"))
cases[[length(cases) + 1]] <- list(csv = "missing_bcg_mods.csv", measure = "RR", method = "REML",
  mods = "ablat", k = res$k, omitted = bcg_mods$study[c(2, 4, 9, 11)],
  coefficients = as.numeric(res$beta), se = res$se, tau2 = res$tau2, qm = res$QM, qe = res$QE)

# dat.normand1999 (means, SDs, n) with an SD and an n blanked: SMD (Hedges' g)
norm <- data.frame(study = dat.normand1999$source, dat.normand1999[c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")])
norm$sd1i[3] <- NA; norm$n2i[7] <- NA
write_table(norm, "missing_normand1999.csv", na_rows = 7)
res <- suppressWarnings(rma(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i,
                            sd2i = sd2i, n2i = n2i, data = norm, method = "REML"))
cases[[length(cases) + 1]] <- c(list(csv = "missing_normand1999.csv", measure = "SMD", method = "REML"),
                                fit_fields(res, norm$study[c(3, 7)]))

write_json(cases, file.path(dir, "csv_missing.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
cat(length(cases), "cases written\n")
