# Golden values for the diagnostic figures: the coordinates metafor computes, not pixels.
# Run from the repository root:  Rscript tests/oracle/figures.R
# Writes tests/oracle/golden/figures.json: gosh() (every subset), baujat(), radial() and
# labbe() and regplot() data for dat.bcg (metadat 1.6-0) with metafor 5.0-1.
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
stopifnot(packageVersion("metafor") == "5.0.1")

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)

gosh_case <- function(d, method) {
  res <- rma(yi, vi, data = d, method = method)
  g <- gosh(res, progbar = FALSE)
  subset <- apply(g$incl, 1, function(row) paste(which(row), collapse = ";"))
  list(method = method, yi = d$yi, vi = d$vi, subset = subset, k = g$res$k, q = g$res$QE,
       i2 = g$res$I2, h2 = g$res$H2, tau2 = g$res$tau2, estimate = g$res$estimate)
}
gosh_cases <- list(
  gosh_case(bcg[1:10, ], "REML"),
  gosh_case(bcg[1:10, ], "DL"),
  gosh_case(bcg[1:8, ], "PM"),
  gosh_case(bcg[1:8, ], "EE"),
  gosh_case(bcg[1:8, ], "ML")
)

baujat_case <- function(method) {
  res <- rma(yi, vi, data = bcg, method = method)
  b <- baujat(res, symbol = "ids")
  list(method = method, x = b$x, y = b$y)
}
pdf(NULL)
baujat_cases <- list(baujat_case("REML"), baujat_case("DL"), baujat_case("EE"))

# radial(): x = 1/sqrt(vi + tau2), y = yi/sqrt(vi + tau2); the line has slope mu
radial_case <- function(method) {
  res <- rma(yi, vi, data = bcg, method = method)
  r <- radial(res)
  list(method = method, x = r$x, y = r$y, slope = as.numeric(res$beta), tau2 = res$tau2)
}
radial_cases <- list(radial_case("REML"), radial_case("EE"))

# labbe(): control-group and treatment-group outcomes on the measure's scale
res <- rma(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg, measure = "RR")
l <- labbe(res)
labbe_case <- list(measure = "RR", x = l$x, y = l$y, estimate = as.numeric(res$beta))
# regplot(): points, their sizes and the fitted values; predict() gives the CI band
regplot_case <- function(test) {
  res <- rma(yi, vi, mods = ~ ablat, data = bcg, method = "REML", test = test)
  r <- regplot(res)
  band <- predict(res, newmods = c(10, 30, 50))
  list(test = test, xi = r$xi, yi = r$yi, psize = r$psize, pred = r$pred,
       at = c(10, 30, 50), band_pred = band$pred, band_low = band$ci.lb, band_high = band$ci.ub)
}
regplot_cases <- list(regplot_case("z"), regplot_case("knha"))
dev.off()

out <- list(metafor = as.character(packageVersion("metafor")), gosh = gosh_cases,
            baujat = baujat_cases, regplot = regplot_cases, radial = radial_cases, labbe = labbe_case)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE),
           file.path("tests", "oracle", "golden", "figures.json"))
