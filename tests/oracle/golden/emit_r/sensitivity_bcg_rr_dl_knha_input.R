# sensitivity: RR, method DL, test knha, level 95
# Written by ivigmeta 0.2.0 (--emit-r). Run: Rscript THIS_FILE.R
# It prints one JSON object with the keys and values of this ivigmeta command:
# ivigmeta sensitivity --order input --csv examples/bcg.csv --measure RR --method DL --test knha --format json
# computed here by metafor.
# Data: each study's yi and vi as ivigmeta computed them from the CSV table.
# Cumulative order: by input (ties keep the input order), as the 'position' column.
# cumul() at k = 1 has no test of heterogeneity: metafor gives NA where ivigmeta gives Q = 0, p = 1 (null here).
# ivigmeta's notes on how the studies were chosen and derived:
#   - 13 rows read from examples/bcg.csv; measure RR
# Keys of ivigmeta's JSON left out (not computed by R here):
#   notes, cautions: ivigmeta's wording
# All data below are literals: no input text is ever run as code.

ivigmeta_command <- "ivigmeta sensitivity --order input --csv examples/bcg.csv --measure RR --method DL --test knha --format json"
suppressPackageStartupMessages(library(metafor))
if (packageVersion("metafor") != "5.0.1") message("ivigmeta matches metafor 5.0-1; this R has metafor ", packageVersion("metafor"))

ivigmeta_json_string <- function(s) {
  codes <- utf8ToInt(enc2utf8(as.character(s)))
  chars <- vapply(codes, function(c) {
    if (c == 34) "\\\"" else if (c == 92) "\\\\" else if (c >= 32 && c < 127) intToUtf8(c)
    else if (c < 65536) sprintf("\\u%04x", c)
    else sprintf("\\u%04x\\u%04x", 55296 + (c - 65536) %/% 1024, 56320 + (c - 65536) %% 1024)
  }, "")
  paste0("\"", paste(chars, collapse = ""), "\"")
}
ivigmeta_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (is.null(names(x)))
      return(paste0("[", paste(vapply(x, ivigmeta_json, ""), collapse = ", "), "]"))
    parts <- vapply(seq_along(x), function(i)
      paste0(ivigmeta_json_string(names(x)[i]), ": ", ivigmeta_json(x[[i]])), "")
    return(paste0("{", paste(parts, collapse = ", "), "}"))
  }
  if (length(x) != 1) stop("internal: a JSON scalar of length ", length(x))
  if (is.na(x)) return("null")
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.character(x)) return(ivigmeta_json_string(x))
  x <- as.numeric(x)
  if (!is.finite(x)) return("null")
  sprintf("%.17g", x)
}
num <- function(x) if (is.null(x)) NULL else unname(as.numeric(x))
arr <- function(x) as.list(unname(x))

dat <- data.frame(
  study = c("Aronson1948", "Ferguson&Simes1949", "Rosenthaletal1960", "Hart&Sutherland1977",
      "Frimodt-Molleretal1973", "Stein&Aronson1953", "Vandiviereetal1973", "TPTMadras1980",
      "Coetzee&Berjak1968", "Rosenthaletal1961", "Comstocketal1974", "Comstock&Webster1969",
      "Comstocketal1976"),
  yi = c(-0.8893113339202054, -1.5853886572014306, -1.3480731482996933, -1.4415511900213054,
      -0.21754732221129558, -0.786115585818864, -1.6208982235983918, 0.011952333523840508,
      -0.4694176487381494, -1.3713448034727844, -0.3393588283383906, 0.44591340057137874,
      -0.017313948216879815),
  vi = c(0.32558476500396133, 0.19458112139814385, 0.4153679653679654, 0.020010031902247573,
      0.05121017216963086, 0.0069056184559087574, 0.22301724757231517, 0.0039615792978177295,
      0.056434210463248966, 0.07302479361302891, 0.01241221397155972, 0.5325058452001528,
      0.0714046596839863),
  position = c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13),
  stringsAsFactors = FALSE)
level <- 95
res <- rma(yi, vi, data = dat, method = "DL", test = "knha", level = level, slab = dat$study)
k <- res$k
out <- list(measure = "RR", method = res$method, test = res$test, level = level, k = k)
out$cumulative_order <- "input"
x <- leave1out(res)
out$leave_one_out <- lapply(seq_len(k), function(i) list(id = dat$study[i], k = k - 1L, estimate = num(x$estimate[i]), se = num(x$se[i]),
    statistic = num((if (is.null(x$zval)) x$tval else x$zval)[i]),
    df = if (res$test == "z") NULL else k - 2L,
    p = num(x$pval[i]), ci_low = num(x$ci.lb[i]), ci_high = num(x$ci.ub[i]),
    tau2 = num(x$tau2[i]), i2 = num(x$I2[i]), h2 = num(x$H2[i]), q = num(x$Q[i]),
    q_p = num(x$Qp[i]))
)
x <- cumul(res, order = dat$position)
ids <- dat$study[order(dat$position)]
out$cumulative <- lapply(seq_len(k), function(i) list(id = ids[i], k = i, estimate = num(x$estimate[i]), se = num(x$se[i]),
    statistic = num((if (is.null(x$zval)) x$tval else x$zval)[i]),
    df = if (res$test == "z") NULL else if (i == 1L) NULL else i - 1L,
    p = num(x$pval[i]), ci_low = num(x$ci.lb[i]), ci_high = num(x$ci.ub[i]),
    tau2 = num(x$tau2[i]), i2 = num(x$I2[i]), h2 = num(x$H2[i]), q = num(x$Q[i]),
    q_p = num(x$Qp[i]))
)
infl <- influence(res)
out$influence <- lapply(seq_len(k), function(i) with(infl$inf, list(
  id = dat$study[i], rstudent = num(rstudent[i]), dffits = num(dffits[i]),
  cook_d = num(cook.d[i]), cov_r = num(cov.r[i]), tau2_del = num(tau2.del[i]),
  qe_del = num(QE.del[i]), hat = num(hat[i]), weight = num(weight[i]),
  dfbetas = arr(sapply(seq_len(res$p), function(j) infl$dfbs[[j]][i])),
  influential = unname(infl$is.infl[i]))))

cat(ivigmeta_json(out), "\n")
