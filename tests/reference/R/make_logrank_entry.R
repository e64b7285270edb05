# Reference values for the log-rank test with delayed entry (left truncation).
# Run from the repository root:  Rscript tests/reference/R/make_logrank_entry.R
# Produced with R 4.2.2, survival 3.5-3. Writes tests/reference/results/logrank_entry.json.
#
# survival::survdiff has no delayed entry. The log-rank statistic is the score test of a
# Cox model with the exact (discrete) partial likelihood at beta = 0, which coxph also
# fits to (entry, stop] counting-process data: so coxph(Surv(entry, stop, event) ~ group,
# ties = "exact")$score is the log-rank statistic with delayed entry. The script checks
# the identity against survdiff without entry first. The exact likelihood is slow on
# large tied data, so the data are the first 200 rows of Rossi (lifelines' load_rossi()).
suppressPackageStartupMessages(library(survival))
rossi <- read.csv("tests/reference/data/rossi.csv")[1:200, ]
# Delayed entry, deterministic: row i (1-based) enters at 5 * ((i - 1) %% 4) weeks,
# but always before its own stop time.
rossi$entry <- pmin(5 * ((seq_len(nrow(rossi)) - 1) %% 4), rossi$week - 1)
rossi$zero <- 0

no_entry <- survdiff(Surv(week, arrest) ~ fin, data = rossi)$chisq
score0 <- coxph(Surv(zero, week, arrest) ~ factor(fin), data = rossi, ties = "exact")$score
stopifnot(abs(no_entry - score0) < 1e-8 * no_entry)
with_entry <- coxph(Surv(entry, week, arrest) ~ factor(fin), data = rossi,
                    ties = "exact")$score
# Three groups (prio 0, 1-3, 4 or more): two degrees of freedom.
rossi$prio_group <- cut(rossi$prio, c(-1, 0, 3, Inf))
no_entry3 <- survdiff(Surv(week, arrest) ~ prio_group, data = rossi)$chisq
score3 <- coxph(Surv(zero, week, arrest) ~ prio_group, data = rossi, ties = "exact")$score
stopifnot(abs(no_entry3 - score3) < 1e-8 * no_entry3)
with_entry3 <- coxph(Surv(entry, week, arrest) ~ prio_group, data = rossi,
                     ties = "exact")$score

fmt <- function(x) format(signif(x, 12), digits = 12, scientific = FALSE)
json <- paste0(
  "{\n",
  "  \"rows\": ", nrow(rossi), ",\n",
  "  \"fin_no_entry\": ", fmt(no_entry), ",\n",
  "  \"fin_entry\": ", fmt(with_entry), ",\n",
  "  \"prio3_no_entry\": ", fmt(no_entry3), ",\n",
  "  \"prio3_entry\": ", fmt(with_entry3), "\n",
  "}")
writeLines(json, "tests/reference/results/logrank_entry.json")
cat("wrote tests/reference/results/logrank_entry.json\n")
