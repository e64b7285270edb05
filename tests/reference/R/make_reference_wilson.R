# Reference values for lifetools' Wilson score interval, computed with R (issue 13).
# Run from the repository root:  Rscript tests/reference/R/make_reference_wilson.R
# Produced with R 4.2.2 (Debian bookworm package r-base-core, stats only). Writes
# tests/reference/results/reference_wilson.json (15 significant digits).
# prop.test(x, n, correct = FALSE)$conf.int is the Wilson score interval (no
# continuity correction), as lifetools' wilson_interval.
cases <- rbind(c(8, 10), c(0, 25), c(25, 25), c(1, 3), c(60, 125), c(305, 310),
               c(300, 310), c(2635, 4000))
ci <- t(apply(cases, 1, function(r) suppressWarnings(
  prop.test(r[1], r[2], correct = FALSE)$conf.int)))
fmt <- function(x) format(signif(x, 15), digits = 15, scientific = TRUE, trim = TRUE)
vec <- function(x) paste0("[", paste(fmt(x), collapse = ", "), "]")
writeLines(paste0("{\n  \"successes\": ", vec(cases[, 1]), ",\n  \"n\": ", vec(cases[, 2]),
                  ",\n  \"lower\": ", vec(ci[, 1]), ",\n  \"upper\": ", vec(ci[, 2]), "\n}"),
           "tests/reference/results/reference_wilson.json")
