# Reference cumulative incidence from a Fine-Gray model (lifetools.prediction.time_to_event).
# Run from the repository root: Rscript tests/reference/R/make_reference_fine_gray_risk.R
# Data: tests/reference/data/mgus2_finegray.csv (written by make_reference_stats2.R from
# survival's mgus2: event 1 progression, 2 death competing, 0 censored; months).
suppressMessages({library(survival); library(jsonlite)})
d <- read.csv("tests/reference/data/mgus2_finegray.csv")
d$status <- factor(d$event, 0:2, labels = c("censor", "pcm", "death"))
fg <- finegray(Surv(etime, status) ~ ., data = d, etype = "pcm")
fit <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male, weights = fgwt, data = fg,
             ties = "breslow")
new <- data.frame(age = c(60, 70, 80), male = c(0, 1, 1))
sf <- survfit(fit, newdata = new)
horizons <- c(60, 120, 240)
cif <- sapply(horizons, function(h) 1 - summary(sf, times = h)$surv)
out <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
            coef = unname(coef(fit)), new = new, horizons = horizons,
            cif = unname(cif))  # rows: new people; columns: horizons
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_fine_gray_risk.json")
