"""Growth exponent of the windowed counts and of ``build_person_time`` (issue 16).

For each synthetic dataset (``--data`` folders of increasing size, or generated with
``--people``), measures the CPU seconds of ``build_person_time`` and of
``count_in_windows`` (A&E and admissions, on the person-periods it built), with the
merge-and-filter count it replaced (``merge_count`` in tests/unit/test_person_time.py)
beside it. The growth exponent between two sizes is ``log(t2 / t1) / log(n2 / n1)``
with ``n`` the number of people. Writes ``<out>.json`` and ``<out>.md``.

    .venv/bin/python benchmarks/bench_windows.py --people 10000,150000
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import write_results  # noqa: E402

sys.path.insert(0, str(HERE.parent / "tests" / "unit"))
PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}


def cpu(func, repeats: int) -> float:
    seconds = []
    for _ in range(repeats):
        start = time.process_time()
        func()
        seconds.append(time.process_time() - start)
    return round(statistics.median(seconds), 4)


def measure(data: Path, people: int, repeats: int) -> dict:
    from test_person_time import merge_count

    from lifetools.cohort import CohortSpec, build_person_time
    from lifetools.cohort.person_time import count_in_windows, unplanned_attendances
    from lifetools.loading import load_dataset

    ds = load_dataset(data)
    pt = build_person_time(ds, CohortSpec(**PERIOD))
    windows = pt.periods[["person_id", "start", "end"]]
    ae = unplanned_attendances(ds)
    admissions = ds.emergency_admissions[["person_id", "admission_date"]].rename(
        columns={"admission_date": "date"})

    def counts(func):
        return lambda: (func(ae, windows), func(admissions, windows))

    return {"people": people, "windows": len(windows), "events": len(ae) + len(admissions),
            "build_person_time": cpu(lambda: build_person_time(ds, CohortSpec(**PERIOD)), repeats),
            "count_in_windows": cpu(counts(count_in_windows), repeats),
            "merge_count (before)": cpu(counts(merge_count), repeats),
            "count_in_windows peak MB": peak_mb(counts(count_in_windows)),
            "merge_count (before) peak MB": peak_mb(counts(merge_count))}


def peak_mb(func) -> float:
    """Peak memory allocated during ``func`` beyond what was held before (tracemalloc)."""
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="", help="comma-separated data folders")
    parser.add_argument("--people", default="10000,150000",
                        help="comma-separated sizes (people in each --data folder)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "results" / "windows"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.people.split(",")]
    folders = [Path(p) for p in args.data.split(",") if p]
    rows = []
    with tempfile.TemporaryDirectory(prefix="lifetools-windows-") as tmp:
        for i, people in enumerate(sizes):
            if i < len(folders):
                data = folders[i]
            else:
                from lifetools.synthetic import write_synthetic

                data = Path(tmp) / f"data{people}"
                write_synthetic(data, people=people, seed=20250331)
            print(f"measuring {people:,} people", file=sys.stderr, flush=True)
            rows.append(measure(data, people, args.repeats))
    steps = ["build_person_time", "count_in_windows", "merge_count (before)",
             "count_in_windows peak MB", "merge_count (before) peak MB"]
    first, last = rows[0], rows[-1]
    growth = {s: round(math.log(last[s] / first[s]) / math.log(last["people"] / first["people"]),
                       3) for s in steps}
    lines = ["# Windowed counts: CPU seconds and growth exponent", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M')}, median of {args.repeats}; exponent "
             f"= log(t ratio) / log(people ratio), {first['people']:,} to "
             f"{last['people']:,} people.", "",
             "| people | windows | events | " + " | ".join(steps) + " |",
             "|---" * (3 + len(steps)) + "|"]
    for row in rows:
        lines.append(f"| {row['people']:,} | {row['windows']:,} | {row['events']:,} | "
                     + " | ".join(str(row[s]) for s in steps) + " |")
    lines.append("| exponent | | | " + " | ".join(str(growth[s]) for s in steps) + " |")
    write_results(args.out, {"date": time.strftime("%Y-%m-%d %H:%M"), "rows": rows,
                             "exponent": growth}, "\n".join(lines))


if __name__ == "__main__":
    main()
