# Golden values for tests/test_transforms_oracle.py: metafor 5.0-1 back-transformations
# (exp, transf.ilogit, transf.iarcsin, transf.ipft.hm, transf.ztor) on a grid and through
# predict(rma(...), transf=...), and the study intervals of single proportions as R's meta
# computes them (Clopper-Pearson = binom.test, Wilson = prop.test(correct = FALSE)).
# Data: dat.pritz1997 (proportions), dat.bcg (RR, OR), dat.molloy2014 (ZCOR) and 30 seeded
# random sets of proportions with zero and full counts.
# Run from the repository root:  Rscript tests/oracle/transforms.R
suppressPackageStartupMessages({ library(metafor); library(metadat) })
stopifnot(packageVersion("metafor") == "5.0.1")

grid <- c(-3, -1, -0.2, 0, 0.05, 0.3, 0.7, 1, 1.3, 1.5, 1.6, 2, 3)
ni_grid <- dat.pritz1997$ni
functions <- list(
  exp = exp(grid), ilogit = transf.ilogit(grid), iarcsin = transf.iarcsin(grid),
  ipft_hm = transf.ipft.hm(grid, targs = list(ni = ni_grid)), ztor = transf.ztor(grid)
)

transf_for <- list(PLO = transf.ilogit, PAS = transf.iarcsin, PFT = transf.ipft.hm, PR = NULL)
proportion_sets <- list(list(name = "dat.pritz1997", xi = dat.pritz1997$xi, ni = dat.pritz1997$ni))
set.seed(20261202)
for (s in 1:30) {
  k <- sample(3:10, 1)
  ni <- sample(4:120, k, replace = TRUE)
  xi <- rbinom(k, ni, runif(1, 0.02, 0.98))
  if (s %% 3 == 0) xi[1] <- 0
  if (s %% 4 == 0) xi[k] <- ni[k]
  proportion_sets[[length(proportion_sets) + 1]] <- list(name = paste0("random ", s), xi = xi, ni = ni)
}
num <- function(x) if (is.null(x) || length(x) == 0 || is.na(x)) NA else unname(x)
pooled <- list()
for (set in proportion_sets) {
  for (m in names(transf_for)) {
    res <- tryCatch(rma(measure = m, xi = set$xi, ni = set$ni), error = function(e) NULL)
    if (is.null(res)) next
    f <- transf_for[[m]]
    p <- if (is.null(f)) predict(res) else if (m == "PFT")
      predict(res, transf = f, targs = list(ni = set$ni)) else predict(res, transf = f)
    pooled[[length(pooled) + 1]] <- list(data = set$name, measure = m, xi = set$xi, ni = set$ni,
      estimate = num(res$beta[1]), pred = num(p$pred), ci_lb = num(p$ci.lb), ci_ub = num(p$ci.ub),
      pi_lb = num(p$pi.lb), pi_ub = num(p$pi.ub))
  }
}
study_ci <- lapply(proportion_sets, function(set) {
  cp <- t(mapply(function(x, n) binom.test(x, n)$conf.int, set$xi, set$ni))
  ws <- t(mapply(function(x, n) suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int,
                 set$xi, set$ni))
  cp90 <- t(mapply(function(x, n) binom.test(x, n, conf.level = 0.9)$conf.int, set$xi, set$ni))
  list(data = set$name, xi = set$xi, ni = set$ni, exact_lb = cp[, 1], exact_ub = cp[, 2],
       wilson_lb = ws[, 1], wilson_ub = ws[, 2], exact90_lb = cp90[, 1], exact90_ub = cp90[, 2])
})
ratio <- list()
for (m in c("RR", "OR")) {
  res <- rma(measure = m, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
  p <- predict(res, transf = exp)
  ratio[[m]] <- list(pred = p$pred, ci_lb = p$ci.lb, ci_ub = p$ci.ub, pi_lb = p$pi.lb, pi_ub = p$pi.ub)
}
z <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.molloy2014)
res <- rma(yi, vi, data = z)
p <- predict(res, transf = transf.ztor)
zcor <- list(yi = as.vector(z$yi), vi = as.vector(z$vi), pred = p$pred, ci_lb = p$ci.lb,
             ci_ub = p$ci.ub, pi_lb = p$pi.lb, pi_ub = p$pi.ub)
jsonlite::write_json(
  list(metafor = as.character(packageVersion("metafor")), grid = grid, ni_grid = ni_grid,
       functions = functions, pooled = pooled, study_ci = study_ci, ratio = ratio, zcor = zcor),
  "tests/oracle/golden/transforms.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"
)
# The README's proportion example: dat.pritz1997 as a CSV table.
pritz <- data.frame(study = paste(sub(" (et al\\.|and).*", "", dat.pritz1997$authors), dat.pritz1997$study),
                    xi = dat.pritz1997$xi, ni = dat.pritz1997$ni)
write.csv(pritz, "examples/pritz1997.csv", row.names = FALSE, quote = FALSE)
cat(length(pooled), "pooled fits written\n")
