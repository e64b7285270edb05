# Reference values: the bootstrap optimism-corrected calibration curve (rms::calibrate).
# Run from the repository root:  Rscript tests/reference/R/make_reference_calibrate.R
# Produced with R 4.2.2, rms 6.5-0 (Debian bookworm r-cran-rms). Reads
# tests/reference/data/birthwt.csv (MASS::birthwt, written by make_reference_prediction.R)
# and writes tests/reference/results/reference_calibrate.json.
#
# rms::calibrate(lrm(..., x = TRUE, y = TRUE), B = 40) (calibrate.default, method "boot")
# resamples through predab.resample, which draws each sample as sample(n, replace = TRUE),
# nothing else touching the random numbers. The script redraws the samples with the
# same seed, checks that a hand loop over them reproduces calibrate()'s table, and
# writes the samples (1-based) so that the Python test feeds lifetools the SAME samples
# and compares to numerical precision, not in distribution.
#
# What calibrate() computes (read from rms 6.5-0's calibrate.default, predab.resample
# and print.calibrate.default):
#   - grid: predy = seq(p[5], p[n - 4], length = 50), p the sorted apparent risks;
#   - a curve: lowess(risk, y, iter = 0) (f = 2/3, delta = 1% of the risks' range),
#     read at the grid by approx() (linear, NA outside the risks' range, ties: first);
#   - per sample: the model refitted (lrm.fit, eps 0.025, tol 1e-13); training error =
#     curve(sample's risks, sample's y) - predy; test error = curve(its risks on the
#     original data, original y) - predy; a failed fit is left out;
#   - optimism at each grid point = mean over the samples where BOTH errors exist
#     (column n) of training minus test; corrected = apparent curve - optimism;
#   - printed summary: err = risk - approx(predy, corrected, xout = risk, ties = mean)
#     over the apparent risks (NA outside the grid, dropped); mean |err|, mean err^2
#     and the 0.9 quantile of |err| (type 7).
suppressPackageStartupMessages({library(rms); library(jsonlite)})
fmt <- function(x) unname(signif(as.numeric(x), 12))
out <- list()

bw <- read.csv("tests/reference/data/birthwt.csv")
f <- lrm(low ~ rcs(age, 4) + rcs(lwt, 3) + race2 + race3 + smoke + ht + ui, data = bw,
         x = TRUE, y = TRUE)
B <- 40; seed <- 20261202; n <- nrow(bw); y <- bw$low
set.seed(seed); cal <- rms::calibrate(f, B = B)
set.seed(seed); samples <- lapply(1:B, function(i) sample(n, replace = TRUE))

# The hand loop (the same steps as calibrate.default, written out).
X <- f$x
risk <- plogis(f$linear.predictors)
p <- sort(risk); predy <- seq(p[5], p[n - 4], length = 50)
curve <- function(r, yy) {
  s <- lowess(r, yy, iter = 0)
  approx(s, xout = predy, ties = function(v) v[1])$y
}
apparent <- curve(risk, y)
train <- test <- matrix(NA_real_, B, length(predy))
for (b in 1:B) {
  s <- samples[[b]]
  fb <- lrm.fit(X[s, ], y[s], tol = 1e-13)
  stopifnot(!fb$fail)
  r_all <- plogis(drop(cbind(1, X) %*% coef(fb)))
  train[b, ] <- curve(r_all[s], y[s]) - predy
  test[b, ] <- curve(r_all, y) - predy
}
both <- !is.na(train + test)
used <- colSums(both)
optimism <- colSums(ifelse(both, train, 0)) / used - colSums(ifelse(both, test, 0)) / used
stopifnot(isTRUE(all.equal(unname(cal[, "predy"]), predy, tolerance = 1e-12)),
          isTRUE(all.equal(unname(cal[, "calibrated.orig"]), apparent, tolerance = 1e-12)),
          isTRUE(all.equal(unname(cal[, "optimism"]), optimism, tolerance = 1e-10)),
          all(cal[, "n"] == used))

# print.calibrate.default's summary, computed as it computes it.
s <- !is.na(cal[, "predy"] + cal[, "calibrated.corrected"])
err <- risk - approx(cal[s, "predy"], cal[s, "calibrated.corrected"], xout = risk,
                     ties = mean)$y
printed <- capture.output(print(cal))
mae_line <- grep("Mean absolute error", printed, value = TRUE)
stopifnot(grepl(sprintf("Mean absolute error=%s", round(mean(abs(err), na.rm = TRUE), 3)),
                mae_line, fixed = TRUE))

out$calibrate <- list(
  B = B, seed = seed, samples = samples,
  predy = fmt(cal[, "predy"]), apparent = fmt(cal[, "calibrated.orig"]),
  corrected = fmt(cal[, "calibrated.corrected"]), optimism = fmt(cal[, "optimism"]),
  training = fmt(cal[, "training"]), test = fmt(cal[, "test"]), n = as.integer(cal[, "n"]),
  mean_absolute_error = fmt(mean(abs(err), na.rm = TRUE)),
  mean_squared_error = fmt(mean(err^2, na.rm = TRUE)),
  quantile90_absolute_error = fmt(quantile(abs(err), 0.9, na.rm = TRUE)),
  errors_used = sum(!is.na(err)))

# 2. The same calibrate() at a grid given by the user (predy =), reaching below and
#    above the apparent risks: points outside them are NA in the apparent curve.
grid <- c(0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.95)
set.seed(seed); cal2 <- rms::calibrate(f, B = B, predy = grid)
out$calibrate_grid <- list(predy = grid, apparent = fmt(cal2[, "calibrated.orig"]),
                           corrected = fmt(cal2[, "calibrated.corrected"]),
                           n = as.integer(cal2[, "n"]))

# 3. lowess(iter = 0) alone, on data with many ties in x (mother's weight).
lw <- lowess(bw$lwt, bw$low, iter = 0)
out$lowess_ties <- list(x = fmt(lw$x), y = fmt(lw$y))
lw2 <- lowess(bw$lwt, bw$low, f = 0.3, iter = 0, delta = 0)
out$lowess_ties_f03 <- list(y = fmt(lw2$y))

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE),
           "tests/reference/results/reference_calibrate.json")
cat(sprintf("R %s, rms %s\n", getRversion(), packageVersion("rms")))
