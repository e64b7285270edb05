# Reference values for Cox tie methods, the proportional-hazards test (cox.zph), robust
# (cluster) errors for start-stop Cox, and Kaplan-Meier standard errors and medians.
# Run from the repository root:  Rscript tests/reference/R/make_reference_cox.R
# Produced with R 4.2.2, survival 3.5-3 (Debian bookworm packages r-base,
# r-cran-survival). Reads tests/reference/data/{rossi,stanford_heart}.csv, writes
# tests/reference/data/lung.csv (survival::lung) and
# tests/reference/results/reference_cox.json. Values to 15 significant digits.
suppressPackageStartupMessages(library(survival))
out <- list(survival_version = as.character(packageVersion("survival")))
fmt <- function(x) unname(as.list(signif(x, 15)))
zph_table <- function(fit, transform) {
  tab <- cox.zph(fit, transform = transform)$table
  list(terms = rownames(tab), chisq = fmt(tab[, "chisq"]), df = fmt(tab[, "df"]),
       p = fmt(tab[, "p"]))
}
cox_values <- function(fit) {
  list(terms = names(coef(fit)), coef = fmt(coef(fit)), se = fmt(sqrt(diag(vcov(fit)))),
       loglik = signif(fit$loglik[2], 15))
}

# 1. Rossi: Efron and Breslow ties; cox.zph with the three transforms.
rossi <- read.csv("tests/reference/data/rossi.csv")
form <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
efron <- coxph(form, data = rossi, ties = "efron")
breslow <- coxph(form, data = rossi, ties = "breslow")
out$rossi_efron <- cox_values(efron)
out$rossi_breslow <- cox_values(breslow)
out$rossi_efron_zph <- list(km = zph_table(efron, "km"), rank = zph_table(efron, "rank"),
                            identity = zph_table(efron, "identity"))
out$rossi_breslow_zph <- list(km = zph_table(breslow, "km"),
                              rank = zph_table(breslow, "rank"),
                              identity = zph_table(breslow, "identity"))
# Delayed entry (as the naive discharge model): row i (1-based) enters at
# 5 * ((i - 1) %% 4) weeks, always before its own stop time.
rossi$entry <- pmin(5 * ((seq_len(nrow(rossi)) - 1) %% 4), rossi$week - 1)
late <- coxph(Surv(entry, week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
              data = rossi, ties = "efron")
out$rossi_entry <- cox_values(late)
out$rossi_entry_zph <- list(km = zph_table(late, "km"), rank = zph_table(late, "rank"),
                            identity = zph_table(late, "identity"))
# Stratified by wexp.
strat <- coxph(Surv(week, arrest) ~ fin + age + race + mar + paro + prio + strata(wexp),
               data = rossi, ties = "efron")
out$rossi_strata <- cox_values(strat)
out$rossi_strata_zph <- list(km = zph_table(strat, "km"))

# 2. Stanford heart transplant, start-stop rows: Efron and Breslow, cox.zph, and
#    robust errors clustered by person.
heart <- read.csv("tests/reference/data/stanford_heart.csv")
hform <- Surv(start, stop, event) ~ age + year + surgery + transplant
h_efron <- coxph(hform, data = heart, ties = "efron")
h_breslow <- coxph(hform, data = heart, ties = "breslow")
out$heart_efron <- cox_values(h_efron)
out$heart_breslow <- cox_values(h_breslow)
out$heart_efron_zph <- list(km = zph_table(h_efron, "km"), rank = zph_table(h_efron, "rank"),
                            identity = zph_table(h_efron, "identity"))
out$heart_breslow_zph <- list(km = zph_table(h_breslow, "km"))
h_robust <- coxph(hform, data = heart, ties = "efron", cluster = id)
out$heart_efron_cluster <- list(terms = names(coef(h_robust)), coef = fmt(coef(h_robust)),
                                robust_se = fmt(sqrt(diag(vcov(h_robust)))))
h_robust_b <- coxph(hform, data = heart, ties = "breslow", cluster = id)
out$heart_breslow_cluster <- list(coef = fmt(coef(h_robust_b)),
                                  robust_se = fmt(sqrt(diag(vcov(h_robust_b)))))

# 3. Kaplan-Meier on survival::lung (status 2 = death): standard errors of S(t)
#    (Greenwood), "log" and "log-log" intervals, median survival with its interval.
lung <- survival::lung[, c("time", "status", "sex")]
lung$status <- as.integer(lung$status == 2)
write.csv(lung, "tests/reference/data/lung.csv", row.names = FALSE)
times <- c(100, 200, 300, 500, 700)
for (ct in c("log", "log-log", "plain")) {
  km <- survfit(Surv(time, status) ~ 1, data = lung, conf.type = ct)
  s <- summary(km, times = times)
  tab <- summary(km)$table
  key <- paste0("lung_km_", gsub("-", "", ct))
  out[[key]] <- list(times = s$time, surv = fmt(s$surv), std_err = fmt(s$std.err),
                     lower = fmt(s$lower), upper = fmt(s$upper),
                     median = fmt(tab[["median"]]), median_lower = fmt(tab[["0.95LCL"]]),
                     median_upper = fmt(tab[["0.95UCL"]]))
}
km_sex <- survfit(Surv(time, status) ~ sex, data = lung)
tab <- summary(km_sex)$table
out$lung_km_sex_median <- list(median = fmt(tab[, "median"]), lower = fmt(tab[, "0.95LCL"]),
                               upper = fmt(tab[, "0.95UCL"]))

write_json <- function(x, indent = "") {
  if (is.list(x) && !is.null(names(x))) {
    items <- mapply(function(k, v) paste0(indent, "  \"", k, "\": ", write_json(v, paste0(indent, "  "))),
                    names(x), x)
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.list(x)) x <- unlist(x)
  if (is.character(x)) vals <- paste0("\"", x, "\"") else vals <- format(x, digits = 15, scientific = FALSE, trim = TRUE)
  vals[is.na(x)] <- "null"
  if (length(x) == 1) return(vals)
  paste0("[", paste(vals, collapse = ", "), "]")
}
dir.create("tests/reference/results", showWarnings = FALSE)
writeLines(write_json(out), "tests/reference/results/reference_cox.json")
cat("wrote tests/reference/results/reference_cox.json\n")
