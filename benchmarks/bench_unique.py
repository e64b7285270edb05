"""A unique field's repeats in the folder checks: counted by a window (the code) against
counted as rows with a value less distinct values, side by side in one process (issue 16).

The folder's typed view of ``ae_attendances`` (with ``people``, for its foreign key) is
made as :func:`lifetools.validation.validate_tables` makes it; the table's whole
counting query (every check of the table, as a validation runs it) is compiled twice
from the same checks: as :func:`lifetools.engines.checks._counting` counts a ``unique``
field (its ``row_number`` window flag summed), and with that one count replaced by the
rows with a value less the distinct values among them (the same count, no window:
:func:`_distinct_counting`, here only, not in the library: it was slower). The two
queries (and the code's without the
repeats check, for what the check adds) run alternately ``--pairs`` times on one DuckDB connection; CPU seconds (user +
system of the process, DuckDB's threads included) of each run, and the counts each
returns (equal, or the run stops). Writes ``<out>.json`` and ``<out>.md``. Not a timed
test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_unique.py --data /tmp/perf-data/150k \\
        --pairs 6 --out benchmarks/results/unique-150k
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import write_results  # noqa: E402

TABLE = "ae_attendances"


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _queries(folder: Path) -> tuple[object, str, str, str, int]:
    """(connection, SQL counting distinct values, the code's SQL (window), the code's
    SQL without the repeats check (what the check adds), rows)."""
    import ibis

    from lifetools.datapackage import read_package
    from lifetools.dictionary import load_dictionary
    from lifetools.engines import checks
    from lifetools.engines.folder import _check_table
    from lifetools.validation_rules import Rule, _Collector

    dictionary = load_dictionary()
    extract_date = read_package(folder, dictionary)[0] or datetime.now(UTC).date()
    backend = ibis.duckdb.connect()
    tables = {name: _check_table(backend, folder / f"{name}.parquet",
                                 dictionary.table(name), number, _Collector(name, name))
              for number, name in enumerate(("people", TABLE))}
    spec = dictionary.table(TABLE)
    table = tables[TABLE]
    own = checks._field_rules(table, spec, extract_date) + checks._table_rules(table, spec)
    every = own + checks._foreign_keys(tables, TABLE, spec)
    window = checks._sql(checks._counting(table, every, spec)[3].op())
    floor = checks._sql(checks._counting(
        table, [c for c in every if c[1] is not Rule.UNIQUE], spec)[3].op())
    distinct = checks._sql(_distinct_counting(table, every, spec).op())
    if "OVER" in distinct.upper() or "OVER" not in window.upper():
        raise SystemExit("expected a window in the code's query only")
    rows = backend.con.sql("SELECT count(*) FROM typed_1").fetchone()[0]
    return backend, distinct, window, floor, rows


def _distinct_counting(table: object, every: list[tuple], spec: object) -> object:
    """The counting query of :func:`lifetools.engines.checks._counting` with each
    ``unique`` field's repeats counted as its rows with a value less the distinct values
    among them (no window; a composite key's window is not in this table)."""
    from lifetools.engines import checks
    from lifetools.validation import Rule

    flags = checks._counting(table, every, spec)[1]

    def count(key: str, check: tuple) -> object:
        if check[1] is Rule.PRIMARY_KEY:
            raise SystemExit("a composite key: counted by its window only")
        if check[1] is Rule.UNIQUE:
            present = ~checks._missing(table, spec, check[0])
            return present.ifelse(1, 0).sum() - table[check[0]].nunique(where=present)
        return flags[key].ifelse(1, 0).sum()
    return table.aggregate(**{f"c{i}": count(f"c{i}", c) for i, c in enumerate(every)},
                           rows=table.count())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="a generated dataset folder")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--threads", type=int, default=0,
                        help="DuckDB threads (0: DuckDB's default, the cores)")
    parser.add_argument("--out", default=str(HERE / "results" / "unique"))
    args = parser.parse_args()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    backend, distinct, window, floor, rows = _queries(Path(args.data))
    if args.threads:  # one thread: no CPU spent by a second one waiting under load
        backend.con.execute(f"SET threads = {int(args.threads)}")
    threads = backend.con.sql("SELECT current_setting('threads')").fetchone()[0]
    ways = {"window (the code)": window, "present less distinct": distinct,
            "no repeats check (floor)": floor}
    cpu: dict[str, list[float]] = {way: [] for way in ways}
    counts = set()
    for _ in range(args.pairs):
        for way, sql in ways.items():
            used = _cpu()
            found = backend.con.sql(sql).fetchone()
            cpu[way].append(round(_cpu() - used, 3))
            if way != "no repeats check (floor)":
                counts.add(tuple(found))
    backend.disconnect()
    if len(counts) != 1:
        raise SystemExit(f"the two queries counted differently: {counts}")
    medians = {way: statistics.median(c) for way, c in cpu.items()}
    ratio = medians["present less distinct"] / medians["window (the code)"]
    result = {"started": started, "finished": datetime.now(UTC).strftime("%H:%M"),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True).stdout.strip(),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()],
              "command": " ".join(["benchmarks/bench_unique.py", *sys.argv[1:]]),
              "table": TABLE, "rows": rows, "duckdb_threads": threads, "cpu_s": cpu,
              "cpu_median": {k: round(v, 3) for k, v in medians.items()},
              "ratio_distinct_to_window": round(ratio, 3), "counts_equal": True}
    lines = [f"# Repeats of a unique field: window against present less distinct ({TABLE})",
             "", f"Run {started} to {result['finished']} UTC; commit {result['commit']}; "
             f"{os.cpu_count()} cores; load average {load_before} before, "
             f"{result['load_after']} after; {rows:,} rows; DuckDB threads {threads}; "
             "command "
             f"`{result['command']}`. The table's whole counting query both ways, "
             f"alternating, {args.pairs} runs each in one process; CPU seconds (user + "
             "system, DuckDB's threads included). Same counts both ways: yes.", "",
             "| way | CPU s (median) | CPU s (each) |", "|---|---|---|"]
    lines += [f"| {way} | **{medians[way]:.3f}** | {', '.join(map(str, c))} |"
              for way, c in cpu.items()]
    lines += ["", f"Ratio present less distinct / window: **{ratio:.2f}x**. What the "
              "repeats check adds to the query: the window "
              f"{medians['window (the code)'] - medians['no repeats check (floor)']:.3f}"
              " s, present less distinct "
              f"{medians['present less distinct'] - medians['no repeats check (floor)']:.3f}"
              " s."]
    write_results(args.out, result, "\n".join(lines) + "\n", indent=2)


if __name__ == "__main__":
    main()
