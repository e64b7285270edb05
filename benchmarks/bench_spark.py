"""Cohort building on Spark local against DuckDB, side by side in one run (issue 18).

One synthetic extract (``write_synthetic``, or ``--data`` a folder made beforehand) is
built into the discharge and re-referral cohorts (the reports' period, the ibis builders
of :mod:`lifetools.cohort`) two ways, each in its own child process, one after the
other:

- ``duckdb``: the Parquet folder as the source (``lt.engines.connect`` of the folder:
  embedded DuckDB over the files, as ``--data FOLDER`` runs);
- ``spark``: a local Spark (``spark://local[2]``, pyspark with Java 17), the same Parquet
  files (rewritten with microsecond times, which Spark reads) registered as views of
  the session, as a data lake holds them, and the builders run through
  ``lt.engines.connect(parse_source("spark://local[2]"))``.

Each child builds both cohorts ``--repeats`` times. Reported per build: wall seconds and
CPU seconds (user + system of the Python process and, for Spark, of the JVM it started:
read from ``/proc`` before and after; DuckDB's threads are the process's own). The first
build of a process is reported apart (Spark compiles and loads classes on first use).
Spark's session start and the registration of the views are timed apart and are not in
the ratio. The two ways' frames (cohort rows and flow counts) must be equal, value for
value. Local mode is one JVM on this machine's cores, not a cluster: the ratio says what
Spark's planning and task overhead costs on a small extract, not how a cluster scales.

Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_spark.py --people 10000 \\
        --out benchmarks/results/spark-10k
"""

from __future__ import annotations

import argparse
import hashlib
import json
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

PERIOD = {"period_start": "2021-04-01", "period_end": "2024-03-31"}
TABLES = ("people", "deprivation", "referrals", "life_rooms_contacts")
WAYS = ("duckdb", "spark")
_TICK = os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its living descendants."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                todo += [int(c) for c in children]
        except FileNotFoundError:  # ended meanwhile
            continue
    return total


def _jvm_pids() -> list[int]:
    """The processes this one started (Spark's launcher and JVM)."""
    me = Path(f"/proc/{os.getpid()}/task")
    return [int(c) for task in me.iterdir()
            for c in (task / "children").read_text().split()]


def _peak_mb(pid: int) -> float:
    """Peak resident memory (``VmHWM``) of process ``pid`` in MB, 0 if it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def _tree_peak_mb(pid: int) -> float:
    """The largest peak resident memory among ``pid`` and its living descendants."""
    peak, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        peak = max(peak, _peak_mb(current))
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return peak


def _digest(frames) -> str:
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(frame.to_csv(index=False).encode())
    return digest.hexdigest()


def _spark_folder(folder: Path, into: Path) -> None:
    """The tables' Parquet files with microsecond times (Spark reads no nanoseconds)."""
    import pyarrow.parquet as pq

    for name in TABLES:
        table = pq.read_table(folder / f"{name}.parquet")
        pq.write_table(table, into / f"{name}.parquet", coerce_timestamps="us",
                       allow_truncated_timestamps=True)


def child(way: str, folder: str, repeats: int, driver_memory: str) -> dict:
    """Build both cohorts ``repeats`` times one way; seconds, CPU and the frames' digest."""
    import lifetools as lt

    extra: dict[str, float] = {}
    scratch = None
    if way == "spark":
        from pyspark.sql import SparkSession

        scratch = Path(tempfile.mkdtemp(prefix="lifetools-bench-spark-"))
        _spark_folder(Path(folder), scratch)
        wall, cpu = time.perf_counter(), _own_cpu()
        session = (SparkSession.builder.master("local[2]")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.sql.shuffle.partitions", "4")
                   .config("spark.driver.memory", driver_memory)
                   .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
                   .config("spark.local.dir", str(scratch / "local"))
                   .config("spark.driver.extraJavaOptions",
                           f"-Dderby.system.home={scratch}")
                   .getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        extra["session_start_s"] = round(time.perf_counter() - wall, 2)
        for name in TABLES:
            session.read.parquet(str(scratch / f"{name}.parquet")
                                 ).createOrReplaceTempView(name)
        data = lt.engines.connect(lt.engines.parse_source("spark://local[2]"))
        extra["start_and_views_s"] = round(time.perf_counter() - wall, 2)
        extra["start_and_views_cpu_s"] = round(_own_cpu() - cpu, 2)
    else:
        data = lt.engines.connect(lt.engines.parse_source(folder))
    pids = _jvm_pids()
    spec = lt.cohort.CohortSpec(**PERIOD)
    builds, digest, rows = [], None, 0
    for _ in range(repeats):
        jvm = sum(_tree_cpu(p) for p in pids)
        wall, cpu = time.perf_counter(), _own_cpu()
        cohorts = [lt.cohort.build_discharge_cohort(data, spec),
                   lt.cohort.build_rereferral_cohort(data, spec)]
        seconds, own = time.perf_counter() - wall, _own_cpu() - cpu
        jvm = sum(_tree_cpu(p) for p in pids) - jvm
        builds.append({"wall_s": round(seconds, 2), "cpu_s": round(own + jvm, 2),
                       "python_cpu_s": round(own, 2), "jvm_cpu_s": round(jvm, 2)})
        frames = [f for c in cohorts for f in (c.data, c.flow)]
        digest, rows = _digest(frames), sum(len(c.data) for c in cohorts)
    peaks = {"python_peak_mb": round(_peak_mb(os.getpid()))}
    if pids:
        peaks["jvm_peak_mb"] = round(max(_tree_peak_mb(p) for p in pids))
    if way == "spark":
        session.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return {"way": way, "builds": builds, "rows": rows, "sha256": digest, **peaks,
            **extra}


def _people(folder: Path) -> int:
    """Rows of the folder's people table (from the Parquet footer)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(folder / "people.parquet").metadata.num_rows


def _run(way: str, folder: str, repeats: int, driver_memory: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", way, folder, str(repeats),
                           driver_memory],
                          stdout=subprocess.PIPE, text=True, check=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summary(result: dict) -> dict:
    builds = result["builds"]
    later = builds[1:] or builds
    return {"first_wall_s": builds[0]["wall_s"], "first_cpu_s": builds[0]["cpu_s"],
            "wall_s": round(statistics.median(b["wall_s"] for b in later), 2),
            "cpu_s": round(statistics.median(b["cpu_s"] for b in later), 2)}


def _markdown(r: dict) -> str:
    d, s = r["summary"]["duckdb"], r["summary"]["spark"]
    lines = [f"# Cohort building on Spark local against DuckDB, {r['people']:,} people",
             "", f"Run {r['started']} to {r['finished']} UTC; commit {r['commit']}; "
             f"{os.cpu_count()} cores; load average {r['load_before']} before, "
             f"{r['load_after']} after; command `{r['command']}`. Discharge and "
             f"re-referral cohorts ({r['rows']:,} per-person rows), {r['repeats']} builds "
             "per way in its own child process; CPU = user + system of the process (and "
             "of Spark's JVM). Later builds: median of the builds after the first.", "",
             "| way | first build wall s | first build CPU s | later builds wall s | "
             "later builds CPU s | peak MB, Python | peak MB, JVM |",
             "|---|---|---|---|---|---|---|"]
    for way in WAYS:
        m = r["summary"][way]
        jvm = r[way].get("jvm_peak_mb")
        lines.append(f"| {way} | {m['first_wall_s']} | {m['first_cpu_s']} | "
                     f"{m['wall_s']} | {m['cpu_s']} | {r[way].get('python_peak_mb', '')} | "
                     f"{'' if jvm is None else jvm} |")
    lines += ["", f"Spark / DuckDB: first build **{s['first_wall_s'] / d['first_wall_s']:.1f}x"
              f"** wall, {s['first_cpu_s'] / d['first_cpu_s']:.1f}x CPU; later builds **"
              f"{s['wall_s'] / d['wall_s']:.1f}x** wall, {s['cpu_s'] / d['cpu_s']:.1f}x CPU. "
              f"Spark's session start {r['spark']['session_start_s']} s and with the "
              f"views {r['spark']['start_and_views_s']} s wall (not in the ratio). "
              "Same frames from both ways: " + ("yes" if r["identical"] else "NO") + ". "
              f"Spark's driver memory {r.get('driver_memory', '1g')}; peak MB = the "
              "process's `VmHWM` at the end of its builds (the JVM's read before it stops).",
              "", "Local mode is one JVM on this machine's cores, not a cluster."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--data", help="a folder made beforehand (else generated, seed 1)")
    parser.add_argument("--repeats", type=int, default=3, help="builds per way")
    parser.add_argument("--out", default=str(HERE / "results" / "spark"))
    parser.add_argument("--driver-memory", default="4g",
                        help="spark.driver.memory: in local mode the heap of the one JVM "
                             "(Spark's default is 1g)")
    parser.add_argument("--child", nargs=4,
                        metavar=("WAY", "FOLDER", "REPEATS", "DRIVER_MEMORY"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], int(args.child[2]),
                               args.child[3])))
        return
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as made:
        folder = args.data
        if folder is None:
            from lifetools.synthetic import write_synthetic

            folder = made
            write_synthetic(Path(folder), people=args.people, seed=1)
        runs = {}
        for way in WAYS:
            print(f"{way} ...", file=sys.stderr, flush=True)
            runs[way] = _run(way, folder, args.repeats, args.driver_memory)
        people = _people(Path(folder))
    result = {"started": started, "finished": datetime.now(UTC).strftime("%H:%M"),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True).stdout.strip(),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()],
              "command": " ".join(["benchmarks/bench_spark.py", *sys.argv[1:]]),
              "people": people, "repeats": args.repeats,
              "driver_memory": args.driver_memory,
              "rows": runs["duckdb"]["rows"], **runs,
              "summary": {way: _summary(runs[way]) for way in WAYS},
              "identical": runs["duckdb"]["sha256"] == runs["spark"]["sha256"]}
    write_results(args.out, result, _markdown(result), indent=2)


if __name__ == "__main__":
    main()
