"""Cohort building at national scale on DuckDB out of core (issue 18).

A national-scale extract is made from one extract by shards: ``--copies`` copies of each
table, streamed by DuckDB into one Parquet file per table, where copy ``i > 0`` has its
person ids re-keyed (SHA-256 of ``"national copy i:"`` and the id: 64 hex characters,
as the data dictionary requires; not ``steps.py generate``'s ``"i:"``, which an extract
merged from generated shards already holds for the same pseudonyms, so the copies'
ids would collide with it; the people's ids are checked unique after writing) and every
row id is renumbered over all copies (``R0000001``, ...: unique, in copy and row order). The
deprivation lookup is copied once. Ten copies of a 1,500,000-person extract are a
15,000,000-person extract: it measures scale, not new statistics (each copy holds the
same people under new ids).

Then the discharge and re-referral cohorts (the reports' period, ``lt.cohort``) are built
on each folder as a source (``lt.engines.connect``: embedded DuckDB over the Parquet
files, so only the per-person frames come into pandas), in a child process per folder,
with DuckDB's memory limit (``LIFETOOLS_DUCKDB_MEMORY_LIMIT``, default 8GB) and a
temporary folder to spill to (``LIFETOOLS_DUCKDB_TEMP_DIRECTORY``). Reported per build:
wall and CPU seconds (user + system of the child, DuckDB's threads included), the child's
peak resident memory (``ru_maxrss``), the largest size the spill folder reached (sampled
every 0.2 s), the rows of the tables read, and the rows and bytes (pandas' deep memory
usage) of the per-person frames the model fits take.

Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_national.py --source /path/to/1500k \\
        --copies 10 --work /tmp/national --out benchmarks/results/national-15m

``--person-time none,1GB,512MB`` instead builds the emergency care report's person-time
(``build_person_time``: its windowed A&E and admission counts are joins of every event
with each person's windows, in DuckDB) on ``--source`` as a source, one child process
per memory limit (``none``: DuckDB's default), each spilling to its own empty folder,
and reports for each the wall and CPU seconds, the child's peak resident memory, the
largest size of the spill folder (sampled every 0.1 s) and in how many samples it held
anything, and DuckDB's temporary files left at the end (``duckdb_temporary_files()``)::

    .venv/bin/python benchmarks/bench_national.py --source /path/to/1500k \\
        --work /tmp/national --person-time none,1GB,512MB \\
        --out benchmarks/results/person-time-spill-1500k
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import ROW_IDS, write_results  # noqa: E402

PERIOD = {"period_start": "2021-04-01", "period_end": "2024-03-31"}
COHORT_TABLES = ("people", "deprivation", "referrals", "life_rooms_contacts")
"""The tables the two cohort builders read (the default of ``--tables``)."""
SALT = "national copy "
"""Copy ``i``'s person id is SHA-256 of ``SALT``, ``i``, ``:`` and the id."""


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def shard_query(source: Path, name: str, copy: int, rows_before: int, width: int,
                columns: list[str]) -> str:
    """The SQL of copy ``copy`` of table ``name``: person ids re-keyed (copy 0 keeps
    them), the row id ``rows_before`` + the row's number, zero-padded to ``width``."""
    replace = []
    if "person_id" in columns and copy:
        replace.append(f"sha256('{SALT}{copy}:' || person_id) AS person_id")
    if name in ROW_IDS:
        column, prefix = ROW_IDS[name]
        replace.append(f"'{prefix}' || lpad(CAST({rows_before} + file_row_number + 1 "
                       f"AS VARCHAR), {width}, '0') AS {column}")
    select = "* EXCLUDE (file_row_number)"
    if replace:
        select += " REPLACE (" + ", ".join(replace) + ")"
    return (f"SELECT {select} FROM read_parquet({_quoted(source / f'{name}.parquet')}, "
            "file_row_number = true)")


def shard_extract(source: Path, out: Path, copies: int,
                  tables: tuple[str, ...] | None = None, *,
                  memory_limit: str = "8GB") -> dict[str, int]:
    """Write ``copies`` re-keyed copies of each table of ``source`` (those named in
    ``tables``; all by default) into ``out``, one Parquet file per table, streamed in
    record batches; return the rows written per table."""
    import duckdb
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    names = sorted(p.stem for p in source.glob("*.parquet")
                   if tables is None or p.stem in tables)
    written = {}
    with duckdb.connect(config={"memory_limit": memory_limit,
                                "preserve_insertion_order": True}) as connection:
        for name in names:
            path = source / f"{name}.parquet"
            if name == "deprivation":  # a lookup of areas, not of people: once
                shutil.copyfile(path, out / path.name)
                written[name] = pq.ParquetFile(path).metadata.num_rows
                continue
            rows = pq.ParquetFile(path).metadata.num_rows
            columns = pq.ParquetFile(path).schema_arrow.names
            width = max(len(str(rows * copies)), 6)
            writer = None
            for copy in range(copies):
                query = shard_query(source, name, copy, copy * rows, width, columns)
                reader = connection.execute(query).to_arrow_reader(500_000)
                for batch in reader:
                    if writer is None:
                        writer = pq.ParquetWriter(out / path.name, batch.schema)
                    writer.write_batch(batch)
            if writer is not None:
                writer.close()
            written[name] = rows * copies
            if name == "people":
                copies_of = connection.execute(
                    "SELECT count(*) - count(DISTINCT person_id) FROM read_parquet(?)",
                    [str(out / path.name)]).fetchone()[0]
                if copies_of:
                    raise ValueError(f"{copies_of:,} person ids repeat in the copies of "
                                     f"{path}: its ids already hold re-keyed ones")
    package = source / "datapackage.json"
    if package.exists():
        shutil.copyfile(package, out / package.name)
    return written


def _folder_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for file in files:
            try:
                total += (Path(root) / file).stat().st_size
            except FileNotFoundError:  # DuckDB removed it meanwhile
                continue
    return total


def child(folder: str, memory_limit: str, spill: str) -> dict:
    """Build both cohorts on ``folder`` as a source under DuckDB's memory limit."""
    import lifetools as lt

    env = {**os.environ, lt.engines.MEMORY_LIMIT_ENV: memory_limit,
           lt.engines.TEMP_DIRECTORY_ENV: spill}
    data = lt.engines.connect(lt.engines.parse_source(folder), env=env)
    rows_in = {name: int(data.tables[name].count().execute()) for name in COHORT_TABLES}
    largest, stop = [0], threading.Event()

    def watch() -> None:
        while not stop.wait(0.2):
            largest[0] = max(largest[0], _folder_bytes(Path(spill)))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    spec = lt.cohort.CohortSpec(**PERIOD)
    wall, cpu = time.perf_counter(), time.process_time()
    cohorts = {"discharge": lt.cohort.build_discharge_cohort(data, spec),
               "rereferral": lt.cohort.build_rereferral_cohort(data, spec)}
    seconds, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    stop.set()
    watcher.join()
    largest[0] = max(largest[0], _folder_bytes(Path(spill)))
    frames = {name: {"rows": len(c.data), "columns": len(c.data.columns),
                     "bytes": int(c.data.memory_usage(deep=True).sum())}
              for name, c in cohorts.items()}
    return {"wall_s": round(seconds, 1), "cpu_s": round(cpu_s, 1),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "spill_peak_mb": round(largest[0] / 1e6, 1),
            "memory_limit": data.backend.con.execute(
                "SELECT current_setting('memory_limit')").fetchone()[0],
            "threads": data.backend.con.execute(
                "SELECT current_setting('threads')").fetchone()[0],
            "rows_in": rows_in, "frames": frames}


def person_time_child(folder: str, memory_limit: str, spill: str) -> dict:
    """Build the emergency care report's person-time on ``folder`` as a source (its
    windowed A&E and admission counts: joins of every event with the person's windows,
    in DuckDB) under ``memory_limit`` (``none``: DuckDB's default, 80% of the machine's
    memory), spilling to ``spill``; the spill folder is sampled every 0.1 s."""
    import lifetools as lt
    from lifetools.cohort import CohortSpec, build_person_time

    env = {**os.environ, lt.engines.TEMP_DIRECTORY_ENV: spill}
    env.pop(lt.engines.MEMORY_LIMIT_ENV, None)
    if memory_limit != "none":
        env[lt.engines.MEMORY_LIMIT_ENV] = memory_limit
    data = lt.engines.connect(lt.engines.parse_source(folder), env=env)
    con = data.backend.con
    largest, seen, stop = [0], [0], threading.Event()

    def watch() -> None:
        while not stop.wait(0.1):
            size = _folder_bytes(Path(spill))
            largest[0] = max(largest[0], size)
            seen[0] += size > 0

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    wall = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    error = None
    try:
        pt = build_person_time(data, CohortSpec(**PERIOD))
        rows = {"people": len(pt.people), "periods": len(pt.periods),
                "ae": int(pt.periods["ae"].sum()),
                "admissions": int(pt.periods["admissions"].sum())}
    except Exception as failure:  # noqa: BLE001 - an out-of-memory error is a result
        error, rows = f"{type(failure).__name__}: {str(failure).splitlines()[0]}", {}
    after = resource.getrusage(resource.RUSAGE_SELF)
    seconds = time.perf_counter() - wall
    stop.set()
    watcher.join()
    largest[0] = max(largest[0], _folder_bytes(Path(spill)))
    return {"memory_limit": memory_limit,
            "duckdb_memory_limit": con.execute(
                "SELECT current_setting('memory_limit')").fetchone()[0],
            "wall_s": round(seconds, 1),
            "cpu_s": round(after.ru_utime + after.ru_stime
                           - before.ru_utime - before.ru_stime, 1),
            "peak_mb": round(after.ru_maxrss / 1024),
            "spill_peak_mb": round(largest[0] / 1e6, 1), "spill_samples": seen[0],
            "temporary_files_after": con.execute(
                "SELECT count(*) FROM duckdb_temporary_files()").fetchone()[0],
            "rows": rows, "error": error}


def _person_time_markdown(r: dict) -> str:
    lines = [f"# Person-time's windowed counts on DuckDB under a memory limit "
             f"({r['people']:,} people)", "",
             f"Run {r['started']} to {r['finished']} UTC; commit {r['commit']}; "
             f"{os.cpu_count()} cores; load average {r['load_before']} before, "
             f"{r['load_after']} after; command `{r['command']}`.", "",
             "`build_person_time` on the folder as a source (`lt.engines.connect`), "
             "one child process per limit, each with its own empty spill folder "
             "(`LIFETOOLS_DUCKDB_TEMP_DIRECTORY`), sampled every 0.1 s.", "",
             "| memory limit | DuckDB reports | build wall s | build CPU s | peak MB "
             "(process) | spill peak MB | samples with spill | periods | error |",
             "|---|---|---|---|---|---|---|---|---|"]
    for m in r["builds"]:
        lines.append(f"| {m['memory_limit']} | {m['duckdb_memory_limit']} | {m['wall_s']} | "
                     f"{m['cpu_s']} | {m['peak_mb']:,} | {m['spill_peak_mb']:,} | "
                     f"{m['spill_samples']} | {m['rows'].get('periods', 0):,} | "
                     f"{m['error'] or ''} |")
    return "\n".join(lines) + "\n"


def person_time_main(source: Path, limits: list[str], work: Path, out: str) -> None:
    """``--person-time``: one child per memory limit on ``source``."""

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    builds = []
    for limit in limits:
        spill = work / f"spill-{limit}"
        shutil.rmtree(spill, ignore_errors=True)
        print(f"person-time under {limit} ...", file=sys.stderr, flush=True)
        builds.append(_run(source, limit, spill, "--person-time-child"))
    result = {**_header(started, load_before, source), "builds": builds}
    write_results(out, result, _person_time_markdown(result), indent=2)


def _header(started: str, load_before: list[float], source: Path) -> dict:
    """What every result of this benchmark starts with: when, at which commit, under what
    load, the command and the people of ``source``."""
    import pyarrow.parquet as pq

    return {"started": started, "finished": datetime.now(UTC).strftime("%H:%M"),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True,
                                     cwd=HERE).stdout.strip(),
            "load_before": load_before,
            "load_after": [round(x, 1) for x in os.getloadavg()],
            "command": " ".join(["benchmarks/bench_national.py", *sys.argv[1:]]),
            "people": pq.ParquetFile(source / "people.parquet").metadata.num_rows}


def _run(folder: Path, memory_limit: str, spill: Path, mode: str = "--child") -> dict:
    spill.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, __file__, mode, str(folder), memory_limit,
                           str(spill)], stdout=subprocess.PIPE, text=True, check=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _markdown(r: dict) -> str:
    lines = [f"# Cohort building at national scale on DuckDB, memory limit {r['memory_limit']}",
             "", f"Run {r['started']} to {r['finished']} UTC; commit {r['commit']}; "
             f"{os.cpu_count()} cores; load average {r['load_before']} before, "
             f"{r['load_after']} after; command `{r['command']}`.", "",
             f"The {r['copies']}-copy extract is {r['copies']} re-keyed copies of the "
             f"{r['people']:,}-person extract (person ids re-keyed per copy, row ids "
             "renumbered): it measures scale, not new statistics. Tables copied: "
             f"{', '.join(r['shard']['rows'])}; written in {r['shard']['wall_s']} s wall, "
             f"{r['shard']['cpu_s']} s CPU, {r['shard']['bytes'] / 1e6:,.0f} MB of Parquet.",
             "", "| extract | people | rows in (4 tables) | build wall s | build CPU s | "
             "peak MB (process) | spill peak MB | per-person rows | per-person MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for label, m in r["builds"].items():
        rows = sum(f["rows"] for f in m["frames"].values())
        size = sum(f["bytes"] for f in m["frames"].values()) / 1e6
        lines.append(f"| {label} | {m['rows_in']['people']:,} | "
                     f"{sum(m['rows_in'].values()):,} | {m['wall_s']} | {m['cpu_s']} | "
                     f"{m['peak_mb']:,} | {m['spill_peak_mb']:,} | {rows:,} | {size:.1f} |")
    lines += ["", "DuckDB's memory limit as it reports it: "
              + ", ".join(sorted({m["memory_limit"] for m in r["builds"].values()}))
              + "; threads: " + ", ".join(sorted({str(m["threads"])
                                                  for m in r["builds"].values()})) + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="an extract's folder of Parquet files")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--tables", default=",".join(COHORT_TABLES),
                        help="tables to copy (comma-separated, or 'all'; default: the "
                             "four the cohort builders read)")
    parser.add_argument("--work", help="folder for the copies and the spill (made)")
    parser.add_argument("--memory-limit", default="8GB")
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    parser.add_argument("--out", default=str(HERE / "results" / "national"))
    parser.add_argument("--child", nargs=3, metavar=("FOLDER", "LIMIT", "SPILL"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--person-time", metavar="LIMITS",
                        help="instead: person-time on --source under each memory limit "
                             "(comma-separated, 'none' for DuckDB's default), e.g. "
                             "none,1GB,512MB")
    parser.add_argument("--person-time-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    if args.person_time_child:
        print(json.dumps(person_time_child(*args.person_time_child)))
        return
    if args.person_time:
        if not args.source or not args.work:
            parser.error("--source and --work are required")
        person_time_main(Path(args.source), args.person_time.split(","), Path(args.work),
                         args.out)
        return
    if not args.source or not args.work:
        parser.error("--source and --work are required")

    source, work = Path(args.source), Path(args.work)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    tables = None if args.tables == "all" else tuple(args.tables.split(","))
    national = work / f"copies-{args.copies}"
    print(f"writing {args.copies} copies ...", file=sys.stderr, flush=True)
    wall, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    rows = shard_extract(source, national, args.copies, tables,
                         memory_limit=args.memory_limit)
    after = resource.getrusage(resource.RUSAGE_SELF)
    shard = {"rows": rows, "wall_s": round(time.perf_counter() - wall, 1),
             "cpu_s": round(after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime, 1),
             "bytes": _folder_bytes(national)}
    builds = {}
    for label, folder in ((f"1 copy ({source.name})", source),
                          (f"{args.copies} copies", national)):
        print(f"building on {label} ...", file=sys.stderr, flush=True)
        builds[label] = _run(folder, args.memory_limit, work / "spill")
    if not args.keep:
        shutil.rmtree(national, ignore_errors=True)
    result = {**_header(started, load_before, source), "copies": args.copies, "memory_limit": args.memory_limit,
              "shard": shard, "builds": builds}
    write_results(args.out, result, _markdown(result), indent=2)


if __name__ == "__main__":
    main()
