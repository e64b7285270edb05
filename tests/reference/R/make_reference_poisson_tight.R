# Poisson with an exposure offset fitted to the maximum, for lifetools' tight reference
# (issue 13). Run from the repository root:
#   Rscript tests/reference/R/make_reference_poisson_tight.R
# Produced with R 4.2.2, MASS 7.3-58.2, sandwich 3.0-2 (Debian bookworm packages
# r-base-core, r-cran-mass, r-cran-sandwich). Reads tests/reference/data/insurance.csv
# (written by make_reference.R) and writes
# tests/reference/results/reference_poisson_tight.json.
#
# glm's default control (epsilon = 1e-8) stops after the iteration whose deviance
# changes by less than 1e-8 (relative): its coefficients are then at the maximum to
# about 1e-12 (IRLS converges quadratically), but vcov() uses the working weights of
# the last iteration's start, one step behind, about 2e-7 (relative) away in the
# standard errors. With epsilon = 1e-14 the last step is below rounding and the
# standard errors are those at the maximum, as lifetools computes them.
suppressPackageStartupMessages({library(MASS); library(sandwich)})
out <- list()
fmt <- function(x) unname(as.list(signif(x, 15)))

ins <- read.csv("tests/reference/data/insurance.csv")
ins$District <- factor(ins$District)
ins$Group <- factor(ins$Group, levels = c("<1l", "1-1.5l", "1.5-2l", ">2l"))
ins$Age <- factor(ins$Age, levels = c("<25", "25-29", "30-35", ">35"))
formula <- Claims ~ District + Group + Age + offset(log(Holders))
default <- glm(formula, family = poisson, data = ins)
tight <- glm(formula, family = poisson, data = ins,
             control = glm.control(epsilon = 1e-14, maxit = 100))
for (name in c("default", "tight")) {
  fit <- get(name)
  out[[name]] <- list(terms = names(coef(fit)), iterations = fit$iter,
                      coef = fmt(coef(fit)), se = fmt(sqrt(diag(vcov(fit)))),
                      se_hc0 = fmt(sqrt(diag(vcovHC(fit, type = "HC0")))))
}

write_json <- function(x, indent = "") {
  if (is.list(x) && !is.null(names(x))) {
    items <- mapply(function(k, v) paste0(indent, "  \"", k, "\": ", write_json(v, paste0(indent, "  "))),
                    names(x), x)
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.list(x)) x <- unlist(x)
  if (is.character(x)) vals <- paste0("\"", x, "\"") else vals <- format(x, digits = 15, scientific = TRUE, trim = TRUE)
  if (length(vals) == 1 && !is.list(x)) return(vals)
  paste0("[", paste(vals, collapse = ", "), "]")
}
writeLines(write_json(out), "tests/reference/results/reference_poisson_tight.json")
