# Reference values for lifetools.prediction, computed with R.
# Run from the repository root:  Rscript tests/reference/R/make_reference_prediction.R
# Produced with R 4.2.2, rms 6.5-0, pROC (Debian bookworm r-cran-rms, r-cran-proc).
# Data: MASS::birthwt (Hosmer and Lemeshow, low birth weight, n = 189), written to
# tests/reference/data/birthwt.csv. Writes tests/reference/results/reference_prediction.json.
#
# Bootstrap validation: rms::validate(lrm(..., x = TRUE, y = TRUE), B = 40) draws its
# bootstrap samples as successive sample(n, replace = TRUE) calls (predab.resample,
# method "boot"). The script redraws them with the same seed, checks that a hand loop
# over those samples reproduces validate()'s table exactly, and writes the samples
# (1-based) so that the Python test feeds lifetools the SAME samples.
suppressPackageStartupMessages({library(rms); library(MASS); library(pROC); library(jsonlite)})
out <- list()
fmt <- function(x) unname(signif(as.numeric(x), 12))

bw <- MASS::birthwt[, c("low", "age", "lwt", "race", "smoke", "ht", "ui")]
bw$race2 <- as.integer(bw$race == 2)
bw$race3 <- as.integer(bw$race == 3)
write.csv(bw, "tests/reference/data/birthwt.csv", row.names = FALSE)

# 1. Restricted cubic spline basis (Harrell's knots, rcspline.eval norm = 2) and lrm.
f <- lrm(low ~ rcs(age, 4) + rcs(lwt, 3) + race2 + race3 + smoke + ht + ui, data = bw,
         x = TRUE, y = TRUE)
out$lrm <- list(terms = names(coef(f)), coef = fmt(coef(f)),
                knots_age = fmt(f$Design$parms$age), knots_lwt = fmt(f$Design$parms$lwt),
                lr = fmt(f$stats["Model L.R."]), df = fmt(f$stats["d.f."]),
                C = fmt(f$stats["C"]), brier = fmt(f$stats["Brier"]))
out$rcs_basis_lwt_first5 <- fmt(rcspline.eval(bw$lwt, knots = f$Design$parms$lwt,
                                              inclx = TRUE)[1:5, 2])
# knots for a continuous variable with no ties (Harrell's quantiles, 5 knots)
set.seed(7); z <- rnorm(500)
write.csv(data.frame(z = z), "tests/reference/data/rcs_z.csv", row.names = FALSE)
out$knots_z5 <- fmt(rcspline.eval(z, nk = 5, knots.only = TRUE))
out$knots_z3 <- fmt(rcspline.eval(z, nk = 3, knots.only = TRUE))

# 2. Apparent performance of the fit on its own data.
lp <- predict(f); p <- plogis(lp); y <- bw$low
roc1 <- roc(y, p, quiet = TRUE, direction = "<", levels = c(0, 1))
ci <- ci.auc(roc1, method = "delong")
g1 <- glm(y ~ lp, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
g0 <- glm(y ~ offset(lp), family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
out$apparent <- list(c = fmt(ci[2]), c_lower = fmt(ci[1]), c_upper = fmt(ci[3]),
                     slope = fmt(coef(g1)[2]), slope_se = fmt(sqrt(vcov(g1)[2, 2])),
                     recal_intercept = fmt(coef(g1)[1]),
                     citl = fmt(coef(g0)[1]), citl_se = fmt(sqrt(vcov(g0)[1, 1])),
                     brier = fmt(mean((p - y)^2)))

# 3. Flexible calibration curve: logistic regression of y on an RCS (4 knots) of the
#    linear predictor, pointwise 95% Wald band on the logit scale.
grid <- seq(-3, 1.5, by = 0.5)
kn <- rcspline.eval(lp, nk = 4, knots.only = TRUE)
cal <- glm(y ~ rcspline.eval(lp, knots = kn, inclx = TRUE), family = binomial,
           control = glm.control(epsilon = 1e-14, maxit = 100))
Xg <- cbind(1, rcspline.eval(grid, knots = kn, inclx = TRUE))
eta <- drop(Xg %*% coef(cal)); se <- sqrt(rowSums((Xg %*% vcov(cal)) * Xg))
out$calibration_curve <- list(grid_lp = fmt(grid), knots = fmt(kn),
                              observed = fmt(plogis(eta)),
                              lower = fmt(plogis(eta - qnorm(0.975) * se)),
                              upper = fmt(plogis(eta + qnorm(0.975) * se)))

# 4. Net benefit (Vickers and Elkin 2006): NB = TP/n - FP/n * pt / (1 - pt).
th <- c(0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
nb <- sapply(th, function(t) mean(p >= t & y == 1) - mean(p >= t & y == 0) * t / (1 - t))
nb_all <- sapply(th, function(t) mean(y) - (1 - mean(y)) * t / (1 - t))
out$net_benefit <- list(thresholds = th, model = fmt(nb), treat_all = fmt(nb_all))

# 5. Bootstrap optimism correction: rms::validate and the same samples by hand.
B <- 40; seed <- 20261130; n <- nrow(bw)
set.seed(seed); v <- rms::validate(f, B = B)
set.seed(seed); samples <- lapply(1:B, function(i) sample(n, replace = TRUE))
X <- f$x
idx <- function(lp, y) {
  r <- lrm.fit(lp, y, tol = 1e-13)
  c(Dxy = unname(somers2(plogis(lp), y)["Dxy"]), Intercept = unname(coef(r)[1]),
    Slope = unname(coef(r)[2]), B = mean((plogis(lp) - y)^2))
}
opt <- sapply(samples, function(s) {
  fb <- lrm.fit(X[s, ], y[s], tol = 1e-7, maxit = 12)
  lp_test <- drop(cbind(1, X) %*% coef(fb))
  lp_train <- lp_test[s]
  tr <- c(Dxy = unname(somers2(plogis(lp_train), y[s])["Dxy"]), Intercept = 0, Slope = 1,
          B = mean((plogis(lp_train) - y[s])^2))
  tr - idx(lp_test, y)
})
hand <- rowMeans(opt)
stopifnot(isTRUE(all.equal(unname(hand), unname(v[c("Dxy", "Intercept", "Slope", "B"), "optimism"]),
                           tolerance = 1e-8)))
out$validate <- list(B = B, seed = seed, samples = samples,
                     index = c("Dxy", "Intercept", "Slope", "B"),
                     apparent = fmt(v[c("Dxy", "Intercept", "Slope", "B"), "index.orig"]),
                     optimism = fmt(v[c("Dxy", "Intercept", "Slope", "B"), "optimism"]),
                     corrected = fmt(v[c("Dxy", "Intercept", "Slope", "B"), "index.corrected"]))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_prediction.json")
cat(sprintf("R %s, rms %s, pROC %s\n", getRversion(), packageVersion("rms"),
            packageVersion("pROC")))
