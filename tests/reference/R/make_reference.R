# Reference values for lifetools' statistics, computed with R.
# Run from the repository root:  Rscript tests/reference/R/make_reference.R
# Produced with R 4.2.2, survival 3.5-3, MASS 7.3-58, lme4 (Debian bookworm packages).
# Writes tests/reference/data/*.csv (datasets shipped with R packages) and
# tests/reference/results/reference.json (the expected values the tests compare with).
suppressPackageStartupMessages({library(survival); library(MASS); library(lme4)})
out <- list()
fmt <- function(x) unname(as.list(signif(x, 12)))

# 1. Rossi recidivism: Cox with Efron ties (data from lifelines' load_rossi()).
rossi <- read.csv("tests/reference/data/rossi.csv")
fit <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
             data = rossi, ties = "efron")
out$rossi_cox <- list(terms = names(coef(fit)), coef = fmt(coef(fit)),
                      se = fmt(sqrt(diag(vcov(fit)))), loglik = signif(fit$loglik[2], 12))
robust <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
                data = rossi, ties = "efron", robust = TRUE)
out$rossi_cox_robust_se <- fmt(sqrt(diag(vcov(robust))))
# Kaplan-Meier with log-log intervals at weeks 10, 20, 30, 40, 50.
km <- survfit(Surv(week, arrest) ~ 1, data = rossi, conf.type = "log-log")
s <- summary(km, times = c(10, 20, 30, 40, 50))
out$rossi_km <- list(times = s$time, surv = fmt(s$surv), lower = fmt(s$lower),
                     upper = fmt(s$upper), n_risk = s$n.risk)
lr <- survdiff(Surv(week, arrest) ~ fin, data = rossi)
out$rossi_logrank <- list(chisq = signif(lr$chisq, 12))

# 2. Stanford heart transplant: time-varying transplant (counting process).
heart <- read.csv("tests/reference/data/stanford_heart.csv")
tv <- coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, data = heart,
            ties = "efron")
out$heart_tv <- list(terms = names(coef(tv)), coef = fmt(coef(tv)),
                     se = fmt(sqrt(diag(vcov(tv)))))

# 3. Aalen-Johansen cumulative incidence: mgus2 (survival package), progression (PCM)
#    with death competing, months.
mgus2 <- survival::mgus2
etime <- with(mgus2, ifelse(pstat == 0, futime, ptime))
event <- with(mgus2, ifelse(pstat == 0, 2 * death, 1))
mg <- data.frame(etime = etime, event = event)
write.csv(mg, "tests/reference/data/mgus2_competing.csv", row.names = FALSE)
aj <- survfit(Surv(etime, factor(event)) ~ 1, data = mg)
sa <- summary(aj, times = c(60, 120, 240))
out$mgus2_cif <- list(times = sa$time, pcm = fmt(sa$pstate[, 2]), death = fmt(sa$pstate[, 3]),
                      pcm_se = fmt(sa$std.err[, 2]))

# 4. Negative binomial: quine school absence (MASS), Venables & Ripley 4th ed. 7.4.
write.csv(quine, "tests/reference/data/quine.csv", row.names = FALSE)
nb <- glm.nb(Days ~ Eth + Sex + Age + Lrn, data = quine)
out$quine_nb <- list(terms = names(coef(nb)), coef = fmt(coef(nb)),
                     se = fmt(sqrt(diag(vcov(nb)))), theta = signif(nb$theta, 12))

# 5. Poisson with exposure offset: Insurance claims (MASS).
ins <- within(Insurance, {District <- factor(District); Group <- factor(Group, ordered = FALSE); Age <- factor(Age, ordered = FALSE)})
write.csv(ins, "tests/reference/data/insurance.csv", row.names = FALSE)
po <- glm(Claims ~ District + Group + Age + offset(log(Holders)), family = poisson,
          data = ins)
out$insurance_poisson <- list(terms = names(coef(po)), coef = fmt(coef(po)),
                              se = fmt(sqrt(diag(vcov(po)))))

# 6. Linear mixed model: sleepstudy (lme4), random intercept, REML.
write.csv(sleepstudy, "tests/reference/data/sleepstudy.csv", row.names = FALSE)
mm <- lmer(Reaction ~ Days + (1 | Subject), data = sleepstudy, REML = TRUE)
vc <- as.data.frame(VarCorr(mm))
out$sleepstudy_lmer <- list(fixed = fmt(fixef(mm)), se = fmt(sqrt(diag(as.matrix(vcov(mm))))),
                            subject_var = signif(vc$vcov[1], 12),
                            residual_var = signif(vc$vcov[2], 12))

dir.create("tests/reference/results", showWarnings = FALSE)
write_json <- function(x, indent = "") {
  if (is.list(x) && !is.null(names(x))) {
    items <- mapply(function(k, v) paste0(indent, "  \"", k, "\": ", write_json(v, paste0(indent, "  "))),
                    names(x), x)
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.list(x)) x <- unlist(x)
  if (is.character(x)) vals <- paste0("\"", x, "\"") else vals <- format(x, digits = 12, scientific = FALSE, trim = TRUE)
  if (length(x) == 1) return(vals)
  paste0("[", paste(vals, collapse = ", "), "]")
}
writeLines(write_json(out), "tests/reference/results/reference.json")
cat("wrote tests/reference/results/reference.json\n")
