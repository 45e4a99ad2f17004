# Golden values for the escalc measures added with metafor 5.0-1 as the reference: correlations
# (COR, UCOR, ZCOR), incidence rates (IR, IRLN, IRS, IRFT, IRR, IRD), single means (MN, MNLN,
# CVLN), variability ratios (CVR, VR) and Peto's log odds ratio (PETO).
# Run from the repository root:  Rscript tests/oracle/escalc_measures.R
# Writes tests/oracle/golden/escalc_measures.json, in the format of escalc.json. UCOR needs the
# gsl package (Debian: r-cran-gsl), as metafor does.
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

# correlations: Molloy et al. (2014) conscientiousness and medication adherence
molloy <- cols(dat.molloy2014, c("ri", "ni"))
for (m in c("COR", "UCOR", "ZCOR")) add_case(paste("molloy2014", m), m, molloy)
for (v in c("AV", "H0")) add_case(paste("molloy2014 COR", v), "COR", molloy, list(vtype = v))
for (v in c("UB", "AV")) add_case(paste("molloy2014 UCOR", v), "UCOR", molloy, list(vtype = v))

# incidence rates: Hart et al. (1999) warfarin trials (strokes over patient-years)
hart <- cols(dat.hart1999, c("x1i", "t1i", "x2i", "t2i"))
for (m in c("IRR", "IRD")) add_case(paste("hart1999", m), m, hart)
hart1 <- list(xi = hart$x1i, ti = hart$t1i)
for (m in c("IR", "IRLN", "IRS", "IRFT")) add_case(paste("hart1999 group 1", m), m, hart1)

# single means and variability: Normand (1999) stroke rehabilitation, Curtis et al. (1998)
normand <- cols(dat.normand1999, c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
one <- list(mi = normand$m1i, sdi = normand$sd1i, ni = normand$n1i)
for (m in c("MN", "MNLN", "CVLN")) add_case(paste("normand1999 group 1", m), m, one)
add_case("normand1999 group 1 MN HO", "MN", one, list(vtype = "HO"))
add_case("normand1999 group 1 CVLN uncorrected", "CVLN", one, list(correct = FALSE))
curtis <- cols(dat.curtis1998, c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
for (d in list(list("normand1999", normand), list("curtis1998", curtis))) {
  for (m in c("CVR", "VR")) {
    add_case(paste(d[[1]], m), m, d[[2]])
    add_case(paste(d[[1]], m, "LS2"), m, d[[2]], list(vtype = "LS2"))
    add_case(paste(d[[1]], m, "uncorrected"), m, d[[2]], list(correct = FALSE))
  }
}
add_case("curtis1998 VR sd and n only", "VR", curtis[c("sd1i", "n1i", "sd2i", "n2i")])

# Peto's log odds ratio: Yusuf et al. (1985) beta blockers (with missing rows), BCG trials,
# Nielweise et al. (2007) catheter infections (zero cells)
yusuf <- cols(dat.yusuf1985, c("ai", "n1i", "ci", "n2i"))
add_case("yusuf1985 PETO", "PETO", yusuf)
add_case("bcg PETO", "PETO", list(ai = dat.bcg$tpos, bi = dat.bcg$tneg, ci = dat.bcg$cpos, di = dat.bcg$cneg))
niel <- cols(dat.nielweise2007, c("ai", "n1i", "ci", "n2i"))
add_case("nielweise2007 PETO", "PETO", niel)
add_case("nielweise2007 PETO to none", "PETO", niel, list(to = "none"))

# seeded random data: zero counts, small n, negative correlations
set.seed(20261201)
k <- 14
r <- runif(k, -0.95, 0.95); n <- sample(c(4:12, 20:400), k, TRUE); n[1:3] <- c(3, 4, 5)
for (m in c("COR", "UCOR", "ZCOR")) add_case(paste("random correlations", m), m, list(ri = r, ni = n))
add_case("random correlations UCOR UB", "UCOR", list(ri = r, ni = n), list(vtype = "UB"))
x1 <- rpois(k, 3); x2 <- rpois(k, 5); t1 <- runif(k, 20, 400); t2 <- runif(k, 20, 400)
x1[1:2] <- 0; x2[2:3] <- 0
rates2 <- list(x1i = x1, t1i = t1, x2i = x2, t2i = t2)
for (m in c("IRR", "IRD")) {
  add_case(paste("random rates", m), m, rates2)
  for (to in c("all", "if0all", "none")) add_case(paste("random rates", m, "to", to), m, rates2, list(to = to))
  add_case(paste("random rates", m, "add 1"), m, rates2, list(add = 1))
}
rates1 <- list(xi = x1, ti = t1)
for (m in c("IR", "IRLN", "IRS", "IRFT")) {
  add_case(paste("random rates", m), m, rates1)
  add_case(paste("random rates", m, "to all"), m, rates1, list(to = "all", add = 0.5))
}
means <- list(mi = rlnorm(k, 2, 1), sdi = runif(k, 0.1, 8), ni = sample(2:300, k, TRUE))
for (m in c("MN", "MNLN", "CVLN")) add_case(paste("random means", m), m, means)
two <- list(m1i = rlnorm(k, 2, 0.5), sd1i = runif(k, 0.5, 6), n1i = sample(2:200, k, TRUE),
            m2i = rlnorm(k, 2, 0.5), sd2i = runif(k, 0.5, 6), n2i = sample(2:200, k, TRUE))
for (m in c("CVR", "VR")) {
  add_case(paste("random two groups", m), m, two)
  add_case(paste("random two groups", m, "LS2"), m, two, list(vtype = "LS2"))
}
n1 <- sample(5:80, k, TRUE); n2 <- sample(5:80, k, TRUE)
a <- rbinom(k, n1, 0.1); c <- rbinom(k, n2, 0.15); a[1:3] <- 0; c[2] <- 0; c[4] <- n2[4]
tab <- list(ai = a, bi = n1 - a, ci = c, di = n2 - c)
add_case("random zero cells PETO", "PETO", tab)
for (to in c("all", "if0all", "none")) add_case(paste("random zero cells PETO to", to), "PETO", tab, list(to = to))

dir.create("tests/oracle/golden", showWarnings = FALSE, recursive = TRUE)
write_json(cases, "tests/oracle/golden/escalc_measures.json", digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
cat(length(cases), "cases written\n")
