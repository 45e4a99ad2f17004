# metafor's printed summary of the BCG random-effects model, kept verbatim so the tests can
# check that `ivigmeta pool` prints the lines a metafor user reads in the same form.
# Run from the repository root: Rscript tests/oracle/print_bcg.R
suppressPackageStartupMessages(library(metafor))
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
res <- rma(yi, vi, data = dat)
writeLines(capture.output(print(res)), "tests/oracle/golden/print_bcg.txt")
