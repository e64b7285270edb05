"""Rows and bytes each notebook brings into pandas, source trees side by side (issue 18:
"only the per-person analysis frames that models need are brought into pandas").

A child process per source tree does what a warm kernel does, in the series' notebook
order (:data:`bench_kernel_peak.REPORTS`): for each report ``lt.load_dataset()`` with the
warm kernels' environment (dataset cache, compact ids, unused columns left out) and the
report's ``analyse_*`` with the notebook's default parameters. After each report it
counts what reached pandas for it:

- ``tables``: the dataset's tables held as pandas frames once the report has run (a
  table :func:`lifetools.load_dataset` reads when first used and the report never used
  is not counted; before wave 45 every table was read by ``load_dataset``), their rows
  and bytes (``memory_usage(deep=True)``);
- ``fetched``: the frames the engine returned to pandas (``EngineTables.fetch``: the
  per-person frames and small aggregates), rows and bytes;

and a digest of every number the report returned (equal digests between trees: the
same results to the bit). The warm kernels' cache keeps each table read once for all
the kernel's notebooks; its size after the sequence is given too.

Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_into_pandas.py --data /tmp/data30k \\
        --trees before=/tmp/src-before,after=src --out benchmarks/results/into-pandas-30k
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_fits_peak import _digest  # noqa: E402  (floats as hex)
from bench_kernel_peak import EDITIONS, REPORTS, _numbers  # noqa: E402
from bench_memory import _machine  # noqa: E402
from steps import write_results  # noqa: E402


def _size(frame) -> tuple[int, int]:
    """Rows and bytes, as ``memory_usage(deep=True)`` counts them (which fails on the
    warm kernels' read-only object arrays): each object's own size added."""
    size = int(frame.memory_usage(deep=False, index=True).sum())
    for column in range(frame.shape[1]):
        values = frame.iloc[:, column]
        if values.dtype == object:
            size += sum(map(sys.getsizeof, values.array))
    return len(frame), size


def child(folder: str, reports: list[str], edition: str, n_boot: int) -> dict:
    """One warm kernel's sequence of reports: what each brought into pandas."""
    os.environ.update({"LIFETOOLS_DATASET_CACHE": "1", "LIFETOOLS_COMPACT_IDS": "1",
                       "LIFETOOLS_SKIP_UNUSED_COLUMNS": "1"})
    import pandas as pd

    import lifetools as lt
    from lifetools.engines.engine import EngineTables

    warnings.simplefilter("ignore")
    fetched: list[tuple[int, int]] = []
    fetch = EngineTables.fetch

    def counting(self, *args, **kwargs):
        frame = fetch(self, *args, **kwargs)
        fetched.append(_size(frame))
        return frame

    EngineTables.fetch = counting
    calls = {"describe_population": lt.describe.describe_population,
             **{name: getattr(lt.reports, name) for name in REPORTS[1:]}}
    extra = {"analyse_crisis_risk": {"n_boot": n_boot, "slope_band": (0.8, 1.2),
                                     "citl_band": (-0.2, 0.2)}}
    start, end = EDITIONS[edition]
    steps = []
    for name in reports:
        fetched.clear()
        data = lt.load_dataset(Path(folder))
        report = calls[name](data, period_start=start, period_end=end,
                             **extra.get(name, {}))
        tables = {}
        for table in lt.loading.TABLES:
            frame = object.__getattribute__(data, table)
            if isinstance(frame, pd.DataFrame):
                tables[table] = _size(frame)
        steps.append({"report": name, "tables": sorted(tables),
                      "table_rows": sum(r for r, _ in tables.values()),
                      "table_bytes": sum(b for _, b in tables.values()),
                      "fetched_frames": len(fetched),
                      "fetched_rows": sum(r for r, _ in fetched),
                      "fetched_bytes": sum(b for _, b in fetched),
                      "digest": _digest(_numbers(report))})
        del data, report
        gc.collect()
        print(f"  {name}: {steps[-1]['table_rows']:,} table rows, "
              f"{steps[-1]['fetched_rows']:,} fetched", file=sys.stderr, flush=True)
    kept = lt.loading._TYPED
    return {"steps": steps, "cache_tables": sorted(kept),
            "cache_rows": sum(len(f) for _, f in kept.values()),
            "cache_bytes": sum(_size(f)[1] for _, f in kept.values())}


def _run(args: argparse.Namespace, src: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, __file__, "--data", args.data, "--trees", args.trees,
               "--reports", args.reports, "--edition", args.edition, "--n-boot",
               str(args.n_boot), "--child"]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env,
                          cwd=HERE.parent, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f}"


def _markdown(result: dict) -> str:
    trees = result["trees"]
    names = list(trees)
    lines = ["# Rows and bytes each notebook brings into pandas, source trees side by "
             "side", "",
             f"Run {result['started']} UTC; commit {result['machine']['commit']}; data "
             f"`{Path(result['data']).name}`; edition {result['edition']}; warm kernels' "
             f"environment; command `{result['command']}`.", "",
             "Tables: the dataset's tables held as pandas frames after the report "
             "(rows; MB, deep); fetched: frames the engine returned (rows; MB):", "",
             "| report | " + " | ".join(f"{t} tables | {t} table rows | {t} table MB | "
                                        f"{t} fetched rows | {t} fetched MB"
                                        for t in names) + " | same numbers |",
             "|---" * (1 + 5 * len(names)) + "|---|"]
    first = trees[names[0]]["steps"]
    for i, step in enumerate(first):
        cells = [trees[t]["steps"][i] for t in names]
        same = "yes" if len({c["digest"] for c in cells}) == 1 else "NO"
        lines.append(f"| `{step['report']}` | " + " | ".join(
            f"{len(c['tables'])} | {c['table_rows']:,} | {_mb(c['table_bytes'])} | "
            f"{c['fetched_rows']:,} | {_mb(c['fetched_bytes'])}" for c in cells)
            + f" | {same} |")
    lines += ["", "Tables each report read:", ""]
    for i, step in enumerate(first):
        lines.append(f"- `{step['report']}`: " + "; ".join(
            f"{t}: {', '.join(trees[t]['steps'][i]['tables'])}" for t in names))
    lines += ["", "The warm kernel's cache after the sequence: " + "; ".join(
        f"{t} {len(trees[t]['cache_tables'])} tables, {trees[t]['cache_rows']:,} rows, "
        f"{_mb(trees[t]['cache_bytes'])} MB" for t in names) + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="dataset folder")
    parser.add_argument("--trees", required=True, help="name=src-folder pairs")
    parser.add_argument("--reports", default=",".join(REPORTS))
    parser.add_argument("--edition", default="2024-25")
    parser.add_argument("--n-boot", type=int, default=20,
                        help="the crisis report's bootstrap samples (fewer than the "
                             "series' 200: what reaches pandas does not depend on them)")
    parser.add_argument("--out", default=str(HERE / "results" / "into-pandas"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    reports = args.reports.split(",")
    if args.child:
        print(json.dumps(child(args.data, reports, args.edition, args.n_boot)))
        return
    trees = dict(pair.split("=") for pair in args.trees.split(","))
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    done = {}
    for tree, src in trees.items():
        print(f"{tree}: {len(reports)} reports", file=sys.stderr, flush=True)
        done[tree] = _run(args, src)
    digests = [[s["digest"] for s in r["steps"]] for r in done.values()]
    result = {"started": started, "machine": _machine(), "data": args.data,
              "edition": args.edition,
              "command": " ".join(["bench_into_pandas.py"] + sys.argv[1:]),
              "trees": done, "identical": all(d == digests[0] for d in digests)}
    write_results(args.out, result, _markdown(result))


if __name__ == "__main__":
    main()
