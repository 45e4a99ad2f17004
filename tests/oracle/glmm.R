# Golden values for ivigmeta.stats.models.glmm from metafor 5.0-1 rma.glmm(method = "ML")
# (lme4 glmer with metafor's default nAGQ = 7; Laplace for UM.RS; CM.EL by metafor's own
# likelihood with BiasedUrn's dFNCHypergeo, integrate() and nlminb()).
# Run from the repository root:  Rscript tests/oracle/glmm.R
# Writes tests/oracle/golden/glmm.json: a list of cases {name, measure, model, data, result};
# a fit metafor refuses is stored with result {"error": "<metafor's message>"}.
suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})
stopifnot(packageVersion("metafor") == "5.0.1")

num <- function(x) {
  x <- as.numeric(x)
  if (length(x) == 0 || is.na(x)) return(NA)
  x
}

fit_case <- function(name, measure, model, data) {
  args <- c(as.list(data), list(measure = measure, method = "ML"))
  if (measure == "OR") args$model <- model
  warned <- character(0)
  res <- withCallingHandlers(
    tryCatch(do.call(rma.glmm, args), error = function(e) e),
    warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  if (inherits(res, "error")) {
    result <- list(error = conditionMessage(res))
  } else {
    result <- list(
      k = res$k, estimate = num(res$beta), se = num(res$se), zval = num(res$zval),
      pval = num(res$pval), ci_lb = num(res$ci.lb), ci_ub = num(res$ci.ub),
      tau2 = num(res$tau2), sigma2 = num(res$sigma2), se_tau2 = num(res$se.tau2),
      I2 = num(res$I2), H2 = num(res$H2),
      QE_Wld = num(res$QE.Wld), QEp_Wld = num(res$QEp.Wld),
      QE_LRT = num(res$QE.LRT), QEp_LRT = num(res$QEp.LRT), QE_df = num(res$QE.df),
      ll = num(res$fit.stats["ll", "ML"]), warnings = as.list(warned))
  }
  list(name = name, measure = measure, model = if (measure == "OR") model else NA,
       data = data, result = result)
}

cases <- list()
add <- function(case) cases[[length(cases) + 1]] <<- case

or_models <- c("UM.FS", "UM.RS", "CM.AL", "CM.EL")

# metadat data sets
niel <- dat.nielweise2007
for (model in or_models)
  add(fit_case("dat.nielweise2007", "OR", model,
               list(ai = niel$ai, n1i = niel$n1i, ci = niel$ci, n2i = niel$n2i)))
add(fit_case("dat.pritz1997", "PLO", NA, list(xi = dat.pritz1997$xi, ni = dat.pritz1997$ni)))
hart <- dat.hart1999
add(fit_case("dat.hart1999 (warfarin arm)", "IRLN", NA, list(xi = hart$x1i, ti = hart$t1i)))
add(fit_case("dat.hart1999 (control arm)", "IRLN", NA, list(xi = hart$x2i, ti = hart$t2i)))

# seeded random data sets with zero cells (rare events, k = 5 ... 20)
set.seed(20261201)
for (i in seq_len(30)) {
  k <- sample(5:20, 1)
  n1 <- sample(20:300, k, replace = TRUE)
  n2 <- sample(20:300, k, replace = TRUE)
  p2 <- plogis(rnorm(k, qlogis(runif(1, 0.01, 0.15)), 0.5))
  p1 <- plogis(qlogis(p2) + rnorm(k, rnorm(1, -0.4, 0.4), runif(1, 0, 0.8)))
  ai <- rbinom(k, n1, p1)
  ci <- rbinom(k, n2, p2)
  if (!any(ai == 0 | ci == 0)) ai[1] <- 0
  # CM.EL (integrate() inside nlminb) takes minutes per table: the first 10 tables only
  for (model in if (i <= 10) or_models else or_models[1:3])
    add(fit_case(sprintf("random OR %02d", i), "OR", model,
                 list(ai = ai, n1i = n1, ci = ci, n2i = n2)))
}
for (i in seq_len(30)) {
  k <- sample(5:20, 1)
  ni <- sample(5:150, k, replace = TRUE)
  pi <- plogis(rnorm(k, qlogis(runif(1, 0.02, 0.98)), runif(1, 0, 1.2)))
  xi <- rbinom(k, ni, pi)
  if (!any(xi == 0 | xi == ni)) xi[1] <- if (pi[1] < 0.5) 0 else ni[1]
  add(fit_case(sprintf("random PLO %02d", i), "PLO", NA, list(xi = xi, ni = ni)))
}
for (i in seq_len(30)) {
  k <- sample(5:20, 1)
  ti <- round(runif(k, 50, 2000), 1)
  xi <- rpois(k, ti * exp(rnorm(k, log(runif(1, 0.001, 0.05)), runif(1, 0, 1))))
  if (!any(xi == 0)) xi[1] <- 0
  add(fit_case(sprintf("random IRLN %02d", i), "IRLN", NA, list(xi = xi, ti = ti)))
}

out <- list(metafor = as.character(packageVersion("metafor")),
            lme4 = as.character(packageVersion("lme4")),
            BiasedUrn = as.character(packageVersion("BiasedUrn")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/oracle/golden/glmm.json")
cat("wrote", length(cases), "cases\n")
