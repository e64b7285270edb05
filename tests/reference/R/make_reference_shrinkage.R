# Reference values for the heuristic shrinkage of lifetools.prediction.fit_prediction_model
# (van Houwelingen and Le Cessie 1990; Copas 1983): factor (LR - df) / LR, with LR the
# model likelihood-ratio chi-square and df its degrees of freedom, read from rms::lrm's
# stats; the slopes multiplied by the factor; the intercept re-estimated with the
# shrunken linear predictor as an offset (Steyerberg, Clinical Prediction Models, 2nd
# ed., ch. 13).
# Run from the repository root:  Rscript tests/reference/R/make_reference_shrinkage.R
# Produced with R 4.2.2, rms 6.5-0 (Debian bookworm r-cran-rms).
# Data: MASS::birthwt as written by make_reference_prediction.R
# (tests/reference/data/birthwt.csv), the same model as that script's lrm. lrm is run
# with its convergence criterion tightened (eps = 1e-12: change in -2 log likelihood)
# so that "Model L.R." is exact to about 1e-12; the default (0.025) stops earlier.
suppressPackageStartupMessages({library(rms); library(jsonlite)})
bw <- read.csv("tests/reference/data/birthwt.csv")
f <- lrm(low ~ rcs(age, 4) + rcs(lwt, 3) + race2 + race3 + smoke + ht + ui, data = bw,
         x = TRUE, y = TRUE, eps = 1e-12, maxit = 100)
lr <- unname(f$stats["Model L.R."]); df <- unname(f$stats["d.f."])
factor <- (lr - df) / lr
slopes <- factor * coef(f)[-1]
offset_lp <- drop(f$x %*% slopes)
g <- glm(bw$low ~ offset(offset_lp), family = binomial,
         control = glm.control(epsilon = 1e-14, maxit = 100))
# the same model fitted with glm, as a check of lrm's LR to full precision
g_full <- glm(low ~ f$x, data = bw, family = binomial,
              control = glm.control(epsilon = 1e-14, maxit = 100))
stopifnot(abs(g_full$null.deviance - g_full$deviance - lr) < 1e-8)
out <- list(R = R.version.string, rms = as.character(packageVersion("rms")),
            terms = names(coef(f)), lr = lr, df = df, factor = factor,
            glm_lr = g_full$null.deviance - g_full$deviance,
            coef_ml = unname(coef(f)), slopes = unname(slopes),
            intercept = unname(coef(g)[1]))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_shrinkage.json")
