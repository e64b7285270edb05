"""Peak memory of loading and the cohorts, string person ids against compact ids (issue 16).

For each dataset folder (one per size, generated beforehand by ``steps.py generate``)
and each way of loading, one child process loads every table with ``lt.load_dataset``
(``strings``: the 64-character person ids as Python strings, the build before;
``compact``: ``compact_ids=True``, order-preserving integer codes; ``compact+skip``:
the same and ``skip_unused=True``, as the build's kernels load) and then builds the
cohorts as ``steps.cohorts`` does (discharge, start-stop split, re-referral,
person-time; the last edition's period). Children run one at a time.

Reported per child: wall and CPU seconds of the load and of each cohort step; the
peak resident memory (``VmHWM``, not ``ru_maxrss``, which Linux carries over ``exec``)
after the load and after the cohorts; the loaded frames' own size (pandas
``memory_usage(deep=True)``) and the part of it that is ``person_id``. The growth
exponent of a figure between two sizes is ``log(ratio of the figure) / log(ratio of
people)``. Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_memory.py \\
        --data 150000=/tmp/perf-data/150k,1500000=/tmp/perf-data/1500k \\
        --out benchmarks/results/memory
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from steps import write_results  # noqa: E402

METHODS = ("strings", "compact", "compact+skip")
PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}


def _vm(key: str) -> float:
    """A ``/proc/self/status`` memory figure in MB (``VmHWM`` peak, ``VmRSS`` now)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return round(int(line.split()[1]) / 1024, 1)
    raise KeyError(key)


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _timed(func):
    start, cpu = time.perf_counter(), _cpu()
    result = func()
    return result, round(time.perf_counter() - start, 3), round(_cpu() - cpu, 3)


def child(method: str, folder: str) -> dict:
    """Load and build the cohorts one way; return the timings and memory figures."""
    import lifetools as lt

    base = _vm("VmRSS")
    data, load_s, load_cpu = _timed(lambda: lt.load_dataset(
        Path(folder), compact_ids=method != "strings", skip_unused=method == "compact+skip"))
    frames = {name: getattr(data, name) for name in lt.loading.TABLES
              if getattr(data, name) is not None}
    frame_mb = sum(f.memory_usage(deep=True).sum() for f in frames.values()) / 2**20
    id_mb = sum(f["person_id"].memory_usage(deep=True, index=False)
                for f in frames.values() if "person_id" in f.columns) / 2**20
    out = {"method": method, "rows": sum(len(f) for f in frames.values()),
           "people": len(frames["people"]), "import_rss_mb": base,
           "load_s": load_s, "load_cpu_s": load_cpu, "peak_after_load_mb": _vm("VmHWM"),
           "rss_after_load_mb": _vm("VmRSS"), "frames_mb": round(frame_mb, 1),
           "person_id_mb": round(id_mb, 1), "steps": {}}
    spec = lt.cohort.CohortSpec(**PERIOD)
    discharge, seconds, cpu = _timed(lambda: lt.cohort.build_discharge_cohort(data, spec))
    out["steps"]["build_discharge_cohort"] = {"s": seconds, "cpu_s": cpu,
                                              "rows": len(discharge.data)}
    long, seconds, cpu = _timed(lambda: lt.cohort.split_at_exposure(discharge.data))
    out["steps"]["split_at_exposure"] = {"s": seconds, "cpu_s": cpu, "rows": len(long)}
    rereferral, seconds, cpu = _timed(lambda: lt.cohort.build_rereferral_cohort(data, spec))
    out["steps"]["build_rereferral_cohort"] = {"s": seconds, "cpu_s": cpu,
                                               "rows": len(rereferral.data)}
    person_time, seconds, cpu = _timed(lambda: lt.cohort.build_person_time(data, spec))
    out["steps"]["build_person_time"] = {"s": seconds, "cpu_s": cpu,
                                         "rows": len(person_time.periods)}
    out["peak_mb"] = _vm("VmHWM")
    return out


def _exponent(small: float, large: float, people: tuple[int, int]) -> float | None:
    if not small or not large:
        return None
    return round(math.log(large / small) / math.log(people[1] / people[0]), 2)


def _machine() -> dict:
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(HERE), "status", "--porcelain"],
                           capture_output=True, text=True).stdout.strip()
    memory = next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                  if ln.startswith("MemTotal"))
    return {"commit": commit + (" (uncommitted changes)" if dirty else ""),
            "cores": os.cpu_count(), "mem_total_gb": round(int(memory.split()[1]) / 2**20, 1),
            "python": sys.version.split()[0]}


def _markdown(result: dict) -> str:
    lines = ["# Peak memory: load and cohorts, string person ids against compact ids", "",
             f"Run {result['started']} to {result['finished']} UTC; commit "
             f"{result['machine']['commit']}; {result['machine']['cores']} cores, "
             f"{result['machine']['mem_total_gb']} GB; load average "
             f"{result['load_before']} before, {result['load_after']} after; command "
             f"`{result['command']}`.", "",
             "| people | ids | load s (CPU) | frames MB | of which person_id | peak after "
             "load MB | peak after cohorts MB | discharge s | split s | re-referral s | "
             "person-time s |", "|---" * 11 + "|"]
    for run in result["runs"]:
        steps = run["steps"]
        lines.append(
            f"| {run['people']:,} | {run['method']} | {run['load_s']} ({run['load_cpu_s']})"
            f" | {run['frames_mb']:,} | {run['person_id_mb']:,} | "
            f"{run['peak_after_load_mb']:,.0f} | **{run['peak_mb']:,.0f}** | "
            f"{steps['build_discharge_cohort']['s']} | {steps['split_at_exposure']['s']} | "
            f"{steps['build_rereferral_cohort']['s']} | {steps['build_person_time']['s']} |")
    if result.get("exponents"):
        lines += ["", "Growth exponents between the two sizes "
                  "(log figure ratio / log people ratio):", "",
                  "| ids | " + " | ".join(result["exponent_names"]) + " |",
                  "|---" * (len(result["exponent_names"]) + 1) + "|"]
        for method, values in result["exponents"].items():
            lines.append(f"| {method} | " + " | ".join(
                "" if values[k] is None else f"{values[k]:.2f}"
                for k in result["exponent_names"]) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True,
                        help="people=folder pairs, comma-separated, smallest first")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--out", default=str(HERE / "results" / "memory"))
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "FOLDER"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    runs = []
    for pair in args.data.split(","):
        people, folder = pair.split("=")
        for method in args.methods.split(","):
            print(f"{people} people, {method} ids", file=sys.stderr, flush=True)
            done = subprocess.run([sys.executable, __file__, "--data", args.data,
                                   "--child", method, folder], capture_output=True,
                                  text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"    peak {runs[-1]['peak_mb']:,.0f} MB", file=sys.stderr, flush=True)
    result = {"started": started, "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()],
              "machine": _machine(), "command": " ".join(["bench_memory.py"] + sys.argv[1:]),
              "runs": runs}
    sizes = sorted({r["people"] for r in runs})
    if len(sizes) >= 2:
        pair = (sizes[0], sizes[-1])
        names = ["load_s", "load_cpu_s", "frames_mb", "peak_mb", "build_discharge_cohort",
                 "split_at_exposure", "build_rereferral_cohort", "build_person_time"]
        result["exponent_names"] = names
        result["exponents"] = {}
        for method in args.methods.split(","):
            small, large = (next(r for r in runs if r["people"] == n
                                 and r["method"] == method) for n in pair)

            def figure(run: dict, name: str) -> float:
                return run["steps"][name]["s"] if name in run["steps"] else run[name]

            result["exponents"][method] = {
                n: _exponent(figure(small, n), figure(large, n), pair) for n in names}
    write_results(args.out, result, _markdown(result))


if __name__ == "__main__":
    main()
