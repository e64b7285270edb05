# Reference Fine-Gray fit from cmprsk::crr, the original implementation of Fine and Gray
# (1999), for lifetools.prediction.time_to_event (the crisis-risk report's Fine-Gray model).
# Run from the repository root: Rscript tests/reference/R/make_reference_fine_gray_crr.R
# Produced with R 4.2.2, cmprsk 2.2-11, survival 3.5-3.
# Data: 400 synthetic people with no tied times (crr and finegray + coxph treat tied
# event and censoring times differently; without ties both give the same estimator).
# Written once to tests/reference/data/fine_gray_noties.csv and committed; the script
# reads that file, so rerunning it reproduces the JSON exactly.
suppressMessages({library(survival); library(cmprsk); library(jsonlite)})
path <- "tests/reference/data/fine_gray_noties.csv"
if (!file.exists(path)) {
  set.seed(20261201)
  n <- 400
  age <- round(rnorm(n, 50, 10), 1)
  male <- rbinom(n, 1, 0.5)
  t1 <- rexp(n, 0.05 * exp(0.03 * (age - 50) + 0.4 * male))  # event of interest
  t2 <- rexp(n, 0.04)                                         # competing event
  cens <- runif(n, 0, 40)
  etime <- round(pmin(t1, t2, cens), 6)
  event <- ifelse(cens <= pmin(t1, t2), 0, ifelse(t1 < t2, 1, 2))
  stopifnot(!any(duplicated(etime)))
  write.csv(data.frame(etime, event, age, male), path, row.names = FALSE)
}
d <- read.csv(path)
stopifnot(!any(duplicated(d$etime)))
fit <- crr(d$etime, d$event, cov1 = cbind(age = d$age, male = d$male), failcode = 1,
           cencode = 0, gtol = 1e-12, maxiter = 100)
new <- data.frame(age = c(40, 50, 65), male = c(0, 1, 1))
horizons <- c(5, 10, 20)
pred <- predict(fit, cov1 = as.matrix(new))   # column 1: event times; then one per person
cif <- sapply(horizons, function(h) pred[max(which(pred[, 1] <= h)), -1])
out <- list(R = R.version.string, cmprsk = as.character(packageVersion("cmprsk")),
            converged = fit$converged, coef = unname(fit$coef),
            se = unname(sqrt(diag(fit$var))), new = new, horizons = horizons,
            cif = unname(cif))  # rows: new people; columns: horizons
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_fine_gray_crr.json")
