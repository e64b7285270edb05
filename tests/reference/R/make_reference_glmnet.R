# Reference values for lifetools.prediction.lasso from glmnet (Debian's r-cran-glmnet).
# glmnet's lasso logistic objective with standardize = TRUE is
#   -LL(b) / n + lambda * sum_j s_j |b_j|   (s_j: SD of design column j, divisor n),
# lifetools' fit_lasso (penalty = glmnet's lambda). glmnet stops early by default: its
# path stops when the deviance changes by less than fdev, its Newton loop at epsnr = 1e-6
# and its coordinate descent at thresh = 1e-7. They are tightened here (fdev = 0,
# epsnr = 1e-14, thresh = 1e-20) so glmnet's coefficients meet the lasso's optimality
# (Karush-Kuhn-Tucker) conditions to about 1e-10; the maximum violation is stored.
# Writes:
# - coefficients at lambda 0.02 and 0.005;
# - the default penalty path (nlambda = 14, lambda.min.ratio = 1e-3, lifetools'
#   LASSO_RATIOS) and the coefficients along it;
# - cv.glmnet's out-of-fold binomial deviance per lambda and lambda.min on that path,
#   with the fold of each row read from tests/reference/data/birthwt_foldid.csv, which
#   holds lifetools.prediction.penalised.cv_folds(birthwt, 10, 20261130) + 1 (written by
#   Python: the test checks cv_folds still gives these folds). cv.glmnet clips predicted
#   risks to [1e-5, 1 - 1e-5]; the smallest and largest out-of-fold risks are stored to
#   show the clipping did not act.
# The same for a fixed synthetic data set (key "synthetic"): 600 people, 12 columns (a
# correlated pair, a binary, a skewed column, 6 pure-noise columns; outcome from a known
# logistic model), tests/reference/data/lasso_synthetic.csv, its folds in
# lasso_synthetic_foldid.csv; both written by Python (the generator is in
# tests/reference/test_glmnet_against_r.py, `synthetic_data`, which the test checks).
# Run from the repository root: Rscript tests/reference/R/make_reference_glmnet.R
# Data: tests/reference/data/birthwt.csv (written by make_reference_prediction.R).
suppressMessages({library(rms); library(glmnet); library(jsonlite)})
glmnet.control(fdev = 0, devmax = 1, epsnr = 1e-14, mxitnr = 1000)
d <- read.csv("tests/reference/data/birthwt.csv")
X <- model.matrix(~ rcs(age, 4) + rcs(lwt, 3) + race2 + race3 + smoke + ht + ui, data = d)[, -1]
y <- d$low
foldid <- read.csv("tests/reference/data/birthwt_foldid.csv")$foldid
tight <- list(family = "binomial", standardize = TRUE, thresh = 1e-20, maxit = 1e7)

kkt <- function(X, y, b, lambda) {  # largest violation of the optimality conditions
  s <- sqrt(colMeans(sweep(X, 2, colMeans(X))^2))
  D <- cbind(1, X)
  grad <- drop(crossprod(D, y - plogis(drop(D %*% b)))) / nrow(X)
  w <- c(0, lambda * s)
  active <- c(TRUE, b[-1] != 0)
  max(c(abs(grad[active] - (w * sign(b))[active]), pmax(abs(grad[!active]) - w[!active], 0)))
}

reference <- function(X, y, foldid, fixed_lambdas) {
  res <- list(columns = colnames(X))
  fixed <- do.call(glmnet, c(list(x = X, y = y, lambda = fixed_lambdas), tight))
  for (i in seq_along(fixed_lambdas)) {
    b <- unname(as.matrix(coef(fixed))[, i])
    res[[paste0("lambda_", fixed$lambda[i])]] <- list(coef = b, kkt = kkt(X, y, b, fixed$lambda[i]))
  }
  path <- do.call(glmnet, c(list(x = X, y = y, nlambda = 14, lambda.min.ratio = 1e-3), tight))
  coefs <- unname(as.matrix(coef(path)))
  res$path <- list(lambda = path$lambda,
                   coef = lapply(seq_along(path$lambda), function(i) coefs[, i]),
                   kkt = max(sapply(seq_along(path$lambda),
                                    function(i) kkt(X, y, coefs[, i], path$lambda[i]))))
  cv <- do.call(cv.glmnet, c(list(x = X, y = y, lambda = path$lambda, foldid = foldid,
                                  type.measure = "deviance", keep = TRUE), tight))
  risk <- plogis(cv$fit.preval)
  res$cv <- list(foldid = foldid, lambda = cv$lambda, cvm = cv$cvm, lambda_min = cv$lambda.min,
                 min_risk = min(risk), max_risk = max(risk))
  res
}

out <- c(list(R = R.version.string, glmnet = as.character(packageVersion("glmnet"))),
         reference(X, y, foldid, c(0.02, 0.005)))
syn <- read.csv("tests/reference/data/lasso_synthetic.csv")
out$synthetic <- reference(as.matrix(syn[, -1]), syn$y,
                           read.csv("tests/reference/data/lasso_synthetic_foldid.csv")$foldid,
                           c(0.05, 0.01))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_glmnet.json")
