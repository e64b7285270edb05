# Reference values for lifetools' landmark analysis (fit_landmark) and its time-split
# sensitivity analysis (fit_landmark_time_split), computed with R (issue 13).
# Run from the repository root:  Rscript tests/reference/R/make_reference_landmark.R
# Produced with R 4.2.2, survival 3.5-3 (Debian bookworm packages r-base-core,
# r-cran-survival). Reads tests/reference/data/rossi.csv, writes
# tests/reference/results/reference_landmark.json. Values to 15 significant digits.
#
# The Rossi data (432 people, weeks to re-arrest) with two columns made from the row
# number i = 0, ..., 431 (the same formulas in the test): a delayed entry of
# 3 * (i %% 4) weeks and an exposure starting at week 2 * (i %% 11), never for i %% 3 == 0.
# The landmark is week 8: kept are people with week > 8 entered by week 8 (entry 9 is
# not), exposed those whose exposure started by week 8; follow-up restarts at the
# landmark, with no delayed entry. Efron ties (the weeks are heavily tied).
suppressPackageStartupMessages(library(survival))
out <- list(survival_version = as.character(packageVersion("survival")))
fmt <- function(x) unname(as.list(signif(x, 15)))
cox_values <- function(fit) {
  list(terms = names(coef(fit)), coef = fmt(coef(fit)), se = fmt(sqrt(diag(vcov(fit)))),
       loglik = signif(fit$loglik[2], 15))
}

rossi <- read.csv("tests/reference/data/rossi.csv")
i <- seq_len(nrow(rossi)) - 1
rossi$entry <- 3 * (i %% 4)
rossi$exposure_week <- ifelse(i %% 3 == 0, NA, 2 * (i %% 11))
landmark <- 8
kept <- subset(rossi, week > landmark & entry <= landmark)
kept$exposed <- as.numeric(!is.na(kept$exposure_week) & kept$exposure_week <= landmark)
kept$tt <- kept$week - landmark
fit <- coxph(Surv(tt, arrest) ~ exposed + fin + age + prio, data = kept, ties = "efron")
zph <- cox.zph(fit, transform = "km")$table
out$landmark <- c(list(landmark = landmark, n_kept = nrow(kept),
                       n_excluded = nrow(rossi) - nrow(kept),
                       n_exposed = sum(kept$exposed), n_events = sum(kept$arrest)),
                  cox_values(fit),
                  list(zph_terms = rownames(zph), zph_chisq = fmt(zph[, "chisq"]),
                       zph_p = fmt(zph[, "p"])))

# Time split at the median time after the landmark of the exposed people's events
# (lifetools' default): (0, cut] and (cut, tt], exposure one term in each.
cut <- median(kept$tt[kept$exposed == 1 & kept$arrest == 1])
split <- survSplit(Surv(tt, arrest) ~ ., data = transform(kept, id = seq_len(nrow(kept))),
                   cut = cut, episode = "period")
split$exposed_before_split <- split$exposed * (split$period == 1)
split$exposed_after_split <- split$exposed * (split$period == 2)
fit_split <- coxph(Surv(tstart, tt, arrest) ~ exposed_before_split + exposed_after_split +
                     fin + age + prio, data = split, ties = "efron")
out$time_split <- c(list(split_at = cut, rows = nrow(split)), cox_values(fit_split))

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
writeLines(write_json(out), "tests/reference/results/reference_landmark.json")
