# bias: OR, method EE, test knha, level 95
# Written by ivigmeta 0.2.0 (--emit-r). Run: Rscript THIS_FILE.R
# It prints one JSON object with the keys and values of this ivigmeta command:
# ivigmeta bias --csv examples/bcg.csv --measure OR --method EE --test knha --format json
# computed here by metafor.
# Data: each study's yi and vi as ivigmeta computed them from the CSV table.
# ivigmeta's notes on how the studies were chosen and derived:
#   - 13 rows read from examples/bcg.csv; measure OR
# Keys of ivigmeta's JSON left out (not computed by R here):
#   notes, cautions: ivigmeta's wording
#   rank.exact: whether cor.test's p is exact (not returned by ranktest)
# All data below are literals: no input text is ever run as code.

ivigmeta_command <- "ivigmeta bias --csv examples/bcg.csv --measure OR --method EE --test knha --format json"
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
  yi = c(-0.9386941408703922, -1.6661907290265496, -1.3862943611198908, -1.4564435493129846,
      -0.21914108567543256, -0.9581220407762674, -1.633775838228896, 0.012020601452732649,
      -0.471746035838696, -1.401210139283481, -0.34084964636621073, 0.44663468227444625,
      -0.017341873929093587),
  vi = c(0.3571249522536287, 0.208132393657186, 0.43341307814992025, 0.020314412973197363,
      0.05195177731712027, 0.00990526551533824, 0.2270096752234936, 0.004006962012148831,
      0.05697712398776266, 0.0754217263149204, 0.012525133820215518, 0.5341621724747171,
      0.07163511729565875),
  stringsAsFactors = FALSE)
level <- 95
res <- rma(yi, vi, data = dat, method = "EE", test = "knha", level = level, slab = dat$study)
k <- res$k
out <- list(measure = "OR", method = res$method, test = res$test, level = level, k = k)
eg <- regtest(res, model = "rma", predictor = "sei")
out$egger <- list(model = "rma", method = res$method, test = res$test, k = k,
  statistic = num(eg$zval), df = if (is.null(eg$dfs) || is.na(eg$dfs)) NULL else num(eg$dfs),
  p = num(eg$pval), limit_estimate = num(eg$est), limit_ci_low = num(eg$ci.lb),
  limit_ci_high = num(eg$ci.ub))
rk <- ranktest(res)
out$rank <- list(k = k, tau = num(rk$tau), p = num(rk$pval))
tf <- trimfill(res, estimator = "L0")
out$trimfill <- list(estimator = "L0", side = tf$side, k0 = num(tf$k0), k = tf$k,
  method = tf$method, test = tf$test, estimate = num(tf$beta), se = num(tf$se),
  ci_low = num(tf$ci.lb), ci_high = num(tf$ci.ub), statistic = num(tf$zval),
  p = num(tf$pval), tau2 = num(tf$tau2), filled_yi = arr(tf$yi[tf$fill]),
  filled_vi = arr(tf$vi[tf$fill]))
fs <- fsn(dat$yi, dat$vi, type = "Rosenthal")
out$failsafe_n <- num(fs$fsnum)
out$failsafe <- list(k = k, failsafe_n = num(fs$fsnum), p = num(fs$pval), alpha = num(fs$alpha))

cat(ivigmeta_json(out), "\n")
