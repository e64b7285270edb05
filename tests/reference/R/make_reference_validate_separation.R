# Reference values: bootstrap validation when some bootstrap samples separate the outcome.
# Run from the repository root: Rscript tests/reference/R/make_reference_validate_separation.R
# (R 4.2.2, rms 6.5-0 from Debian's r-cran-rms). Writes
# tests/reference/results/reference_validate_separation.json.
#
# Data: 80 mothers of MASS::birthwt (tests/reference/data/birthwt.csv; rows drawn with
# set.seed(3)), model low ~ lwt + ht. Hypertension (ht) is rare: 4 mothers, 3 with a low
# birth weight, so a bootstrap sample that draws only those 3 has no maximum-likelihood
# estimate for ht (quasi-complete separation).
#
# What rms::validate does with such samples (rms 6.5-0, predab.resample): it leaves out
# only the samples whose fit fails (lrm.fit's fail = TRUE or an error: "Divergence or
# singularity in N samples") and keeps every other sample. lrm.fit stops when -2 log L
# changes by less than eps = 0.025 (at most maxit = 12 iterations) and reports a
# separated sample as converged, its ht coefficient stopped near 8 or 9, so validate
# keeps it: validate's n column is B. This script records, for the same 40 samples:
# validate's table; lrm.fit's fail flag per sample; which samples have no maximum
# (found from the sample's ht-by-outcome table, independently of any fitter); and the
# per-sample optimism of the hand loop that reproduces validate (checked against it).
suppressPackageStartupMessages({library(rms); library(jsonlite)})
fmt <- function(x) unname(signif(as.numeric(x), 12))
bw <- read.csv("tests/reference/data/birthwt.csv")
set.seed(3); rows <- sort(sample(nrow(bw), 80))
d <- bw[rows, c("low", "lwt", "ht")]
f <- lrm(low ~ lwt + ht, data = d, x = TRUE, y = TRUE)
B <- 40; seed <- 20261201; n <- nrow(d); y <- d$low
set.seed(seed); v <- rms::validate(f, B = B)
set.seed(seed); samples <- lapply(1:B, function(i) sample(n, replace = TRUE))
X <- f$x
idx <- function(lp, y) {
  r <- lrm.fit(lp, y, tol = 1e-13)
  c(Dxy = unname(somers2(plogis(lp), y)["Dxy"]), Intercept = unname(coef(r)[1]),
    Slope = unname(coef(r)[2]), B = mean((plogis(lp) - y)^2))
}
boot_fit <- function(s) lrm.fit(X[s, ], y[s], tol = 1e-7, maxit = 12)  # validate's lrmfit
optimism <- function(s) {
  fb <- boot_fit(s)
  lp_test <- drop(cbind(1, X) %*% coef(fb))
  lp_train <- lp_test[s]
  tr <- c(Dxy = unname(somers2(plogis(lp_train), y[s])["Dxy"]), Intercept = 0, Slope = 1,
          B = mean((plogis(lp_train) - y[s])^2))
  tr - idx(lp_test, y)
}
names4 <- c("Dxy", "Intercept", "Slope", "B")
per_sample <- t(sapply(samples, optimism))
stopifnot(v["Dxy", "n"] == B)  # validate keeps every sample
stopifnot(isTRUE(all.equal(unname(colMeans(per_sample)), unname(v[names4, "optimism"]),
                           tolerance = 1e-8)))
failed <- sapply(samples, function(s) isTRUE(boot_fit(s)$fail))
no_maximum <- sapply(samples, function(s) {
  cell <- table(factor(d$ht[s], levels = 0:1), factor(y[s], levels = 0:1))
  any(cell["1", ] == 0) || any(cell["0", ] == 0)
})
ht_coef <- sapply(samples, function(s) unname(coef(boot_fit(s))["ht"]))
out <- list(B = B, seed = seed, rows = rows, samples = samples, index = names4,
            validate_n = v["Dxy", "n"], failed = which(failed),
            no_maximum = which(no_maximum), ht_coef = fmt(ht_coef),
            apparent = fmt(v[names4, "index.orig"]),
            optimism = fmt(v[names4, "optimism"]), corrected = fmt(v[names4, "index.corrected"]),
            per_sample_optimism = lapply(seq_len(B), function(i) fmt(per_sample[i, ])))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_validate_separation.json")
cat(sprintf("R %s, rms %s: validate used %d of %d samples; %d failed; %d without a maximum\n",
            getRversion(), packageVersion("rms"), v["Dxy", "n"], B, sum(failed),
            sum(no_maximum)))
