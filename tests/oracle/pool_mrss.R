# Golden values for `ivigmeta pool`: metafor's escalc() + rma() + predict() on the bundled mRSS
# records and on CSV tables of metadat data sets.
# Run from the repository root:  Rscript tests/oracle/pool_mrss.R
# Writes tests/oracle/golden/pool.json and the CSV inputs tests/oracle/golden/pool_*.csv.
#
# The rows are read from data/studies/*.yaml with the choices ivigmeta documents, written out
# here by hand (so a change in the records or in ivigmeta's selection shows up as a failure):
#   - default timepoint = closest to 12 months: poelman2015 12 months (printed change -8 ± 8.3,
#     n = 25); takehara2013 week 12 (IVIG arm of the comparison: change -3.3 ± 4.2, n = 31;
#     its week-60 arm has no n). nacci2007 has no means. raja2016 prints no n per measurement
#     (only "15 patients"; n is null since issue 12), so it has no row.
#   - MC rows enter escalc as m1i = mean change, m2i = 0, sd1i = SD of change, sd2i = 0, ri = 0.
suppressPackageStartupMessages({ library(metafor); library(metadat); library(jsonlite) })

read_record <- function(id) {
  yaml::read_yaml(file.path("data/studies", paste0(id, ".yaml")), handlers = list(
    "bool#no" = function(x) if (x %in% c("n", "N")) x else FALSE,
    "bool#yes" = function(x) if (x %in% c("y", "Y")) x else TRUE))
}
find <- function(entries, ...) {
  want <- list(...)
  Filter(function(e) all(mapply(function(k, v) identical(e[[k]], v), names(want), want)), entries)[[1]]
}
poelman <- read_record("poelman2015"); raja <- read_record("raja2016"); takehara <- read_record("takehara2013")

sd_from_p <- function(mean_change, n, p) abs(mean_change) * sqrt(n) / abs(qt(p / 2, n - 1))
change_row <- function(id, mean, sd, n, timepoint) data.frame(id = id, mean = mean, sd = sd, n = n, timepoint = timepoint)

p12 <- find(poelman$outcomes, outcome = "mrss", timepoint_months = 12L)
r0 <- raja$outcomes[[1]]; stopifnot(r0$outcome == "mrss", is.null(r0$followup$n), is.null(r0$baseline$n))
t12 <- find(takehara$comparisons, outcome = "mrss_change", timepoint_weeks = 12L)
default_rows <- rbind(
  change_row("poelman2015", p12$change$mean, p12$change$sd, p12$change$n, "12 months"),
  change_row("takehara2013", t12$arm$mean, t12$arm$sd, t12$arm$n, "12 weeks"))

# latest timepoint: poelman2015 24 months prints no change SD and p as "<0.0001", so the SD of change
# comes from the baseline and follow-up SDs with an assumed r: by default the mean r of the
# entries printing all three SDs (poelman2015 at 6 and 12 months).
r_of <- function(o) (o$baseline$sd^2 + o$followup$sd^2 - o$change$sd^2) / (2 * o$baseline$sd * o$followup$sd)
p6 <- find(poelman$outcomes, outcome = "mrss", timepoint_months = 6L)
r_imputed <- mean(c(r_of(p6), r_of(p12)))
p24 <- find(poelman$outcomes, outcome = "mrss", timepoint_months = 24L)
stopifnot(p24$reported$p == "<0.0001", is.null(p24$change))
latest_rows <- function(r) {
  sd24 <- sqrt(p24$baseline$sd^2 + p24$followup$sd^2 - 2 * r * p24$baseline$sd * p24$followup$sd)
  rows <- default_rows
  rows[1, ] <- change_row("poelman2015", p24$followup$mean - p24$baseline$mean, sd24, p24$followup$n, "24 months")
  rows
}

fit_case <- function(name, args, rows, measure = "MC", method = "REML", test = "z", pi = "auto", level = 95) {
  if (measure %in% c("MC", "SMCC")) {
    zero <- rep(0, nrow(rows))
    es <- escalc(measure, m1i = rows$mean, m2i = zero, sd1i = rows$sd, sd2i = zero, ri = zero, ni = rows$n)
  } else {
    es <- rows$es
  }
  res <- rma(es$yi, es$vi, method = method, test = test, level = level)
  k <- res$k
  crit <- switch(pi,
    auto = NA,
    z = qnorm(1 - (1 - level / 100) / 2),
    t = qt(1 - (1 - level / 100) / 2, k - 1),
    hts = qt(1 - (1 - level / 100) / 2, k - 2))
  if (pi == "auto") {
    pr <- predict(res, level = level); pi_low <- pr$pi.lb; pi_high <- pr$pi.ub
  } else {
    half <- crit * sqrt(res$se^2 + res$tau2); pi_low <- res$b[1] - half; pi_high <- res$b[1] + half
  }
  # t(k - 2) has no quantile at k = 2 (Higgins-Thompson-Spiegelhalter needs k >= 3): no interval
  if (length(pi_low) == 1 && !is.finite(pi_low)) { pi_low <- NULL; pi_high <- NULL }
  ids <- if (!is.null(rows$id)) rows$id else rows$study
  # Q-profile CI of tau^2, tau, I^2, H^2 (confint.rma.uni); none for EE (metafor stops)
  het <- if (method == "EE") NULL else confint(res, level = level)
  het_ci <- function(row, bound) if (is.null(het)) NULL else het$random[row, bound]
  sign <- function(s) if (is.null(het)) NULL else s
  list(name = name, args = args, expected = list(
    measure = measure, method = method, test = test, k = k,
    estimate = res$b[1], se = res$se, ci_low = res$ci.lb, ci_high = res$ci.ub,
    statistic = res$zval, df = if (test == "z") NULL else res$ddf[[1]], p = res$pval,
    tau2 = res$tau2, se_tau2 = if (is.na(res$se.tau2)) NULL else res$se.tau2,
    tau = sqrt(res$tau2), i2 = res$I2, h2 = res$H2,
    tau2_ci_low = het_ci("tau^2", "ci.lb"), tau2_ci_high = het_ci("tau^2", "ci.ub"),
    tau_ci_low = het_ci("tau", "ci.lb"), tau_ci_high = het_ci("tau", "ci.ub"),
    i2_ci_low = het_ci("I^2(%)", "ci.lb"), i2_ci_high = het_ci("I^2(%)", "ci.ub"),
    h2_ci_low = het_ci("H^2", "ci.lb"), h2_ci_high = het_ci("H^2", "ci.ub"),
    tau2_ci_low_sign = sign(het$lb.sign), tau2_ci_high_sign = sign(het$ub.sign),
    q = res$QE, q_df = k - 1, q_p = res$QEp, pi_low = pi_low, pi_high = pi_high,
    studies = lapply(seq_len(k), function(i) list(id = ids[i], yi = es$yi[i], vi = es$vi[i],
                                                  weight = weights(res)[[i]]))))
}

cases <- list()
add <- function(case) cases[[length(cases) + 1]] <<- case
mrss <- list(outcome = "mrss")
add(fit_case("mrss default (MC, REML, z)", mrss, default_rows))
for (m in c("EE", "DL", "HE", "HS", "SJ", "ML", "EB", "PM"))
  add(fit_case(paste("mrss", m), c(mrss, method = m), default_rows, method = m))
for (t in c("t", "knha", "adhoc")) add(fit_case(paste("mrss REML", t), c(mrss, test = t), default_rows, test = t))
for (p in c("z", "t", "hts")) add(fit_case(paste("mrss pi", p), c(mrss, pi = p), default_rows, pi = p))
add(fit_case("mrss level 90 knha", c(mrss, test = "knha", level = 90), default_rows, test = "knha", level = 90))
add(fit_case("mrss SMCC", c(mrss, measure = "SMCC"), default_rows, measure = "SMCC"))
add(fit_case("mrss latest (imputed r)", c(mrss, timepoint = "latest"), latest_rows(r_imputed)))
add(fit_case("mrss latest r 0.3", c(mrss, timepoint = "latest", r = 0.3), latest_rows(0.3)))
add(fit_case("mrss latest r 0.8 DL", c(mrss, timepoint = "latest", r = 0.8, method = "DL"), latest_rows(0.8), method = "DL"))

# CSV tables: BCG trials (log risk ratio) and Normand (1999) (SMD), written for the Python tests
bcg <- data.frame(study = paste(dat.bcg$author, dat.bcg$year), ai = dat.bcg$tpos, bi = dat.bcg$tneg,
                  ci = dat.bcg$cpos, di = dat.bcg$cneg)
write.csv(bcg, "tests/oracle/golden/pool_bcg.csv", row.names = FALSE)
bcg_rows <- list(study = bcg$study, es = escalc("RR", ai = ai, bi = bi, ci = ci, di = di, data = bcg))
add(fit_case("csv bcg RR REML", list(csv = "pool_bcg.csv", measure = "RR"), bcg_rows, measure = "RR"))
add(fit_case("csv bcg RR DL knha", list(csv = "pool_bcg.csv", measure = "RR", method = "DL", test = "knha"),
             bcg_rows, measure = "RR", method = "DL", test = "knha"))
normand <- dat.normand1999[, c("source", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")]
names(normand)[1] <- "study"
write.csv(normand, "tests/oracle/golden/pool_normand1999.csv", row.names = FALSE)
normand_rows <- list(study = normand$study, es = escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i,
                                                      sd2i = sd2i, n2i = n2i, data = normand))
add(fit_case("csv normand1999 SMD PM", list(csv = "pool_normand1999.csv", measure = "SMD", method = "PM"),
             normand_rows, measure = "SMD", method = "PM"))

write_json(list(metafor = as.character(packageVersion("metafor")), r_imputed = r_imputed, cases = cases),
           "tests/oracle/golden/pool.json", digits = NA, auto_unbox = TRUE, null = "null", pretty = TRUE)
cat(length(cases), "cases written\n")
