# Golden values from R's statcheck for tests/test_statcheck_oracle.py.
# Run from the repository root:  Rscript tests/oracle/statcheck.R
# Writes tests/oracle/golden/statcheck.json: one object per APA-style result with statcheck's
# parsed statistic, df, reported p, computed p, error and decision_error.
suppressPackageStartupMessages(library(statcheck))

texts <- c(
  # documented examples: ?statcheck and the package README
  "t(100) = 1, p < 0.001",
  "t(28) = 2.2, p < .05",
  # one per test type, consistent and inconsistent, away from alpha
  "t(28) = 3.61, p = .001",
  "t(28) = 3.61, p = .01",
  "t(24) = -4.82, p < .001",
  "t(60) = 0.80, p = .43",
  "t(60) = 0.80, p = .33",
  "t(15) = 1.20, p = .02",
  "t(41) = 1.06, p = .30",
  "F(1, 60) = 0.65, p = .42",
  "F(2, 56) = 12.7, p < .001",
  "F(2, 56) = 1.27, p < .001",
  "chi2(1, N = 46) = 21.55, p < .001",
  "chi2(1, N = 63) = 3.56, p = .06",
  "chi2(2, N = 100) = 9.21, p = .50",
  "r(48) = .21, p = .14",
  "r(48) = .41, p = .30",
  "z = 2.83, p = .005",
  "z = 1.96, p = .05",
  "z = 2.30, p = .20"
)

results <- statcheck(paste(texts, collapse = ". "), messages = FALSE)
out <- lapply(seq_len(nrow(results)), function(i) {
  row <- results[i, ]
  list(
    raw = row$raw,
    test_type = as.character(row$test_type),
    df1 = row$df1,
    df2 = row$df2,
    test_value = row$test_value,
    p_comp = as.character(row$p_comp),
    reported_p = row$reported_p,
    computed_p = row$computed_p,
    error = row$error,
    decision_error = row$decision_error
  )
})
jsonlite::write_json(
  list(statcheck_version = as.character(packageVersion("statcheck")), results = out),
  "tests/oracle/golden/statcheck.json", digits = NA, auto_unbox = TRUE, pretty = TRUE,
  na = "null"
)
