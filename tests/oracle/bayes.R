# Golden values for ivigmeta.stats.models.bayes from R's bayesmeta 3.4 (Röver 2020, J Stat Softw
# 93(6)), at the tight settings delta = 1e-4, epsilon = 1e-7 (bayesmeta's default 0.01 / 1e-4
# moves mu's interval bounds by up to 2e-3).
# Run from the repository root:  Rscript tests/oracle/bayes.R
# Writes tests/oracle/golden/bayes.json: one entry per case with the inputs (yi, sei, the
# ivigmeta --tau-prior string, mu prior, level) and bayesmeta's summaries.
suppressPackageStartupMessages(library(bayesmeta))
stopifnot(packageVersion("bayesmeta") == "3.4")

DELTA <- 1e-4
EPSILON <- 1e-7

num <- function(x) {
  x <- as.numeric(x)
  x[is.nan(x) | is.infinite(x)] <- NA
  x
}

# ivigmeta --tau-prior string -> bayesmeta tau.prior argument
tau_prior <- function(text, sei) {
  parts <- strsplit(text, ":", fixed = TRUE)[[1]]
  name <- parts[1]
  a <- if (length(parts) > 1) as.numeric(strsplit(parts[2], ",", fixed = TRUE)[[1]]) else numeric(0)
  switch(name,
    "half-normal" = function(t) dhalfnormal(t, scale = a[1]),
    "half-cauchy" = function(t) dhalfcauchy(t, scale = a[1]),
    "half-t" = function(t) dhalft(t, df = a[1], scale = a[2]),
    "half-logistic" = function(t) dhalflogistic(t, scale = a[1]),
    "exponential" = function(t) dexp(t, rate = a[1]),
    "lomax" = function(t) dlomax(t, shape = a[1], scale = a[2]),
    "uniform" = if (length(a)) function(t) dunif(t, 0, a[1]) else "uniform",
    "log-normal" = function(t) dlnorm(t, meanlog = a[1], sdlog = a[2]),
    "jeffreys" = "Jeffreys", "dumouchel" = "DuMouchel", "shrinkage" = "shrinkage", "i2" = "I2",
    stop("unknown prior ", text))
}

# bayesmeta 3.4 cannot integrate the Rhodes et al. (log-t) priors, whose density is unbounded
# at tau = 0 ("extremely bad integrand behaviour" on every data set tried), so they have no
# bayesmeta golden; the `rhodes_check` entries below are an independent R computation instead.
turner <- list(
  "turner" = TurnerEtAlPrior()$dprior,
  "turner:pain,pharma,placebo" =
    TurnerEtAlPrior("pain", "pharmacological", "placebo / control")$dprior,
  "turner:all-cause-mortality,non-pharma,pharma" =
    TurnerEtAlPrior("all-cause mortality", "non-pharmacological", "pharmacological")$dprior)

summ <- function(b, what, level) {
  s <- b$summary[, what]
  if (level == 95) ci <- s[c("95% lower", "95% upper")]
  else if (what == "tau") ci <- b$post.interval(tau.level = level / 100)
  else if (what == "mu") ci <- b$post.interval(mu.level = level / 100)
  else ci <- b$post.interval(mu.level = level / 100, predict = TRUE)
  list(mode = num(s["mode"]), median = num(s["median"]), mean = num(s["mean"]),
       sd = num(s["sd"]), ci_low = num(ci[1]), ci_high = num(ci[2]))
}

run_case <- function(name, yi, sei, prior, mu = NULL, level = 95) {
  args <- list(y = yi, sigma = sei, tau.prior = if (is.null(turner[[prior]])) tau_prior(prior, sei) else turner[[prior]],
               delta = DELTA, epsilon = EPSILON)
  if (!is.null(mu)) args$mu.prior <- c(mean = mu[1], sd = mu[2])
  message("start ", name)
  t0 <- proc.time()[["elapsed"]]
  b <- do.call(bayesmeta, args)
  seconds <- proc.time()[["elapsed"]] - t0
  lv <- level / 100
  central <- b$qposterior(mu.p = c((1 - lv) / 2, 1 - (1 - lv) / 2))
  shrink <- lapply(seq_along(yi), function(i) {
    ci <- if (level == 95) b$theta[c("95% lower", "95% upper"), i]
          else b$post.interval(mu.level = lv, individual = i)
    list(mean = num(b$theta["mean", i]), median = num(b$theta["median", i]),
         sd = num(b$theta["sd", i]), ci_low = num(ci[1]), ci_high = num(ci[2]))
  })
  message(sprintf("%-40s k=%2d grid=%4d  %.2fs", name, length(yi), nrow(b$support), seconds))
  list(name = name, yi = yi, sei = sei, tau_prior = prior,
       mu_prior = if (is.null(mu)) NULL else mu, level = level,
       tau = summ(b, "tau", level), mu = summ(b, "mu", level),
       theta_new = summ(b, "theta", level),
       mu_central = num(central), p_mu_below_0 = num(b$pposterior(mu = 0)),
       i2_median = num(100 * b$I2(b$summary["median", "tau"])),
       marginal_likelihood = num(b$marginal.likelihood),
       bayes_factor_tau0 = num(b$bayesfactor["actual", "tau=0"]),
       bayes_factor_mu0 = num(b$bayesfactor["actual", "mu=0"]),
       tau_prior_proper = b$tau.prior.proper, grid_size = nrow(b$support),
       shrinkage = shrink)
}

specs <- list()
add <- function(...) specs[[length(specs) + 1]] <<- list(...)

# Crins et al. 2014 (log odds ratios of acute rejection), the example of Röver 2020, section 4
data("CrinsEtAl2014")
crins <- escalc(measure = "OR", ai = exp.AR.events, n1i = exp.total, ci = cont.AR.events,
                n2i = cont.total, slab = publication, data = CrinsEtAl2014)
cy <- as.vector(crins$yi); cs <- sqrt(as.vector(crins$vi))
add("crins half-normal(0.5)", cy, cs, "half-normal:0.5")
add("crins half-normal(0.5), mu N(0, 4)", cy, cs, "half-normal:0.5", mu = c(0, 4))
add("crins half-normal(0.5), level 90", cy, cs, "half-normal:0.5", level = 90)

# every prior on heterogeneous data (k = 5) and homogeneous data (k = 4)
het_y <- c(-0.9, -0.2, -0.6, 0.3, -1.4); het_s <- c(0.35, 0.4, 0.25, 0.5, 0.45)
hom_y <- c(0.10, 0.12, 0.09, 0.11); hom_s <- c(0.2, 0.25, 0.3, 0.22)
priors <- c("half-normal:0.5", "half-cauchy:0.5", "half-t:3,0.5", "half-logistic:0.5",
            "exponential:2", "lomax:2,1", "uniform:2", "log-normal:-1,0.8", "jeffreys",
            "dumouchel", "shrinkage", "i2", "uniform", names(turner))
for (p in priors) add(paste("heterogeneous", p), het_y, het_s, p)
for (p in priors[c(1, 9, 14)])
  add(paste("homogeneous", p, "mu N(0, 1)"), hom_y, hom_s, p, mu = c(0, 1))

# k = 1 ... 20 (improper mu prior; proper for every third k)
set.seed(15)
ky <- round(rnorm(20, -0.5, 0.5), 3); ks <- round(runif(20, 0.15, 0.6), 3)
for (k in 1:20) {
  mu <- if (k %% 3 == 0 || k == 1) c(0, 2) else NULL
  add(sprintf("k=%d half-normal(0.5)", k), ky[1:k], ks[1:k], "half-normal:0.5", mu = mu)
}

# the bundled IVIG mRSS changes (MC, raw units), pooled by `ivigmeta pool --outcome mrss`
my <- c(-8.0, -11.5, -3.3); ms <- sqrt(c(2.7556000000000007, 11.957231350185362, 0.5690322580645162))
add("mrss half-normal(5)", my, ms, "half-normal:5")

# two cores (the tight grid takes bayesmeta 5 to 100 s per case); each case is kept in a file
# of CACHE, so an interrupted run resumes where it stopped
CACHE <- Sys.getenv("BAYES_ORACLE_CACHE", file.path(tempdir(), "bayes-oracle"))
dir.create(CACHE, showWarnings = FALSE, recursive = TRUE)
cases <- parallel::mclapply(seq_along(specs), function(i) {
  path <- file.path(CACHE, paste0(gsub("[^A-Za-z0-9]+", "_", specs[[i]][[1]]), ".rds"))
  if (file.exists(path)) return(readRDS(path))
  case <- do.call(run_case, specs[[i]])
  saveRDS(case, path)
  case
}, mc.cores = 2, mc.preschedule = FALSE)
failed <- vapply(cases, function(x) inherits(x, "try-error"), logical(1))
for (i in which(failed)) message("FAILED ", specs[[i]][[1]], ": ", cases[[i]])
cases <- cases[!failed]

# Rhodes et al. priors: tau's posterior by integrate() over log(tau) (which removes the
# singularity at 0), its median by uniroot, and mu's posterior mean = E[M(tau)]
rhodes_check <- function(name, yi, sei, prior, dprior) {
  s2 <- sei^2
  loglik <- function(t) {
    v <- t^2 + s2; w <- 1 / v; m <- sum(w * yi) / sum(w)
    -0.5 * ((length(yi) - 1) * log(2 * pi) + sum(log(v)) + sum(w * (yi - m)^2) + log(sum(w)))
  }
  cond_mean <- function(t) { w <- 1 / (t^2 + s2); sum(w * yi) / sum(w) }
  l0 <- loglik(0)
  u <- function(x) sapply(x, function(l) exp(loglik(exp(l)) - l0 + dprior(exp(l), log = TRUE) + l))
  tol <- 1e-11
  cuts <- c(-745, -60, -20, -8, -4, -2, -1, 0, 1, 2, 5, 20)  # log(tau); [0, e^-745] is empty
  area <- function(f, upper = 20) {
    edges <- c(cuts[cuts < upper], upper)
    sum(sapply(seq_len(length(edges) - 1), function(i)
      integrate(f, edges[i], edges[i + 1], rel.tol = tol, abs.tol = 1e-15,
                subdivisions = 5000L)$value))
  }
  z <- area(u)
  cdf <- function(t) area(u, log(t)) / z
  mean_tau <- area(function(x) u(x) * exp(x)) / z
  second <- area(function(x) u(x) * exp(2 * x)) / z
  mean_mu <- area(function(x) u(x) * sapply(exp(x), cond_mean)) / z
  median_tau <- uniroot(function(t) cdf(t) - 0.5, c(1e-8, 100), tol = 1e-13)$root
  list(name = name, yi = yi, sei = sei, tau_prior = prior, tau_median = median_tau,
       tau_mean = mean_tau, tau_sd = sqrt(second - mean_tau^2), mu_mean = mean_mu)
}
rhodes <- list(
  rhodes_check("heterogeneous rhodes", het_y, het_s, "rhodes", RhodesEtAlPrior()$dprior),
  rhodes_check("heterogeneous rhodes:subjective,pharma,placebo,other", het_y, het_s,
               "rhodes:subjective,pharma,placebo,other",
               RhodesEtAlPrior("various subjectively measured outcomes", "pharmacological",
                               "placebo / control", "other")$dprior),
  rhodes_check("crins rhodes:mental-health,non-pharma,pharma,respiratory", cy, cs,
               "rhodes:mental-health,non-pharma,pharma,respiratory",
               RhodesEtAlPrior("mental health outcome", "non-pharmacological",
                               "pharmacological", "respiratory")$dprior))

dir.create("tests/oracle/golden", showWarnings = FALSE, recursive = TRUE)
writeLines(jsonlite::toJSON(list(bayesmeta = as.character(packageVersion("bayesmeta")),
                                 delta = DELTA, epsilon = EPSILON, cases = cases,
                                 rhodes_check = rhodes),
                            auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           "tests/oracle/golden/bayes.json")
