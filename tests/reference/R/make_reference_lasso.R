# Reference values for lifetools.prediction.lasso without glmnet (written before glmnet was
# installed; glmnet itself: make_reference_glmnet.R): the
# lasso logistic objective of glmnet (standardize = TRUE),
#   -LL(b) / n + lambda * sum_j s_j |b_j|   (s_j: SD of design column j, divisor n),
# minimised by base R's optim (L-BFGS-B on b = u - v, u, v >= 0), then polished by
# Newton's method on the support L-BFGS-B found (the objective is smooth there), and
# checked by the Karush-Kuhn-Tucker conditions. Then Harrell's bootstrap of the lasso at a
# fixed lambda with 40 samples drawn here (rows exported), as rms::validate computes its
# indexes (C, slope, intercept, calibration-in-the-large, Brier) on the stored design.
# Run from the repository root: Rscript tests/reference/R/make_reference_lasso.R
# Data: tests/reference/data/birthwt.csv (written by make_reference_prediction.R).
suppressMessages({library(rms); library(jsonlite)})
d <- read.csv("tests/reference/data/birthwt.csv")
X <- model.matrix(~ rcs(age, 4) + rcs(lwt, 3) + race2 + race3 + smoke + ht + ui, data = d)[, -1]
y <- d$low

lasso <- function(X, y, lambda) {
  n <- nrow(X); p <- ncol(X)
  s <- sqrt(colMeans(sweep(X, 2, colMeans(X))^2))
  D <- cbind(1, X)
  f <- function(par) {
    b <- c(par[1], par[2:(p + 1)] - par[(p + 2):(2 * p + 1)])
    eta <- drop(D %*% b)
    -sum(y * eta - log1p(exp(eta))) / n + lambda * sum(s * (par[2:(2 * p + 1)][1:p] +
                                                            par[(p + 2):(2 * p + 1)]))
  }
  g <- function(par) {
    b <- c(par[1], par[2:(p + 1)] - par[(p + 2):(2 * p + 1)])
    r <- drop(crossprod(D, plogis(drop(D %*% b)) - y)) / n
    c(r[1], r[-1] + lambda * s, -r[-1] + lambda * s)
  }
  start <- c(qlogis(mean(y)), rep(0, 2 * p))
  fit <- optim(start, f, g, method = "L-BFGS-B", lower = c(-Inf, rep(0, 2 * p)),
               control = list(factr = 1, pgtol = 0, maxit = 100000))
  b <- c(fit$par[1], fit$par[2:(p + 1)] - fit$par[(p + 2):(2 * p + 1)])
  active <- c(TRUE, abs(b[-1]) > 1e-6)
  sg <- sign(b); w <- c(0, lambda * s)
  b[!active] <- 0
  for (it in 1:100) {  # Newton on the support, signs fixed
    mu <- plogis(drop(D %*% b))
    grad <- drop(crossprod(D[, active, drop = FALSE], mu - y)) / n + (w * sg)[active]
    H <- crossprod(D[, active, drop = FALSE] * (mu * (1 - mu)), D[, active, drop = FALSE]) / n
    step <- solve(H, grad)
    b[active] <- b[active] - step
    if (max(abs(step)) < 1e-15) break
  }
  stopifnot(all(sign(b[active][-1]) == sg[active][-1]))
  grad <- drop(crossprod(D, plogis(drop(D %*% b)) - y)) / n
  kkt <- max(c(abs(grad[active] + (w * sg)[active]), pmax(abs(grad[!active]) - w[!active], 0)))
  list(coef = unname(b), kkt = kkt, lbfgs = unname(c(fit$par[1], fit$par[2:(p + 1)] -
                                                     fit$par[(p + 2):(2 * p + 1)])))
}

indexes <- function(y, lp) {
  m <- sum(y); r <- rank(lp)
  c_stat <- (sum(r[y == 1]) - m * (m + 1) / 2) / (m * (length(y) - m))
  recal <- coef(glm(y ~ lp, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100)))
  citl <- coef(glm(y ~ 1 + offset(lp), family = binomial,
                   control = glm.control(epsilon = 1e-14, maxit = 100)))[1]
  c(c = c_stat, slope = unname(recal[2]), intercept = unname(recal[1]),
    citl = unname(citl), brier = mean((plogis(lp) - y)^2))
}

out <- list(R = R.version.string, rms = as.character(packageVersion("rms")),
            columns = colnames(X))
for (lambda in c(0.02, 0.005)) {
  fit <- lasso(X, y, lambda)
  out[[paste0("lambda_", lambda)]] <- list(coef = fit$coef, kkt = fit$kkt,
                                           lbfgs = fit$lbfgs)
}
lambda <- 0.01
D <- cbind(1, X)
full <- lasso(X, y, lambda)$coef
apparent <- indexes(y, drop(D %*% full))
set.seed(20261201)
rows <- lapply(1:40, function(i) sample.int(nrow(X), replace = TRUE))
optimism <- t(sapply(rows, function(r) {
  b <- lasso(X[r, ], y[r], lambda)$coef
  indexes(y[r], drop(D[r, ] %*% b)) - indexes(y, drop(D %*% b))
}))
out$bootstrap <- list(lambda = lambda, rows = lapply(rows, function(r) r - 1),
                      apparent = as.list(apparent), optimism = as.list(colMeans(optimism)))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_lasso.json")
