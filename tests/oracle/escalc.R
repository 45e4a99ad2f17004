# Golden values for ivigmeta.effects: metafor's escalc() on metadat data sets and seeded inputs.
# Run from the repository root:  Rscript tests/oracle/escalc.R
# Writes tests/oracle/golden/escalc.json: a list of cases {name, measure, args, inputs, yi, vi}.
suppressPackageStartupMessages({ library(metafor); library(metadat); library(jsonlite) })

cases <- list()
add_case <- function(name, measure, inputs, args = list()) {
  out <- suppressWarnings(do.call(escalc, c(list(measure = measure), inputs, args)))
  cases[[length(cases) + 1]] <<- list(
    name = name, measure = measure, args = args, inputs = inputs,
    yi = as.numeric(out$yi), vi = as.numeric(out$vi), metafor = as.character(packageVersion("metafor"))
  )
}
cols <- function(d, names) lapply(d[names], as.numeric)

# 2x2 tables: BCG vaccine trials (Colditz et al. 1994) and Hine et al. (1989) lidocaine trials
bcg <- list(ai = dat.bcg$tpos, bi = dat.bcg$tneg, ci = dat.bcg$cpos, di = dat.bcg$cneg)
for (m in c("RR", "OR", "RD")) add_case(paste0("bcg ", m), m, bcg)
add_case("bcg RD UB", "RD", bcg, list(vtype = "UB"))
add_case("bcg RD AV", "RD", bcg, list(vtype = "AV"))
hine <- cols(dat.hine1989, c("ai", "n1i", "ci", "n2i"))
for (m in c("RR", "OR", "RD")) add_case(paste0("hine1989 ", m), m, hine)

# two groups: Normand (1999) stroke rehabilitation; Curtis et al. (1998) CO2 plant growth
normand <- cols(dat.normand1999, c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
add_case("normand1999 MD", "MD", normand)
add_case("normand1999 MD HO", "MD", normand, list(vtype = "HO"))
for (v in c("LS", "UB", "LS2", "AV")) add_case(paste("normand1999 SMD", v), "SMD", normand, list(vtype = v))
for (v in c("LS", "LS2")) add_case(paste("normand1999 SMDH", v), "SMDH", normand, list(vtype = v))
curtis <- cols(dat.curtis1998, c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
for (v in c("LS", "HO", "AV", "AVHO")) add_case(paste("curtis1998 ROM", v), "ROM", curtis, list(vtype = v))
add_case("curtis1998 SMD", "SMD", curtis)

# pre-post: treatment groups of Morris (2008), as in metafor's documentation example
morris <- list(m1i = c(38.5, 26.8, 0.7, 75.9, 36.0), m2i = c(30.6, 23.5, 0.5, 53.4, 35.6),
               sd1i = c(11.6, 4.1, 0.1, 4.4, 4.6), sd2i = c(15.0, 3.1, 0.1, 14.5, 4.7),
               ni = c(20, 50, 9, 10, 14), ri = c(0.47, 0.64, 0.77, 0.89, 0.44))
for (m in c("MC", "SMCC", "SMCRH")) add_case(paste("morris2008", m), m, morris)
add_case("morris2008 SMCC LS2", "SMCC", morris, list(vtype = "LS2"))
morris_raw <- morris[c("m1i", "m2i", "sd1i", "ni", "ri")]
morris_raw$sd1i <- morris$sd2i  # standardize by the pre-test SD
add_case("morris2008 SMCR", "SMCR", morris_raw)
add_case("morris2008 SMCR LS2", "SMCR", morris_raw, list(vtype = "LS2"))

# proportions: Pritz (1997) and de Bruin et al. (2009)
pritz <- cols(dat.pritz1997, c("xi", "ni"))
debruin <- cols(dat.debruin2009, c("xi", "ni"))
for (m in c("PR", "PLO", "PAS", "PFT")) {
  add_case(paste("pritz1997", m), m, pritz)
  add_case(paste("debruin2009", m), m, debruin)
}
add_case("pritz1997 PR UB", "PR", pritz, list(vtype = "UB"))
add_case("pritz1997 PR AV", "PR", pritz, list(vtype = "AV"))
add_case("pritz1997 PLO AV", "PLO", pritz, list(vtype = "AV"))

# generic: Ishak et al. (2007) deep brain stimulation, first outcome
ishak <- dat.ishak2007[!is.na(dat.ishak2007$y1i), ]
add_case("ishak2007 GEN vi", "GEN", list(yi = ishak$y1i, vi = ishak$v1i))
add_case("ishak2007 GEN sei", "GEN", list(yi = ishak$y1i, sei = sqrt(ishak$v1i)))

# seeded random inputs: zero cells, all-event rows, continuity options, large m
set.seed(20261124)
k <- 12
n1 <- sample(5:60, k, TRUE); n2 <- sample(5:60, k, TRUE)
a <- rbinom(k, n1, 0.1); c <- rbinom(k, n2, 0.2)
a[1:3] <- 0; c[2] <- 0; c[4] <- n2[4]; a[5] <- 0; c[5] <- 0
tab <- list(ai = a, bi = n1 - a, ci = c, di = n2 - c)
for (m in c("RR", "OR", "RD")) {
  add_case(paste("random zero cells", m), m, tab)
  add_case(paste("random zero cells", m, "n form"), m, list(ai = a, n1i = n1, ci = c, n2i = n2))
  for (to in c("all", "if0all", "none")) add_case(paste("random zero cells", m, "to", to), m, tab, list(to = to))
  add_case(paste("random zero cells", m, "add 1"), m, tab, list(add = 1))
}
x <- rbinom(k, n1, 0.3); x[1] <- 0; x[2] <- n1[2]
for (m in c("PR", "PLO", "PAS", "PFT")) {
  add_case(paste("random proportions", m), m, list(xi = x, ni = n1))
  add_case(paste("random proportions", m, "to all"), m, list(xi = x, ni = n1), list(to = "all", add = 0.5))
}
big <- list(m1i = rnorm(k, 10, 2), sd1i = runif(k, 1, 4), n1i = sample(150:900, k, TRUE),
            m2i = rnorm(k, 9, 2), sd2i = runif(k, 1, 4), n2i = sample(150:900, k, TRUE))
big$n1i[1] <- 172; big$n2i[1] <- 174  # m = 344 exactly
for (m in c("MD", "SMD", "SMDH", "ROM")) add_case(paste("random large m", m), m, big)
add_case("random large m SMD UB", "SMD", big, list(vtype = "UB"))
small <- big; small$n1i <- sample(2:6, k, TRUE); small$n2i <- sample(2:6, k, TRUE)
for (m in c("SMD", "SMDH")) add_case(paste("random small n", m), m, small)
pp <- list(m1i = rnorm(k, 20, 5), m2i = rnorm(k, 24, 5), sd1i = runif(k, 2, 9), sd2i = runif(k, 2, 9),
           ni = sample(c(3:30, 345:2000), k), ri = runif(k, -0.3, 0.95))
pp$ni[1] <- 345  # m = n - 1 = 344
for (m in c("MC", "SMCC", "SMCRH")) add_case(paste("random pre-post", m), m, pp)
add_case("random pre-post SMCR", "SMCR", pp[c("m1i", "m2i", "sd1i", "ni", "ri")])

dir.create("tests/oracle/golden", showWarnings = FALSE, recursive = TRUE)
write_json(cases, "tests/oracle/golden/escalc.json", digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
cat(length(cases), "cases written\n")
