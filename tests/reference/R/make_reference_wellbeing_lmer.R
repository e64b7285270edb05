# Reference values for the wellbeing report's mixed model on one synthetic extract.
# Data: tests/reference/data/wellbeing_seed3003.csv, the report's measurements for
# generate_dataset(20000, 3003) (whole extract 2019-04-01 to 2025-03-31: every
# measurement of people with a baseline in the period; person renumbered 1..n, no
# identifiers). statsmodels' BFGS to a gradient of 1e-12 stopped on precision loss on
# this extract (the fit lifetools used to flag as not converged).
# Run from the repository root: Rscript tests/reference/R/make_reference_wellbeing_lmer.R
suppressPackageStartupMessages({library(lme4); library(jsonlite)})
d <- read.csv("tests/reference/data/wellbeing_seed3003.csv")
d$person <- factor(d$person)
out <- list()
for (reml in c(TRUE, FALSE)) {
  m <- lmer(swemwbs_metric ~ follow_up + (1 | person), data = d, REML = reml,
            control = lmerControl(optimizer = "bobyqa",
                                  optCtrl = list(rhobeg = 2e-3, rhoend = 1e-12)))
  out[[if (reml) "reml" else "ml"]] <- list(
    fixef = unname(fixef(m)), se = unname(sqrt(diag(as.matrix(vcov(m))))),
    person_variance = as.numeric(VarCorr(m)$person), residual_variance = sigma(m)^2,
    loglik = as.numeric(logLik(m)), singular = isSingular(m),
    n_obs = nrow(d), n_people = nlevels(d$person))
}
out$versions <- list(R = R.version.string, lme4 = as.character(packageVersion("lme4")))
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_wellbeing_lmer.json")
cat("wrote tests/reference/results/reference_wellbeing_lmer.json\n")
