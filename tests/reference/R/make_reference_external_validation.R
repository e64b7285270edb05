# Reference values for the validation of a frozen prediction model on other people
# (temporal or external validation: lifetools.prediction.validate_frozen, performance,
# calibration_curve, performance_by_group), computed with R.
# Run from the repository root:  Rscript tests/reference/R/make_reference_external_validation.R
# Produced with R 4.2.2, rms 6.5-0, pROC 1.18.0 (Debian bookworm r-cran-rms,
# r-cran-proc). Reads tests/reference/data/birthwt.csv (MASS::birthwt, written by
# make_reference_prediction.R); writes
# tests/reference/results/reference_external_validation.json.
#
# The model is developed on the odd rows of birthwt (95 babies) and validated on the
# even rows (94): unlike the apparent measures (slope 1 and calibration-in-the-large 0
# by construction), every measure is then a real estimate. Both halves have fewer than
# 100 values, so Harrell's knots take the 5th smallest and largest values as the outer
# knots (rcspline.eval's rule for n < 100).
suppressPackageStartupMessages({library(rms); library(pROC); library(jsonlite)})
out <- list()
fmt <- function(x) unname(signif(as.numeric(x), 15))
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

bw <- read.csv("tests/reference/data/birthwt.csv")
dev <- bw[seq(1, nrow(bw), by = 2), ]
val <- bw[seq(2, nrow(bw), by = 2), ]
f <- lrm(low ~ rcs(age, 4) + rcs(lwt, 3) + race2 + race3 + smoke + ht + ui, data = dev,
         eps = 1e-12)
out$development <- list(rows = nrow(dev), terms = names(coef(f)), coef = fmt(coef(f)),
                        knots_age = fmt(f$Design$parms$age),
                        knots_lwt = fmt(f$Design$parms$lwt))

# 1. The frozen model applied to the validation half.
lp <- predict(f, newdata = val); p <- plogis(lp); y <- val$low
ci <- ci.auc(roc(y, p, quiet = TRUE, direction = "<", levels = c(0, 1)), method = "delong")
g1 <- glm(y ~ lp, family = binomial, control = ctl)
g0 <- glm(y ~ offset(lp), family = binomial, control = ctl)
vp <- val.prob(p, y, pl = FALSE)
z <- qnorm(0.975)
oe <- sum(y) / sum(p)
out$validation <- list(
  rows = nrow(val), events = sum(y), risk_first5 = fmt(p[1:5]),
  c = fmt(ci[2]), c_lower = fmt(ci[1]), c_upper = fmt(ci[3]),
  slope = fmt(coef(g1)[2]), slope_lower = fmt(coef(g1)[2] - z * sqrt(vcov(g1)[2, 2])),
  slope_upper = fmt(coef(g1)[2] + z * sqrt(vcov(g1)[2, 2])),
  recal_intercept = fmt(coef(g1)[1]),
  citl = fmt(coef(g0)[1]), citl_lower = fmt(coef(g0)[1] - z * sqrt(vcov(g0)[1, 1])),
  citl_upper = fmt(coef(g0)[1] + z * sqrt(vcov(g0)[1, 1])),
  oe = fmt(oe), oe_lower = fmt(oe * exp(-z / sqrt(sum(y)))),
  oe_upper = fmt(oe * exp(z / sqrt(sum(y)))),
  brier = fmt(mean((p - y)^2)),
  # rms's own validation of predicted probabilities: the same slope, intercept, C, Brier
  val_prob = list(intercept = fmt(vp["Intercept"]), slope = fmt(vp["Slope"]),
                  c = fmt(vp["C (ROC)"]), brier = fmt(vp["Brier"])))

# 2. Flexible calibration curve on the validation half: glm of y on an RCS (4 knots,
#    Harrell's placement on the validation linear predictor) and its Wald band.
grid <- seq(-2.5, 1, by = 0.5)
kn <- rcspline.eval(lp, nk = 4, knots.only = TRUE)
cal <- glm(y ~ rcspline.eval(lp, knots = kn, inclx = TRUE), family = binomial,
           control = ctl)
Xg <- cbind(1, rcspline.eval(grid, knots = kn, inclx = TRUE))
eta <- drop(Xg %*% coef(cal)); se <- sqrt(rowSums((Xg %*% vcov(cal)) * Xg))
out$calibration_curve <- list(grid_lp = fmt(grid), knots = fmt(kn),
                              observed = fmt(plogis(eta)),
                              lower = fmt(plogis(eta - z * se)),
                              upper = fmt(plogis(eta + z * se)))

# 3. By group (fairness): smokers and non-smokers of the validation half.
out$by_smoke <- lapply(split(seq_along(y), val$smoke), function(i) {
  ci <- ci.auc(roc(y[i], p[i], quiet = TRUE, direction = "<", levels = c(0, 1)),
               method = "delong")
  g <- glm(y[i] ~ offset(lp[i]), family = binomial, control = ctl)
  o <- sum(y[i]) / sum(p[i])
  list(n = length(i), events = sum(y[i]), c = fmt(ci[2]), c_lower = fmt(ci[1]),
       c_upper = fmt(ci[3]), citl = fmt(coef(g)[1]),
       citl_lower = fmt(coef(g)[1] - z * sqrt(vcov(g)[1, 1])),
       citl_upper = fmt(coef(g)[1] + z * sqrt(vcov(g)[1, 1])),
       oe = fmt(o), oe_lower = fmt(o * exp(-z / sqrt(sum(y[i])))),
       oe_upper = fmt(o * exp(z / sqrt(sum(y[i])))))
})
out$versions <- list(R = R.version.string, rms = as.character(packageVersion("rms")),
                     pROC = as.character(packageVersion("pROC")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/results/reference_external_validation.json")
