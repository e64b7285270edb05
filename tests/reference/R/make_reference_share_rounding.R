# Reference values for the interval of a share published from rounded counts (issue 13).
# Run from the repository root:  Rscript tests/reference/R/make_reference_share_rounding.R
# Produced with R 4.2.2 (stats::prop.test, jsonlite).
# Writes tests/reference/results/reference_share_rounding.json: for each case, every raw
# pair (k, m) the profile publishes as the case's counts with its Wilson interval
# (prop.test(k, m, correct = FALSE)$conf.int: the score interval, no continuity
# correction), and the union of those intervals (lowest lower, highest upper limit).
# The raw counts each published count comes from are written out by hand below, from
# each profile's rule (lifetools.disclosure.SdcProfile), not computed by lifetools.
suppressPackageStartupMessages(library(jsonlite))

wilson <- function(k, m) as.numeric(prop.test(k, m, correct = FALSE)$conf.int)

cases <- list(
  # default: 1-7 suppressed, others to the nearest 5 (halves up): 10 <- 8..12, 20 <- 18..22
  list(name = "default_10_of_20", profile = "default", k = 10, n = 20,
       ks = 8:12, ms = 18:22),
  # the audit's "would recommend" share: 310 <- 308..312, 320 <- 318..322
  list(name = "default_310_of_320", profile = "default", k = 310, n = 320,
       ks = 308:312, ms = 318:322),
  # 10 of 10: only pairs with k <= m (12 of 8 is no share)
  list(name = "default_10_of_10", profile = "default", k = 10, n = 10,
       ks = 8:12, ms = 8:12),
  # threshold-10: 1-9 suppressed, so 10 <- 10..12 only
  list(name = "threshold10_10_of_20", profile = "threshold-10", k = 10, n = 20,
       ks = 10:12, ms = 18:22),
  # OpenSAFELY midpoint 6: ceiling(n/6)*6 - 3, so 9 <- 7..12 and 27 <- 25..30
  list(name = "midpoint6_9_of_27", profile = "opensafely-midpoint6", k = 9, n = 27,
       ks = 7:12, ms = 25:30)
)

out <- list()
for (case in cases) {
  pairs <- expand.grid(k = case$ks, m = case$ms)
  pairs <- pairs[pairs$k <= pairs$m, ]
  limits <- t(mapply(wilson, pairs$k, pairs$m))
  out[[case$name]] <- list(
    profile = case$profile, k = case$k, n = case$n,
    pairs = data.frame(k = pairs$k, m = pairs$m, lower = limits[, 1], upper = limits[, 2]),
    union = c(min(limits[, 1]), max(limits[, 2])),
    published_wilson = wilson(case$k, case$n))
}
out$R <- R.version.string
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_share_rounding.json")
