# Reference values for Rubin's rules with Barnard and Rubin's (1999) degrees of freedom:
# mice::pool and mice::pool.scalar on fixed completed data sets.
# Data: mice's `nhanes` (25 people: age group 1-3, bmi, hyp 1/2, chl; 27 values
# missing), imputed m = 5 times by predictive mean matching with seed 20261202; the
# completed data sets are written to tests/reference/data/nhanes_mice_m5.csv (column
# .imp = 1..5), so the Python test fits the same models to the same numbers without R.
# Run from the repository root: Rscript tests/reference/R/make_reference_mice_pool.R
suppressPackageStartupMessages({library(mice); library(jsonlite)})
imp <- mice(nhanes, m = 5, seed = 20261202, printFlag = FALSE)
long <- complete(imp, "long")
write.csv(long[, c(".imp", ".id", "age", "bmi", "hyp", "chl")],
          "tests/reference/data/nhanes_mice_m5.csv", row.names = FALSE)
# re-read the CSV (15 significant digits) so that R pools exactly what Python reads
long <- read.csv("tests/reference/data/nhanes_mice_m5.csv", check.names = FALSE)
sets <- split(long, long$.imp)
pooled <- function(fits, dfcom = NULL) {
  p <- pool(as.mira(fits), dfcom = dfcom)
  s <- summary(p, conf.int = TRUE, conf.level = 0.95)
  list(term = as.character(p$pooled$term), estimate = p$pooled$estimate,
       ubar = p$pooled$ubar, b = p$pooled$b, t = p$pooled$t, dfcom = p$pooled$dfcom,
       df = p$pooled$df, riv = p$pooled$riv, lambda = p$pooled$lambda,
       fmi = p$pooled$fmi, std_error = s$std.error, statistic = s$statistic,
       p_value = s$p.value, conf_low = s[["2.5 %"]], conf_high = s[["97.5 %"]],
       fit_estimates = unname(lapply(fits, function(f) unname(coef(f)))),
       fit_variances = unname(lapply(fits, function(f) unname(diag(vcov(f))))))
}
ols <- lapply(sets, function(d) lm(chl ~ age + bmi, data = d))
logit <- lapply(sets, function(d) glm(I(hyp - 1) ~ bmi + chl, family = binomial, data = d,
                                      control = glm.control(epsilon = 1e-14, maxit = 100)))
# pool.scalar: the mean bmi, with n = 25 (k = 1) and with n = Inf (Rubin's 1987 df)
q <- sapply(sets, function(d) mean(d$bmi))
u <- sapply(sets, function(d) var(d$bmi) / nrow(d))
scalar <- function(n) {
  s <- pool.scalar(q, u, n = n, k = 1)
  list(qbar = s$qbar, ubar = s$ubar, b = s$b, t = s$t, df = s$df, r = s$r,
       fmi = s$fmi, n = if (is.finite(n)) n else "Inf")
}
out <- list(ols = pooled(ols), ols_large_sample = pooled(ols, dfcom = Inf),
            logit = pooled(logit), scalar_n25 = scalar(25), scalar_inf = scalar(Inf),
            q = unname(q), u = unname(u), m = imp$m, n = nrow(nhanes),
            versions = list(R = R.version.string,
                            mice = as.character(packageVersion("mice"))))
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_mice_pool.json")
cat("wrote tests/reference/results/reference_mice_pool.json\n")
