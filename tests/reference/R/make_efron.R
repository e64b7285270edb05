# Reference values for lifetools.survival.efron.fit_efron (vectorised Cox partial likelihood).
# Run from the repository root:  Rscript tests/reference/R/make_efron.R
# Produced with R 4.2.2, survival 3.5-3. Writes tests/reference/data/delayed_entry.csv (a
# synthetic delayed-entry cohort, seeded) and tests/reference/results/efron.json.
# Every model is fitted twice, ties = "efron" and ties = "breslow"; coxph.control defaults.
suppressPackageStartupMessages(library(survival))
fmt <- function(x) unname(as.list(signif(x, 15)))
record <- function(fit) list(terms = names(coef(fit)), coef = fmt(coef(fit)),
                             se = fmt(sqrt(diag(vcov(fit)))),
                             loglik = fmt(fit$loglik), score = signif(fit$score, 15),
                             iter = fit$iter)
both <- function(formula, data) list(efron = record(coxph(formula, data = data, ties = "efron")),
                                     breslow = record(coxph(formula, data = data, ties = "breslow")))
out <- list()

# 1. Rossi recidivism (lifelines' load_rossi()): one row per person, weekly times (ties).
rossi <- read.csv("tests/reference/data/rossi.csv")
out$rossi <- both(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, rossi)

# 2. Stanford heart transplant, start-stop rows (time-varying transplant).
heart <- read.csv("tests/reference/data/stanford_heart.csv")
out$heart <- both(Surv(start, stop, event) ~ age + year + surgery + transplant, heart)

# 3. Synthetic delayed-entry cohort: 3000 people, entry before the study window opened
#    (left truncation), whole-day times so events tie, three covariates, two strata.
set.seed(20261130)
n <- 3000
x1 <- rbinom(n, 1, 0.4)
x2 <- round(rnorm(n), 3)
x3 <- sample(0:3, n, replace = TRUE)
site <- sample(c("a", "b"), n, replace = TRUE)
rate <- 0.004 * exp(0.5 * x1 - 0.3 * x2 + 0.15 * x3 + 0.4 * (site == "b"))
onset <- rexp(n, rate)
censor <- runif(n, 50, 600)
entry <- floor(runif(n, 0, 200))
stop <- ceiling(pmin(onset, censor))
event <- as.integer(onset <= censor)
keep <- stop > entry                      # only people still at risk when they enter
cohort <- data.frame(entry = entry, stop = stop, event = event, x1 = x1, x2 = x2, x3 = x3,
                     site = site)[keep, ]
write.csv(cohort, "tests/reference/data/delayed_entry.csv", row.names = FALSE)
out$delayed_entry <- both(Surv(entry, stop, event) ~ x1 + x2 + x3, cohort)
out$delayed_entry_strata <- both(Surv(entry, stop, event) ~ x1 + x2 + x3 + strata(site), cohort)
out$delayed_entry_rows <- nrow(cohort)

# 4. Monotone likelihood: x4 = 1 only for some people who never have the event, so its
#    coefficient runs to -Inf; coxph warns "Loglik converged before variable ...;
#    coefficient may be infinite". Recorded: the warned variables (1-based) with the fit.
cohort$x4 <- as.integer(cohort$event == 0 & seq_len(nrow(cohort)) %% 5 == 0)
warned <- c()
fit <- withCallingHandlers(
  coxph(Surv(entry, stop, event) ~ x1 + x2 + x4, data = cohort, ties = "efron"),
  warning = function(w) {
    hit <- regmatches(conditionMessage(w), regexpr("variable[^;]*;", conditionMessage(w)))
    warned <<- c(warned, as.integer(strsplit(gsub("[^0-9,]", "", hit), ",")[[1]]))
    invokeRestart("muffleWarning")
  })
out$monotone <- c(record(fit), list(infinite = warned))

dir.create("tests/reference/results", showWarnings = FALSE)
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/results/efron.json")
cat("wrote tests/reference/results/efron.json\n")
