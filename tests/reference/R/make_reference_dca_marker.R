# Reference values for lifetools.prediction.net_benefit with continuous predicted risks:
# the decision curve analysis tutorial's marker example (Vickers; Sjoberg's R dcurves).
#
# NOT run on the lifetools build machine (no R there): the values in
# tests/reference/results/dca_marker.json are R dcurves' output as the dcurves project
# stores it (MSKCC-Epi-Bio/dcurves, Apache-2.0, commit 168c8b6,
# tests/benchmark_data/r_case3_results.csv), and the predicted risks are the ones R
# made (tests/benchmark_data/dca_tut_bin_int_marker_risks.csv). This is the recipe that
# produced them, as that project documents it (tests/load_test_data.py, case 3), so
# anyone with R can remake them. Data: ddsjoberg/dca-tutorial data/df_cancer_dx.csv
# (MIT licence), written with the risks as tests/reference/data/dca_cancer_dx.csv.
#
# Run from the repository root:  Rscript tests/reference/R/make_reference_dca_marker.R
suppressPackageStartupMessages({library(dcurves); library(dplyr); library(jsonlite)})
df <- read.csv("tests/reference/data/dca_cancer_dx.csv")
# as_probability = "marker": dcurves replaces the marker by its fitted risk from
# glm(cancer ~ marker, family = binomial); the same risks as column marker_risk
df$marker_risk_r <- fitted(glm(cancer ~ marker, data = df, family = binomial))
stopifnot(max(abs(df$marker_risk_r - df$marker_risk)) < 1e-12)
res <- dca(cancer ~ marker, data = df, as_probability = "marker",
           thresholds = seq(0, 0.35, by = 0.01), harm = list(marker = 0.0333)) |>
  as_tibble() |> filter(threshold > 0)
pick <- function(v, col) res[[col]][res$variable == v]
out <- list(harm = 0.0333, thresholds = pick("marker", "threshold"),
            model = pick("marker", "net_benefit"),
            model_tp_rate = pick("marker", "tp_rate"),
            model_fp_rate = pick("marker", "fp_rate"),
            model_net_intervention_avoided = pick("marker", "net_intervention_avoided"),
            treat_all = pick("all", "net_benefit"), treat_none = pick("none", "net_benefit"))
write_json(out, "tests/reference/results/dca_marker_remade.json", digits = NA, auto_unbox = TRUE)
