"""Cohort building: ibis on DuckDB against the pandas code it replaced (issue 18).

For each synthetic dataset size, builds the discharge and re-referral cohorts three
ways, each in its own child process (so peak memory is the method's own):

- ``pandas``: the pandas builders before issue 18 (``tests/engines/pandas_cohorts.py``),
  on the tables loaded by ``lt.load_dataset``;
- ``ibis-duckdb (loaded)``: today's builders on the same loaded tables (the default
  build: the frames are views of an embedded DuckDB);
- ``ibis-duckdb (files)``: today's builders on the Parquet folder as a source
  (``lt.engines.connect``): nothing but the per-person frames is loaded into pandas.

Reports wall and CPU seconds of the two builds (load excluded; CPU is user + system of
the child, DuckDB's threads included), the peak resident memory of the whole child (load
included) and the per-person frame's size. Writes ``<out>.json`` and ``<out>.md``. Not a
timed test: run by hand::

    .venv/bin/python benchmarks/bench_engines.py --people 150000 --out benchmarks/results/engines

Above 909,090 people (the generator's limit) generate the folder first with
``steps.py generate`` (shards merged) and pass it with ``--data PEOPLE=FOLDER``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import write_results  # noqa: E402

PERIOD = {"period_start": "2021-04-01", "period_end": "2024-03-31"}
METHODS = ("pandas", "ibis-duckdb (loaded)", "ibis-duckdb (files)")
TABLES = ["people", "deprivation", "referrals", "life_rooms_contacts"]


def child(method: str, folder: str) -> dict:
    """Build both cohorts one way; return seconds, peak MB and the frames' size."""
    sys.path.insert(0, str(HERE.parent / "tests" / "engines"))
    import pandas_cohorts

    import lifetools as lt

    if method == "ibis-duckdb (files)":
        data = lt.engines.connect(lt.engines.parse_source(folder))
        discharge, rereferral = (lt.cohort.build_discharge_cohort,
                                 lt.cohort.build_rereferral_cohort)
    else:
        data = lt.load_dataset(Path(folder), tables=TABLES)
        module = pandas_cohorts if method == "pandas" else lt.cohort
        discharge, rereferral = module.build_discharge_cohort, module.build_rereferral_cohort
    start, cpu_start = time.perf_counter(), time.process_time()
    spec = lt.cohort.CohortSpec(**PERIOD)
    frames = [discharge(data, spec).data, rereferral(data, spec).data]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent
    status = Path("/proc/self/status").read_text().splitlines()
    peak_mb = int(next(ln for ln in status if ln.startswith("VmHWM")).split()[1]) / 1024
    return {"method": method, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2), "peak_mb": round(peak_mb),
            "frame_rows": sum(len(f) for f in frames),
            "frame_mb": round(sum(f.memory_usage(deep=True).sum() for f in frames) / 2**20,
                              1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="150000")
    parser.add_argument("--out", default=str(HERE / "results" / "engines"))
    parser.add_argument("--data", action="append", default=[], metavar="PEOPLE=FOLDER",
                        help="a folder already generated (steps.py generate), not regenerated")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    from lifetools.synthetic import write_synthetic

    def measure(people: int, folder: str) -> None:
        for method in METHODS:
            load = os.getloadavg()[0]
            done = subprocess.run([sys.executable, __file__, "--child", method, folder],
                                  capture_output=True, text=True, check=True)
            rows.append({"people": people, **json.loads(done.stdout.splitlines()[-1]),
                         "load_before": round(load, 1),
                         "load_after": round(os.getloadavg()[0], 1)})
            print(rows[-1], flush=True)

    rows: list[dict] = []
    for item in args.data:
        people, folder = item.split("=", 1)
        measure(int(people), folder)
    for people in (int(p) for p in args.people.split(",") if p and not args.data):
        with tempfile.TemporaryDirectory() as folder:
            write_synthetic(Path(folder), people=people, seed=1)
            measure(people, folder)
    lines = ["| people | method | build s | build CPU s | peak MB (child) | per-person rows "
             "| frames MB | load average |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['people']:,} | {r['method']} | {r['seconds']} | {r['cpu_seconds']} | "
              f"{r['peak_mb']:,} | {r['frame_rows']:,} | {r['frame_mb']} | "
              f"{r['load_before']}-{r['load_after']} |" for r in rows]
    write_results(args.out, rows, "\n".join(lines))


if __name__ == "__main__":
    main()
