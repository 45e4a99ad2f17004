# Data sets shared by the sensitivity, bias and meta-regression oracles (tests/oracle/*.R).
#
# Every number is passed through its 12-significant-digit decimal text (`exact()`), so the
# values written to the golden JSON parse back in Python to exactly the doubles R analysed.
suppressPackageStartupMessages(library(metafor))

exact <- function(x) as.numeric(sprintf("%.12g", x))

bcg <- function() {
  dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
  data.frame(id = paste0(dat$author, " ", dat$year), yi = exact(dat$yi), vi = exact(dat$vi),
             year = dat$year, ablat = dat$ablat, alloc = dat$alloc)
}

hackshaw <- function() {
  dat <- dat.hackshaw1998
  data.frame(id = paste0(dat$author, " ", dat$year, " #", dat$study), yi = exact(dat$yi),
             vi = exact(dat$vi), year = dat$year, design = dat$design, country = dat$country)
}

# Seeded random data: effects with a small-study trend, a continuous and a categorical
# moderator, and years with ties (so that ordering by year must be stable). With
# `tied_vi = TRUE` the variances are rounded to two decimals, so they tie (rank test: normal
# approximation instead of the exact Kendall distribution).
random_set <- function(seed, k, tau2 = 0.04, tied_vi = FALSE) {
  set.seed(seed)
  vi <- runif(k, 0.005, 0.25)
  if (tied_vi) vi <- round(vi, 2)
  x1 <- rnorm(k)
  grp <- sample(c("a", "b", "c"), k, replace = TRUE)
  yi <- 0.1 + 0.8 * sqrt(vi) + 0.15 * x1 + rnorm(k, 0, sqrt(vi + tau2))
  data.frame(id = sprintf("s%02d", seq_len(k)), yi = exact(yi), vi = exact(vi),
             year = sample(1990:(1990 + k %/% 2), k, replace = TRUE), x1 = exact(x1), grp = grp)
}

datasets <- function() {
  list(
    bcg = bcg(),
    hackshaw = hackshaw(),
    random_k8 = random_set(8, 8),
    random_k15_ties = random_set(15, 15, tied_vi = TRUE),
    random_k30 = random_set(30, 30, tau2 = 0.1),
    random_k60 = random_set(60, 60, tau2 = 0.02)
  )
}

write_golden <- function(x, name) {
  jsonlite::write_json(x, file.path("tests", "oracle", "golden", name), digits = NA,
                       auto_unbox = TRUE, pretty = TRUE, na = "null")
}
