# Reference predicted cumulative incidence with its confidence interval from a Fine-Gray
# model (lifetools.prediction.cif_interval), on a public data set with no tie between an
# event time and a censoring time: MASS's Melanoma (Andersen et al. 1993; 205 patients,
# days; status 1 died of melanoma = event of interest, 3 died of other causes =
# competing, 2 alive = censored).
# Run from the repository root: Rscript tests/reference/R/make_reference_fine_gray_cif_interval.R
# Produced with R 4.2.2, survival 3.5-3, cmprsk 2.2-11, MASS 7.3-58.
# 1. cmprsk::crr (gtol 1e-12) and predict.crr: coefficients and point cumulative incidence.
# 2. survival::finegray + coxph(ties = "breslow", weights = fgwt, cluster = id) +
#    survfit(newdata, conf.type = "log-log"): the point cumulative incidence, the
#    standard error of 1 - incidence (summary.survfit std.err; coefficient part from the
#    robust covariance, baseline part model-based: R's survfit.coxph) and the limits;
#    and the same without cluster (model-based covariance).
suppressMessages({library(survival); library(cmprsk); library(MASS); library(jsonlite)})
path <- "tests/reference/data/melanoma_competing.csv"
m <- MASS::Melanoma
d <- data.frame(id = seq_len(nrow(m)), time = m$time,
                event = c(1L, 0L, 2L)[m$status], age = m$age, sex = m$sex,
                thickness = m$thickness, ulcer = m$ulcer)
write.csv(d, path, row.names = FALSE)
stopifnot(length(intersect(d$time[d$event == 0], d$time[d$event != 0])) == 0)
covs <- c("age", "sex", "thickness", "ulcer")
fit <- crr(d$time, d$event, cov1 = as.matrix(d[covs]), failcode = 1, cencode = 0,
           gtol = 1e-12, maxiter = 100)
new <- data.frame(age = c(40, 55, 70), sex = c(0, 1, 1), thickness = c(1, 3, 6),
                  ulcer = c(0, 0, 1))
horizons <- c(1000, 2000, 3000)
pred <- predict(fit, cov1 = as.matrix(new))   # column 1: event times; then one per person
crr_cif <- sapply(horizons, function(h) pred[max(which(pred[, 1] <= h)), -1])
d$status <- factor(d$event, 0:2, labels = c("censor", "melanoma", "other"))
fg <- finegray(Surv(time, status) ~ ., data = d, etype = "melanoma")
interval <- function(cluster) {
  f <- if (cluster) {
    coxph(Surv(fgstart, fgstop, fgstatus) ~ age + sex + thickness + ulcer,
          weights = fgwt, data = fg, ties = "breslow", cluster = id)
  } else {
    coxph(Surv(fgstart, fgstop, fgstatus) ~ age + sex + thickness + ulcer,
          weights = fgwt, data = fg, ties = "breslow")
  }
  sf <- survfit(f, newdata = new, conf.type = "log-log")
  s <- summary(sf, times = horizons)
  list(coef = unname(coef(f)), se = unname(sqrt(diag(vcov(f)))),
       cif = unname(t(1 - s$surv)), se_surv = unname(t(s$std.err)),
       ci_lower = unname(t(1 - s$upper)), ci_upper = unname(t(1 - s$lower)))
}
out <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
            cmprsk = as.character(packageVersion("cmprsk")), converged = fit$converged,
            crr_coef = unname(fit$coef), new = new, horizons = horizons,
            crr_cif = unname(crr_cif),  # rows: new people; columns: horizons
            robust = interval(TRUE), model_based = interval(FALSE))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_fine_gray_cif_interval.json")
