# Reference values for the mixed model's fixed-effect standard errors, Satterthwaite
# degrees of freedom and t intervals on UNBALANCED data: lme4's sleepstudy
# (tests/reference/data/sleepstudy.csv) with subjects 308 and 309 cut after day 5
# (Days <= 5 kept for them: 172 measurements of 18 subjects). On the balanced data
# every standard error agrees whichever way it is computed; here lme4's
# sqrt(diag((X'V^-1X)^-1)) differs from an inverse of the joint Hessian in fixed
# effects and variance parameters (statsmodels' bse_fe) by 1.3e-4 relative.
# Random intercept (REML, ML) and random slope (REML) models, lmerTest's
# summary(ddf = "Satterthwaite") and contest(confint = TRUE).
# Run from the repository root:
#   Rscript tests/reference/R/make_reference_sleepstudy_unbalanced.R
suppressPackageStartupMessages({library(lme4); library(lmerTest); library(jsonlite)})
sleep <- read.csv("tests/reference/data/sleepstudy.csv")
d <- sleep[!(sleep$Subject %in% c(308, 309) & sleep$Days > 5), ]
d$Subject <- factor(d$Subject)
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 2e-3, rhoend = 1e-12))
case <- function(formula, reml) {
  m <- lmerTest::lmer(formula, data = d, REML = reml, control = ctrl)
  co <- summary(m, ddf = "Satterthwaite")$coefficients
  ci <- rbind(contest(m, c(1, 0), joint = FALSE, confint = TRUE, level = 0.95),
              contest(m, c(0, 1), joint = FALSE, confint = TRUE, level = 0.95))
  vc <- as.matrix(VarCorr(m)$Subject)
  list(term = rownames(co), estimate = unname(co[, "Estimate"]),
       se = unname(co[, "Std. Error"]), df = unname(co[, "df"]),
       t = unname(co[, "t value"]), p_value = unname(co[, "Pr(>|t|)"]),
       lower = ci$lower, upper = ci$upper,
       re_cov = unname(as.vector(vc)), residual_variance = sigma(m)^2,
       loglik = as.numeric(logLik(m)))
}
out <- list(intercept_reml = case(Reaction ~ Days + (1 | Subject), TRUE),
            intercept_ml = case(Reaction ~ Days + (1 | Subject), FALSE),
            slope_reml = case(Reaction ~ Days + (Days | Subject), TRUE),
            slope_ml = case(Reaction ~ Days + (Days | Subject), FALSE),
            n_obs = nrow(d), n_subjects = nlevels(d$Subject),
            cut = list(subjects = c(308, 309), last_day = 5),
            versions = list(R = R.version.string,
                            lme4 = as.character(packageVersion("lme4")),
                            lmerTest = as.character(packageVersion("lmerTest"))))
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_sleepstudy_unbalanced.json")
cat("wrote tests/reference/results/reference_sleepstudy_unbalanced.json\n")
