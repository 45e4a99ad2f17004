# Golden values for t tests of the model-based coefficients of rma.mv (test = "t", with
# metafor 5.0-1's dfs = "residual" (its default: k - p) and dfs = "contain"), and QM as an
# F test (QM / m on m and min(ddf) df). Also checks that metafor's
# robust(fit, cluster, clubSandwich = TRUE) equals clubSandwich's coef_test(CR2, Satterthwaite).
# Run from the repository root:  Rscript tests/oracle/multilevel_t.R
# Writes tests/oracle/golden/multilevel_t.json.
suppressPackageStartupMessages({
  library(metafor)
  library(clubSandwich)
})

nested_case <- function(name, d, levels, mods = character(0), method = "REML", dfs) {
  random <- as.formula(paste("~ 1 |", paste(levels, collapse = "/")))
  mf <- if (length(mods)) as.formula(paste("~", paste(mods, collapse = " + "))) else ~ 1
  res <- rma.mv(yi, vi, mods = mf, random = random, data = d, method = method, test = "t",
                dfs = dfs)
  labels <- lapply(levels, function(l) as.character(d[[l]]))
  names(labels) <- levels
  c(list(name = name, method = method, dfs = dfs, levels = levels, mods = mods,
         data = list(yi = d$yi, vi = d$vi, labels = labels,
                     moderators = lapply(setNames(mods, mods), function(m) d[[m]]))),
    results(res))
}

struct_case <- function(name, d, cluster, time, struct, mods = character(0), method = "REML",
                        dfs) {
  random <- as.formula(paste("~", time, "|", cluster))
  mf <- if (length(mods)) as.formula(paste("~", paste(mods, collapse = " + "))) else ~ 1
  res <- rma.mv(yi, vi, mods = mf, random = random, struct = struct, data = d, method = method,
                test = "t", dfs = dfs)
  labels <- list(as.character(d[[cluster]]))
  names(labels) <- cluster
  c(list(name = name, method = method, dfs = dfs, struct = struct, cluster = cluster,
         time = time, mods = mods,
         data = list(yi = d$yi, vi = d$vi, labels = labels, time = d[[time]],
                     moderators = lapply(setNames(mods, mods), function(m) d[[m]]))),
    results(res))
}

results <- function(res) {
  list(sigma2 = res$sigma2, tau2 = res$tau2, rho = res$rho,
       beta = c(res$b), se = res$se, tval = res$zval, df = unname(res$ddf), pval = res$pval,
       ci_low = res$ci.lb, ci_high = res$ci.ub,
       qm = if (res$p > 1) res$QM else NA, qm_df = if (res$p > 1) res$QMdf else NA,
       qm_p = if (res$p > 1) res$QMp else NA)
}

k11 <- dat.konstantopoulos2011
k11$year_c <- k11$year - mean(k11$year)
a16 <- dat.assink2016
a16$year_c <- a16$year - mean(a16$year)
a16$overt <- as.numeric(a16$deltype == "overt")
set.seed(20261203)
J <- 20
rs <- do.call(rbind, lapply(seq_len(J), function(j) {
  times <- sort(sample(c(3, 6, 12, 24), sample(2:4, 1)))
  data.frame(trial = sprintf("t%02d", j), month = times, dose = round(runif(1, 1, 3), 2))
}))
rs$vi <- round(runif(nrow(rs), 0.02, 0.2), 4)
u <- rnorm(J, 0, 0.3)[as.integer(factor(rs$trial))]
rs$late <- as.numeric(rs$month >= 12)
rs$yi <- round(0.4 + 0.1 * rs$dose + u + rnorm(nrow(rs), 0, 0.2) + rnorm(nrow(rs), 0, sqrt(rs$vi)), 4)

cases <- list()
for (dfs in c("residual", "contain")) {
  cases[[length(cases) + 1]] <- nested_case("konstantopoulos2011", k11, c("district", "school"),
                                            dfs = dfs)
  cases[[length(cases) + 1]] <- nested_case("konstantopoulos2011_year", k11,
                                            c("district", "school"), "year_c", dfs = dfs)
  cases[[length(cases) + 1]] <- nested_case("assink2016_mods", a16, c("study", "esid"),
                                            c("year_c", "overt"), "ML", dfs = dfs)
}
struct_cases <- list()
for (dfs in c("residual", "contain")) {
  for (struct in c("AR", "CS")) {
    struct_cases[[length(struct_cases) + 1]] <- struct_case(
      "random_struct_mods", rs, "trial", "month", struct, c("dose", "late"), dfs = dfs)
  }
}

# robust(..., clubSandwich = TRUE) is clubSandwich's CR2 with Satterthwaite df
res <- rma.mv(yi, vi, mods = ~ year_c, random = ~ 1 | district/school, data = k11)
viaMetafor <- robust(res, cluster = district, clubSandwich = TRUE)
direct <- coef_test(res, vcov = "CR2", test = "Satterthwaite", cluster = k11$district)
stopifnot(max(abs(viaMetafor$se - direct$SE)) < 1e-12,
          max(abs(viaMetafor$ddf - direct$df_Satt)) < 1e-10,
          max(abs(viaMetafor$pval - direct$p_Satt)) < 1e-12)

jsonlite::write_json(list(metafor = as.character(packageVersion("metafor")),
                          cases = cases, struct_cases = struct_cases),
                     file.path("tests", "oracle", "golden", "multilevel_t.json"), digits = NA,
                     auto_unbox = TRUE, pretty = TRUE, na = "null")
