# Golden values for tests/test_mantel_haenszel_oracle.py: metafor 5.0-1 rma.mh (OR, RR, RD;
# Cochran-Mantel-Haenszel and Tarone tests) and rma.peto on metadat data sets and on 40 seeded
# random sets of 2x2 tables with zero cells (double zeros included), each with rma.mh's and
# rma.peto's default add/to/drop00 and with add = 1/2 to all tables, drop00 = FALSE.
# Run from the repository root:  Rscript tests/oracle/mantel_haenszel.R
suppressPackageStartupMessages({ library(metafor); library(metadat) })
stopifnot(packageVersion("metafor") == "5.0.1")

tables <- list()
add_tables <- function(name, ai, bi, ci, di) {
  keep <- !(is.na(ai) | is.na(bi) | is.na(ci) | is.na(di))
  tables[[name]] <<- list(ai = ai[keep], bi = bi[keep], ci = ci[keep], di = di[keep])
}
with(dat.bcg, add_tables("dat.bcg", tpos, tneg, cpos, cneg))
with(dat.nielweise2007, add_tables("dat.nielweise2007", ai, n1i - ai, ci, n2i - ci))
with(dat.collins1985a, add_tables("dat.collins1985a", b.xti, nti - b.xti, b.xci, nci - b.xci))
for (t in c("6", "8", "14", "21")) {
  d <- dat.yusuf1985[dat.yusuf1985$table == t, ]
  with(d, add_tables(paste0("dat.yusuf1985 table ", t), ai, n1i - ai, ci, n2i - ci))
}
set.seed(20261201)
for (s in 1:40) {
  k <- sample(3:12, 1)
  n1 <- sample(5:80, k, replace = TRUE)
  n2 <- sample(5:80, k, replace = TRUE)
  p <- runif(1, 0.005, 0.25)
  ai <- rbinom(k, n1, p)
  ci <- rbinom(k, n2, p * runif(1, 0.3, 2))
  if (s %% 2 == 0) { ai[1] <- 0; ci[1] <- 0 }          # a double zero
  if (s %% 3 == 0) { ai[k] <- n1[k]; ci[k] <- n2[k] }  # all events in both groups
  if (s %% 5 == 0) ai[2] <- 0                           # a single zero
  add_tables(paste0("random ", s), ai, n1 - ai, ci, n2 - ci)
}

num <- function(x) if (length(x) == 0 || is.null(x) || is.na(x)) NA else unname(x)
fit_fields <- function(res) list(
  beta = num(res$beta[1]), se = num(res$se), zval = num(res$zval), pval = num(res$pval),
  ci_lb = num(res$ci.lb), ci_ub = num(res$ci.ub), QE = num(res$QE), QEp = num(res$QEp),
  I2 = num(res$I2), H2 = num(res$H2), k = res$k, k_yi = res$k.yi,
  weights = unname(weights(res)), yi = unname(as.vector(res$yi.f)), vi = unname(as.vector(res$vi.f))
)
variants <- list(
  default = list(add = 1/2, to = "only0", drop00 = TRUE),
  all_no_drop = list(add = 1/2, to = "all", drop00 = FALSE)
)
cases <- list()
for (name in names(tables)) {
  t <- tables[[name]]
  for (v in names(variants)) {
    o <- variants[[v]]
    for (m in c("OR", "RR", "RD")) {
      res <- tryCatch(suppressWarnings(rma.mh(ai = t$ai, bi = t$bi, ci = t$ci, di = t$di,
        measure = m, add = c(o$add, 0), to = c(o$to, "none"), drop00 = c(o$drop00, FALSE))),
        error = function(e) NULL)
      if (is.null(res)) next
      fields <- fit_fields(res)
      if (m == "OR") fields <- c(fields, list(MH = num(res$MH), MHp = num(res$MHp),
                                              TA = num(res$TA), TAp = num(res$TAp)))
      cases[[length(cases) + 1]] <- c(list(data = name, variant = v, method = "MH", measure = m,
        add = o$add, to = o$to, drop00 = o$drop00, tables = t), fields)
    }
    res <- tryCatch(suppressWarnings(rma.peto(ai = t$ai, bi = t$bi, ci = t$ci, di = t$di,
      add = c(o$add, 0), to = c(o$to, "none"), drop00 = c(o$drop00, FALSE))),
      error = function(e) NULL)
    if (!is.null(res))
      cases[[length(cases) + 1]] <- c(list(data = name, variant = v, method = "PETO",
        measure = "OR", add = o$add, to = o$to, drop00 = o$drop00, tables = t), fit_fields(res))
  }
}
# One MH fit at level 90 and one CMH test without continuity correction.
t <- tables[["dat.bcg"]]
res <- rma.mh(ai = t$ai, bi = t$bi, ci = t$ci, di = t$di, measure = "OR", level = 90, correct = FALSE)
extra <- c(list(data = "dat.bcg", level = 90, correct = FALSE, tables = t), fit_fields(res),
           list(MH = res$MH, MHp = res$MHp, TA = res$TA, TAp = res$TAp))
# escalc's add/to/drop00 on tables with zero cells and double zeros (measures OR, RR, RD).
zero_cells <- list()
for (name in c("random 2", "random 6", "random 10", "random 30")) {
  t <- tables[[name]]
  for (m in c("OR", "RR", "RD")) for (to in c("only0", "all", "if0all", "none"))
    for (drop00 in c(TRUE, FALSE)) for (add in c(0.5, 1)) {
      e <- suppressWarnings(escalc(m, ai = t$ai, bi = t$bi, ci = t$ci, di = t$di, add = add,
                                   to = to, drop00 = drop00))
      zero_cells[[length(zero_cells) + 1]] <- list(data = name, measure = m, add = add, to = to,
        drop00 = drop00, tables = t, yi = as.vector(e$yi), vi = as.vector(e$vi))
    }
}
jsonlite::write_json(
  list(metafor = as.character(packageVersion("metafor")), cases = cases, level90 = extra,
       zero_cells = zero_cells),
  "tests/oracle/golden/mantel_haenszel.json", digits = NA, auto_unbox = TRUE, pretty = TRUE,
  na = "null"
)
cat(length(cases), "fits written\n")
