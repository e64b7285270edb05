"""Where the uncached load's CPU goes, stage by stage, and how each stage grows (issue 16).

One child process per size and round (sizes alternate, so that the machine's load falls
on every size alike) loads the folder as the build's kernels do without the typed cache
(``load_dataset(compact_ids=True, skip_unused=True)`` and every table read) and times,
in user and system CPU seconds and minor page faults (``getrusage``, every thread), the
library's own calls while it runs: the stages of the compact id list
(:func:`lifetools.compact_ids.id_list`): reading a file's whole ``person_id`` column
(``compact_ids._read_ids``), its encode (``id_encoding.encode_file``; in a tree
before wave 51 ``compact_ids._encode_file``, or Arrow's ``dictionary_encode`` in a tree
without it), both at once in batches (``id_encoding.encode_parquet``, before wave 51
``compact_ids._encode_parquet``; "read and encode" sums the three), the concatenation
and merge of the files' dictionaries (``id_encoding.merge_hashed`` and
``merge_distinct``, before ``compact_ids._merge_hashed`` and ``_merge``, or
``dictionary_encode``), the sort of the distinct ids (``id_encoding.sort_order``,
before ``compact_ids._sort_order``, or Arrow's ``array_sort_indices`` in a tree without
it), and the rest (ranks and each file's codes); and the table reads (the load less the
id list). The calls are wrapped where they are looked up (``id_encoding`` or
``compact_ids``, ``pyarrow.compute``), so the code timed is the library's, not a copy.

Before the timed load each child loads a small copy of the folder (each table's first
2,000 rows) untimed: the first call of each path pays one-time costs (imports inside
functions, Arrow's kernels and thread pool) that do not grow with the data; without it
the 150,000-person children differed 2x (wave 50; ``--no-warm`` times the first load).
Each stage's figure is the median child's (the lower median of an even count), its
user and system time adding up to its CPU; the least CPU is shown too. Each stage's
growth exponent between the smallest and the largest size is ``log(ratio of CPU) /
log(ratio of people)``, of the medians and of the least. Writes ``<out>.json`` and
``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/profile_load.py \\
        --data 150000=/tmp/perf-data/150k,1500000=/tmp/perf-data/1500k --rounds 5 \\
        --out benchmarks/results/load-profile-1500k-w50
"""

from __future__ import annotations

import argparse
import json
import math
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

STAGES = ("read ids", "encode per file", "ids in batches", "read and encode", "concat",
          "merge encode", "sort", "ranks, codes", "id list", "table reads", "load")


def _usage() -> tuple[float, float, int]:
    """User and system CPU seconds and minor page faults of this process, every thread."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime, me.ru_stime, me.ru_minflt


def _warm_folder(folder: str, rows: int = 2000) -> Path:
    """A folder of the first ``rows`` rows of each table file of ``folder`` (Parquet), for
    the untimed warm-up load: the first call of each library path pays one-time costs
    (imports made inside functions, Arrow's kernels and thread pool, pandas' first
    conversions) that do not grow with the data and made the 150,000-person figures
    differ 2x between children (wave 50)."""
    import shutil
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(tempfile.mkdtemp(prefix="profile-load-warm-"))
    for path in Path(folder).iterdir():
        if path.suffix == ".parquet":
            head = next(pq.ParquetFile(path).iter_batches(batch_size=rows), None)
            schema = pq.read_schema(path)
            pq.write_table(pa.Table.from_batches([head] if head else [], schema),
                           out / path.name)
        elif path.is_file():
            shutil.copy(path, out / path.name)
    return out


def child(folder: str, warm: bool = True) -> dict:
    """Load ``folder`` once with the stages' calls timed (user, system seconds, minor
    page faults), after an untimed load of a small copy of its first rows (``warm``)."""
    import shutil

    import pyarrow as pa
    import pyarrow.compute as pc

    import lifetools as lt
    from lifetools import compact_ids, loading
    from lifetools.dictionary import load_dictionary

    load_dictionary()  # parsed once per process, as in a kernel: not timed
    if warm:
        small = _warm_folder(folder)
        data = lt.load_dataset(small, compact_ids=True, skip_unused=True)
        for name in loading.TABLES:
            loading.untracked(data, name)
        del data
        compact_ids._IDS.clear()
        shutil.rmtree(small)
    spent: dict[str, list[float]] = {name: [0.0, 0.0, 0] for name in STAGES}

    def timing(stage, call):
        def timed(*args, **kwargs):
            before = _usage()
            try:
                return call(*args, **kwargs)
            finally:
                after = _usage()
                name = stage(*args) if callable(stage) else stage
                for i in range(3):
                    spent[name][i] += after[i] - before[i]
        return timed

    compact_ids._read_ids = timing("read ids", compact_ids._read_ids)
    compact_ids._build = timing("id list", compact_ids._build)
    try:  # the encodes in their own module (wave 51), looked up there by _build
        from lifetools import id_encoding
    except ImportError:
        id_encoding = None
    if id_encoding is not None:
        id_encoding.encode_file = timing("encode per file", id_encoding.encode_file)
        id_encoding.merge_distinct = timing("merge encode", id_encoding.merge_distinct)
        id_encoding.encode_parquet = timing("ids in batches", id_encoding.encode_parquet)
        id_encoding.merge_hashed = timing("merge encode", id_encoding.merge_hashed)
        id_encoding.sort_order = timing("sort", id_encoding.sort_order)
    elif hasattr(compact_ids, "_encode_file"):  # the encodes as functions (wave 49)
        compact_ids._encode_file = timing("encode per file", compact_ids._encode_file)
        compact_ids._merge = timing("merge encode", compact_ids._merge)
    if hasattr(compact_ids, "_encode_parquet"):  # read and encoded in batches (wave 50)
        compact_ids._encode_parquet = timing("ids in batches", compact_ids._encode_parquet)
    if hasattr(compact_ids, "_merge_hashed"):  # the merge from the files' hashes (wave 50)
        compact_ids._merge_hashed = timing("merge encode", compact_ids._merge_hashed)
    if id_encoding is None and not hasattr(compact_ids, "_encode_file"):
        # before wave 49: Arrow's hash; a file's column is chunked, the merge's is not
        # (since then Arrow's hash is a fallback inside the timed encodes: not again)
        pc.dictionary_encode = timing(
            lambda values, *_: "encode per file" if isinstance(values, pa.ChunkedArray)
            else "merge encode", pc.dictionary_encode)
    pa.concat_arrays = timing("concat", pa.concat_arrays)
    if id_encoding is None and hasattr(compact_ids, "_sort_order"):  # wave 48 to 50
        compact_ids._sort_order = timing("sort", compact_ids._sort_order)
    elif id_encoding is None:  # before: Arrow's string sort
        pc.array_sort_indices = timing("sort", pc.array_sort_indices)
    before = _usage()
    data = lt.load_dataset(Path(folder), compact_ids=True, skip_unused=True)
    for name in loading.TABLES:  # tables are read when first used (wave 45)
        loading.untracked(data, name)
    after = _usage()
    spent["load"] = [after[i] - before[i] for i in range(3)]
    inner = ("read ids", "encode per file", "ids in batches", "concat", "merge encode",
             "sort")
    spent["ranks, codes"] = [spent["id list"][i] - sum(spent[s][i] for s in inner)
                             for i in range(3)]
    spent["read and encode"] = [sum(spent[s][i] for s in inner[:3]) for i in range(3)]
    spent["table reads"] = [spent["load"][i] - spent["id list"][i] for i in range(3)]
    return {"people": len(loading.untracked(data, "people")),
            "cpu": {k: [round(v[0], 3), round(v[1], 3)] for k, v in spent.items()},
            "faults": {k: int(v[2]) for k, v in spent.items()}}


def _summary(done_runs: list[dict], stage: str) -> dict:
    """A stage's figures over the children of one size: the CPU (user + system) of the
    median child (the lower median for an even count) with that child's own user, system
    and minor page faults, so that user + system is the CPU shown; the least CPU; each
    child's CPU."""
    each = [sum(run["cpu"][stage]) for run in done_runs]
    middle = each.index(statistics.median_low(each))
    run = done_runs[middle]
    return {"cpu": round(each[middle], 3), "min": round(min(each), 3),
            "each": [round(c, 3) for c in each], "user": run["cpu"][stage][0],
            "sys": run["cpu"][stage][1], "faults": run.get("faults", {}).get(stage)}


def _markdown(r: dict) -> str:
    sizes = sorted(r["sizes"], key=int)
    small, large = sizes[0], sizes[-1]
    warm = ("after an untimed warm-up load of each table's first 2,000 rows in the same "
            "child" if r.get("warm", True) else "without a warm-up load")
    lines = ["# Uncached load, stage by stage: CPU and growth (issue 16)", "",
             f"Run {r['started']} to {r['finished']} UTC; commit {r['commit']}; "
             f"{os.cpu_count()} cores; load average {r['load_before']} before, "
             f"{r['load_after']} after; command `{r['command']}`. Each figure is the "
             f"median of {r['rounds']} child processes per size (the lower median for an "
             f"even count; sizes alternating; {warm}), CPU seconds as user + system of "
             "that child (Arrow's threads included), with its minor page faults; the "
             "exponent is log(CPU ratio) / log(people ratio), of the medians and of the "
             "least CPU of each size.", "",
             "| stage | " + " | ".join(f"{int(s):,}: CPU s (user + sys), faults"
                                      for s in sizes)
             + " | ratio | exponent | exponent of the least |",
             "|---|" + "---|" * (len(sizes) + 3)]
    for stage in STAGES:
        cells = []
        for size in sizes:
            m = r["sizes"][size][stage]
            cells.append(f"{m['cpu']:.3f} ({m['user']:.3f} + {m['sys']:.3f}), "
                         f"{m['faults'] if m['faults'] is not None else '-'}")
        ratio = r["sizes"][large][stage]["cpu"] / max(r["sizes"][small][stage]["cpu"], 1e-9)
        lines.append(f"| {stage} | " + " | ".join(cells)
                     + f" | {ratio:.2f} | {r['exponents'][stage]:.3f} | "
                     f"{r['exponents_least'][stage]:.3f} |")
    lines += ["", "Each child's CPU seconds (user + system) of the whole load: " + "; ".join(
        f"{int(s):,}: " + ", ".join(f"{c:.3f}" for c in r["sizes"][s]["load"]["each"])
        for s in sizes) + "."]
    return "\n".join(lines) + "\n"


def _exponent(small: float, large: float, people: float) -> float:
    return round(math.log(max(large, 1e-9) / max(small, 1e-9)) / math.log(people), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="people=folder pairs, comma-separated")
    parser.add_argument("--rounds", type=int, default=5, help="children per size")
    parser.add_argument("--no-warm", action="store_true",
                        help="time the child's first load (no untimed warm-up load)")
    parser.add_argument("--out", default=str(HERE / "results" / "load-profile"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, warm=not args.no_warm)))
        return
    pairs = [pair.split("=") for pair in args.data.split(",")]
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    runs: dict[str, list[dict]] = {people: [] for people, _ in pairs}
    for round_ in range(args.rounds):
        for people, folder in pairs:
            print(f"{people} people, round {round_ + 1}", file=sys.stderr, flush=True)
            done = subprocess.run([sys.executable, __file__, "--child", folder]
                                  + (["--no-warm"] if args.no_warm else []),
                                  capture_output=True, text=True, check=True,
                                  env={**os.environ, "OMP_NUM_THREADS": "1"})
            runs[people].append(json.loads(done.stdout.strip().splitlines()[-1]))
    sizes = {people: {stage: _summary(done_runs, stage) for stage in STAGES}
             for people, done_runs in runs.items()}
    order = sorted(sizes, key=int)
    small, large = order[0], order[-1]
    people = int(large) / int(small)
    exponents = {stage: _exponent(sizes[small][stage]["cpu"], sizes[large][stage]["cpu"],
                                  people) for stage in STAGES}
    least = {stage: _exponent(sizes[small][stage]["min"], sizes[large][stage]["min"],
                              people) for stage in STAGES}
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    result = {"started": started, "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()], "commit": commit,
              "command": " ".join(["profile_load.py"] + sys.argv[1:]),
              "rounds": args.rounds, "warm": not args.no_warm, "sizes": sizes,
              "exponents": exponents, "exponents_least": least}
    write_results(args.out, result, _markdown(result))


if __name__ == "__main__":
    main()
