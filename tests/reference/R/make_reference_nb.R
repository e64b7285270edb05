# Reference values for the negative binomial (NB2) fit, computed with R.
# Run from the repository root:  Rscript tests/reference/R/make_reference_nb.R
# Produced with R 4.2.2, MASS 7.3-58.2 (Debian bookworm packages r-base, r-cran-mass).
# Reads tests/reference/data/{quine,rossi}.csv and writes
# tests/reference/results/reference_nb.json, values to 15 significant digits.
# Each model twice: glm.nb with its default control (deviance epsilon 1e-8; theta.ml
# stops at a Newton step below .Machine$double.eps^0.25) and with
# glm.control(epsilon = 1e-14, maxit = 100), which converges to the maximum. The tests
# compare with the tight fit; the default fit shows how far glm.nb's own default stops
# from the maximum.
suppressPackageStartupMessages(library(MASS))
out <- list(mass_version = as.character(packageVersion("MASS")))
fmt <- function(x) unname(as.list(signif(x, 15)))
values <- function(nb) {
  list(terms = names(coef(nb)), coef = fmt(coef(nb)), se = fmt(sqrt(diag(vcov(nb)))),
       theta = signif(nb$theta, 15), theta_se = signif(nb$SE.theta, 15),
       loglik = signif(as.numeric(logLik(nb)), 15))
}
quine <- read.csv("tests/reference/data/quine.csv")
qform <- Days ~ Eth + Sex + Age + Lrn
out$quine_default <- values(glm.nb(qform, data = quine))
out$quine_tight <- values(glm.nb(qform, data = quine,
                                 control = glm.control(epsilon = 1e-14, maxit = 100)))
rossi <- read.csv("tests/reference/data/rossi.csv")
rform <- prio ~ fin + age + race + wexp + mar + paro + offset(log(week))
out$rossi_default <- values(glm.nb(rform, data = rossi))
out$rossi_tight <- values(glm.nb(rform, data = rossi,
                                 control = glm.control(epsilon = 1e-14, maxit = 100)))

write_json <- function(x, indent = "") {
  if (is.list(x) && !is.null(names(x))) {
    items <- mapply(function(k, v) paste0(indent, "  \"", k, "\": ", write_json(v, paste0(indent, "  "))),
                    names(x), x)
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.list(x)) x <- unlist(x)
  if (is.character(x)) vals <- paste0("\"", x, "\"") else vals <- format(x, digits = 15, scientific = FALSE, trim = TRUE)
  if (length(x) == 1) return(vals)
  paste0("[", paste(vals, collapse = ", "), "]")
}
dir.create("tests/reference/results", showWarnings = FALSE)
writeLines(write_json(out), "tests/reference/results/reference_nb.json")
cat("wrote tests/reference/results/reference_nb.json\n")
