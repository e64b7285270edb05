# Reference values for the person-level bootstrap of a Fine-Gray model
# (lifetools.survival.finegray_bootstrap), on survival's public mgus2 data as written by
# make_reference_stats2.R (tests/reference/data/mgus2_finegray.csv: 1,384 people,
# event 1 = progression to plasma-cell malignancy, 2 = death (competing), 0 = censored;
# months).
# Run from the repository root: Rscript tests/reference/R/make_reference_fine_gray_bootstrap.R
# Produced with R 4.2.2, survival 3.5-3, cmprsk 2.2-11 (about 3 min of CPU).
# 1. cmprsk::crr: coefficients and standard errors. crr's variance (Fine and Gray 1999)
#    carries the estimation of the censoring weights.
# 2. finegray + coxph(ties = "breslow", weights = fgwt, cluster = id): the robust
#    standard errors that take the weights as known.
# 3. A person-level bootstrap of crr in R (resample people, refit crr, which
#    re-estimates the censoring distribution in every sample; predict.crr at the stated
#    months for two profiles): the bootstrap standard deviations of the coefficients and
#    of the predicted cumulative incidences, and their Monte Carlo standard errors
#    (se / sqrt(2 (B - 1)), normal approximation). Seed 20261202, B = 2000.
suppressMessages({library(survival); library(cmprsk); library(jsonlite)})
d <- read.csv("tests/reference/data/mgus2_finegray.csv")
covs <- function(x) cbind(age = x$age, male = x$male)
new <- data.frame(age = c(60, 75), male = c(0, 1))
months <- c(60, 120, 240)
cif_at <- function(f) {
  pred <- predict(f, cov1 = as.matrix(new))   # column 1: event times; then one per profile
  t(sapply(months, function(h) pred[max(which(pred[, 1] <= h)), -1]))  # months x profiles
}
fit <- crr(d$etime, d$event, cov1 = covs(d), failcode = 1, cencode = 0, gtol = 1e-12,
           maxiter = 100)
d$status <- factor(d$event, 0:2, labels = c("censor", "pcm", "death"))
fg <- finegray(Surv(etime, status) ~ ., data = d, etype = "pcm")
robust <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male, weights = fgwt, data = fg,
                ties = "breslow", cluster = id)
set.seed(20261202)
B <- 2000
boot <- t(replicate(B, {
  b <- d[sample.int(nrow(d), replace = TRUE), ]
  f <- crr(b$etime, b$event, cov1 = covs(b), failcode = 1, cencode = 0, gtol = 1e-12,
           maxiter = 100)
  c(f$coef, as.vector(cif_at(f)))   # cif column-major: profile 1 at each month, then 2
}))
boot_se <- apply(boot, 2, sd)
out <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
            cmprsk = as.character(packageVersion("cmprsk")), converged = fit$converged,
            crr_coef = unname(fit$coef), crr_se = unname(sqrt(diag(fit$var))),
            coxph_robust_se = unname(sqrt(diag(vcov(robust)))),
            new = new, months = months, crr_cif = unname(cif_at(fit)),
            boot_replicates = B, boot_seed = 20261202,
            boot_coef_se = unname(boot_se[1:2]),
            boot_cif_se = unname(matrix(boot_se[-(1:2)], nrow = length(months))),
            boot_mc_relative_se = 1 / sqrt(2 * (B - 1)))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_fine_gray_bootstrap.json")
