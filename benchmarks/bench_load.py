"""Load step alone: CPU time and growth exponent, two source trees side by side (issue 16).

For each dataset folder (one per size, generated beforehand by ``steps.py generate``)
and each source tree (``--trees name=path/to/src``, e.g. a copy of ``src/`` before a
change and the working tree), one child process imports lifetools from that tree and
times ``lt.load_dataset(folder, compact_ids=True, skip_unused=True)`` (as the build's
kernels load) and the reading of every table ``--repeats`` times (a table is read when
first used since wave 45: timing the call alone timed nothing); children alternate between the trees so that the
machine's load falls on both alike. Reported per child: CPU seconds (user + system,
Arrow's threads included) and wall seconds of each load, peak resident memory
(``VmHWM``), and a SHA-256 of every loaded frame (values, dtypes, column order, index)
so that the trees can be checked to give the same frames. The growth exponent between
the smallest and largest size is ``log(ratio of median CPU) / log(ratio of people)``.
With ``--cached TREE`` a tree loads with a typed on-disk cache
(:mod:`lifetools.typed_cache`, a fresh folder per round): one child loads once and
writes the cache (reported as the tree's first load), then another child, a later
kernel, loads ``--repeats`` times from it (the tree's figures and exponent).
Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_load.py \\
        --data 150000=/tmp/perf-data/150k,1500000=/tmp/perf-data/1500k \\
        --trees before=/tmp/src-before,after=src --cached after \\
        --out benchmarks/results/load
"""

from __future__ import annotations

import argparse
import hashlib
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
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from steps import write_results  # noqa: E402


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return round(int(line.split()[1]) / 1024, 1)
    raise KeyError("VmHWM")


def child(folder: str, repeats: int, cache: str = "") -> dict:
    """Load the folder ``repeats`` times in this process (the memory caches emptied each
    time), with the typed on-disk cache folder ``cache`` if not empty."""
    import pandas as pd

    import lifetools as lt
    from lifetools import compact_ids, loading
    from lifetools.dictionary import load_dictionary

    load_dictionary()  # parsed once per process, as in a kernel: not timed
    cpu, wall, data = [], [], None
    for _ in range(repeats):
        compact_ids._IDS.clear()
        loading._TYPED.clear()
        if cache:  # the code's key, as a new kernel computes it (an older tree has none)
            sys.modules["lifetools.typed_cache"]._CODE.clear()
        data = None
        start, used = time.perf_counter(), _cpu()
        extra = {"typed_cache": cache} if cache else {}
        data = lt.load_dataset(Path(folder), compact_ids=True, skip_unused=True, **extra)
        for name in loading.TABLES:  # read now: since wave 45 a table is read when
            loading.untracked(data, name)  # first used, and timing stopped before it
        cpu.append(round(_cpu() - used, 3))
        wall.append(round(time.perf_counter() - start, 3))
    digest = hashlib.sha256()
    for name in loading.TABLES:
        frame = loading.untracked(data, name)
        if frame is None:
            continue
        digest.update(f"{name}|{list(frame.columns)}|{list(map(str, frame.dtypes))}"
                      .encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return {"source": lt.__file__, "cpu_s": cpu, "wall_s": wall, "peak_mb": _peak_mb(),
            "people": len(loading.untracked(data, "people")),
            "frames_sha256": digest.hexdigest()}


def _markdown(r: dict) -> str:
    lines = ["# Load step: CPU time and growth exponent, source trees side by side", "",
             f"Run {r['started']} to {r['finished']} UTC; commit {r['commit']}; "
             f"{os.cpu_count()} cores; load average {r['load_before']} before, "
             f"{r['load_after']} after; `nice -n 10`; command `{r['command']}`. Each "
             f"figure is the median of {r['repeats']} loads in each of {r['rounds']} "
             "alternating child processes per tree (CPU = user + system, Arrow's threads "
             "included)." + (" Trees with a typed on-disk cache: " + ", ".join(
                 r.get("cached", [])) + " (their figures are loads by a later process "
                                        "from the cache; the first load, which wrote it, "
                                        "is on its own row)." if r.get("cached") else ""),
             "",
             "| people | tree | CPU s (median) | CPU s (each) | wall s (median) | peak MB |"
             " frames SHA-256 |", "|---|---|---|---|---|---|---|"]
    for size, trees in r["sizes"].items():
        for tree, m in trees.items():
            lines.append(f"| {int(size):,} | {tree} | **{m['cpu_median']}** | "
                         f"{', '.join(map(str, m['cpu_s']))} | {m['wall_median']} | "
                         f"{m['peak_mb']:,.0f} | {m['frames_sha256'][:16]} |")
            if "first_load" in m:
                f = m["first_load"]
                lines.append(f"| {int(size):,} | {tree}, first load (writes the cache) | "
                             f"{statistics.median(f['cpu_s']):.3f} | "
                             f"{', '.join(map(str, f['cpu_s']))} | "
                             f"{statistics.median(f['wall_s']):.3f} | "
                             f"{f['peak_mb']:,.0f} | (same) |")
    lines += ["", "Growth exponent of the load's CPU time between the smallest and largest "
              "size (log CPU ratio / log people ratio): " + ", ".join(
                  f"{tree} **{value:.3f}**" for tree, value in r["exponents"].items())
              + ".", "", "Frames identical between the trees at every size: "
              + ("yes" if r["identical"] else "NO") + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True,
                        help="people=folder pairs, comma-separated, smallest first")
    parser.add_argument("--trees", required=True, help="name=src-folder pairs")
    parser.add_argument("--repeats", type=int, default=3, help="loads per child")
    parser.add_argument("--rounds", type=int, default=2, help="children per tree and size")
    parser.add_argument("--out", default=str(HERE / "results" / "load"))
    parser.add_argument("--cached", default="",
                        help="trees (comma-separated) that load with a typed cache")
    parser.add_argument("--child", nargs=3, metavar=("FOLDER", "REPEATS", "CACHE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.child[2])))
        return
    trees = dict(pair.split("=") for pair in args.trees.split(","))
    cached = set(filter(None, args.cached.split(",")))
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    sizes: dict[str, dict] = {}
    for pair in args.data.split(","):
        people, folder = pair.split("=")
        runs: dict[str, list[dict]] = {tree: [] for tree in trees}
        first: dict[str, list[dict]] = {tree: [] for tree in cached}
        for round_ in range(args.rounds):
            for tree, src in trees.items():
                print(f"{people} people, {tree}, round {round_ + 1}", file=sys.stderr,
                      flush=True)
                env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()),
                       "OMP_NUM_THREADS": "1"}
                cache = tempfile.mkdtemp(prefix="typed-") if tree in cached else ""

                def run(repeats: int, env=env, cache=cache, folder=folder) -> dict:
                    done = subprocess.run(
                        [sys.executable, __file__, "--data", args.data, "--trees",
                         args.trees, "--child", folder, str(repeats), cache],
                        capture_output=True, text=True, check=True, env=env)
                    return json.loads(done.stdout.strip().splitlines()[-1])

                if cache:
                    first[tree].append(run(1))  # writes the cache
                runs[tree].append(run(args.repeats))
                if cache:
                    shutil.rmtree(cache, ignore_errors=True)
        sizes[people] = {}
        for tree, done_runs in runs.items():
            cpu = [c for run_ in done_runs for c in run_["cpu_s"]]
            wall = [w for run_ in done_runs for w in run_["wall_s"]]
            every = done_runs + first.get(tree, [])
            sizes[people][tree] = {
                "cpu_s": cpu, "wall_s": wall, "cpu_median": round(statistics.median(cpu), 3),
                "wall_median": round(statistics.median(wall), 3),
                "peak_mb": max(run_["peak_mb"] for run_ in done_runs),
                "frames_sha256": done_runs[0]["frames_sha256"],
                "same_frames_each_run": len({r["frames_sha256"] for r in every}) == 1,
                "source": done_runs[0]["source"]}
            if tree in cached:
                sizes[people][tree]["first_load"] = {
                    "cpu_s": [c for r in first[tree] for c in r["cpu_s"]],
                    "wall_s": [w for r in first[tree] for w in r["wall_s"]],
                    "peak_mb": max(r["peak_mb"] for r in first[tree])}
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    people = sorted(sizes, key=int)
    small, large = people[0], people[-1]
    exponents = {tree: math.log(sizes[large][tree]["cpu_median"]
                                / sizes[small][tree]["cpu_median"])
                 / math.log(int(large) / int(small)) for tree in trees}
    identical = all(len({m["frames_sha256"] for m in trees_.values()}) == 1
                    and all(m["same_frames_each_run"] for m in trees_.values())
                    for trees_ in sizes.values())
    result = {"started": started, "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()], "commit": commit,
              "command": " ".join(["bench_load.py"] + sys.argv[1:]),
              "repeats": args.repeats, "rounds": args.rounds, "sizes": sizes,
              "cached": sorted(cached),
              "exponents": {k: round(v, 3) for k, v in exponents.items()},
              "identical": identical}
    write_results(args.out, result, _markdown(result))


if __name__ == "__main__":
    main()
