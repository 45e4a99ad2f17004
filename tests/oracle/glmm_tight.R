# metafor 5.0-1 rma.glmm for the UM.FS and UM.RS cases of tests/oracle/golden/glmm.json, refitted
# with lme4's optimiser run to convergence: glmerCtrl = list(optimizer = "bobyqa",
# optCtrl = list(rhoend = 1e-12, maxfun = 1e5)). metafor's defaults stop bobyqa at lme4's
# rhoend = 2e-7 on the *scaled* parameters (and "failed to converge" is common on rare events),
# which moves beta in the 4th digit; with the optimiser converged the maximum itself is compared.
# Run from the repository root (after tests/oracle/glmm.R):  Rscript tests/oracle/glmm_tight.R
# Writes tests/oracle/golden/glmm_tight.json: [{name, model, result}] for those cases.
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
stopifnot(packageVersion("metafor") == "5.0.1")

golden <- fromJSON("tests/oracle/golden/glmm.json", simplifyVector = FALSE)
tight <- list(glmerCtrl = list(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
num <- function(x) if (length(x) == 0 || is.na(x)) NA else as.numeric(x)

out <- list()
for (case in golden$cases) {
  if (case$measure != "OR" || !(case$model %in% c("UM.FS", "UM.RS"))) next
  if (!is.null(case$result$error)) next
  d <- lapply(case$data, unlist)
  warned <- character(0)
  res <- withCallingHandlers(
    tryCatch(rma.glmm(measure = "OR", ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i,
                      model = case$model, method = "ML", control = tight),
             error = function(e) e),
    warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  result <- if (inherits(res, "error")) list(error = conditionMessage(res)) else
    list(estimate = num(res$beta), se = num(res$se), tau2 = num(res$tau2),
         ll = num(res$fit.stats["ll", "ML"]), QE_Wld = num(res$QE.Wld),
         QE_LRT = num(res$QE.LRT), warnings = as.list(warned))
  out[[length(out) + 1]] <- list(name = case$name, model = case$model, result = result)
}
writeLines(toJSON(list(metafor = as.character(packageVersion("metafor")),
                       lme4 = as.character(packageVersion("lme4")),
                       control = "glmerCtrl: bobyqa, rhoend 1e-12, maxfun 1e5", cases = out),
                  auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/oracle/golden/glmm_tight.json")
cat("wrote", length(out), "cases\n")
