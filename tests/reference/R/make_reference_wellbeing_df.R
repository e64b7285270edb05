# Reference values for the degrees of freedom and intervals of the wellbeing report's
# mixed model: lmerTest's Satterthwaite degrees of freedom (on lme4's REML fit) and
# nlme's containment degrees of freedom (lme, REML), on the synthetic extract of
# make_reference_wellbeing_lmer.R (tests/reference/data/wellbeing_seed3003.csv: 473
# measurements of 323 people).
# Run from the repository root: Rscript tests/reference/R/make_reference_wellbeing_df.R
suppressPackageStartupMessages({library(lme4); library(lmerTest); library(nlme)
  library(jsonlite)})
d <- read.csv("tests/reference/data/wellbeing_seed3003.csv")
d$person <- factor(d$person)
m <- lmerTest::lmer(swemwbs_metric ~ follow_up + (1 | person), data = d, REML = TRUE,
                    control = lmerControl(optimizer = "bobyqa",
                                          optCtrl = list(rhobeg = 2e-3, rhoend = 1e-12)))
co <- summary(m, ddf = "Satterthwaite")$coefficients
ci <- rbind(contest(m, c(1, 0), joint = FALSE, confint = TRUE, level = 0.95),
            contest(m, c(0, 1), joint = FALSE, confint = TRUE, level = 0.95))
satterthwaite <- list(term = rownames(co), estimate = unname(co[, "Estimate"]),
                      se = unname(co[, "Std. Error"]), df = unname(co[, "df"]),
                      t = unname(co[, "t value"]), p_value = unname(co[, "Pr(>|t|)"]),
                      lower = ci$lower, upper = ci$upper)
ml <- lmerTest::lmer(swemwbs_metric ~ follow_up + (1 | person), data = d, REML = FALSE,
                     control = lmerControl(optimizer = "bobyqa",
                                           optCtrl = list(rhobeg = 2e-3, rhoend = 1e-12)))
co_ml <- summary(ml, ddf = "Satterthwaite")$coefficients
satterthwaite_ml <- list(term = rownames(co_ml), estimate = unname(co_ml[, "Estimate"]),
                         se = unname(co_ml[, "Std. Error"]), df = unname(co_ml[, "df"]))
wald <- confint(m, method = "Wald", level = 0.95)[c("(Intercept)", "follow_up"), ]
l <- lme(swemwbs_metric ~ follow_up, random = ~ 1 | person, data = d, method = "REML",
         control = lmeControl(tolerance = 1e-12, msTol = 1e-14, niterEM = 200))
tt <- summary(l)$tTable
iv <- intervals(l, which = "fixed", level = 0.95)$fixed
containment <- list(term = rownames(tt), estimate = unname(tt[, "Value"]),
                    se = unname(tt[, "Std.Error"]), df = unname(tt[, "DF"]),
                    p_value = unname(tt[, "p-value"]), lower = unname(iv[, "lower"]),
                    upper = unname(iv[, "upper"]),
                    person_variance = as.numeric(getVarCov(l)[1, 1]),
                    residual_variance = l$sigma^2)
out <- list(satterthwaite = satterthwaite, satterthwaite_ml = satterthwaite_ml,
            wald = list(lower = unname(wald[, 1]), upper = unname(wald[, 2])),
            containment = containment,
            person_variance = as.numeric(VarCorr(m)$person), residual_variance = sigma(m)^2,
            n_obs = nrow(d), n_people = nlevels(d$person), n_fixed = length(fixef(m)),
            versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                            lmerTest = as.character(packageVersion("lmerTest")),
                            nlme = as.character(packageVersion("nlme"))))
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/results/reference_wellbeing_df.json")
cat("wrote tests/reference/results/reference_wellbeing_df.json\n")
