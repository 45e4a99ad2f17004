# Golden values for pool at k = 1 (issue 15): the study's own t tests, from R's t.test on samples
# built to have exactly the printed means and SDs (x = mean + sd * scale(z)[, 1]), so t.test
# sees the summary statistics the records print; and the Student p of Clements 1999's baseline
# mRSS by arm (the variable of its Carlisle baseline-balance row).
# Run from the repository root:  Rscript tests/oracle/single_study_t.R
# Writes tests/oracle/golden/single_study_t.json.
library(jsonlite)

exact <- function(mean, sd, n) {
  set.seed(n)
  z <- rnorm(n)
  mean + sd * as.numeric(scale(z))
}

two <- function(m1, s1, n1, m2, s2, n2, welch) {
  tt <- t.test(exact(m1, s1, n1), exact(m2, s2, n2), var.equal = !welch)
  list(statistic = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
       ci_low = tt$conf.int[1], ci_high = tt$conf.int[2])
}

paired <- function(m, s, n) {
  tt <- t.test(exact(m, s, n))
  list(statistic = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
       ci_low = tt$conf.int[1], ci_high = tt$conf.int[2])
}

out <- list(
  takehara_student = two(-3.3, 4.2, 31, -4.2, 4.6, 31, FALSE),
  takehara_welch = two(-3.3, 4.2, 31, -4.2, 4.6, 31, TRUE),
  dermal_student = two(-2.23, 34.48, 21, 7.51, 25.55, 22, FALSE),
  poelman_paired_6mo = paired(-5.3, 7.9, 29),
  clements_baseline_student_p = t.test(exact(20.4, 10.3, 32), exact(19.9, 6.6, 36),
                                       var.equal = TRUE)$p.value
)
write_json(out, "tests/oracle/golden/single_study_t.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
