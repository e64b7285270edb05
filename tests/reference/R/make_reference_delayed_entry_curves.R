# Reference values for Kaplan-Meier and Aalen-Johansen curves with delayed entry (left
# truncation), as the discharge report estimates them (entry_col = "entry"), computed
# with R. Run from the repository root:
#   Rscript tests/reference/R/make_reference_delayed_entry_curves.R
# Produced with R 4.2.2, survival 3.5-3 (Debian bookworm r-base, r-cran-survival).
# Reads tests/reference/data/rossi.csv and mgus2_competing.csv (written by
# make_reference.R); writes tests/reference/results/reference_delayed_entry_curves.json.
# The entry times are deterministic functions of the row number (below), so the Python
# tests rebuild them without a data file.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
out <- list()
fmt <- function(x) unname(signif(as.numeric(x), 15))
at <- function(fit, times, what) {
  s <- summary(fit, times = times, extend = TRUE)
  lapply(what, function(w) fmt(s[[w]]))
}

# 1. Kaplan-Meier on Rossi with row i (1-based) entering at min(5 ((i - 1) mod 4),
#    week - 1) (as make_reference_cox.R): survfit(Surv(entry, week, arrest) ~ 1),
#    Greenwood standard error of S, log-log, log and plain limits.
rossi <- read.csv("tests/reference/data/rossi.csv")
rossi$entry <- pmin(5 * ((seq_len(nrow(rossi)) - 1) %% 4), rossi$week - 1)
times <- c(3, 8, 12, 20, 30, 40, 52)
km <- list()
for (ct in c("log-log", "log", "plain")) {
  fit <- survfit(Surv(entry, week, arrest) ~ 1, data = rossi, conf.type = ct)
  s <- summary(fit, times = times)
  km[[gsub("-", "", ct)]] <- list(times = times, n_risk = fmt(s$n.risk),
                                  surv = fmt(s$surv), std_err = fmt(s$std.err),
                                  lower = fmt(s$lower), upper = fmt(s$upper))
}
# without the entry times the curve differs (the check must tell them apart)
km$loglog_no_entry_surv <- fmt(summary(survfit(Surv(week, arrest) ~ 1, data = rossi),
                                       times = times)$surv)
out$rossi_km_entry <- km

# 2. Aalen-Johansen on mgus2 (1 = progression, 2 = death) with row i entering at
#    min(6 ((i - 1) mod 5), etime / 2) months: survfit(Surv(entry, etime, state) ~ 1,
#    id = row). The estimate is the Aalen-Johansen estimate with risk sets
#    entry < t <= etime; R's standard error is the infinitesimal jackknife.
mgus <- read.csv("tests/reference/data/mgus2_competing.csv")
mgus$entry <- pmin(6 * ((seq_len(nrow(mgus)) - 1) %% 5), mgus$etime / 2)
mgus$row <- seq_len(nrow(mgus))
mgus$state <- factor(mgus$event, 0:2, labels = c("censor", "pcm", "death"))
aj <- survfit(Surv(entry, etime, state) ~ 1, data = mgus, id = row)
times <- c(6, 12, 24, 60, 120, 240, 360)
s <- summary(aj, times = times)
col <- function(m, k) fmt(m[, which(aj$states == k)])
out$mgus2_aj_entry <- list(times = times, n_risk = fmt(s$n.risk[, 1]),
                           pcm = col(s$pstate, "pcm"), death = col(s$pstate, "death"),
                           pcm_se_ij = col(s$std.err, "pcm"),
                           death_se_ij = col(s$std.err, "death"))
aj0 <- survfit(Surv(etime, state) ~ 1, data = mgus, id = row)
out$mgus2_aj_entry$pcm_no_entry <- fmt(summary(aj0, times = times)$pstate[
  , which(aj0$states == "pcm")])
out$versions <- list(R = R.version.string, survival = as.character(packageVersion("survival")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/results/reference_delayed_entry_curves.json")
