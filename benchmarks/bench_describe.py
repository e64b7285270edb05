"""`describe_population` per call, side by side in one process: the pandas code (before
issue 18), an earlier engine version and the current one.

Usage: ``python benchmarks/bench_describe.py [--people 3000] [--repeats 5] [--engine-rev
REV]``. The two earlier versions are read from git (``PANDAS_REV``, ``--engine-rev``:
its ``describe.py`` and ``engines/engine.py``) and run on the same loaded dataset as the
current code, interleaved call by call so that a change of load on the machine falls on
all three alike. Each call's CPU time (this process, all threads) and wall time are
recorded; the results must be equal (frames compared). The first round (one call per
period) is reported apart as the first calls (the current code's first call on a
dataset registers its frames in DuckDB and compiles its queries; later calls reuse
both); the medians of the later rounds go to
``benchmarks/results/describe-<people>k.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import lifetools as lt
from lifetools.describe import describe_population
from lifetools.synthetic import write_synthetic

ROOT = Path(__file__).resolve().parents[1]
PANDAS_REV = "8caf0cb^"  # describe.py before it ran as queries
ENGINE_REV = "d774614"  # describe.py and engines/engine.py before the shared connection
PERIODS = (("2023-04-01", "2024-03-31"), ("2024-04-01", "2025-03-31"))


def _source(rev: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def _module(name: str, source: str, **names) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(names)
    sys.modules[name] = module
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102
    return module


def versions(engine_rev: str = ENGINE_REV) -> dict:
    """The three ``describe_population`` functions, by name."""
    pandas_version = _module("_describe_pandas", _source(PANDAS_REV,
                                                         "src/lifetools/describe.py"))
    _module("_engine_before", _source(engine_rev, "src/lifetools/engines/engine.py"))
    before = _source(engine_rev, "src/lifetools/describe.py").replace(
        "from lifetools.engines import engine_tables",
        "from _engine_before import engine_tables")
    assert "_engine_before" in before
    engine_version = _module("_describe_before", before)
    return {"pandas (before issue 18)": pandas_version.describe_population,
            "engine, before": engine_version.describe_population,
            "engine, now": describe_population}


def _same(a, b) -> bool:
    return all(getattr(a, k).equals(getattr(b, k))
               for k in ("counts", "characteristics", "monthly"))


def run(people: int, repeats: int, engine_rev: str = ENGINE_REV) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        write_synthetic(Path(folder), people=people, seed=3)
        dataset = lt.load_dataset(Path(folder))
        functions = versions(engine_rev)
        seconds: dict[str, list[tuple[float, float]]] = {k: [] for k in functions}
        first: dict[str, list[float]] = {k: [] for k in functions}
        for repeat in range(repeats + 1):  # the first round warms imports and caches
            for start, end in PERIODS:
                results = {}
                for name, function in functions.items():
                    cpu, wall = time.process_time(), time.perf_counter()
                    results[name] = function(dataset, period_start=start, period_end=end)
                    taken = (time.process_time() - cpu, time.perf_counter() - wall)
                    if repeat:
                        seconds[name].append(taken)
                    else:
                        first[name].append(taken[0])
                one = next(iter(results.values()))
                assert all(_same(one, r) for r in results.values()), "results differ"
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    rows = {name: {"cpu_s": statistics.median(c for c, _ in s),
                   "wall_s": statistics.median(w for _, w in s), "calls": len(s),
                   "first_calls_cpu_s": first[name]}
            for name, s in seconds.items()}
    pandas = rows["pandas (before issue 18)"]
    for row in rows.values():
        row["cpu_ratio_to_pandas"] = row["cpu_s"] / pandas["cpu_s"]
        row["first_ratio_to_pandas"] = (statistics.mean(row["first_calls_cpu_s"])
                                        / statistics.mean(pandas["first_calls_cpu_s"]))
    return {"people": people, "repeats": repeats, "engine_rev": engine_rev,
            "load_average": load, "rows": rows}


def write(result: dict, stem: str) -> None:
    out = ROOT / "benchmarks" / "results"
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [f"# describe_population per call, {result['people']:,} people",
             "", f"Median of {result['rows']['engine, now']['calls']} calls each "
             f"(two periods x {result['repeats']}) after a first round of one call per "
             "period (the first calls, their mean CPU given apart), interleaved in one "
             f"process; engine before = {result['engine_rev']}; load average at the end "
             f"{' '.join(result['load_average'])}. Results equal.", "",
             "| version | CPU s | wall s | CPU ratio to pandas | first calls CPU s | "
             "first calls ratio to pandas |", "|---|---|---|---|---|---|"]
    lines += [f"| {name} | {r['cpu_s']:.3f} | {r['wall_s']:.3f} | "
              f"{r['cpu_ratio_to_pandas']:.2f}x | "
              f"{statistics.mean(r['first_calls_cpu_s']):.3f} | "
              f"{r['first_ratio_to_pandas']:.2f}x |" for name, r in result["rows"].items()]
    (out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engine-rev", default=ENGINE_REV)
    parser.add_argument("--name", help="results stem (default describe-<people>k)")
    args = parser.parse_args()
    write(run(args.people, args.repeats, args.engine_rev),
          args.name or f"describe-{args.people // 1000}k")
