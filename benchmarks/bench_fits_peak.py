"""Peak memory of the model-fit step and of the emergency-care report, source trees
side by side (issue 16).

For each source tree (``--trees name=path/to/src``), one at a time, two child
processes, both loading the data as the build's kernels do (compact person ids, unused
columns left out; one BLAS thread):

- ``fits``: ``benchmarks/steps.py fits`` with ``cox: false`` unchanged (the script of
  the 7,579 MB figure of 2026-12-01): the cohorts, person-time, propensity matching and
  weights held together, then each fit; its peak resident memory after the load, after
  the cohorts and after each fit (``ru_maxrss`` of the child), and its CPU seconds;
- ``traced`` (asked for by ``--parts``): each step of the emergency analysis alone under
  ``tracemalloc`` (person-time, the propensity model, matching, weighting, the Poisson,
  difference-in-differences and logistic fits, the whole report), its traced peak and
  what it kept: numpy and pandas memory only, the same figures run after run;
- ``report``: :func:`lifetools.reports.analyse_emergency_care` for the 2024-25 edition,
  as the emergency notebook calls it in a warm kernel: the peak after the load, and
  the peak during the report alone (``VmHWM`` reset after the load by writing 5 to
  ``/proc/self/clear_refs``), with the report's estimates, key results and rate tables
  as hex floats and text, compared between the trees.

Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_fits_peak.py --data /tmp/perf-data/150k \\
        --trees before=/tmp/src-before,after=src --out benchmarks/results/fits-peak-150k
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}
sys.path.insert(0, str(HERE))

from bench_memory import _machine, _vm  # noqa: E402  (one reader of /proc)
from steps import write_results  # noqa: E402


def _digest(value) -> str:
    """Floats as hex, frames cell by cell: equal digests mean bit-identical numbers."""
    import numpy as np
    import pandas as pd

    def text(v) -> str:
        if isinstance(v, pd.DataFrame):
            return "|".join(f"{c}:" + ",".join(text(x) for x in v[c]) for c in v.columns)
        if isinstance(v, list | tuple):
            return "[" + ",".join(text(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ",".join(f"{k}={text(x)}" for k, x in v.items()) + "}"
        if isinstance(v, float | np.floating):
            return float(v).hex()
        return repr(v) if not hasattr(v, "text") else repr(v.text)
    return hashlib.sha256(text(value).encode()).hexdigest()[:16]


def child_report(folder: str) -> dict:
    """Load as a warm kernel does, then the emergency-care report; peaks and digests."""
    import lifetools as lt

    warnings.simplefilter("ignore")
    ds = lt.load_dataset(Path(folder), compact_ids=True, skip_unused=True)
    after_load, rss = _vm("VmHWM"), _vm("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here: the report alone
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    report = lt.reports.analyse_emergency_care(ds, **PERIOD)
    used = resource.getrusage(resource.RUSAGE_SELF)
    key = [{k: r.get(k) for k in ("name", "value", "text")} for r in report.key_results]
    return {"peak_after_load_mb": after_load, "rss_after_load_mb": rss,
            "peak_during_report_mb": _vm("VmHWM"),
            "report_cpu_s": round(used.ru_utime + used.ru_stime - cpu.ru_utime
                                  - cpu.ru_stime, 2),
            "people": len(report.person_time.people),
            "person_periods": len(report.person_time.periods),
            "digests": {"estimates": _digest(report.estimates),
                        "released": _digest(report.released.frame),
                        "key_results": _digest(key),
                        "rates": _digest({k: v.frame for k, v in report.rates.items()}),
                        "balance": _digest([report.balance, report.balance_weighted]),
                        "calibration": _digest(report.calibration)}}


def _traced(out: dict, name: str, func):
    """``func()`` under ``tracemalloc``: its traced peak above the start and what it
    left allocated, in ``out[name]``."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    result = func()
    gc.collect()
    now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out[name] = {"peak_mb": round((peak - start) / 2**20, 1),
                 "kept_mb": round((now - start) / 2**20, 1)}
    return result


def _traced_steps(ds, out: dict) -> None:
    """The emergency analysis's steps one by one, as ``steps.py fits`` calls them."""
    from lifetools import cohort, regression

    pt = _traced(out, "build_person_time", lambda: cohort.build_person_time(
        ds, cohort.CohortSpec(**PERIOD)))
    covariates = cohort.propensity_covariates(pt.people)
    periods = pt.periods.assign(user=pt.periods["person_id"].map(
        pt.people.set_index("person_id")["user"]))
    model = _traced(out, "fit_propensity", lambda: regression.fit_propensity(
        pt.people, treatment_col="user", covariates=covariates))
    matched = _traced(out, "match_on_propensity", lambda: regression.match_on_propensity(
        pt.people, treatment_col="user", covariates=covariates, model=model))
    weighted = _traced(out, "weight_by_propensity",
                       lambda: regression.weight_by_propensity(
                           pt.people, treatment_col="user", covariates=covariates,
                           estimand="att", model=model))
    after = periods[periods["after"] == 1]
    _traced(out, "fit_poisson (A&E)", lambda: regression.fit_poisson(
        after, outcome_col="ae", person_time_col="person_years", covariates=["user"]))
    in_match = periods[periods["person_id"].isin(matched.data["person_id"])]
    _traced(out, "estimate_did matched (A&E)", lambda: regression.estimate_did(
        in_match, outcome_col="ae"))
    weights = periods.assign(weight=periods["person_id"].map(
        weighted.data.set_index("person_id")["weight"]))
    _traced(out, "estimate_did weighted (A&E)", lambda: regression.estimate_did(
        weights, outcome_col="ae", weights_col="weight"))
    rows = after.merge(pt.people, on=["person_id", "group", "user"]).assign(
        any_ae=lambda f: (f["ae"] > 0).astype(float))
    _traced(out, "fit_logistic", lambda: regression.fit_logistic(
        rows, outcome_col="any_ae", covariates=covariates))


def child_traced(folder: str) -> dict:
    """Each step of the emergency analysis alone, then the whole report, under
    ``tracemalloc``: numpy and pandas memory (not DuckDB's or Arrow's, nor the
    allocator's free lists), the same figures run after run."""
    import lifetools as lt

    warnings.simplefilter("ignore")
    ds = lt.load_dataset(Path(folder), compact_ids=True, skip_unused=True)
    out: dict[str, dict] = {}
    _traced_steps(ds, out)  # its frames are let go on return
    _traced(out, "analyse_emergency_care", lambda: lt.reports.analyse_emergency_care(
        ds, **PERIOD))
    return out


def _run(command: list[str], src: str) -> tuple[dict, float]:
    """A child with the tree's source first on the path; its JSON and CPU seconds."""
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "LIFETOOLS_COMPACT_IDS": "1",
           "LIFETOOLS_SKIP_UNUSED_COLUMNS": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env,
                          cwd=HERE.parent, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return json.loads(done.stdout.strip().splitlines()[-1]), round(cpu, 1)


def _markdown(result: dict) -> str:
    names = list(result["trees"])
    trees = result["trees"]
    first, last = names[0], names[-1]
    lines = ["# Peak memory of the model-fit step and the emergency-care report, source "
             "trees side by side", "",
             f"Run {result['started']} to {result['finished']} UTC; commit "
             f"{result['machine']['commit']}; {result['machine']['cores']} cores, "
             f"{result['machine']['mem_total_gb']} GB, shared; load average "
             f"{result['load_before']} before, {result['load_after']} after; children one "
             f"at a time; command `{result['command']}`.", ""]
    if all("fits" in trees[t] for t in names):
        lines += ["`steps.py fits` (cox: false), peak resident memory so far (MB):", "",
                  "| point | " + " | ".join(names) + f" | {last} / {first} |",
                  "|---" * (len(names) + 2) + "|"]
        rows = [("after the load", "peak_after_load_mb"),
                ("after the cohorts, person-time, matching and weights",
                 "peak_after_cohorts_mb")]
        for label, key in rows:
            peaks = [trees[t]["fits"][key] for t in names]
            lines.append(f"| {label} | " + " | ".join(f"{p:,.0f}" for p in peaks)
                         + f" | {peaks[-1] / peaks[0]:.2f} |")
        for i, fit in enumerate(trees[first]["fits"]["fits"]):
            peaks = [trees[t]["fits"]["fits"][i].get("peak_so_far_mb") for t in names]
            if None in peaks:
                continue
            lines.append(f"| {fit['name']} | " + " | ".join(f"{p:,.0f}" for p in peaks)
                         + f" | {peaks[-1] / peaks[0]:.2f} |")
        peaks = [trees[t]["fits"]["peak_rss_mb"] for t in names]
        lines.append("| **whole process** | " + " | ".join(f"**{p:,.0f}**" for p in peaks)
                     + f" | **{peaks[-1] / peaks[0]:.2f}** |")
        lines += ["", "CPU seconds of the child: " + ", ".join(
            f"{t} {trees[t]['fits_cpu_s']}" for t in names) + ".", ""]
    if all("traced" in trees[t] for t in names):
        lines += ["Each step alone under `tracemalloc` (numpy and pandas memory, the same "
                  "run after run): traced peak above the step's start, and what it "
                  "left allocated, MB:", "",
                  "| step | " + " | ".join(f"{t} peak | {t} kept" for t in names)
                  + f" | peak {last} / {first} |", "|---" * (2 * len(names) + 2) + "|"]
        for step in trees[first]["traced"]:
            cells = [trees[t]["traced"][step] for t in names]
            lines.append(f"| {step} | " + " | ".join(
                f"{c['peak_mb']:,.1f} | {c['kept_mb']:,.1f}" for c in cells)
                + f" | {cells[-1]['peak_mb'] / cells[0]['peak_mb']:.2f} |")
        lines.append("")
    if all("report" in trees[t] for t in names):
        lines += ["`analyse_emergency_care` (2024-25) after a load as the kernels load "
                  f"({trees[first]['report']['people']:,} people, "
                  f"{trees[first]['report']['person_periods']:,} person-periods), MB:", "",
                  "| figure | " + " | ".join(names) + f" | {last} / {first} |",
                  "|---" * (len(names) + 2) + "|"]
        for label, key in (("peak after the load", "peak_after_load_mb"),
                           ("resident after the load", "rss_after_load_mb"),
                           ("**peak during the report**", "peak_during_report_mb")):
            peaks = [trees[t]["report"][key] for t in names]
            lines.append(f"| {label} | " + " | ".join(f"{p:,.0f}" for p in peaks)
                         + f" | {peaks[-1] / peaks[0]:.2f} |")
        lines += ["", "CPU seconds of the report: " + ", ".join(
            f"{t} {trees[t]['report']['report_cpu_s']}" for t in names) + ".", "",
            "Estimates, released rows, key results, rate tables, balance and "
            "calibration bit-identical between the trees: "
            + ("yes" if result["identical"] else "NO") + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="dataset folder")
    parser.add_argument("--trees", required=True, help="name=src-folder pairs")
    parser.add_argument("--parts", default="fits,report",
                        help="of fits, report, traced (tracemalloc, about twice as slow)")
    parser.add_argument("--out", default=str(HERE / "results" / "fits-peak"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, folder = args.child.split("=", 1)
        print(json.dumps((child_traced if kind == "traced" else child_report)(folder)))
        return
    trees = dict(pair.split("=") for pair in args.trees.split(","))
    parts = args.parts.split(",")
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    done: dict[str, dict] = {}
    for tree, src in trees.items():
        done[tree] = {"source": str(Path(src).resolve())}
        if "fits" in parts:
            print(f"{tree}: steps.py fits", file=sys.stderr, flush=True)
            arguments = {"data_dir": args.data, "repeats": 1, "r_repeats": 0,
                         "cox": False}
            done[tree]["fits"], done[tree]["fits_cpu_s"] = _run(
                [sys.executable, str(HERE / "steps.py"), "fits", json.dumps(arguments)],
                src)
        for part in ("report", "traced"):
            if part in parts:
                print(f"{tree}: analyse_emergency_care ({part})", file=sys.stderr,
                      flush=True)
                done[tree][part], _ = _run(
                    [sys.executable, __file__, "--data", args.data, "--trees",
                     args.trees, "--child", f"{part}={args.data}"], src)
    digests = [done[t]["report"]["digests"] for t in trees if "report" in done[t]]
    result = {"started": started, "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()],
              "machine": _machine(),
              "command": " ".join(["bench_fits_peak.py"] + sys.argv[1:]),
              "trees": done, "identical": all(d == digests[0] for d in digests)}
    write_results(args.out, result, _markdown(result))


if __name__ == "__main__":
    main()
