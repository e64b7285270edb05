# Global tests (likelihood ratio, Wald, score) of start-stop and Fine-Gray Cox fits,
# computed with R (issue 13). Run from the repository root:
#   Rscript tests/reference/R/make_reference_global_tests.R
# Produced with R 4.2.2, survival 3.5-3 (Debian bookworm packages r-base-core,
# r-cran-survival). Reads tests/reference/data/{stanford_heart,mgus2_finegray}.csv,
# writes tests/reference/results/reference_global_tests.json (15 significant digits).
#
# Every fit is run to the maximum (coxph.control(eps = 1e-12, toler.chol = 1e-13,
# iter.max = 100); toler.chol must be below eps), so the Wald statistic, which depends
# on the coefficients, is compared at the maximum too.
# summary(coxph) rounds the Wald statistic to 2 decimals: the unrounded fit$wald.test
# is kept. With cluster = id, R's Wald test uses the robust variance and its score
# test is the model-based one (the robust score test is reported apart, robscore).
suppressPackageStartupMessages(library(survival))
out <- list(survival_version = as.character(packageVersion("survival")))
fmt <- function(x) signif(unname(x), 15)
tight <- coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 100)
tests_of <- function(fit) {
  s <- summary(fit)
  df <- length(coef(fit))
  list(coef = as.list(fmt(coef(fit))), se = as.list(fmt(sqrt(diag(vcov(fit))))),
       likelihood_ratio = fmt(s$logtest[["test"]]),
       wald = fmt(fit$wald.test), score = fmt(s$sctest[["test"]]), df = df)
}

heart <- read.csv("tests/reference/data/stanford_heart.csv")
form <- Surv(start, stop, event) ~ age + year + surgery + transplant
out$heart_efron <- tests_of(coxph(form, data = heart, ties = "efron", control = tight))
out$heart_breslow <- tests_of(coxph(form, data = heart, ties = "breslow", control = tight))
out$heart_efron_cluster <- tests_of(coxph(form, data = heart, ties = "efron",
                                          cluster = id, control = tight))

d <- read.csv("tests/reference/data/mgus2_finegray.csv")
d$status <- factor(d$event, 0:2, labels = c("censor", "pcm", "death"))
fg <- finegray(Surv(etime, status) ~ ., data = d, etype = "pcm")
out$fine_gray_cluster <- tests_of(coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male,
                                        weights = fgwt, data = fg, cluster = id,
                                        control = tight))

write_json <- function(x, indent = "") {
  if (is.list(x) && !is.null(names(x))) {
    items <- mapply(function(k, v) paste0(indent, "  \"", k, "\": ", write_json(v, paste0(indent, "  "))),
                    names(x), x)
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  islist <- is.list(x)
  if (islist) x <- unlist(x)
  if (is.character(x)) vals <- paste0("\"", x, "\"") else vals <- format(x, digits = 15, scientific = TRUE, trim = TRUE)
  if (length(vals) == 1 && !islist) return(vals)
  paste0("[", paste(vals, collapse = ", "), "]")
}
writeLines(write_json(out), "tests/reference/results/reference_global_tests.json")
