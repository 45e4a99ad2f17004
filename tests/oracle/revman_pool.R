# Golden values for tests/test_revman.py: R meta 8.3-0's read.rm5 + metacr on the RevMan 5
# review that meta ships (Fleiss1993.rm5 and its CSV export Fleiss1993_CR.csv) and on the
# synthetic review tests/fixtures/revman/synthetic.rm5 and the same in RevMan 5's CSV export
# layout (subgroups, zero cells, a double zero, MH random effects, Peto, SMD), each with
# RevMan's own settings and, on Fleiss 1993, with every method x measure x model RevMan offers.
# Run from the repository root:  Rscript tests/oracle/revman_pool.R
suppressPackageStartupMessages({ library(meta); library(jsonlite) })
stopifnot(packageVersion("meta") == "8.3.0")
# RevMan 5's conventions as meta declares them: DL, MH.exact = FALSE, RR.Cochrane, Q.Cochrane
# and exact.smd = FALSE (meta 8.3-0's own default is the exact SMD formula)
invisible(settings.meta("RevMan5", quietly = TRUE))

# examples/ holds byte-for-byte copies of meta's inst/extdata files
stopifnot(tools::md5sum("examples/fleiss1993.rm5") ==
            tools::md5sum(system.file("extdata", "Fleiss1993.rm5", package = "meta")))
files <- list(
  fleiss_rm5 = "examples/fleiss1993.rm5",
  fleiss_csv = "examples/fleiss1993-revman-export.csv",
  synthetic = "tests/fixtures/revman/synthetic.rm5",
  # the synthetic review in RevMan 5's CSV export layout (with subgroup rows)
  synthetic_csv = "tests/fixtures/revman/synthetic-revman5-export.csv"
)

summarise <- function(m, random) {
  if (random) {
    out <- list(estimate = m$TE.random, se = m$seTE.random, ci_low = m$lower.random,
                ci_high = m$upper.random, statistic = m$statistic.random, p = m$pval.random)
  } else {
    out <- list(estimate = m$TE.common, se = m$seTE.common, ci_low = m$lower.common,
                ci_high = m$upper.common, statistic = m$statistic.common, p = m$pval.common)
  }
  c(out, list(studies = m$studlab, k = m$k, tau2 = m$tau2, q = m$Q, q_df = m$df.Q, i2 = 100 * m$I2,
              weights = if (random) 100 * m$w.random / sum(m$w.random)
                        else 100 * m$w.common / sum(m$w.common)))
}

golden <- list(meta = as.character(packageVersion("meta")), defaults = list(), variants = list())
for (name in names(files)) {
  x <- read.rm5(files[[name]])
  pairs <- unique(x[, c("comp.no", "outcome.no")])
  for (i in seq_len(nrow(pairs))) {
    cmp <- pairs$comp.no[i]; out <- pairs$outcome.no[i]
    m <- metacr(x, cmp, out, test.subgroup = FALSE)  # (the CSV export has no such column)
    random <- isTRUE(unique(x$random[x$comp.no == cmp & x$outcome.no == out]))
    golden$defaults[[length(golden$defaults) + 1]] <- c(
      list(file = name, comparison = cmp, outcome = out, sm = m$sm, method = m$method,
           random = random), summarise(m, random))
  }
}

# every RevMan setting on the Fleiss 1993 data
x <- read.rm5(files$fleiss_rm5)
for (sm in c("OR", "RR", "RD")) for (method in c("MH", "Inverse", "Peto")) {
  if (method == "Peto" && sm != "OR") next
  for (random in c(FALSE, TRUE)) {
    if (method == "Peto" && random) next
    m <- metacr(x, 1, 1, method = method, sm = sm, common = !random, random = random)
    golden$variants[[length(golden$variants) + 1]] <- c(
      list(file = "fleiss_rm5", comparison = 1, outcome = 1, sm = sm, method = method,
           random = random), summarise(m, random))
  }
}
for (sm in c("MD", "SMD")) for (random in c(FALSE, TRUE)) {
  m <- metacr(x, 1, 2, sm = sm, common = !random, random = random)
  golden$variants[[length(golden$variants) + 1]] <- c(
    list(file = "fleiss_rm5", comparison = 1, outcome = 2, sm = sm, method = "Inverse",
         random = random), summarise(m, random))
}
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/oracle/golden/revman_pool.json")
