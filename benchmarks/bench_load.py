"""Load step alone: CPU time and growth exponent, two source trees side by side (issue 16).

For each dataset folder (one per size, generated beforehand by ``steps.py generate``)
and each source tree (``--trees name=path/to/src``, e.g. a copy of ``src/`` before a
change and the working tree), one child process imports lifetools from that tree and
times ``lt.load_dataset(folder, compact_ids=True, skip_unused=True)`` (as the build's
kernels load) ``--repeats`` times; children alternate between the trees so that the
machine's load falls on both alike. Reported per child: CPU seconds (user + system,
Arrow's threads included) and wall seconds of each load, peak resident memory
(``VmHWM``), and a SHA-256 of every loaded frame (values, dtypes, column order, index)
so that the trees can be checked to give the same frames. The growth exponent between
the smallest and largest size is ``log(ratio of median CPU) / log(ratio of people)``.
Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_load.py \\
        --data 150000=/tmp/perf-data/150k,1500000=/tmp/perf-data/1500k \\
        --trees before=/tmp/src-before,after=src --out benchmarks/results/load
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return round(int(line.split()[1]) / 1024, 1)
    raise KeyError("VmHWM")


def child(folder: str, repeats: int) -> dict:
    """Load the folder ``repeats`` times in this process (the caches emptied each time)."""
    import pandas as pd

    import lifetools as lt
    from lifetools import compact_ids, loading
    from lifetools.dictionary import load_dictionary

    load_dictionary()  # parsed once per process, as in a kernel: not timed
    cpu, wall, data = [], [], None
    for _ in range(repeats):
        compact_ids._IDS.clear()
        loading._TYPED.clear()
        data = None
        start, used = time.perf_counter(), _cpu()
        data = lt.load_dataset(Path(folder), compact_ids=True, skip_unused=True)
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
             "included).", "",
             "| people | tree | CPU s (median) | CPU s (each) | wall s (median) | peak MB |"
             " frames SHA-256 |", "|---|---|---|---|---|---|---|"]
    for size, trees in r["sizes"].items():
        for tree, m in trees.items():
            lines.append(f"| {int(size):,} | {tree} | **{m['cpu_median']}** | "
                         f"{', '.join(map(str, m['cpu_s']))} | {m['wall_median']} | "
                         f"{m['peak_mb']:,.0f} | {m['frames_sha256'][:16]} |")
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
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "REPEATS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    trees = dict(pair.split("=") for pair in args.trees.split(","))
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    sizes: dict[str, dict] = {}
    for pair in args.data.split(","):
        people, folder = pair.split("=")
        runs: dict[str, list[dict]] = {tree: [] for tree in trees}
        for round_ in range(args.rounds):
            for tree, src in trees.items():
                print(f"{people} people, {tree}, round {round_ + 1}", file=sys.stderr,
                      flush=True)
                env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()),
                       "OMP_NUM_THREADS": "1"}
                done = subprocess.run([sys.executable, __file__, "--data", args.data,
                                       "--trees", args.trees, "--child", folder,
                                       str(args.repeats)], capture_output=True, text=True,
                                      check=True, env=env)
                runs[tree].append(json.loads(done.stdout.strip().splitlines()[-1]))
        sizes[people] = {}
        for tree, done_runs in runs.items():
            cpu = [c for run in done_runs for c in run["cpu_s"]]
            wall = [w for run in done_runs for w in run["wall_s"]]
            sizes[people][tree] = {
                "cpu_s": cpu, "wall_s": wall, "cpu_median": round(statistics.median(cpu), 3),
                "wall_median": round(statistics.median(wall), 3),
                "peak_mb": max(run["peak_mb"] for run in done_runs),
                "frames_sha256": done_runs[0]["frames_sha256"],
                "same_frames_each_run": len({run["frames_sha256"] for run in done_runs}) == 1,
                "source": done_runs[0]["source"]}
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
              "exponents": {k: round(v, 3) for k, v in exponents.items()},
              "identical": identical}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{args.out}.json").write_text(json.dumps(result, indent=1) + "\n")
    Path(f"{args.out}.md").write_text(_markdown(result))
    print(_markdown(result))


if __name__ == "__main__":
    main()
