# Reference values for the two-stage bootstrap interval of the optimism-corrected indexes
# (lifetools.prediction.intervals.two_stage_interval).
# Run from the repository root:  Rscript tests/reference/R/make_reference_two_stage.R
# Produced with R 4.2.2 (Debian bookworm r-base-core, r-cran-jsonlite); base R only.
#
# Noma et al. (2021, Stat Med 40:5691), two-stage bootstrap: draw an outer sample of
# people; in it, Harrell's optimism correction with inner samples drawn from the outer
# sample (model refitted in each inner sample, its indexes in the inner sample minus
# those in the outer sample); the interval is quantile(type 7) of the corrected indexes
# over the outer samples. Model: maximum-likelihood glm, linear terms (no splines, so
# no knots to place), on tests/reference/data/birthwt.csv. Indexes: C (Mann-Whitney,
# ties one half), calibration slope and recalibration intercept (glm(y ~ lp)),
# calibration-in-the-large (glm(y ~ offset(lp))), Brier score. Samples drawn here with
# set.seed(2021) and written (1-based) to the JSON, so that lifetools repeats them. An
# outer sample in which any fit separates (glm's warning "fitted probabilities
# numerically 0 or 1": the maximum-likelihood estimate does not exist) is drawn again:
# lifetools drops a sample whose fit fails, R would carry on with a diverging estimate,
# so only samples where both programs have a maximum-likelihood fit are compared.
# Writes tests/reference/results/reference_two_stage.json.
suppressPackageStartupMessages(library(jsonlite))
fmt <- function(x) unname(signif(as.numeric(x), 12))
bw <- read.csv("tests/reference/data/birthwt.csv")
model <- low ~ age + lwt + race2 + race3 + smoke + ht + ui
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
indexes <- function(y, lp) {
  m <- sum(y); n <- length(y)
  c <- (sum(rank(lp)[y == 1]) - m * (m + 1) / 2) / (m * (n - m))
  recal <- coef(glm(y ~ lp, family = binomial, control = ctl))
  citl <- coef(glm(y ~ 1 + offset(lp), family = binomial, control = ctl))[1]
  brier <- mean((plogis(lp) - y)^2)
  c(c = c, slope = recal[2], recalibration_intercept = recal[1], citl = citl,
    brier = brier)
}
corrected <- function(data, inner) {
  fit <- glm(model, data = data, family = binomial, control = ctl)
  apparent <- indexes(data$low, predict(fit, newdata = data))
  optimism <- sapply(inner, function(s) {
    g <- glm(model, data = data[s, ], family = binomial, control = ctl)
    indexes(data$low[s], predict(g, newdata = data[s, ])) -
      indexes(data$low, predict(g, newdata = data))
  })
  apparent - rowMeans(optimism)
}
set.seed(2021)
n <- nrow(bw); n_outer <- 40; n_inner <- 8
separates <- function(s) {
  flag <- FALSE
  withCallingHandlers(corrected(bw[s$outer, ], s$inner), warning = function(w) {
    flag <<- TRUE
    invokeRestart("muffleWarning")
  })
  flag
}
samples <- list()
redrawn <- 0
while (length(samples) < n_outer) {
  outer <- sample.int(n, n, replace = TRUE)
  s <- list(outer = outer, inner = lapply(seq_len(n_inner), function(i)
    sample.int(n, n, replace = TRUE)))
  if (separates(s)) redrawn <- redrawn + 1 else samples[[length(samples) + 1]] <- s
}
values <- t(sapply(samples, function(s) corrected(bw[s$outer, ], s$inner)))
colnames(values) <- c("c", "slope", "recalibration_intercept", "citl", "brier")
limits <- apply(values, 2, quantile, probs = c(0.025, 0.975), type = 7)
out <- list(samples = samples, corrected = lapply(seq_len(ncol(values)),
                                                   function(j) fmt(values[, j])),
            names = colnames(values),
            ci_lower = fmt(limits[1, ]), ci_upper = fmt(limits[2, ]))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE),
           "tests/reference/results/reference_two_stage.json")
cat(sprintf("R %s, jsonlite %s; %d outer samples drawn again\n", getRversion(),
            packageVersion("jsonlite"), redrawn))
