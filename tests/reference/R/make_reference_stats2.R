# Reference values for Fine-Gray, global Cox tests, weighted log-rank and mixed models.
# Run from the repository root:  Rscript tests/reference/R/make_reference_stats2.R
# Produced with R 4.2.2, survival 3.5-3, cmprsk 2.2-11, lme4 1.1-31.
# Writes tests/reference/data/mgus2_finegray.csv (survival's public mgus2 data: competing
# events, age, sex) and tests/reference/results/reference_stats2.json.
suppressPackageStartupMessages({
  library(survival); library(cmprsk); library(lme4); library(jsonlite)
})

# --- Fine-Gray on mgus2 (progression to plasma-cell malignancy; death competing) -----
# As in survival's "compete" vignette: event 1 = progression (pcm), 2 = death, 0 = censored.
d <- data.frame(id = mgus2$id,
                etime = with(mgus2, ifelse(pstat == 0, futime, ptime)),
                event = with(mgus2, ifelse(pstat == 0, 2 * death, 1)),
                age = mgus2$age, male = as.integer(mgus2$sex == "M"))
write.csv(d, "tests/reference/data/mgus2_finegray.csv", row.names = FALSE)
d$status <- factor(d$event, 0:2, labels = c("censor", "pcm", "death"))
fg <- finegray(Surv(etime, status) ~ ., data = d, etype = "pcm")
fit_efron <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male, weights = fgwt, data = fg)
fit_breslow <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male, weights = fgwt,
                     data = fg, ties = "breslow")
fit_robust <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male, weights = fgwt,
                    data = fg, cluster = id)
crr_fit <- crr(d$etime, d$event, cov1 = cbind(age = d$age, male = d$male),
               failcode = 1, cencode = 0)
finegray_ref <- list(
  rows = nrow(fg), weight_sum = sum(fg$fgwt), weight_stop_sum = sum(fg$fgwt * fg$fgstop),
  events = sum(fg$fgstatus), weight_min = min(fg$fgwt),
  # coxph with non-integer weights reports a robust variance that treats every row as
  # independent (vcov); the model-based variance is naive.var; cluster = id sums by person
  efron = list(coef = unname(coef(fit_efron)), se = unname(sqrt(diag(fit_efron$naive.var))),
               row_robust_se = unname(sqrt(diag(vcov(fit_efron))))),
  breslow = list(coef = unname(coef(fit_breslow)),
                 se = unname(sqrt(diag(fit_breslow$naive.var))),
                 row_robust_se = unname(sqrt(diag(vcov(fit_breslow))))),
  efron_robust_se = unname(sqrt(diag(vcov(fit_robust)))),
  crr = list(coef = unname(crr_fit$coef), se = unname(sqrt(diag(crr_fit$var)))))

# --- Global tests of a Cox fit on Rossi: summary(coxph) -------------------------------
rossi <- read.csv("tests/reference/data/rossi.csv")
global <- list()
for (ties in c("efron", "breslow")) {
  fit <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
               data = rossi, ties = ties)
  s <- summary(fit)
  # summary() rounds the Wald statistic to 2 decimals: the unrounded fit$wald.test is kept
  global[[ties]] <- list(
    likelihood_ratio = unname(s$logtest), score = unname(s$sctest),
    wald = c(unname(fit$wald.test), 7, pchisq(unname(fit$wald.test), 7, lower.tail = FALSE)),
    wald_summary_rounded = unname(s$waldtest))
}

# --- Weighted log-rank (Fleming-Harrington G^rho): survdiff(rho = ) -------------------
rossi$prio_group <- cut(rossi$prio, c(-1, 0, 3, Inf))
logrank <- list()
for (rho in c(0, 0.5, 1)) {
  key <- paste0("rho_", rho)
  logrank[[key]] <- list(
    fin = survdiff(Surv(week, arrest) ~ fin, data = rossi, rho = rho)$chisq,
    prio3 = survdiff(Surv(week, arrest) ~ prio_group, data = rossi, rho = rho)$chisq)
}

# --- sleepstudy: random intercept and random slope, REML and ML ----------------------
sleep <- read.csv("tests/reference/data/sleepstudy.csv")
sleep$Subject <- factor(sleep$Subject)
mixed <- list()
for (spec in list(list("slope_reml", TRUE, TRUE), list("slope_ml", TRUE, FALSE),
                  list("intercept_ml", FALSE, FALSE), list("intercept_reml", FALSE, TRUE))) {
  f <- if (spec[[2]]) Reaction ~ Days + (Days | Subject) else Reaction ~ Days + (1 | Subject)
  m <- lmer(f, data = sleep, REML = spec[[3]],
            control = lmerControl(optimizer = "bobyqa",
                                  optCtrl = list(rhobeg = 2e-3, rhoend = 1e-12)))
  vc <- as.matrix(VarCorr(m)$Subject)
  mixed[[spec[[1]]]] <- list(
    fixef = unname(fixef(m)), se = unname(sqrt(diag(as.matrix(vcov(m))))),
    re_cov = unname(as.vector(vc)), residual_variance = sigma(m)^2,
    loglik = as.numeric(logLik(m)))
}

out <- list(finegray = finegray_ref, global = global, weighted_logrank = logrank,
            mixed = mixed, versions = list(R = R.version.string,
                                           survival = as.character(packageVersion("survival")),
                                           cmprsk = as.character(packageVersion("cmprsk")),
                                           lme4 = as.character(packageVersion("lme4"))))
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_stats2.json")
cat("wrote tests/reference/results/reference_stats2.json\n")
