# Golden values for ivigmeta.effects.conversions: metafor 5.0-1's conv.fivenum() (default
# method "luo/wan/shi", dist = "norm"), conv.wald() and conv.2x2(), on hand-picked and seeded
# random inputs. Run from the repository root:  Rscript tests/oracle/conversions.R
# Writes tests/oracle/golden/conversions.json.
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
num <- function(x) { x <- as.numeric(x); x[is.nan(x)] <- NA; x }
exact <- function(x) as.numeric(sprintf("%.12g", x))

# --- conv.fivenum: every case (range, quartiles, both), n < 5, a skewed study, test = FALSE
set.seed(20261202)
k <- 40
n <- sample(c(3:9, 10:500), k, TRUE)
samples <- lapply(seq_len(k), function(i) {
  x <- if (i %% 4 == 0) rlnorm(n[i], 1, 0.8) else rnorm(n[i], 50, 10)  # some skewed
  exact(quantile(x, c(0, 0.25, 0.5, 0.75, 1), type = 7))
})
q <- do.call(rbind, samples)
five <- list(min = q[, 1], q1 = q[, 2], median = q[, 3], q3 = q[, 4], max = q[, 5], n = n)
case <- rep(c("range", "iqr", "both"), length.out = k)
five$min[case == "iqr"] <- NA; five$max[case == "iqr"] <- NA
five$q1[case == "range"] <- NA; five$q3[case == "range"] <- NA
hand <- list(min = c(1, NA, 1, 10, 0, NA), q1 = c(NA, 3, 3, NA, 2, 4), median = c(5, 5, 5, 12, 3, 4.5),
             q3 = c(NA, 8, 8, NA, 9, 6), max = c(12, NA, 12, 40, 30, NA), n = c(50, 30, 4, 120, 25, 5))
fivenum <- list()
for (d in list(list("random", five), list("hand", hand))) {
  for (test in c(TRUE, FALSE)) {
    out <- do.call(conv.fivenum, c(d[[2]], list(test = test)))
    fivenum[[length(fivenum) + 1]] <- list(name = paste(d[[1]], if (test) "test" else "no test"),
      inputs = d[[2]], test = test, mean = num(out$mean), sd = num(out$sd))
  }
}

# --- conv.wald: CI on the model scale, ratio CIs with transf = log, level 90, upper bound only,
# p-values only
est <- exp(rnorm(k, 0, 0.7)); se <- runif(k, 0.05, 0.6)
lb <- exact(est * exp(-1.959964 * se)); ub <- exact(est * exp(1.959964 * se)); est <- exact(est)
p <- exact(runif(k, 0.0001, 0.9))
wald_case <- function(name, args) {
  out <- do.call(conv.wald, args)
  list(name = name, args = args[setdiff(names(args), "transf")],
       transf = if (is.null(args$transf)) "none" else "log", yi = num(out$yi), vi = num(out$vi))
}
wald <- list(
  wald_case("ratio with transf log", list(out = est, ci.lb = lb, ci.ub = ub, transf = log)),
  wald_case("log scale", list(out = log(est), ci.lb = log(lb), ci.ub = log(ub))),
  wald_case("level 90", list(out = log(est), ci.lb = log(lb), ci.ub = log(ub), level = 90)),
  wald_case("upper bound only", list(out = log(est), ci.ub = log(ub))),
  wald_case("p only", list(out = log(est), pval = p))
)

# --- conv.2x2: odds ratio (and OR = 1), phi, chi-square with and without correction
ni <- sample(40:600, k, TRUE); n1 <- round(ni * runif(k, 0.2, 0.8)); n2 <- round(ni * runif(k, 0.2, 0.8))
ori <- exact(exp(rnorm(k, 0, 1))); ori[1] <- 1
ri <- exact(runif(k, -0.3, 0.3)); x2 <- exact(rchisq(k, 2) * sample(c(-1, 1), k, TRUE))
table_case <- function(name, args) {
  out <- suppressWarnings(do.call(conv.2x2, args))
  list(name = name, args = args, ai = num(out$ai), bi = num(out$bi), ci = num(out$ci), di = num(out$di))
}
tables <- list(
  table_case("odds ratio", list(ori = ori, ni = ni, n1i = n1, n2i = n2)),
  table_case("phi", list(ri = ri, ni = ni, n1i = n1, n2i = n2)),
  table_case("chi-square", list(x2i = x2, ni = ni, n1i = n1, n2i = n2)),
  table_case("chi-square uncorrected", list(x2i = x2, ni = ni, n1i = n1, n2i = n2, correct = FALSE))
)

write_json(list(metafor = as.character(packageVersion("metafor")), fivenum = fivenum, wald = wald,
                tables = tables),
           "tests/oracle/golden/conversions.json", digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
cat("conversions written\n")
