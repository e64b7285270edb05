"""Person-time: ibis on DuckDB against the pandas code it replaced (issue 18).

For each synthetic dataset size, builds the before/after person-time of the emergency
care report (``build_person_time``) two ways, each in its own child process (so peak
memory is the method's own), side by side in one run:

- ``pandas``: the pandas builder before issue 18 (``tests/engines/pandas_cohorts.py``),
  on the tables loaded by ``lt.load_dataset``;
- ``ibis-duckdb (loaded)``: today's builder on the same loaded tables (the default
  build: the frames are views of an embedded DuckDB);
- ``ibis-duckdb (file)``: today's builder on the tables of a DuckDB database file
  (``lt.engines.write_duckdb`` of the folder, made before the children run): nothing
  is loaded into pandas but the per-person frames (``--methods`` chooses).

Reports wall seconds of the build (load excluded; the best of ``--repeats``), the
ratio to pandas, and the peak resident memory of the whole child (load included).
Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    .venv/bin/python benchmarks/bench_person_time.py --people 30000,150000 \\
        --out benchmarks/results/person-time

``--data 1500000=/tmp/perf-data/1500k`` reuses an extract already written (for
example by ``bench_memory.py``) instead of generating one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import write_results  # noqa: E402

PERIOD = ("2021-04-01", "2024-03-31")
METHODS = ("pandas", "ibis-duckdb (loaded)", "ibis-duckdb (file)")
TABLES = ["people", "deprivation", "referrals", "life_rooms_contacts", "ae_attendances",
          "emergency_admissions"]


def child(method: str, folder: str, repeats: int) -> dict:
    """Build person-time one way; return the best seconds, peak MB and rows."""
    sys.path.insert(0, str(HERE.parent / "tests" / "engines"))
    import pandas_cohorts

    import lifetools as lt

    if method == "ibis-duckdb (file)":
        data = lt.engines.connect(lt.engines.parse_source(Path(folder) / "extract.duckdb"))
    else:
        data = lt.load_dataset(Path(folder), tables=TABLES)
    build = pandas_cohorts.build_person_time if method == "pandas" else (
        lt.cohort.build_person_time)
    spec = lt.cohort.CohortSpec(*PERIOD)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = build(data, spec)
        times.append(time.perf_counter() - start)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent
    status = Path("/proc/self/status").read_text().splitlines()
    peak_mb = int(next(ln for ln in status if ln.startswith("VmHWM")).split()[1]) / 1024
    return {"method": method, "seconds": round(min(times), 2), "peak_mb": round(peak_mb),
            "people_rows": len(result.people), "period_rows": len(result.periods)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="30000,150000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "results" / "person-time"))
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "FOLDER"))
    parser.add_argument("--data", default="", help="PEOPLE=FOLDER,...: existing extracts")
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child, args.repeats)))
        return
    from lifetools.synthetic import write_synthetic

    rows = []
    given = dict(item.split("=", 1) for item in args.data.split(",") if item)
    sizes = [int(p) for p in given] or [int(p) for p in args.people.split(",")]
    for people in sizes:
        with tempfile.TemporaryDirectory() as scratch:
            folder = given.get(str(people), scratch)
            if folder == scratch:
                write_synthetic(Path(folder), people=people, seed=1)
            methods = args.methods.split(",")
            if "ibis-duckdb (file)" in methods:
                lt_engines_write(Path(folder), Path(scratch) / "file" / "extract.duckdb")
            for method in methods:
                place = str(Path(scratch) / "file") if method.endswith("(file)") else folder
                done = subprocess.run([sys.executable, __file__, "--child", method, place,
                                       "--repeats", str(args.repeats)],
                                      capture_output=True, text=True, check=True)
                rows.append({"people": people, **json.loads(done.stdout.splitlines()[-1])})
                print(rows[-1], flush=True)
    for row in rows:
        base = next((r for r in rows if r["people"] == row["people"]
                     and r["method"] == "pandas"), None)
        row["ratio_to_pandas"] = round(row["seconds"] / base["seconds"], 2) if base else None
    lines = ["| people | method | build s (best) | ratio to pandas | peak MB (child) | "
             "people rows | period rows |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['people']:,} | {r['method']} | {r['seconds']} | "
              f"{r['ratio_to_pandas']} | {r['peak_mb']:,} | {r['people_rows']:,} | "
              f"{r['period_rows']:,} |" for r in rows]
    write_results(args.out, rows, "\n".join(lines))


def lt_engines_write(folder: Path, target: Path) -> None:
    """Write the folder's tables into a DuckDB file (timed apart from the builds)."""
    from lifetools.engines import write_duckdb

    target.parent.mkdir()
    start = time.perf_counter()
    write_duckdb(folder, target)
    print(f"wrote {target.name} in {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
