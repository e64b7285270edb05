# Reference values for lifetools' count models with an exposure offset, computed with R.
# Run from the repository root:  Rscript tests/reference/R/make_reference_counts.R
# Produced with R 4.2.2, MASS 7.3-58.2, sandwich 3.0-2 (Debian bookworm packages
# r-base, r-cran-mass, r-cran-sandwich). Kept apart from make_reference.R, which also
# needs lme4. Reads tests/reference/data/{insurance,rossi}.csv (written by
# make_reference.R and taken from lifelines' load_rossi()) and writes
# tests/reference/results/reference_counts.json.
suppressPackageStartupMessages({library(MASS); library(sandwich)})
out <- list()
fmt <- function(x) unname(as.list(signif(x, 12)))

# 1. Poisson with exposure offset and robust (sandwich, HC0) errors: Insurance (MASS).
ins <- read.csv("tests/reference/data/insurance.csv")
ins$District <- factor(ins$District)
po <- glm(Claims ~ District + Group + Age + offset(log(Holders)), family = poisson,
          data = ins)
out$insurance_poisson_hc0 <- list(terms = names(coef(po)), coef = fmt(coef(po)),
                                  se_hc0 = fmt(sqrt(diag(vcovHC(po, type = "HC0")))))

# 2. Negative binomial (NB2) with exposure offset: Rossi recidivism data, number of
#    prior convictions (prio) with offset log(week). A numerical check of the offset,
#    not a substantive model: the Insurance and ships (MASS) counts show no
#    over-dispersion (glm.nb's theta diverges), so they cannot check the dispersion.
rossi <- read.csv("tests/reference/data/rossi.csv")
nb <- glm.nb(prio ~ fin + age + race + wexp + mar + paro + offset(log(week)),
             data = rossi)
# glm.nb's vcov is the expected (Fisher) information of the coefficients with theta
# held fixed; statsmodels inverts the observed Hessian of the joint likelihood. For the
# like-for-like check, the observed Hessian of the joint log-likelihood in
# (coefficients, log theta) at the MLE, by stats::optimHess (the coefficient block of
# its inverse does not depend on how theta is parametrised).
X <- model.matrix(nb)
off <- log(rossi$week)
negll <- function(p) {
  mu <- exp(drop(X %*% p[-length(p)]) + off)
  -sum(dnbinom(rossi$prio, size = exp(p[length(p)]), mu = mu, log = TRUE))
}
H <- optimHess(c(coef(nb), log(nb$theta)), negll)
se_observed <- sqrt(diag(solve(H)))[seq_len(ncol(X))]
out$rossi_nb_offset <- list(terms = names(coef(nb)), coef = fmt(coef(nb)),
                            se = fmt(sqrt(diag(vcov(nb)))),
                            se_observed = fmt(se_observed),
                            theta = signif(nb$theta, 12),
                            loglik = signif(as.numeric(logLik(nb)), 12))

write_json <- function(x, indent = "") {
  if (is.list(x) && !is.null(names(x))) {
    items <- mapply(function(k, v) paste0(indent, "  \"", k, "\": ", write_json(v, paste0(indent, "  "))),
                    names(x), x)
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.list(x)) x <- unlist(x)
  if (is.character(x)) vals <- paste0("\"", x, "\"") else vals <- format(x, digits = 12, scientific = FALSE, trim = TRUE)
  if (length(x) == 1) return(vals)
  paste0("[", paste(vals, collapse = ", "), "]")
}
dir.create("tests/reference/results", showWarnings = FALSE)
writeLines(write_json(out), "tests/reference/results/reference_counts.json")
cat("wrote tests/reference/results/reference_counts.json\n")
