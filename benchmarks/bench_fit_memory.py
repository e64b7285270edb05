"""Peak memory of the emergency-care model fits, two source trees side by side (issue 16).

One child process per source tree (``--trees name=path/to/src``; children run at the
same time) loads the data as the build's kernels do (compact ids, unused columns left
out), builds the person-time periods and the ATT weights as ``benchmarks/steps.py fits``
does, then fits what grew the peak there: the robust Poisson model of the "after"
periods and the weighted difference-in-differences, each for A&E and admissions.
Reported per child: peak resident memory (``VmHWM``) after each point, CPU seconds of
each fit, and the fitted coefficients and standard errors (hex floats) so that the
trees can be checked to give bit-identical results. Writes ``<out>.json`` and
``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_fit_memory.py \\
        --data /tmp/perf-data/1500k --trees before=/tmp/src-before,after=src \\
        --out benchmarks/results/fit-memory-1500k
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}
sys.path.insert(0, str(HERE))

from bench_memory import _cpu, _vm  # noqa: E402  (one reader of /proc and rusage)


def child(folder: str) -> dict:
    """Load, person-time, weights, then the fits; the peak after each."""
    import lifetools as lt
    from lifetools import cohort, regression

    warnings.simplefilter("ignore")
    points: list[dict] = []
    ds = lt.load_dataset(Path(folder), compact_ids=True, skip_unused=True)
    points.append({"point": "after the load", "peak_mb": _vm("VmHWM")})
    pt = cohort.build_person_time(ds, cohort.CohortSpec(**PERIOD))
    periods = pt.periods.assign(user=pt.periods["person_id"].map(
        pt.people.set_index("person_id")["user"]))
    after = periods[periods["after"] == 1]
    pcovs = cohort.propensity_covariates(pt.people)
    weighted = regression.weight_by_propensity(pt.people, treatment_col="user",
                                               covariates=pcovs, estimand="att")
    with_weights = periods.assign(weight=periods["person_id"].map(
        weighted.data.set_index("person_id")["weight"]))
    points.append({"point": "after person-time and ATT weights",
                   "peak_mb": _vm("VmHWM")})
    results = {}
    fits = {"fit_poisson after (robust)": lambda o: regression.fit_poisson(
                after, outcome_col=o, person_time_col="person_years", covariates=["user"]),
            "estimate_did (weighted)": lambda o: regression.estimate_did(
                with_weights, outcome_col=o, weights_col="weight")}
    for name, fit in fits.items():
        used = _cpu()
        for outcome in ("ae", "admissions"):
            summary = fit(outcome).summary
            results[f"{name} {outcome}"] = [float(v).hex() for v in
                                            summary[["estimate", "ci_lower", "ci_upper"]]
                                            .to_numpy().ravel()]
        points.append({"point": name, "rows": len(after if "poisson" in name
                                                   else with_weights),
                       "cpu_s": round(_cpu() - used, 2), "peak_mb": _vm("VmHWM")})
    return {"source": lt.__file__, "points": points, "results": results,
            "people": len(pt.people)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="dataset folder")
    parser.add_argument("--trees", required=True, help="name=src-folder pairs")
    parser.add_argument("--out", default=str(HERE / "results" / "fit-memory"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    trees = dict(pair.split("=") for pair in args.trees.split(","))
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    running = {}
    for tree, src in trees.items():
        env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        running[tree] = subprocess.Popen(
            [sys.executable, __file__, "--data", args.data, "--trees", args.trees,
             "--child", args.data], stdout=subprocess.PIPE, text=True, env=env,
            cwd=HERE.parent)
    done = {}
    for tree, process in running.items():
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"{tree}: child failed ({process.returncode})")
        done[tree] = json.loads(out.strip().splitlines()[-1])
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    names = list(done)
    identical = all(done[t]["results"] == done[names[0]]["results"] for t in names)
    result = {"started": started, "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()], "commit": commit,
              "command": " ".join(["bench_fit_memory.py"] + sys.argv[1:]),
              "trees": done, "identical_results": identical}
    lines = ["# Peak memory of the emergency-care fits, source trees side by side", "",
             f"Run {started} to {result['finished']} UTC; commit {commit}; load average "
             f"{load_before} before, {result['load_after']} after (2 cores, shared); "
             f"children at the same time; command `{result['command']}`.", "",
             "| point | " + " | ".join(f"{t} peak MB" for t in names) + " | ratio |",
             "|---" * (len(names) + 2) + "|"]
    for i, point in enumerate(done[names[0]]["points"]):
        peaks = [done[t]["points"][i]["peak_mb"] for t in names]
        lines.append(f"| {point['point']} | " + " | ".join(f"{p:,.0f}" for p in peaks)
                     + f" | {peaks[-1] / peaks[0]:.2f} |")
    lines += ["", "CPU seconds of each pair of fits: " + "; ".join(
        f"{p['point']}: " + ", ".join(f"{t} {done[t]['points'][i]['cpu_s']}" for t in names)
        for i, p in enumerate(done[names[0]]["points"]) if "cpu_s" in p) + ".", "",
        "Estimates and intervals bit-identical between the trees: "
        + ("yes" if identical else "NO") + "."]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{args.out}.json").write_text(json.dumps(result, indent=1) + "\n")
    Path(f"{args.out}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
