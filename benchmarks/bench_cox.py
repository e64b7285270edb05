"""Cox fits at about 1,000,000 rows: lifetools ``fit_efron`` against R and statsmodels.

The reports' Cox models (``steps.cox_models``: delayed entry, no entry, landmark,
re-referral, start-stop) on synthetic cohorts stacked to ``--rows`` rows, each fitted by

- ``lifetools.survival.efron.fit_efron`` (from the DataFrame columns, conversion timed),
- the reports' own call: ``fit_cox`` / ``fit_cox_time_varying`` (``check_ph=False``),
  whose backend is ``fit_efron`` (array conversion and result tables included),
- statsmodels ``PHReg`` (Efron, ``entry + 1e-6``: the large-data backend before
  ``fit_efron``; ``--phreg-repeats 0`` skips it),
- R ``survival::coxph(..., ties = "efron")``, timed inside R with ``proc.time()``.

Ratios are of CPU time (user + system, one BLAS thread everywhere), measured in one run
on the same rows; wall time is recorded too. Writes ``<out>.json`` and ``<out>.md``.

Since wave 51 also the landmark time-split model (start-stop rows) and the Fine-Gray
model of the landmark cohort (``fit_fine_gray`` as the discharge report calls it, rows
made in the fit, robust errors; R ``finegray()`` + ``coxph(..., weights = fgwt,
cluster = source row)``, both timed; no ``fit_efron`` or PHReg column for it: weighted),
and the CPU of ``cox_global_tests`` on each model's rows at its estimate (column
"again": the second evaluation of the partial likelihood that every fit made until wave
51 and Fine-Gray still makes; "in the fit" says whether the measured tree makes it).
Run with ``PYTHONPATH=<other tree>/src`` to measure another source tree.

    .venv/bin/python benchmarks/bench_cox.py --people 50000 --rows 1000000
    .venv/bin/python benchmarks/bench_cox.py --data build/data --rows 200000 --out /tmp/cox
    .venv/bin/python benchmarks/bench_cox.py --models cox_rereferral,cox_time_varying
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from steps import (  # noqa: E402
    cox_models,
    python_cox,
    r_version,
    run_r,
    say,
    stack,
    write_results,
)


def clock(func, repeats: int) -> tuple[list[float], list[float], Any]:
    """CPU and wall seconds of each of ``repeats`` calls, and the last result."""
    cpu, wall, result = [], [], None
    for _ in range(max(repeats, 1)):
        c0, w0 = time.process_time(), time.perf_counter()
        result = func()
        cpu.append(round(time.process_time() - c0, 4))
        wall.append(round(time.perf_counter() - w0, 4))
    return cpu, wall, result


def efron_call(model: dict, fit_efron=None):
    if fit_efron is None:
        from lifetools.survival.efron import fit_efron

    d = model["data"]
    start = model.get("start") or model.get("entry")
    stop = model.get("stop") or model["duration"]
    return lambda: fit_efron(d[stop].to_numpy(float), d[model["event"]].to_numpy(float),
                             d[model["covariates"]].to_numpy(float),
                             start=d[start].to_numpy(float) if start else None)


def phreg_call(model: dict):
    from statsmodels.duration.hazard_regression import PHReg

    d = model["data"]
    start = model.get("start") or model.get("entry")
    stop = model.get("stop") or model["duration"]
    entry = d[start].to_numpy(float) + 1e-6 if start else None
    return lambda: PHReg(d[stop].to_numpy(float), d[model["covariates"]].to_numpy(float),
                         status=d[model["event"]].to_numpy(float), entry=entry,
                         ties="efron").fit()


def before_efron(src: str):
    """``fit_efron`` of another source tree (``--before-src``), loaded from its file
    beside the measured tree's (the module needs numpy and ``lifetools.errors`` only)."""
    import importlib.util

    path = Path(src) / "lifetools" / "survival" / "efron.py"
    spec = importlib.util.spec_from_file_location("before_efron", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["before_efron"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    from lifetools.survival.efron import EfronFit

    # results of this tree's class, so that fit_cox reads the global tests from them
    # (a foreign class would send it to cox_global_tests, a second evaluation)
    module.EfronFit = EfronFit
    return module.fit_efron


def before_wrapper(model: dict, fit_efron):
    """The reports' call (``python_cox``) with ``fit_cox``'s backend replaced by the
    other tree's ``fit_efron`` (the wrapper's own code is the measured tree's)."""
    from lifetools.survival import cox

    call = python_cox(model, None)

    def run():
        kept = cox.fit_efron
        cox.fit_efron = fit_efron
        try:
            return call()
        finally:
            cox.fit_efron = kept
    return run


def global_call(model: dict, result):
    """``cox_global_tests`` on the rows the fit used, at its coefficients: the
    partial likelihood, score and information evaluated again at 0 and at the estimate
    (inside every ``fit_cox`` until wave 51; Fine-Gray still)."""
    from lifetools.survival.partial_likelihood import cox_global_tests

    d = model["data"]
    coef = result.summary["coef"].to_numpy()
    cov = np.diag(result.summary["se"].to_numpy() ** 2)  # the Wald test's cost is nil
    terms = model["covariates"]
    if model.get("fine_gray"):
        from lifetools.survival.finegray import finegray_rows

        interest, competing = model["fine_gray"]
        rows = finegray_rows(d[[model["duration"], model["event"], *terms]],
                             duration_col=model["duration"], event_col=model["event"],
                             event_of_interest=interest, competing=(competing,))
        return lambda: cox_global_tests(rows["fg_stop"], rows["fg_status"], rows[terms],
                                        coef, cov, entry=rows["fg_start"],
                                        weights=rows["fg_weight"])
    start = model.get("start") or model.get("entry")
    stop = model.get("stop") or model["duration"]
    return lambda: cox_global_tests(d[stop].to_numpy(float),
                                    d[model["event"]].to_numpy(float),
                                    d[terms].to_numpy(float), coef, cov,
                                    entry=d[start].to_numpy(float) if start else None)


def global_tests_in_fit(model: dict) -> bool:
    """Whether the tree measured calls ``cox_global_tests`` inside this model's fit
    (Fine-Gray always; ``fit_cox`` / ``fit_cox_time_varying`` before wave 51, whose
    ``_global`` then had no fit to read the likelihoods from)."""
    if model.get("fine_gray"):
        return True
    import inspect

    from lifetools.survival import cox

    return "fit" not in inspect.signature(cox._global).parameters


def med(values: list[float] | None) -> float | None:
    return round(statistics.median(values), 4) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="validated synthetic data folder (else generated)")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--phreg-repeats", type=int, default=1)
    parser.add_argument("--models", help="comma-separated model names (default: all)")
    parser.add_argument("--before-src", help="another tree's src folder: its fit_efron "
                        "timed beside this tree's, in the same run (columns 'before')")
    parser.add_argument("--skip-global", action="store_true",
                        help="do not time cox_global_tests again on each model's rows")
    parser.add_argument("--out", default=str(HERE / "results" / "cox-efron"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lifetools.loading import load_dataset

    with tempfile.TemporaryDirectory(prefix="lifetools-cox-") as folder:
        data = Path(args.data) if args.data else Path(folder) / "data"
        if not args.data:
            from lifetools.synthetic import write_synthetic

            say(f"generating {args.people:,} people")
            write_synthetic(data, people=args.people, seed=20250331)
        models = cox_models(load_dataset(data))
        if args.models:
            wanted = args.models.split(",")
            unknown = set(wanted) - {model["name"] for model in models}
            if unknown:
                parser.error(f"unknown models: {', '.join(sorted(unknown))}")
            models = [model for model in models if model["name"] in wanted]
        for model in models:
            model["data"] = stack(model["data"], args.rows)
        r = run_r(models, Path(folder), args.repeats)
        rows = []
        for model in models:
            say(f"{model['name']}: {len(model['data']):,} rows")
            fine_gray = bool(model.get("fine_gray"))  # weighted: no fit_efron, no PHReg
            e_cpu, e_wall, fit = ([], [], None) if fine_gray else clock(
                efron_call(model), args.repeats)
            before = {}
            if args.before_src and not fine_gray:
                old = before_efron(args.before_src)
                b_cpu, _, b_fit = clock(efron_call(model, old), args.repeats)
                bw_cpu, _, _ = clock(before_wrapper(model, old), args.repeats)
                before = {"before_efron_cpu": b_cpu, "before_wrapper_cpu": bw_cpu,
                          "before_iter": b_fit.iterations,
                          "before_identical": bool(
                              np.array_equal(b_fit.coef, fit.coef)
                              and np.array_equal(b_fit.covariance, fit.covariance)
                              and b_fit.loglik == fit.loglik)}
            w_cpu, w_wall, wrapped = clock(python_cox(model, None), args.repeats)
            g_cpu = [] if args.skip_global else clock(global_call(model, wrapped),
                                                      args.repeats)[0]
            coef = wrapped.summary["coef"].to_numpy() if fit is None else fit.coef
            row = {"name": model["name"], "rows": len(model["data"]),
                   "events": int((model["data"][model["event"]] == 1).sum()),
                   "covariates": len(model["covariates"]),
                   "efron_cpu": e_cpu, "efron_wall": e_wall,
                   "efron_iter": None if fit is None else fit.iterations,
                   "wrapper_cpu": w_cpu, "wrapper_wall": w_wall,
                   "wrapper_backend": wrapped.method["backend"],
                   "global_tests_again_cpu": g_cpu,
                   "global_tests_in_fit": global_tests_in_fit(model),
                   "phreg_cpu": [], "phreg_wall": []} | before
            if args.phreg_repeats and not fine_gray:
                p_cpu, p_wall, ph = clock(phreg_call(model), args.phreg_repeats)
                row |= {"phreg_cpu": p_cpu, "phreg_wall": p_wall,
                        "max_abs_coef_diff_phreg": float(np.max(np.abs(
                            coef - ph.params)))}
            if model["name"] in r:
                ref = r[model["name"]]
                r_cpu = med(ref["cpu"]) or float("nan")
                row |= {"r_cpu": ref["cpu"], "r_wall": ref["wall"], "r_iter": ref["iter"],
                        "max_abs_coef_diff_r": float(np.max(np.abs(coef - ref["coef"]))),
                        "max_abs_coef_diff_r_wrapper": float(np.max(np.abs(
                            wrapped.summary["coef"].to_numpy() - ref["coef"])))}
                row["efron_over_r_cpu"] = round(med(e_cpu) / r_cpu, 3) if e_cpu else None
                row["wrapper_over_r_cpu"] = round(med(w_cpu) / r_cpu, 3)
                row["phreg_over_r_cpu"] = (round(med(row["phreg_cpu"]) / r_cpu, 3)
                                           if row["phreg_cpu"] else None)
                for key in ("before_efron", "before_wrapper"):
                    if row.get(f"{key}_cpu"):
                        row[f"{key}_over_r_cpu"] = round(med(row[f"{key}_cpu"]) / r_cpu, 3)
            rows.append(row)
    write(rows, args)


def write(rows: list[dict], args: argparse.Namespace) -> None:
    import pandas as pd
    import statsmodels

    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "rows_target": args.rows,
            "people": None if args.data else args.people, "repeats": args.repeats,
            "r": r_version(), "statsmodels": statsmodels.__version__,
            "pandas": pd.__version__, "numpy": np.__version__, "threads": 1,
            "load_average": os.getloadavg(), "models": args.models,
            "before_src": args.before_src}
    lines = [f"# Cox at about {args.rows:,} rows: fit_efron, fit_cox, PHReg, R coxph",
             "", f"Run {meta['date']}; R {meta['r']}; statsmodels {meta['statsmodels']}; "
             f"one BLAS thread; load average {meta['load_average'][0]:.1f} on 2 cores. "
             f"Median CPU seconds (user + system) of {args.repeats} fits "
             f"({args.phreg_repeats} for PHReg); ratios are CPU / R's CPU.", "",
             "| model | rows | events | fit_efron s | fit_cox s | PHReg s | R coxph s | "
             "efron / R | fit_cox / R | PHReg / R | iterations (efron, R) | "
             "max coef diff vs R (efron, fit_cox) | cox_global_tests again s | "
             "in the fit |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['rows']:,} | {row['events']:,} | "
            f"{med(row['efron_cpu'])} | {med(row['wrapper_cpu'])} | "
            f"{med(row['phreg_cpu'])} | {med(row.get('r_cpu'))} "
            f"| {row.get('efron_over_r_cpu')} | {row.get('wrapper_over_r_cpu')} | "
            f"{row.get('phreg_over_r_cpu')} | {row['efron_iter']}, {row.get('r_iter')} | "
            f"{row.get('max_abs_coef_diff_r', float('nan')):.1e}, "
            f"{row.get('max_abs_coef_diff_r_wrapper', float('nan')):.1e} | "
            f"{med(row['global_tests_again_cpu'])} | "
            f"{'yes' if row['global_tests_in_fit'] else 'no'} |")
    if args.before_src:
        lines += ["", f"Before: `fit_efron` of {args.before_src} in the same run, on the "
                  "same rows (fit_cox: this tree's wrapper with that backend).", "",
                  "| model | fit_efron before s | after s | after / before | "
                  "fit_cox before s | after s | before / R | after / R | "
                  "every number identical |", "|---|---|---|---|---|---|---|---|---|"]
        for row in rows:
            if not row.get("before_efron_cpu"):
                continue
            b, a = med(row["before_efron_cpu"]), med(row["efron_cpu"])
            lines.append(
                f"| {row['name']} | {b} | {a} | {round(a / b, 3)} | "
                f"{med(row['before_wrapper_cpu'])} | {med(row['wrapper_cpu'])} | "
                f"{row.get('before_wrapper_over_r_cpu')} | "
                f"{row.get('wrapper_over_r_cpu')} | "
                f"{'yes' if row['before_identical'] else 'no'} |")
    write_results(args.out, {"meta": meta, "rows": rows}, "\n".join(lines))


if __name__ == "__main__":
    main()
