# Reference values for lifetools' inequality measures, computed with R (issue 13).
# Run from the repository root:  Rscript tests/reference/R/make_reference_inequality.R
# Produced with R 4.2.2 (Debian bookworm package r-base-core, base and stats only).
# Writes tests/reference/results/reference_inequality.json (15 significant digits).
#
# 1. The slope and relative indices of inequality of five groups ordered from most to
#    least deprived: x the midpoint of each group's cumulative share of person-time,
#    the rates regressed on x by weighted least squares (weights = person-time):
#    SII = -slope (fitted rate at x = 0 minus at x = 1), RII = fitted rate at 0 over
#    fitted rate at 1, and SII over the person-time-weighted mean rate.
# 2. Exact (Garwood) 95% limits of a Poisson count: poisson.test(x)$conf.int.
out <- list()
fmt <- function(x) signif(unname(x), 15)
counts <- c(120, 95, 80, 70, 52)
years <- c(1000, 1100, 1050, 980, 1020)
share <- years / sum(years)
x <- cumsum(share) - share / 2
rate <- counts / years
fit <- lm(rate ~ x, weights = years)
a <- coef(fit)[[1]]; b <- coef(fit)[[2]]
out$sii <- list(counts = counts, person_time = years, x = fmt(x), intercept = fmt(a),
                slope = fmt(b), sii = fmt(-b), rii = fmt(a / (a + b)),
                rii_mean = fmt(-b / weighted.mean(rate, years)))
garwood <- t(sapply(c(0, 1, 5, 52, 120, 2635), function(k) poisson.test(k)$conf.int))
out$garwood <- list(counts = c(0, 1, 5, 52, 120, 2635), lower = fmt(garwood[, 1]),
                    upper = fmt(garwood[, 2]))

write_json <- function(x, indent = "") {
  if (is.list(x) && !is.null(names(x))) {
    items <- mapply(function(k, v) paste0(indent, "  \"", k, "\": ", write_json(v, paste0(indent, "  "))),
                    names(x), x)
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  vals <- format(x, digits = 15, scientific = TRUE, trim = TRUE)
  if (length(vals) == 1) return(vals)
  paste0("[", paste(vals, collapse = ", "), "]")
}
writeLines(write_json(out), "tests/reference/results/reference_inequality.json")
