# Reference values: separation (an infinite coefficient) in Fine-Gray and weighted Cox fits.
# Run from the repository root: Rscript tests/reference/R/make_reference_fine_gray_separation.R
# (R 4.2.2, survival 3.5-3 from Debian's r-cran-survival). Writes
# tests/reference/results/reference_fine_gray_separation.json.
#
# R's coxph stops when a full Newton step changes the log partial likelihood by a
# relative amount of at most eps = 1e-9, then warns "Loglik converged before variable
# <i>; coefficient may be infinite" ("beta may be infinite" for start-stop rows) for
# each coefficient whose next Newton step is still above eps and toler.inf = sqrt(eps)
# times its size. This script records, for small
# hand-written data sets, the variables R warns about and R's coefficients:
# - fg_separated: 24 people, event 1 (of interest), 2 (competing) or 0 (censored); no
#   event 1 among g = 1. finegray(Surv(t, factor(e)) ~ ., etype = "1"), then
#   coxph(Surv(fgstart, fgstop, fgstatus) ~ g + age, weights = fgwt).
# - fg_not_separated: the same people with one g = 1 person's competing event made an
#   event of interest (row 14): nothing is infinite.
# - combination: 40 rows, x1 and x2 together put every event at the top of its risk
#   set (x1 - x2 highest), neither alone: coxph(Surv(stop, ev) ~ x1 + x2).
suppressMessages({library(survival); library(jsonlite)})
fmt <- function(x) unname(signif(as.numeric(x), 12))
warned <- function(expr) {
  msgs <- character()
  value <- withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning")})
  hit <- grep("may be infinite", msgs, value = TRUE)
  vars <- if (length(hit)) as.integer(strsplit(trimws(sub(".*variable *(.*) ;.*", "\\1",
                                                           hit[1])), ",")[[1]]) else integer()
  list(fit = value, infinite = vars)
}
fg <- data.frame(
  t = c(2, 3, 3, 5, 6, 7, 8, 9, 10, 12, 13, 15, 1, 2, 4, 4, 6, 8, 9, 11, 12, 14, 15, 16),
  e = c(1, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 0, 2, 0, 2, 0, 0, 2, 0, 2, 0, 0, 2, 0),
  g = rep(c(0, 1), each = 12),
  age = c(61, 45, 70, 52, 38, 66, 59, 48, 73, 55, 41, 64,
          50, 68, 44, 57, 62, 39, 71, 53, 46, 60, 67, 58))
fit_fg <- function(d) {
  d$e <- factor(d$e, levels = 0:2)
  rows <- finegray(Surv(t, e) ~ g + age, data = d, etype = "1")
  w <- warned(coxph(Surv(fgstart, fgstop, fgstatus) ~ g + age, data = rows,
                    weights = fgwt))
  list(coef = fmt(coef(w$fit)), infinite = I(w$infinite))
}
fg2 <- fg; fg2$e[14] <- 1
x1 <- rep(c(1, 0, 1, 0), each = 10); x2 <- rep(c(0, 0, 1, 1), each = 10)
stop <- rep(20, 40); ev <- rep(0, 40)
stop[1:5] <- 1:5; ev[1:5] <- 1; stop[6:10] <- 5.5
stop[11:14] <- 6:9; ev[11:14] <- 1
stop[21:24] <- c(6.5, 7.5, 8.5, 9.5); ev[21:24] <- 1
comb <- warned(coxph(Surv(stop, ev) ~ x1 + x2))
out <- list(
  R = R.version.string, survival = as.character(packageVersion("survival")),
  fg_data = fg, fg_separated = fit_fg(fg), fg_not_separated = fit_fg(fg2),
  not_separated_row = 14,
  combination = list(x1 = x1, x2 = x2, stop = stop, ev = ev,
                     coef = fmt(coef(comb$fit)), infinite = I(comb$infinite)))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_fine_gray_separation.json")
