# Golden values from base R for tests/test_proportion_tests.py.
# Run from the repository root:  Rscript tests/oracle/proportions.R
# Two independent proportions: prop.test with and without Yates, fisher.test.
# Paired proportions: mcnemar.test with and without correction, and the exact McNemar test
# as binom.test(b, b + c) on the discordant pairs.
tables <- list(c(10, 31, 4, 32), c(34, 46, 9, 46), c(3, 12, 9, 13), c(20, 40, 20, 40), c(0, 15, 5, 15))
independent <- lapply(tables, function(t) {
  x <- c(t[1], t[3]); n <- c(t[2], t[4])
  m <- matrix(c(t[1], t[2] - t[1], t[3], t[4] - t[3]), nrow = 2, byrow = TRUE)
  list(
    x1 = t[1], n1 = t[2], x2 = t[3], n2 = t[4],
    chisq = unname(suppressWarnings(prop.test(x, n, correct = FALSE))$statistic),
    p_chisq = suppressWarnings(prop.test(x, n, correct = FALSE))$p.value,
    chisq_yates = unname(suppressWarnings(prop.test(x, n, correct = TRUE))$statistic),
    p_chisq_yates = suppressWarnings(prop.test(x, n, correct = TRUE))$p.value,
    p_fisher = fisher.test(m)$p.value
  )
})
# paired tables (a, b, c, d): both, before only, after only, neither
paired_tables <- list(c(7, 27, 2, 10), c(0, 34, 9, 3), c(9, 25, 0, 12), c(5, 10, 10, 21), c(12, 8, 3, 23))
paired <- lapply(paired_tables, function(t) {
  m <- matrix(c(t[1], t[2], t[3], t[4]), nrow = 2, byrow = TRUE)
  b <- t[2]; cc <- t[3]
  list(
    a = t[1], b = b, c = cc, d = t[4],
    mcnemar = unname(mcnemar.test(m, correct = FALSE)$statistic),
    p_mcnemar = mcnemar.test(m, correct = FALSE)$p.value,
    mcnemar_corrected = unname(mcnemar.test(m, correct = TRUE)$statistic),
    p_mcnemar_corrected = mcnemar.test(m, correct = TRUE)$p.value,
    p_exact = binom.test(b, b + cc)$p.value
  )
})
jsonlite::write_json(
  list(independent = independent, paired = paired),
  "tests/oracle/golden/proportions.json", digits = NA, auto_unbox = TRUE, pretty = TRUE
)
