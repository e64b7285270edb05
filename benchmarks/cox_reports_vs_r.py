"""The reports' Cox models fitted by lifetools, by lifelines and by R ``coxph``, compared.

On ``generate_dataset(--people, --seed)`` (in memory), for both editions and a
three-year period: the time-varying, naive (delayed entry), landmark (90 days) and
re-referral models of ``analyse_discharge`` / ``analyse_rereferral``, fitted by
``fit_cox`` / ``fit_cox_time_varying`` (this lifetools), by lifelines ``CoxPHFitter`` /
``CoxTimeVaryingFitter`` (the backends before issue 16) and by R
``survival::coxph(..., ties = "efron")``. Prints the largest relative difference from R
of each, over the terms R estimates as finite (``|coef| < 5``), R's iterations and
warnings. Needs ``Rscript`` with ``survival`` and ``jsonlite``.

    PYTHONPATH=src python benchmarks/cox_reports_vs_r.py --people 15000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

PERIODS = {"2023-24": ("2023-04-01", "2024-03-31"), "2024-25": ("2024-04-01", "2025-03-31"),
           "2022-25": ("2022-04-01", "2025-03-31")}
R_SCRIPT = r"""
suppressPackageStartupMessages({library(survival); library(jsonlite)})
spec <- read.delim(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
out <- list()
for (i in seq_len(nrow(spec))) {
  d <- read.csv(spec$file[i]); w <- character(0)
  fit <- withCallingHandlers(
    coxph(as.formula(spec$formula[i]), data = d, ties = "efron"),
    warning = function(m) { w <<- c(w, conditionMessage(m)); invokeRestart("muffleWarning") })
  out[[spec$name[i]]] <- list(coef = unname(coef(fit)), iter = fit$iter, warnings = w)
}
writeLines(toJSON(out, digits = NA), commandArgs(TRUE)[2])
"""


def models(data, start: str, end: str) -> list[dict]:
    """The four Cox models of the two reports: data (no identifiers), columns, terms."""
    from lifetools.cohort import (
        CohortSpec,
        build_discharge_cohort,
        build_rereferral_cohort,
        split_at_exposure,
    )
    from lifetools.cohort.discharge import ADJUSTMENT_COVARIATES
    from lifetools.survival.landmark import _landmark_data

    cov = list(ADJUSTMENT_COVARIATES)
    cohort = build_discharge_cohort(data, CohortSpec(start, end)).data
    long = split_at_exposure(cohort)
    long = long.assign(pid=pd.factorize(long["person_id"])[0])
    landmark, _ = _landmark_data(cohort, landmark=90, duration_col="duration",
                                 exposure_time_col="exposure_day", entry_col="entry")
    rerefer = build_rereferral_cohort(data, CohortSpec(start, end)).data
    return [
        {"name": "tv", "frame": long, "start": "start", "stop": "stop", "event": "event",
         "terms": ["exposed", *cov]},
        {"name": "naive", "frame": cohort, "start": "entry", "stop": "duration",
         "event": "discharged", "terms": ["ever_used", *cov]},
        {"name": "landmark", "frame": landmark, "start": None, "stop": "_duration",
         "event": "discharged", "terms": ["exposed_at_landmark", *cov]},
        {"name": "rereferral", "frame": rerefer, "start": None, "stop": "duration",
         "event": "rereferred", "terms": ["used_life_rooms", *cov]},
    ]


def lifetools_coef(m: dict) -> np.ndarray:
    from lifetools.survival import fit_cox, fit_cox_time_varying

    if m["name"] == "tv":
        fit = fit_cox_time_varying(m["frame"], id_col="pid", start_col="start",
                                   stop_col="stop", event_col="event",
                                   covariates=m["terms"], check_ph=False)
    else:
        fit = fit_cox(m["frame"], duration_col=m["stop"], event_col=m["event"],
                      entry_col=m["start"], covariates=m["terms"], check_ph=False)
    return fit.summary["coef"].to_numpy()


def lifelines_coef(m: dict) -> np.ndarray:
    from lifelines import CoxPHFitter, CoxTimeVaryingFitter

    cols = [c for c in (m["start"], m["stop"], m["event"]) if c]
    frame = m["frame"][cols + m["terms"]].astype(float)
    if m["name"] == "tv":
        fitter = CoxTimeVaryingFitter().fit(frame.assign(pid=m["frame"]["pid"]),
                                            id_col="pid", start_col="start",
                                            stop_col="stop", event_col="event")
    else:
        fitter = CoxPHFitter().fit(frame, duration_col=m["stop"], event_col=m["event"],
                                   entry_col=m["start"])
    return fitter.params_.loc[m["terms"]].to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=15_000)
    parser.add_argument("--seed", type=int, default=20250331)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lifetools.synthetic import generate_dataset

    data = generate_dataset(args.people, args.seed)
    with tempfile.TemporaryDirectory(prefix="lifetools-cox-r-") as folder:
        work, spec, fits = Path(folder), [], {}
        for period, (start, end) in PERIODS.items():
            for m in models(data, start, end):
                key = f"{period}:{m['name']}"
                cols = [c for c in (m["start"], m["stop"], m["event"]) if c]
                file = work / f"{len(spec)}.csv"
                m["frame"][cols + m["terms"]].to_csv(file, index=False)
                surv = f"Surv({', '.join(cols)})".replace("_duration", "X_duration")
                spec.append({"name": key, "file": str(file),
                             "formula": f"{surv} ~ {' + '.join(m['terms'])}"})
                fits[key] = {"lifetools": lifetools_coef(m), "lifelines": lifelines_coef(m)}
        pd.DataFrame(spec).to_csv(work / "spec.tsv", sep="\t", index=False)
        (work / "fit.R").write_text(R_SCRIPT)
        subprocess.run(["Rscript", str(work / "fit.R"), str(work / "spec.tsv"),
                        str(work / "r.json")], check=True)
        r = json.loads((work / "r.json").read_text())
    print("| model | R iterations | R warnings | lifetools vs R | lifelines vs R |")
    print("|---|---|---|---|---|")
    for key, ours in fits.items():
        ref = np.array(r[key]["coef"], dtype=float)
        finite = np.abs(ref) < 5
        rel = {k: float(np.max(np.abs(v[finite] / ref[finite] - 1))) for k, v in ours.items()}
        print(f"| {key} | {r[key]['iter'][0]} | {'; '.join(r[key]['warnings']).strip()} | "
              f"{rel['lifetools']:.1e} | {rel['lifelines']:.1e} |")


if __name__ == "__main__":
    main()
