"""Folder validation: the checks in DuckDB against the pandas checks, source trees side
by side (issues 16 and 18).

For each dataset folder (one per size, made beforehand by ``steps.py generate``), one
child process per source tree (``--trees name=path/to/src``: a copy of ``src/`` before a
change and the working tree) validates the folder with the checks in embedded DuckDB
(:func:`lifetools.validation.validate_tables`, ``in_engine=True``, the default), and one
child validates it with the pandas checks (``in_engine=False``, from the first tree);
children alternate so that the machine's load falls on all alike. Each child parses the
dictionary and imports DuckDB and ibis before timing (a process validates once, as
``lifetools validate`` does, but imports are not what is compared), then validates
``--repeats`` times. Reported: CPU seconds (user + system, DuckDB's and Arrow's threads
included) and, per tree, the ratio of its median to the pandas checks' median in the
same run; a SHA-256 of each report's problems (every field, row numbers included) shows
that every way gives the same report. Writes ``<out>.json`` and ``<out>.md``. Not a
timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_validate.py \\
        --data 3000=/tmp/perf-data/3k,150000=/tmp/perf-data/150k \\
        --trees before=/tmp/src-before,after=src --out benchmarks/results/validate
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
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from steps import write_results  # noqa: E402


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def child(folder: str, repeats: int, in_engine: bool) -> dict:
    """Validate ``folder`` ``repeats`` times in this process; CPU of each and a digest."""
    import ibis  # noqa: F401  imported before timing, as the pandas side imports pandas

    import lifetools
    from lifetools.dictionary import load_dictionary
    from lifetools.validation import validate_tables

    dictionary = load_dictionary()
    tables = list(dictionary.tables)
    cpu, report = [], None
    for _ in range(repeats):
        used = _cpu()
        report = validate_tables(Path(folder), dictionary, tables, in_engine=in_engine)
        cpu.append(round(_cpu() - used, 3))
    digest = hashlib.sha256(repr(report.problems).encode())  # every field of each
    return {"source": lifetools.__file__, "cpu_s": cpu, "problems": len(report.problems),
            "report_sha256": digest.hexdigest()}


def _run_child(src: str, folder: str, repeats: int, in_engine: bool,
               sql_cache: str = "") -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()), "PYTHONWARNINGS": "ignore",
           "LIFETOOLS_SQL_CACHE": sql_cache}
    done = subprocess.run([sys.executable, __file__, "--child", folder, str(repeats),
                           "1" if in_engine else "0"], env=env, stdout=subprocess.PIPE,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _markdown(r: dict) -> str:
    lines = ["# Folder validation: DuckDB checks against the pandas checks, trees side by "
             "side", "", f"Run {r['started']} to {r['finished']} UTC; commit {r['commit']}; "
             f"{os.cpu_count()} cores; load average {r['load_before']} before, "
             f"{r['load_after']} after; command `{r['command']}`. CPU seconds (user + "
             "system, DuckDB's and Arrow's threads included), median of "
             f"{r['repeats']} validations in each of {r['rounds']} alternating child "
             "processes per way; imports and the dictionary not timed. Cold: a "
             "process's first validation; warm: its later ones (the checks in DuckDB "
             "keep their built queries for the process; with kept SQL, a process's "
             "first validation runs the SQL an earlier process compiled).", "",
             f"| people | way | CPU s (median) | cold | warm | CPU s (each) | ratio to "
             f"{r.get('baseline', 'pandas checks')} | problems | report SHA-256 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size, ways in r["sizes"].items():
        for way, m in ways.items():
            lines.append(f"| {int(size):,} | {way} | **{m['cpu_median']}** | "
                         f"{m['cold_median']} | {m['warm_median']} | "
                         f"{', '.join(map(str, m['cpu_s']))} | "
                         f"{m['ratio_to_pandas']:.2f}x | {m['problems']} | "
                         f"{m['report_sha256'][:16]} |")
    lines += ["", "Same report from every way at every size: "
              + ("yes" if r["identical"] else "NO") + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="people=folder pairs, comma-separated")
    parser.add_argument("--trees", help="name=src-folder pairs (the first also runs pandas)")
    parser.add_argument("--repeats", type=int, default=2, help="validations per child")
    parser.add_argument("--rounds", type=int, default=2, help="children per way and size")
    parser.add_argument("--kept-sql", action="store_true",
                        help="add a way per tree: its checks' SQL kept on disk "
                             "(LIFETOOLS_SQL_CACHE, written by an untimed child first)")
    parser.add_argument("--without-pandas", action="store_true",
                        help="only the DuckDB checks of each tree; ratios to the first "
                             "tree's (two trees side by side, the pandas checks' CPU "
                             "spared)")
    parser.add_argument("--out", default=str(HERE / "results" / "validate"))
    parser.add_argument("--child", nargs=3, metavar=("FOLDER", "REPEATS", "ENGINE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.child[2] == "1")))
        return
    trees = dict(pair.split("=") for pair in args.trees.split(","))
    first = next(iter(trees.values()))
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    sizes: dict[str, dict] = {}
    for pair in args.data.split(","):
        people, folder = pair.split("=")
        ways = ({} if args.without_pandas else {"pandas checks": (first, False, "")}) | {
            f"DuckDB checks, {tree}": (src, True, "") for tree, src in trees.items()}
        for tree, src in trees.items() if args.kept_sql else ():
            kept = tempfile.mkdtemp(prefix="bench-validate-sql-")
            _run_child(src, folder, 1, True, kept)  # writes the SQL; not timed
            ways[f"DuckDB checks, {tree}, kept SQL"] = (src, True, kept)
        runs: dict[str, list[dict]] = {way: [] for way in ways}
        for _ in range(args.rounds):
            for way, (src, engine, sql) in ways.items():
                print(f"{people} people, {way}", file=sys.stderr, flush=True)
                runs[way].append(_run_child(src, folder, args.repeats, engine, sql))
        for _src, _engine, sql in ways.values():
            if sql:
                shutil.rmtree(sql, ignore_errors=True)
        baseline = next(iter(ways))  # the pandas checks, else the first tree's
        pandas = statistics.median(c for run in runs[baseline] for c in run["cpu_s"])
        sizes[people] = {}
        for way, done in runs.items():
            cpu = [c for run in done for c in run["cpu_s"]]
            sizes[people][way] = {
                "cpu_s": cpu, "cpu_median": round(statistics.median(cpu), 3),
                "cold_median": round(statistics.median(d["cpu_s"][0] for d in done), 3),
                "warm_median": round(statistics.median(
                    c for d in done for c in d["cpu_s"][1:]), 3) if args.repeats > 1
                else None,
                "ratio_to_pandas": round(statistics.median(cpu) / pandas, 3),
                "problems": done[0]["problems"],
                "report_sha256": done[0]["report_sha256"],
                "reports_equal_within": len({d["report_sha256"] for d in done}) == 1}
    digests = {m["report_sha256"] for ways in sizes.values() for m in ways.values()}
    per_size = all(len({m["report_sha256"] for m in ways.values()}) == 1
                   and all(m["reports_equal_within"] for m in ways.values())
                   for ways in sizes.values())
    result = {"started": started, "finished": datetime.now(UTC).strftime("%H:%M"),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True).stdout.strip(),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()],
              "command": " ".join(["benchmarks/bench_validate.py", *sys.argv[1:]]),
              "repeats": args.repeats, "rounds": args.rounds, "trees": trees,
              "baseline": "pandas checks" if not args.without_pandas
              else f"DuckDB checks, {next(iter(trees))}",
              "sizes": sizes, "identical": per_size, "report_digests": len(digests)}
    write_results(args.out, result, _markdown(result), indent=2)


if __name__ == "__main__":
    main()
