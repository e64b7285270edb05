# Reference values for lifetools' logistic regression (fit_logistic) and the
# difference-in-differences and before/after rate ratios (estimate_did,
# compare_before_after), computed with R.
# Run from the repository root:  Rscript tests/reference/R/make_reference_logistic_did.R
# Produced with R 4.2.2, pROC 1.18.0, sandwich 3.0-2, geepack 1.3.9 (Debian bookworm
# packages r-base, r-cran-proc, r-cran-sandwich, r-cran-geepack). Reads
# tests/reference/data/birthwt.csv (MASS::birthwt, written by make_reference_prediction.R);
# writes tests/reference/data/did_panel.csv (a simulated before/after panel, R's
# Mersenne-Twister, seed 20261202) and tests/reference/results/reference_logistic_did.json.
suppressPackageStartupMessages({library(pROC); library(sandwich); library(geepack);
  library(jsonlite)})
out <- list()
fmt <- function(x) unname(as.list(signif(x, 15)))

# 1. Logistic regression on MASS::birthwt: glm(binomial), maximum likelihood to
#    epsilon 1e-14; Wald limits (confint.default); C-statistic (pROC, Mann-Whitney).
bw <- read.csv("tests/reference/data/birthwt.csv")
lg <- glm(low ~ age + lwt + race2 + race3 + smoke + ht + ui, family = binomial,
          data = bw, control = glm.control(epsilon = 1e-14, maxit = 100))
ci <- confint.default(lg)
out$birthwt_logistic <- list(terms = names(coef(lg)), coef = fmt(coef(lg)),
                             se = fmt(sqrt(diag(vcov(lg)))),
                             lower = fmt(ci[, 1]), upper = fmt(ci[, 2]),
                             c = signif(as.numeric(auc(roc(bw$low, fitted(lg),
                               direction = "<", levels = c(0, 1), quiet = TRUE))), 15))

# 2. A before/after panel of 600 people, 240 users, correlated within person (gamma
#    frailty, variance 0.5), person-time before 1 year, after between 0.2 and 1 year
#    (follow-up cut short), true ratio of rate ratios 0.7 and a per-person weight.
set.seed(20261202)
n <- 600
user <- rbinom(n, 1, 0.4)
frailty <- rgamma(n, shape = 2, rate = 2)
weight <- round(runif(n, 0.3, 3), 6)
pt_after <- round(runif(n, 0.2, 1), 6)
rate_before <- exp(-0.3 + 0.3 * user) * frailty
rate_after <- rate_before * 0.85 * 0.7^user
panel <- data.frame(person_id = rep(seq_len(n), each = 2), user = rep(user, each = 2),
                    after = rep(c(0L, 1L), n), weight = rep(weight, each = 2),
                    person_years = as.vector(rbind(1, pt_after)))
panel$admissions <- rpois(2 * n, as.vector(rbind(rate_before, rate_after * pt_after)))
write.csv(panel, "tests/reference/data/did_panel.csv", row.names = FALSE)

# 2a. Weighted DiD: Poisson GLM with prior weights (quasipoisson: the same estimates
#     without the non-integer warning; the sandwich does not depend on the dispersion),
#     errors clustered by person with the usual small-sample factor
#     G / (G - 1) x (N - 1) / (N - K) (vcovCL type "HC1", cadjust = TRUE).
wf <- glm(admissions ~ user * after + offset(log(person_years)), family = quasipoisson,
          weights = weight, data = panel,
          control = glm.control(epsilon = 1e-14, maxit = 100))
out$did_weighted <- list(terms = names(coef(wf)), coef = fmt(coef(wf)),
                         se = fmt(sqrt(diag(vcovCL(wf, cluster = ~person_id,
                                                   type = "HC1", cadjust = TRUE)))))

# 2a'. The same unweighted, as fit_poisson(cluster_col = "person_id"): Poisson GLM,
#      errors clustered by person (vcovCL, type "HC1", cadjust = TRUE).
pc <- glm(admissions ~ user * after + offset(log(person_years)), family = poisson,
          data = panel, control = glm.control(epsilon = 1e-14, maxit = 100))
out$poisson_cluster <- list(terms = names(coef(pc)), coef = fmt(coef(pc)),
                            se = fmt(sqrt(diag(vcovCL(pc, cluster = ~person_id,
                                                      type = "HC1", cadjust = TRUE)))))

# 2b. Matched (unweighted) DiD and the users' before/after ratio: Poisson GEE,
#     exchangeable working correlation within person, robust (sandwich) errors.
#     geepack's moment estimator of the correlation divides by the number of pairs and
#     of rows (sum r_ij r_ik / pairs) / (sum r^2 / N); lifetools' (statsmodels' GEE,
#     ddof_scale = number of coefficients p) by pairs - p and N - p, which is larger by
#     about a factor (N - p) / (N - 2p) here (0.3% with 600 people). "geepack": geepack's
#     own fit. "ddof_p": geepack with the correlation fixed (corstr = "fixed") at the
#     ddof-p moment estimator, iterated to the joint solution (correlation change below
#     1e-15): the same estimating equations as lifetools, solved and their sandwich
#     computed by geepack.
gee_fit <- function(formula, data, alpha = NULL) {
  ctl <- geese.control(epsilon = 1e-14, maxit = 100)
  if (is.null(alpha)) {
    return(geeglm(formula, id = person_id, family = poisson, corstr = "exchangeable",
                  data = data, control = ctl))
  }
  geeglm(formula, id = person_id, family = poisson, corstr = "fixed", data = data,
         zcor = rep(alpha, length(unique(data$person_id))), control = ctl)
}
moment_alpha <- function(fit, data, ddof) {
  r <- (data$admissions - fitted(fit)) / sqrt(fitted(fit))
  pairs <- length(unique(data$person_id))  # two rows (one pair) per person
  cross <- sum(tapply(r, data$person_id, function(v) (sum(v)^2 - sum(v^2)) / 2))
  (cross / (pairs - ddof)) / (sum(r^2) / (nrow(data) - ddof))
}
gee_both <- function(formula, data) {
  own <- gee_fit(formula, data)
  stopifnot(abs(moment_alpha(own, data, 0) - own$geese$alpha) < 1e-12)  # geepack: ddof 0
  alpha <- own$geese$alpha
  for (i in 1:100) {
    fit <- gee_fit(formula, data, alpha)
    new <- moment_alpha(fit, data, length(coef(fit)))
    if (abs(new - alpha) < 1e-15) break
    alpha <- new
  }
  fit <- gee_fit(formula, data, alpha)
  one <- function(g, a) list(terms = names(coef(g)), coef = fmt(coef(g)),
                             se = fmt(sqrt(diag(g$geese$vbeta))), alpha = signif(a, 15))
  list(geepack = one(own, own$geese$alpha), ddof_p = one(fit, alpha))
}
out$did_gee <- gee_both(admissions ~ user * after + offset(log(person_years)), panel)
users <- panel[panel$user == 1, ]
out$before_after_gee <- gee_both(admissions ~ after + offset(log(person_years)), users)
out$before_after_gee$ratio_of_totals <- signif(with(users,
  sum(admissions[after == 1]) / sum(person_years[after == 1]) /
    (sum(admissions[after == 0]) / sum(person_years[after == 0]))), 15)
out$versions <- list(R = R.version.string, pROC = as.character(packageVersion("pROC")),
                     sandwich = as.character(packageVersion("sandwich")),
                     geepack = as.character(packageVersion("geepack")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/results/reference_logistic_did.json")
