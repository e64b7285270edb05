# Reference values for the location-shifted interval and the .632+ estimate of C
# (lifetools.prediction.BootstrapValidation.interval, bootstrap_validation(plus632 = TRUE)).
# Run from the repository root:  Rscript tests/reference/R/make_reference_predboot.R
# Produced with R 4.2.2, rms 6.5-0, pROC 1.18.0 (Debian bookworm packages).
#
# The computation follows Noma's R package predboot (github.com/nomahi/predboot,
# R/pred.ML.r, function pred.ML; the package is not on CRAN and not installed here):
# in each bootstrap sample, glm on the sample, C (pROC) of its predictions on the sample
# (AUC.b), on the original data (AUC.o) and on the people not drawn (AUC.t); Harrell's
# corrected C = apparent - mean(AUC.b - AUC.o); .632+ from the mean AUC.t; the
# location-shifted interval = quantile(AUC.b, c(0.025, 0.975)) + (estimate - apparent).
# pred.ML draws its own samples; here the 40 samples of make_reference_prediction.R
# (rms::validate's, 1-based) are used instead, so that lifetools repeats them. Knots
# are fixed at the original data's positions (as lifetools and rms::validate do).
# Data: tests/reference/data/birthwt.csv. Writes tests/reference/results/reference_predboot.json.
suppressPackageStartupMessages({library(rms); library(pROC); library(jsonlite)})
fmt <- function(x) unname(signif(as.numeric(x), 12))
bw <- read.csv("tests/reference/data/birthwt.csv")
ref <- fromJSON("tests/reference/results/reference_prediction.json", simplifyVector = FALSE)
samples <- lapply(ref$validate$samples, unlist)
knots_age <- unlist(ref$lrm$knots_age)
knots_lwt <- unlist(ref$lrm$knots_lwt)
model <- low ~ rcs(age, knots_age) + rcs(lwt, knots_lwt) + race2 + race3 + smoke + ht + ui
auc <- function(y, p) as.numeric(roc(y, p, levels = c(0, 1), direction = "<", quiet = TRUE)$auc)
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

full <- glm(model, data = bw, family = binomial, control = ctl)
apparent <- auc(bw$low, fitted(full))
res <- t(sapply(samples, function(s) {
  train <- bw[s, ]
  test <- bw[-s, ]
  g <- glm(model, data = train, family = binomial, control = ctl)
  c(b = auc(train$low, fitted(g)),
    o = auc(bw$low, predict(g, newdata = bw, type = "response")),
    t = auc(test$low, predict(g, newdata = test, type = "response")))
}))
harrell <- apparent - mean(res[, "b"] - res[, "o"])
oob <- mean(res[, "t"])
rate <- if (oob <= 0.5) 1 else if (apparent > oob) (apparent - oob) / (apparent - 0.5) else 0
w <- 0.632 / (1 - 0.368 * rate)
plus <- (1 - w) * apparent + w * max(oob, 0.5)
ci <- quantile(res[, "b"], c(0.025, 0.975))  # type 7, as pred.ML
out <- list(apparent = fmt(apparent), harrell = fmt(harrell), oob = fmt(oob),
            plus632 = fmt(plus), harrell_lsci = fmt(ci + harrell - apparent),
            plus632_lsci = fmt(ci + plus - apparent), training = fmt(res[, "b"]))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_predboot.json")
cat(sprintf("R %s, rms %s, pROC %s\n", getRversion(), packageVersion("rms"),
            packageVersion("pROC")))
