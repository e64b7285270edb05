"""Benchmark steps, each run in its own child process by ``benchmarks/run.py``.

    python benchmarks/steps.py STEP '{"json": "arguments"}'

A step prints one JSON object on its last stdout line: timings (seconds of each repeat),
sizes, and ``peak_rss_mb`` (the child's own peak resident memory, inputs included).
Progress goes to stderr. Nothing here is imported by lifetools or its tests.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

NHS_TEST_NUMBERS = 909_090  # valid NHS numbers in the test range (generator limit)
EDITIONS = (("2023-24", "2023-04-01", "2024-03-31"),
            ("2024-25", "2024-04-01", "2025-03-31"))
CRISIS_DEFAULTS = {"n_boot": 200, "slope_band": (0.8, 1.2), "citl_band": (-0.2, 0.2)}
PERIOD = {"period_start": EDITIONS[-1][1], "period_end": EDITIONS[-1][2]}
ROW_IDS = {"referrals": ("referral_id", "R"), "ae_attendances": ("attendance_id", "AE"),
           "emergency_admissions": ("spell_id", "S"),
           "life_rooms_contacts": ("contact_id", "C"),
           "social_prescriptions": ("prescription_id", "SP"),
           "wellbeing": ("measurement_id", "W"), "feedback": ("response_id", "F")}


def say(text: str) -> None:
    print(f"    {text}", file=sys.stderr, flush=True)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    """User + system CPU of this process and of every child it has waited for.

    A notebook kernel's CPU counts once its parent (papermill, or the build for a warm
    kernel) has waited for it.
    """
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def write_results(out: str | Path, data: Any, markdown: str, *, indent: int = 1) -> None:
    """A benchmark's results: ``OUT.json`` (``data``) and ``OUT.md`` (``markdown``, the
    table), its folder made if missing; the table is printed too. The suffixes are added
    to ``out`` (a name such as ``load-1.5m`` keeps its dot)."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.json").write_text(json.dumps(data, indent=indent) + "\n")
    Path(f"{out}.md").write_text(markdown.rstrip("\n") + "\n")
    print(markdown.rstrip("\n"))


def timed(func: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Run ``func`` ``repeats`` times; return each run's seconds and the last result."""
    seconds, result = [], None
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        result = func()
        seconds.append(round(time.perf_counter() - start, 4))
    return seconds, result


def table_rows(data_dir: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    return {p.stem: pq.ParquetFile(p).metadata.num_rows
            for p in sorted(Path(data_dir).glob("*.parquet"))}


# ---------------------------------------------------------------- generation ----


def _merge_shards(shards: list[Path], out: Path) -> None:
    """Concatenate analysis tables of independent shards into one valid dataset.

    Person ids of shard i > 0 are re-keyed (SHA-256 of shard number and id, still 64
    hex), row ids renumbered, and the deprivation lookup is the union of the shards'.
    The extract's ``datapackage.json`` (dictionary version, extract date) is shard 0's.
    """
    import hashlib

    out.mkdir(parents=True, exist_ok=True)
    for name in [p.stem for p in sorted(shards[0].glob("*.parquet"))]:
        frames = []
        for i, shard in enumerate(shards):
            frame = pd.read_parquet(shard / f"{name}.parquet")
            if i and "person_id" in frame.columns:
                ids = frame["person_id"]
                keys = ids.dropna().unique()
                mapping = {k: hashlib.sha256(f"{i}:{k}".encode()).hexdigest()
                           for k in keys}
                frame["person_id"] = ids.map(mapping).where(ids.notna(), None)
            frames.append(frame)
        merged = pd.concat(frames, ignore_index=True)
        if name == "deprivation":
            merged = merged.drop_duplicates("lsoa_code", ignore_index=True)
        if name in ROW_IDS:
            column, prefix = ROW_IDS[name]
            width = max(len(str(len(merged))), 6)
            merged[column] = [f"{prefix}{i:0{width}d}" for i in range(1, len(merged) + 1)]
        merged.to_parquet(out / f"{name}.parquet", index=False)
    (out / "datapackage.json").write_bytes((shards[0] / "datapackage.json").read_bytes())


def generate(people: int, seed: int, out: str, repeats: int) -> dict:
    """``write_synthetic``; above the NHS test-number limit, shards merged."""
    from lifetools.synthetic import write_synthetic

    out_dir = Path(out)
    shards = math.ceil(people / NHS_TEST_NUMBERS)

    def once() -> None:
        shutil.rmtree(out_dir, ignore_errors=True)
        if shards == 1:
            write_synthetic(out_dir, people=people, seed=seed, progress=say)
            shutil.rmtree(out_dir / "raw", ignore_errors=True)  # keep the disk small
            return
        with tempfile.TemporaryDirectory(prefix="lifetools-shards-") as folder:
            parts = []
            for i in range(shards):
                size = people // shards + (1 if i < people % shards else 0)
                part = Path(folder) / f"shard{i}"
                write_synthetic(part, people=size, seed=seed + i, progress=say)
                parts.append(part)
            say(f"merging {shards} shards")
            _merge_shards(parts, out_dir)

    seconds, _ = timed(once, repeats)
    return {"seconds": seconds, "shards": shards, "rows": table_rows(out_dir)}


# ------------------------------------------------------- validation, loading ----


def validate(data_dir: str, repeats: int, in_engine: bool = True) -> dict:
    """``validate_directory``'s checks (``in_engine``: in embedded DuckDB, the default;
    else the pandas checks), wall and CPU seconds of each (imports and the dictionary
    before the first, not timed)."""
    import ibis  # noqa: F401  imported first on both sides: imports are not compared

    from lifetools.dictionary import load_dictionary
    from lifetools.validation import validate_tables

    dictionary = load_dictionary()
    cpu: list[float] = []

    def once():
        used = cpu_seconds()
        out = validate_tables(Path(data_dir), dictionary, list(dictionary.tables),
                              in_engine=in_engine)
        cpu.append(round(cpu_seconds() - used, 3))
        return out

    seconds, report = timed(once, repeats)
    return {"seconds": seconds, "cpu_seconds": cpu, "ok": report.ok,
            "rows": table_rows(Path(data_dir))}


def load(data_dir: str, repeats: int) -> dict:
    from lifetools.loading import load_dataset

    seconds, _ = timed(lambda: load_dataset(Path(data_dir)), repeats)
    return {"seconds": seconds, "rows": table_rows(Path(data_dir))}


def cohorts(data_dir: str, repeats: int) -> dict:
    from lifetools import cohort
    from lifetools.loading import load_dataset

    ds = load_dataset(Path(data_dir))
    out = {}
    for name, func in (("build_discharge_cohort", cohort.build_discharge_cohort),
                       ("build_rereferral_cohort", cohort.build_rereferral_cohort),
                       ("build_person_time", cohort.build_person_time)):
        say(name)
        seconds, result = timed(lambda f=func: f(ds, cohort.CohortSpec(**PERIOD)), repeats)
        rows = len(result.periods if name == "build_person_time" else result.data)
        out[name] = {"seconds": seconds, "rows": rows}
        if name == "build_discharge_cohort":
            data = result.data
            seconds, long = timed(lambda d=data: cohort.split_at_exposure(d), repeats)
            out["split_at_exposure"] = {"seconds": seconds, "rows": len(long)}
    return {"steps": out}


# -------------------------------------------------------------- model fits ----

R_FINEGRAY = r"""
# Fine-Gray as lifetools fit_fine_gray: "finegray:<time>:<event>:<of interest>:<competing>"
# (other codes censored); finegray() rows, then coxph weighted by fgwt, clustered by
# the source row (the robust errors the reports use). finegray() is timed with coxph.
finegray_data <- function(d, surv) {
  parts <- strsplit(surv, ":")[[1]]
  code <- d[[parts[3]]]
  d$fg_time <- d[[parts[2]]]
  d$fg_code <- factor(ifelse(code == as.numeric(parts[4]), 1,
                             ifelse(code == as.numeric(parts[5]), 2, 0)), 0:2,
                      labels = c("censor", "event", "competing"))
  d$source_row <- seq_len(nrow(d))
  d
}
finegray_fit <- function(f, d) {
  fg <- finegray(Surv(fg_time, fg_code) ~ ., data = d, etype = "event")
  coxph(f, data = fg, weights = fgwt, cluster = source_row, ties = "efron")
}
"""

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(TRUE)
""" + R_FINEGRAY + r"""
spec <- read.delim(args[1], stringsAsFactors = FALSE)
for (i in seq_len(nrow(spec))) {
  d <- read.csv(spec$file[i])
  fg <- startsWith(spec$surv[i], "finegray:")
  if (fg) d <- finegray_data(d, spec$surv[i])
  f <- as.formula(paste(if (fg) "Surv(fgstart, fgstop, fgstatus)" else spec$surv[i], "~",
                        spec$covariates[i]))
  cpu <- c(); wall <- c()
  for (r in seq_len(spec$repeats[i])) {
    t0 <- proc.time()
    m <- if (fg) finegray_fit(f, d) else coxph(f, data = d, ties = "efron")
    t1 <- proc.time() - t0
    cpu <- c(cpu, t1[["user.self"]] + t1[["sys.self"]]); wall <- c(wall, t1[["elapsed"]])
  }
  cat("RESULT", spec$name[i], paste(cpu, collapse = ","), paste(wall, collapse = ","),
      paste(sprintf("%.15g", coef(m)), collapse = ","), m$iter, "\n")
}
"""


def r_version() -> str | None:
    if not shutil.which("Rscript"):
        return None
    result = subprocess.run(
        ["Rscript", "-e", 'cat(paste0(R.version$major, ".", R.version$minor),'
         ' "survival", as.character(packageVersion("survival")))'],
        capture_output=True, text=True)
    return result.stdout.strip() or None


def run_r(models: list[dict], folder: Path, repeats: int) -> dict[str, dict]:
    """Fit each Cox model with R ``coxph`` (Efron; Fine-Gray through ``finegray``),
    timing only the fit, inside R (``proc.time``): by model name, each repeat's CPU
    (user + system) and wall seconds, the coefficients (NA, a term R dropped: NaN) and
    R's iterations. The one R driver (``compare_cox``, ``bench_cox.py``). Empty without
    ``Rscript``; when R fails, the models it fitted before (the failure is said)."""
    if not shutil.which("Rscript"):
        return {}
    rows = []
    for model in models:
        file = folder / f"{model['name']}.csv"
        model["data"].to_csv(file, index=False)
        rows.append({"name": model["name"], "file": str(file), "surv": model["surv"],
                     "covariates": " + ".join(model["covariates"]),
                     "repeats": repeats})
    spec = folder / "spec.tsv"
    pd.DataFrame(rows).to_csv(spec, sep="\t", index=False)
    script = folder / "cox.R"
    script.write_text(R_SCRIPT)
    say(f"R coxph on {len(models)} models")
    result = subprocess.run(["Rscript", str(script), str(spec)], capture_output=True,
                            text=True)
    if result.returncode:
        say(f"R failed: {result.stderr[-500:]}")
    out = {}
    for line in result.stdout.splitlines():
        if line.startswith("RESULT"):
            _, name, cpu, wall, coef, iters = line.split()[:6]
            out[name] = {"cpu": [float(s) for s in cpu.split(",")],
                         "wall": [float(s) for s in wall.split(",")],
                         "coef": np.array([math.nan if c == "NA" else float(c)
                                           for c in coef.split(",")]),
                         "iter": int(iters)}
    return out


def _surv(model: dict) -> str:
    if model.get("fine_gray"):
        return "finegray:{}:{}:{}:{}".format(model["duration"], model["event"],
                                             *model["fine_gray"])
    if "start" in model:
        return f"Surv({model['start']}, {model['stop']}, {model['event']})"
    if model.get("entry"):
        return f"Surv({model['entry']}, {model['duration']}, {model['event']})"
    return f"Surv({model['duration']}, {model['event']})"


def cox_models(ds: Any) -> list[dict]:
    """Every Cox model the reports fit: data, columns and covariates, as they call it."""
    from lifetools import cohort

    covs = list(cohort.ADJUSTMENT_COVARIATES)
    data = cohort.build_discharge_cohort(ds, cohort.CohortSpec(**PERIOD)).data
    long = cohort.split_at_exposure(data)
    rerefer = cohort.build_rereferral_cohort(ds, cohort.CohortSpec(**PERIOD)).data
    landmark = data[(data["duration"] > 90) & (data["entry"] <= 90)].copy()
    landmark["exposed_at_landmark"] = (landmark["exposure_day"] <= 90).fillna(
        False).astype(float)
    landmark["ldur"] = landmark["duration"] - 90
    split = _landmark_split_rows(landmark)
    models = [
        {"name": "cox_discharge_naive_entry", "duration": "duration",
         "event": "discharged", "entry": "entry", "covariates": ["ever_used", *covs],
         "frame": data},
        {"name": "cox_discharge_naive_no_entry", "duration": "duration",
         "event": "discharged", "covariates": ["ever_used", *covs], "frame": data},
        {"name": "cox_landmark_90", "duration": "ldur", "event": "discharged",
         "covariates": ["exposed_at_landmark", *covs], "frame": landmark},
        {"name": "cox_rereferral", "duration": "duration", "event": "rereferred",
         "covariates": ["used_life_rooms", *covs], "frame": rerefer},
        {"name": "cox_time_varying", "start": "start", "stop": "stop", "event": "event",
         "covariates": ["exposed", *covs], "frame": long},
        {"name": "cox_landmark_split", "start": "start", "stop": "stop", "event": "event",
         "covariates": ["exposed_before_split", "exposed_after_split", *covs],
         "frame": split},
        {"name": "fine_gray_landmark_90", "duration": "ldur", "event": "event",
         "fine_gray": (1, DISCHARGE_DEATH), "covariates": ["exposed_at_landmark", *covs],
         "frame": landmark},
    ]
    for model in models:
        cols = [model[k] for k in ("entry", "duration", "start", "stop", "event")
                if model.get(k)]
        model["data"] = model.pop("frame")[["person_id", *cols, *model["covariates"]]]
        model["surv"] = _surv(model)
    return models


DISCHARGE_DEATH = 3
"""The death code of the discharge cohort's ``event`` column (the reports' ``DEATH``)."""


def _landmark_split_rows(landmark: pd.DataFrame) -> pd.DataFrame:
    """The landmark time-split model's (start, stop] rows, as
    ``lifetools.survival.fit_landmark_time_split`` makes them from the landmark cohort
    (split at the median follow-up of the exposed people's discharges; the discharge
    report fits it when the landmark model's PH test fails)."""
    exposed = landmark.loc[(landmark["exposed_at_landmark"] == 1)
                           & (landmark["discharged"] == 1), "ldur"]
    split_at = float(exposed.median())
    early = landmark.assign(start=0.0, stop=landmark["ldur"].clip(upper=split_at),
                            event=landmark["discharged"].where(
                                landmark["ldur"] <= split_at, 0),
                            exposed_before_split=landmark["exposed_at_landmark"],
                            exposed_after_split=0.0)
    late = landmark.loc[landmark["ldur"] > split_at].assign(
        start=split_at, stop=lambda d: d["ldur"], event=lambda d: d["discharged"],
        exposed_before_split=0.0, exposed_after_split=lambda d: d["exposed_at_landmark"])
    return pd.concat([early, late], ignore_index=True)


def stack(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    """Copies of ``frame`` until it has at least ``rows`` rows (distinct person ids)."""
    copies = max(1, math.ceil(rows / max(len(frame), 1)))
    codes = pd.factorize(frame["person_id"])[0]
    parts = [frame.assign(person_id=codes + i * (codes.max() + 1))
             for i in range(copies)]
    return pd.concat(parts, ignore_index=True)


def python_cox(model: dict, backend: str | None) -> Callable[[], Any]:
    """The lifetools fit alone (no PH test), as the R comparison times it (Fine-Gray:
    ``fit_fine_gray`` as the discharge report calls it, its rows made in the fit)."""
    from lifetools.survival import fit_cox, fit_cox_time_varying

    data = model["data"]
    if model.get("fine_gray"):
        from lifetools.survival import fit_fine_gray

        interest, competing = model["fine_gray"]
        return lambda: fit_fine_gray(data, duration_col=model["duration"],
                                     event_col=model["event"],
                                     event_of_interest=interest, competing=(competing,),
                                     covariates=model["covariates"])
    if "start" in model:
        return lambda: fit_cox_time_varying(
            data, id_col="person_id", start_col="start", stop_col="stop",
            event_col="event", covariates=model["covariates"], backend=backend or "auto",
            check_ph=False)
    return lambda: fit_cox(data, duration_col=model["duration"], event_col=model["event"],
                           entry_col=model.get("entry"), covariates=model["covariates"],
                           check_ph=False)


def compare_cox(models: list[dict], repeats: int, r_repeats: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="lifetools-r-") as folder:
        r = run_r(models, Path(folder), r_repeats)
        for model in models:
            backends = [None]
            if model["name"] == "cox_time_varying":
                backends = ["auto", "lifelines", "statsmodels"]
            for backend in backends:
                name = model["name"] + (f"[{backend}]" if backend else "")
                say(f"{name}: {len(model['data']):,} rows")
                try:
                    seconds, fit = timed(python_cox(model, backend), repeats)
                except Exception as error:  # noqa: BLE001 - report it, carry on
                    rows.append({"name": name, "rows": len(model["data"]),
                                 "events": 0, "seconds": [], "backend": "",
                                 "r_seconds": None, "max_abs_coef_diff": None,
                                 "error": f"failed: {type(error).__name__}"})
                    continue
                coef = fit.summary["coef"].to_numpy()
                row = {"name": name, "rows": len(model["data"]),
                       "events": int(model["data"][model["event"]].sum()),
                       "seconds": seconds, "backend": fit.method["backend"],
                       "r_seconds": None, "max_abs_coef_diff": None}
                if model["name"] in r:
                    row["r_seconds"] = r[model["name"]]["wall"]  # as ``seconds``
                    row["max_abs_coef_diff"] = float(np.max(np.abs(
                        coef - r[model["name"]]["coef"])))
                rows.append(row)
    return rows


class NotFitted(Exception):
    """A fit the reports would not make on these data (the reason is its message)."""


def _not_fitted(reason: str) -> None:
    raise NotFitted(reason)


def fits(data_dir: str, repeats: int, r_repeats: int, cox: bool = True) -> dict:
    """Each model fit the reports call (lifetools wrappers), and Cox beside R.

    ``cox=False`` leaves out the Cox comparison (R and the other backends), to measure
    the fits' peak memory alone; the peak after the load and the cohorts is reported as
    ``peak_after_load_mb`` and ``peak_after_cohorts_mb``. The load follows the
    environment (``LIFETOOLS_COMPACT_IDS``, ``LIFETOOLS_SKIP_UNUSED_COLUMNS``).

    The cohorts and the person-periods (with ``user``) are held throughout, as the
    reports hold them; every other fit's rows (the after periods, the users, the
    matched and weighted people and their periods, the logistic model's rows) are made
    just before that fit, not timed, and let go after it. Until 2026-12-06 they were all
    made first and held together, which no report does: the step peaked in frames of
    its own (issue 16).
    """
    from lifetools import cohort, regression, survival
    from lifetools.errors import StatisticalWarning
    from lifetools.loading import load_dataset

    warnings.simplefilter("ignore", StatisticalWarning)
    ds = load_dataset(Path(data_dir))
    after_load = peak_mb()
    covs = list(cohort.ADJUSTMENT_COVARIATES)
    data = cohort.build_discharge_cohort(ds, cohort.CohortSpec(**PERIOD)).data
    rerefer = cohort.build_rereferral_cohort(ds, cohort.CohortSpec(**PERIOD)).data
    rerefer = rerefer.assign(group=rerefer["used_life_rooms"].astype(str))
    pt = cohort.build_person_time(ds, cohort.CohortSpec(**PERIOD))
    periods = pt.periods.assign(user=pt.periods["person_id"].map(
        pt.people.set_index("person_id")["user"]))
    pcovs = cohort.propensity_covariates(pt.people)  # as analyse_emergency_care
    wb = ds.wellbeing.dropna(subset=["person_id"])
    base = set(wb[(wb["timepoint"] == "baseline") & wb["measurement_date"].between(
        PERIOD["period_start"], PERIOD["period_end"])]["person_id"])
    measures = wb[wb["person_id"].isin(base)].assign(
        follow_up=lambda f: (f["timepoint"] == "follow_up").astype(float))
    del wb
    after_cohorts = peak_mb()

    def after():
        return periods[periods["after"] == 1]

    def matched_periods():
        matched = regression.match_on_propensity(pt.people, treatment_col="user",
                                                 covariates=pcovs)
        return periods[periods["person_id"].isin(matched.data["person_id"])]

    def weighted_periods():
        weighted = regression.weight_by_propensity(pt.people, treatment_col="user",
                                                   covariates=pcovs, estimand="att")
        # as analyse_emergency_care: no weighted DiD when the propensity model failed
        # (it does not converge on some small datasets); the row then says why
        if weighted.failure:
            return f"weighting failed: {weighted.failure}"
        return periods.assign(weight=periods["person_id"].map(
            weighted.data.set_index("person_id")["weight"]))

    def logistic_rows():
        return after().merge(pt.people, on=["person_id", "group", "user"]).assign(
            any_ae=lambda f: (f["ae"] > 0).astype(float))

    def weighted_did(rows):
        if isinstance(rows, str):
            _not_fitted(rows)
        return [regression.estimate_did(rows, outcome_col=o, weights_col="weight")
                for o in ("ae", "admissions")]

    # name: (rows before the fit, not timed: a callable, or None for the held ones;
    # the fit of those rows)
    calls = {
        "fit_cox discharge (entry, as reported)": (lambda: data, lambda d: survival.fit_cox(
            d, duration_col="duration", event_col="discharged", entry_col="entry",
            covariates=["ever_used", *covs])),
        "fit_landmark 90 days (with PH test)": (lambda: data, lambda d: survival.fit_landmark(
            d, landmark=90, duration_col="duration", event_col="discharged",
            exposure_time_col="exposure_day", covariates=covs, entry_col="entry",
            check_ph=True)),
        "fit_landmark_time_split 90 days, median split": (
            lambda: data, lambda d: survival.fit_landmark_time_split(
                d, landmark=90, duration_col="duration", event_col="discharged",
                exposure_time_col="exposure_day", covariates=covs, entry_col="entry")),
        "fit_cox re-referral (with PH test)": (lambda: rerefer, lambda d: survival.fit_cox(
            d, duration_col="duration", event_col="rereferred",
            covariates=["used_life_rooms", *covs])),
        "estimate_km discharge (entry)": (lambda: data, lambda d: survival.estimate_km(
            d, duration_col="duration", event_col="discharged", entry_col="entry")),
        "estimate_cif discharge x3 events (entry)": (lambda: data, lambda d: [
            survival.estimate_cif(d, duration_col="duration", event_col="event",
                                  event_of_interest=code, entry_col="entry")
            for code in (1, 2, 3)]),
        "estimate_cif re-referral by group": (lambda: rerefer, lambda d: survival.estimate_cif(
            d, duration_col="duration", event_col="event", event_of_interest=1,
            group_col="group", times=(0, 90, 180, 365))),
        "fit_poisson after (robust)": (after, lambda d: [regression.fit_poisson(
            d, outcome_col=o, person_time_col="person_years", covariates=["user"])
            for o in ("ae", "admissions")]),
        "compare_before_after (GEE)": (lambda: periods[periods["user"] == 1], lambda d: [
            regression.compare_before_after(d, outcome_col=o)
            for o in ("ae", "admissions")]),
        "match_on_propensity": (lambda: pt.people, lambda d: regression.match_on_propensity(
            d, treatment_col="user", covariates=pcovs)),
        "estimate_did (matched)": (matched_periods, lambda d: [regression.estimate_did(
            d, outcome_col=o) for o in ("ae", "admissions")]),
        "weight_by_propensity (ATT)": (lambda: pt.people,
                                       lambda d: regression.weight_by_propensity(
            d, treatment_col="user", covariates=pcovs, estimand="att")),
        "estimate_did (weighted)": (weighted_periods, weighted_did),
        "fit_logistic any A&E": (logistic_rows, lambda d: regression.fit_logistic(
            d, outcome_col="any_ae", covariates=pcovs)),
        "fit_mixed_model SWEMWBS": (lambda: measures, lambda d: regression.fit_mixed_model(
            d)),
    }
    out = []
    for name, (rows_of, call) in calls.items():
        say(name)
        rows = rows_of()
        count = len(periods) if isinstance(rows, str) else len(rows)
        try:
            seconds = timed(lambda r=rows, c=call: c(r), repeats)[0]  # result let go
        except NotFitted as reason:
            out.append({"name": name, "rows": count, "seconds": [], "error": str(reason)})
            continue
        except Exception as error:  # noqa: BLE001 - report the failure, carry on
            out.append({"name": name, "rows": count, "seconds": [],
                        "error": f"failed: {type(error).__name__}"})
            continue
        finally:
            del rows
        out.append({"name": name, "rows": count, "seconds": seconds,
                    "peak_so_far_mb": peak_mb()})
    cox = compare_cox(cox_models(ds), repeats, repeats) if cox else []
    return {"fits": out, "cox": cox, "peak_after_load_mb": after_load,
            "peak_after_cohorts_mb": after_cohorts}


def cox_scaled(data_dir: str, rows: int, repeats: int) -> dict:
    """Every Cox model on its data stacked to about ``rows`` rows, beside R."""
    from lifetools.loading import load_dataset

    models = cox_models(load_dataset(Path(data_dir)))
    for model in models:
        model["data"] = stack(model["data"], rows)
    return {"cox": compare_cox(models, repeats, repeats)}


def compute(data_dir: str, repeats: int) -> dict:
    """The pure compute floor: load once, then every report's analysis, every edition.

    The data are loaded as the build's warm kernels load them (person ids as compact
    codes, the columns no analysis reads left out). ``parts`` has each analysis' wall and
    CPU seconds over both editions (``name``, ``cpu:name``) and its CPU seconds in each
    edition (``cpu:name:edition``): a notebook's kernel CPU (``run.json``) is one
    edition's.
    """
    import lifetools as lt

    warnings.simplefilter("ignore")

    def everything() -> dict[str, float]:
        parts, start = {}, time.perf_counter()
        cpu_start = time.process_time()
        ds = lt.load_dataset(Path(data_dir), compact_ids=True, skip_unused=True)
        parts["load_dataset"] = time.perf_counter() - start
        parts["cpu:load_dataset"] = time.process_time() - cpu_start
        calls = {"describe_population": lt.describe.describe_population,
                 "analyse_discharge": lt.reports.analyse_discharge,
                 "analyse_rereferral": lt.reports.analyse_rereferral,
                 "analyse_emergency_care": lt.reports.analyse_emergency_care,
                 "analyse_wellbeing": lt.reports.analyse_wellbeing,
                 "analyse_reach": lt.reports.analyse_reach,
                 "analyse_crisis_risk": lt.reports.analyse_crisis_risk}
        extra = {"analyse_crisis_risk": CRISIS_DEFAULTS}  # analyses.yml's defaults
        for edition, first, last in EDITIONS:
            for name, func in calls.items():
                clock, cpu = time.perf_counter(), time.process_time()
                func(ds, period_start=first, period_end=last, **extra.get(name, {}))
                used = time.process_time() - cpu
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - clock
                parts[f"cpu:{name}"] = parts.get(f"cpu:{name}", 0.0) + used
                parts[f"cpu:{name}:{edition}"] = used
        return parts

    runs = []
    for _ in range(max(repeats, 1)):
        start, cpu = time.perf_counter(), cpu_seconds()
        parts = everything()
        runs.append((round(time.perf_counter() - start, 4), parts,
                     round(cpu_seconds() - cpu, 2)))
    return {"seconds": [r[0] for r in runs], "cpu_seconds": [r[2] for r in runs],
            "parts": {k: round(statistics.median(r[1][k] for r in runs), 4)
                      for k in runs[0][1]}}


REPORTS = ("describe_population", "analyse_discharge", "analyse_rereferral",
           "analyse_emergency_care", "analyse_wellbeing", "analyse_reach",
           "analyse_crisis_risk")
"""The reports' analyses, in the order of :func:`compute` (and of the series)."""


def report(data_dir: str, name: str, n_boot: int | None = None) -> dict:
    """One report's analysis of the last edition (2024-25) in this child, by CPU.

    The data are loaded as :func:`compute` loads them (compact ids, unused columns left
    out), then ``name`` is called once as :func:`compute` calls it (the crisis report
    with analyses.yml's defaults, ``n_boot`` replacing its 200 when given).
    ``seconds`` is the analysis' CPU (user + system of this process: every thread),
    the load not included, so that growth exponents are of the report alone; ``wall``
    its wall seconds; the child's ``peak_rss_mb`` includes the loaded tables.
    """
    import lifetools as lt

    warnings.simplefilter("ignore")
    ds = lt.load_dataset(Path(data_dir), compact_ids=True, skip_unused=True)
    func = (lt.describe.describe_population if name == "describe_population"
            else getattr(lt.reports, name))
    extra = dict(CRISIS_DEFAULTS) if name == "analyse_crisis_risk" else {}
    if n_boot is not None and extra:
        extra["n_boot"] = n_boot
    clock, cpu = time.perf_counter(), cpu_seconds()
    func(ds, **PERIOD, **extra)
    return {"seconds": [round(cpu_seconds() - cpu, 2)],
            "wall": round(time.perf_counter() - clock, 2),
            "n_boot": extra.get("n_boot")}


def build(root: str, jobs: int, kernels: str = "warm", force: bool = False) -> dict:
    """``build_series`` in this child, on the project copy named by the environment.

    ``kernels``: ``warm`` (one persistent kernel per worker, the default) or
    ``isolated`` (a fresh kernel per notebook, as before issue 16). ``force``: rerun
    every notebook (a rebuild whose runs have records of their last cost).
    """
    os.environ["LIFETOOLS_PROJECT_ROOT"] = root
    os.environ["LIFETOOLS_KERNELS"] = kernels
    from lifetools.errors import DisclosureError
    from lifetools.pipeline.build import build_series

    marks: dict[str, tuple[float, float]] = {}

    def progress(text: str) -> None:
        # wall and CPU at the phase boundaries, for a build that does not record its own
        # CPU (timings "data_cpu", "runs_cpu", "book_cpu") or that the gate refuses:
        # kernels are reaped before the gate
        if text.startswith(("running", "reused", "rendered")):
            marks.setdefault("runs", (time.perf_counter(), cpu_seconds()))
        elif text.startswith("checking") and "notebooks" in text:
            marks.setdefault("book", (time.perf_counter(), cpu_seconds()))
        say(text)

    start, cpu = time.perf_counter(), cpu_seconds()
    try:
        summary = build_series(jobs=jobs, progress=progress, force=force)
    except DisclosureError as exc:  # the notebook phase is over: report it, no book
        if len(marks) < 2:
            raise
        (w1, c1), (w2, c2) = marks["runs"], marks["book"]
        runs = {}
        for record in sorted(Path(root, "build", "runs").glob("*/*/run.json")):
            r = json.loads(record.read_text())
            runs[f"{r['edition']}/{r['analysis']}"] = {
                "status": "ran", "seconds": r["seconds"],
                "cpu_seconds": r.get("cpu_seconds")}
        return {"seconds": [round(w2 - start, 4)], "cpu_seconds": round(c2 - cpu, 2),
                "timings": {"data": round(w1 - start, 4), "runs": round(w2 - w1, 4),
                            "data_cpu": round(c1 - cpu, 2), "runs_cpu": round(c2 - c1, 2)},
                "runs": runs, "gate_refused": str(exc).splitlines()[0],
                "notebooks": {"ran": len(runs)}}
    end = cpu_seconds()
    timings = dict(summary.timings)
    if "runs_cpu" not in timings and len(marks) == 2:
        timings.update(data_cpu=marks["runs"][1] - cpu,
                       runs_cpu=marks["book"][1] - marks["runs"][1],
                       book_cpu=end - marks["book"][1])
    statuses = [o.status for o in summary.outcomes]
    return {"seconds": [round(time.perf_counter() - start, 4)],
            "cpu_seconds": round(end - cpu, 2),
            "timings": {k: round(v, 4) for k, v in timings.items()},
            "runs": {o.spec.label: {"status": o.status, "seconds": round(o.seconds, 1),
                                    "cpu_seconds": o.record.get("cpu_seconds")}
                     for o in summary.outcomes},
            "notebooks": {s: statuses.count(s) for s in sorted(set(statuses))}}


STEPS = {"generate": generate, "validate": validate, "load": load, "cohorts": cohorts,
         "fits": fits, "cox_scaled": cox_scaled, "compute": compute, "report": report,
         "build": build}


if __name__ == "__main__":
    result = STEPS[sys.argv[1]](**json.loads(sys.argv[2]))
    result["peak_rss_mb"] = peak_mb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["child_peak_rss_mb"] = round(children / 1024, 1)
    print(json.dumps(result))
