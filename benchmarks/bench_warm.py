"""Cold build with warm kernels against a fresh kernel per notebook and the compute floor.

Measured side by side in one run, each in its own child process (``steps.py``):

1. a cold build of a fresh project copy with a fresh kernel per notebook
   (``LIFETOOLS_KERNELS=isolated``, the build before issue 16's warm kernels);
2. a cold build of another fresh copy with warm kernels (the default);
3. the compute floor (``steps.compute``: one process loads the data once and calls every
   report's analysis function for both editions);
4. a no-op rebuild of the warm copy.

Ratios: cold / (the build's own data step + compute floor + the build's own book time),
notebook runs / compute floor, and the same by CPU seconds: the build records each
phase's CPU (its own and its reaped children's: kernels, jupyter-book, chromium), so the
CPU floor is data CPU + compute-floor CPU + book CPU (the machine is shared: wall time
says as much about the load as about the build; CPU is the steadier measure).

``--before DIR`` adds a build from another checkout (its ``src`` and project files: e.g.
the branch point), timed in the same run, so a change is measured side by side;
``--rebuild`` also times a forced rebuild of each copy (every notebook rerun, with the
costs the cold build recorded: the order ``-j`` workers start them in can use them). The published bytes of both builds (every executed
notebook and every file under ``files/`` of every edition) are compared and the result
reported. ``--floor-beside`` measures the compute floor while the builds run, on its own
copy of the same synthetic data (generated first from the series' size and seed; the
two folders' tables are compared, and the run fails if they differ): the floor and the
builds then share one load, and the run takes the build's wall time rather than the
build's and the floor's one after the other (for 150,000 people on a loaded machine).
Results go to ``results/warm-kernels.json`` and ``.md``.

    .venv/bin/python benchmarks/bench_warm.py --people 30000 --jobs 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import copy_project  # noqa: E402
from run import child, log, machine  # noqa: E402


def published(root: Path) -> dict[str, str]:
    """SHA-256 of every executed notebook and output file of every edition's runs."""
    runs = root / "build" / "runs"
    return {str(p.relative_to(runs)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(runs.rglob("*")) if p.is_file()
            and (p.name == "notebook.ipynb" or "files" in p.relative_to(runs).parts)}


def tables(folder: Path) -> dict[str, str]:
    """SHA-256 of every data table of a synthetic folder (not its raw files or marker)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and "raw" not in p.relative_to(folder).parts and p.suffix != ".json"}


def ratios(build: dict, compute_s: float, compute_cpu: float) -> dict:
    timings = build["timings"]
    floor = timings.get("data", 0.0) + compute_s + timings.get("book", 0.0)
    # a build the publish gate refused has no book step: both sides then leave it out
    cpu_floor = (timings["data_cpu"] + compute_cpu + timings.get("book_cpu", 0.0)
                 if "runs_cpu" in timings and compute_cpu else None)
    return {"cold_s": build["seconds"][0], "timings": timings,
            "floor_s": round(floor, 2),
            "cold_over_floor": round(build["seconds"][0] / floor, 2),
            "cpu_s": build.get("cpu_seconds"),
            "cpu_floor_s": round(cpu_floor, 2) if cpu_floor else None,
            "cpu_over_cpu_floor": round(build["cpu_seconds"] / cpu_floor, 2)
            if build.get("cpu_seconds") and cpu_floor else None,
            "cpu_over_compute_cpu": round(build["cpu_seconds"] / compute_cpu, 2)
            if build.get("cpu_seconds") and compute_cpu else None,
            "runs_over_compute": round(timings.get("runs", 0.0) / compute_s, 2),
            "runs_cpu_over_compute_cpu": round(timings["runs_cpu"] / compute_cpu, 2)
            if "runs_cpu" in timings and compute_cpu else None,
            "notebooks": build.get("runs"),
            "gate_refused": build.get("gate_refused"),
            "peak_rss_mb": max(build["peak_rss_mb"], build["child_peak_rss_mb"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--modes", default="isolated,warm",
                        help="builds to time: isolated,warm (default) or warm alone")
    parser.add_argument("--before", type=Path, default=None,
                        help="a checkout: also time a warm build of its src and project "
                        "files (mode 'before'), side by side")
    parser.add_argument("--rebuild", action="store_true",
                        help="also time a forced rebuild of each copy")
    parser.add_argument("--floor-beside", action="store_true",
                        help="measure the compute floor while the builds run, on its own "
                        "copy of the same synthetic data")
    parser.add_argument("--name", default="warm-kernels",
                        help="results file name (without .json / .md)")
    args = parser.parse_args()
    modes = tuple(m for m in ("isolated", "warm") if m in args.modes.split(","))
    if "warm" not in modes:
        parser.error("--modes must include warm")
    if args.before:
        modes = ("before", *modes)
    sources = {m: (args.before.resolve() if m == "before" else HERE.parent) for m in modes}
    paths = {m: str(sources[m] / "src") for m in modes}
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    load_before = [round(x, 1) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="lifetools-warm-") as folder:
        roots = {mode: copy_project(Path(folder) / mode, args.people, sources[mode])
                 for mode in modes}
        builds, rebuilds = {}, {}
        beside: dict = {}
        floor_thread = None
        if args.floor_beside:
            seed = yaml.safe_load((roots["warm"] / "analyses" / "analyses.yml").read_text())[
                "data"]["synthetic"]["seed"]
            floor_data = Path(folder) / "floor-data"
            log(f"[{args.people:,} people] the floor's data (seed {seed})")
            generated = child("generate", args.threads, people=args.people, seed=seed,
                              out=str(floor_data), repeats=1)
            if "error" in generated:
                log(f"the floor's data failed: {generated}")
                return 1

            def floor() -> None:
                log(f"[{args.people:,} people] compute floor, beside the builds")
                try:
                    beside.update(child("compute", args.threads, data_dir=str(floor_data),
                                        repeats=1))
                except Exception as error:  # reported by the main thread, not lost
                    beside["error"] = repr(error)
                log(f"[{args.people:,} people] compute floor done: {json.dumps(beside)}")

            floor_thread = threading.Thread(target=floor)
            floor_thread.start()
        for mode, root in roots.items():
            log(f"[{args.people:,} people] cold build, {mode} kernels, jobs {args.jobs}")
            builds[mode] = child("build", args.threads, root=str(root), jobs=args.jobs,
                                 kernels="isolated" if mode == "isolated" else "warm",
                                 pythonpath=paths[mode])
            if "error" in builds[mode]:
                log(f"build failed: {builds[mode]}")
                if floor_thread is not None:  # before its folder is removed
                    floor_thread.join()
                return 1
            log(f"  {mode} build: {json.dumps(builds[mode])}")
        for mode, root in roots.items() if args.rebuild else ():
            log(f"[{args.people:,} people] forced rebuild, {mode}, jobs {args.jobs}")
            rebuilds[mode] = child("build", args.threads, root=str(root), jobs=args.jobs,
                                   kernels="isolated" if mode == "isolated" else "warm",
                                   force=True, pythonpath=paths[mode])
        data = roots[modes[0]] / "build" / "data" / "synthetic"
        if floor_thread is not None:
            floor_thread.join()
            compute = beside
            if "error" in compute:
                log(f"the compute floor failed: {compute}")
                return 1
            theirs = tables(data)  # the build's folder may hold more (caches)
            if not tables(floor_data) or any(theirs.get(k) != v
                                             for k, v in tables(floor_data).items()):
                log("the floor's data differ from the build's: no ratio")
                return 1
        else:
            log(f"[{args.people:,} people] compute floor")
            compute = child("compute", args.threads, data_dir=str(data), repeats=1)
        log(f"[{args.people:,} people] no-op rebuild (warm)")
        noop = (child("build", args.threads, root=str(roots["warm"]), jobs=args.jobs,
                      pythonpath=paths["warm"])
                if "gate_refused" not in builds["warm"] else {"seconds": [float("nan")]})
        other = "before" if "before" in roots else "isolated"
        same = (published(roots[other]) == published(roots["warm"])
                if other in roots else None)
        # the files alone: a notebook records its run key, which covers lifetools'
        # source, so notebooks of two different checkouts differ by design
        same_files = ({k: v for k, v in published(roots[other]).items()
                       if not k.endswith("notebook.ipynb")}
                      == {k: v for k, v in published(roots["warm"]).items()
                          if not k.endswith("notebook.ipynb")}
                      if other in roots else None)
        files = len(published(roots["warm"]))
    compute_s = compute["seconds"][0]
    compute_cpu = (compute.get("cpu_seconds") or [None])[0]
    report = {
        "started": started, "machine": machine(), "people": args.people,
        "jobs": args.jobs, "threads": args.threads, "compute_s": compute_s,
        "floor_beside": args.floor_beside,
        "compute_parts": compute.get("parts"),
        "compute_cpu_s": compute_cpu,
        **{mode: ratios(builds[mode], compute_s, compute_cpu) for mode in modes},
        "rebuilds": {mode: {"seconds": b.get("seconds", [None])[0],
                            "cpu_s": b.get("cpu_seconds"), "timings": b.get("timings")}
                     for mode, b in rebuilds.items()},
        "compared_with": other if other in roots else None,
        "noop_s": noop["seconds"][0], "noop_notebooks": noop.get("notebooks"),
        "published_files": files, "published_bytes_identical": same,
        "output_files_identical": same_files,
    }
    report["load_average"] = {"before": load_before,
                              "after": [round(x, 1) for x in os.getloadavg()]}
    if "isolated" in report:
        report["warm_over_isolated"] = round(report["warm"]["cold_s"]
                                             / report["isolated"]["cold_s"], 2)
    if "isolated" in report and report["warm"]["cpu_s"] and report["isolated"]["cpu_s"]:
        report["warm_cpu_over_isolated_cpu"] = round(report["warm"]["cpu_s"]
                                                     / report["isolated"]["cpu_s"], 2)
    report["noop_over_cold"] = round(report["noop_s"] / report["warm"]["cold_s"], 4)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=1) + "\n")
    text = markdown(report)
    (args.out / f"{args.name}.md").write_text(text)
    print(text)
    return 0


def markdown(r: dict) -> str:
    m = r["machine"]
    load = r.get("load_average")
    names = {"before": "before (warm, --before checkout)", "isolated": "isolated kernels",
             "warm": "warm kernels"}
    lines = [
        "# Warm kernels: cold build against the compute floor", "",
        f"Run {r['started']} on {m['cpu']}, {m['cores']} cores; commit "
        f"{m['git_commit']}{' (uncommitted changes)' if m['git_dirty'] else ''}; "
        f"{r['people']:,} people, jobs {r['jobs']}, BLAS threads {r['threads']}"
        + (f"; load average {load['before']} before, {load['after']} after" if load
           else "") + ".", "",
        "| build | cold s | data s | runs s | book s | floor s (data + compute + book) "
        "| cold / floor | runs / compute | CPU s (data, runs, book) | CPU floor s "
        "| CPU / CPU floor | runs CPU / compute CPU | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mode in ("before", "isolated", "warm"):
        if mode not in r:
            continue
        b = r[mode]
        t = b["timings"]
        cpu = (f"{b['cpu_s']} ({t['data_cpu']:.1f}, {t['runs_cpu']:.1f}, "
               f"{t.get('book_cpu', float('nan')):.1f})" if "runs_cpu" in t
               else f"{b['cpu_s']}")
        lines.append(
            f"| {names[mode]} | {b['cold_s']:.1f} | {t.get('data', 0):.1f} | "
            f"{t.get('runs', 0):.1f} | {t.get('book', 0):.1f} | {b['floor_s']:.1f} | "
            f"**{b['cold_over_floor']}x** | {b['runs_over_compute']}x | "
            f"{cpu} | {b.get('cpu_floor_s')} | **{b.get('cpu_over_cpu_floor')}x** | "
            f"{b.get('runs_cpu_over_compute_cpu')}x | {b['peak_rss_mb']:.0f} |")
    parts = r.get("compute_parts") or {}
    refused = [m for m in ("before", "isolated", "warm") if (r.get(m) or {}).get("gate_refused")]
    if refused:
        lines += ["", f"The publish gate refused the {', '.join(refused)} build(s) after the "
                  "notebook phase (" + r[refused[0]]["gate_refused"] + "): those rows stop "
                  "there, with no book step in the build or in its floor, and no no-op "
                  "rebuild."]
    lines += [
        "", f"Compute floor {r['compute_s']:.1f} s, {r['compute_cpu_s']} CPU s (load "
        "once + every report's analysis, both editions"
        + ("; measured beside the builds, on its own copy of the same data"
           if r.get("floor_beside") else "") + "). "
        + (f"Warm / isolated cold build: {r['warm_over_isolated']}x wall, "
           f"{r.get('warm_cpu_over_isolated_cpu')}x CPU. " if "isolated" in r else "")
        + f"No-op rebuild {r['noop_s']:.1f} s = {r['noop_over_cold']:.1%} of the warm "
        f"cold build (notebooks {r['noop_notebooks']}).",
        f"Published bytes (every executed notebook and output file, {r['published_files']}"
        " files): " + ({True: "identical", False: "DIFFERENT"}.get(
            r["published_bytes_identical"], "not compared (warm build only)"))
        + (f" between the {r['compared_with']} and warm builds; output files alone "
           f"(without the notebooks, which record a key over lifetools' source): "
           f"{r.get('output_files_identical')}."
           if r.get("compared_with") else ".")]
    for mode, b in r.get("rebuilds", {}).items():
        t = b.get("timings") or {}
        lines.append(f"Forced rebuild, {names[mode]}: {b['seconds']} s, {b['cpu_s']} CPU s "
                     f"(runs {t.get('runs', 0):.1f} s, {t.get('runs_cpu', 0):.1f} CPU s).")
    runs = (r.get("warm") or {}).get("notebooks") or {}
    if runs:
        lines += ["", "| notebook (warm build) | wall s | kernel CPU s | compute floor CPU s "
                  "(its analysis, that edition) | kernel / floor CPU |", "|---|---|---|---|---|"]
        floor = {"cohort_description": "describe_population",
                 "time_to_discharge": "analyse_discharge",
                 "re_referral": "analyse_rereferral",
                 "emergency_care": "analyse_emergency_care",
                 "wellbeing": "analyse_wellbeing", "reach_and_activity": "analyse_reach",
                 "crisis_risk": "analyse_crisis_risk"}
        for label, run in runs.items():
            # one notebook is one edition: its floor is that edition's call (results
            # before 2026-12-02 have only both editions' sum, shown in brackets)
            edition, analysis = label.split("/")[0], label.split("/")[-1]
            part = parts.get(f"cpu:{floor.get(analysis, '')}:{edition}")
            both = parts.get(f"cpu:{floor.get(analysis, '')}")
            kernel = run.get("cpu_seconds")
            lines.append(
                f"| {label} | {run['seconds']} | {kernel} | "
                + (f"{part:.1f}" if part is not None
                   else f"({both:.1f}, both editions)" if both is not None else "")
                + " | " + (f"{kernel / part:.2f}x" if part and kernel is not None else "")
                + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
