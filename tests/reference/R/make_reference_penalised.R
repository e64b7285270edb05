# Reference values for lifetools.prediction.penalised (ridge logistic) from rms::lrm.
# Run from the repository root: Rscript tests/reference/R/make_reference_penalised.R
# Data: tests/reference/data/birthwt.csv (written by make_reference_prediction.R).
suppressMessages({library(rms); library(jsonlite)})
d <- read.csv("tests/reference/data/birthwt.csv")
out <- list(R = R.version.string, rms = as.character(packageVersion("rms")))
for (p in c(2, 10)) {
  f <- lrm(low ~ rcs(age, 4) + rcs(lwt, 3) + race2 + race3 + smoke + ht + ui, data = d,
           penalty = p)
  out[[paste0("penalty_", p)]] <- unname(coef(f))
}
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
      "tests/reference/results/reference_penalised.json")
