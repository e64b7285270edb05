"""Which notebooks rerun after one column of the extract changes (issue 14, per-column keys).

Builds one edition of a project copy from its synthetic Parquet folder, then, for each
case, reverses one column's values in a copy of the extract (every value stays one the
dictionary allows), asks ``lifetools status`` what would rerun and why, rebuilds
incrementally, and compares every result file with a clean build of the changed
extract in a fresh project copy:

(a) a column no report reads; (b) a column one report uses only as a merge key;
(c) a column every report reads.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_column_reruns.py --people 3000

Results: ``results/column-reruns.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

#: Per case, candidate columns in order: the first with the wanted number of readers
#: (in the clean build's records) is changed; else the closest (the record says which).
CASES = {"a": [("deprivation", "population")],
         "b": [("people", "lsoa_code"), ("deprivation", "lsoa_code"),
               ("deprivation", "locality")],
         # reversing person_id breaks validation (events after a death): not a candidate
         "c": [("people", "lsoa_code"), ("deprivation", "lsoa_code")]}


def _readers(read: dict, table: str, column: str) -> list[str]:
    return sorted(a for a, r in read.items()
                  if column in r.get(table, []) or "*" in r.get(table, []))


def _choose(read: dict, case: str) -> tuple[str, str]:
    wanted = {"a": 0, "b": 1, "c": len(read)}[case]
    return min(CASES[case], key=lambda tc: abs(len(_readers(read, *tc)) - wanted))


def _files(root: Path) -> dict[str, str]:
    from lifetools.pipeline.provenance import sha256_file

    runs = root / "build" / "runs"
    return {str(p.relative_to(runs)): sha256_file(p) for p in sorted(runs.rglob("*"))
            if p.is_file() and "files" in p.relative_to(runs).parts
            and ".cache" not in p.relative_to(runs).parts}


def _reverse(path: Path, column: str) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    values = table.column(column)
    table = table.set_column(table.column_names.index(column), column,
                             values.take(list(range(len(values) - 1, -1, -1))))
    pq.write_table(table, path)


def _edit(series: dict, leave_out: list[str]) -> None:
    """The first edition only, without the analyses ``leave_out`` (and their main
    points)."""
    from project_copy import only_first_edition

    only_first_edition(series)
    series["analyses"] = [a for a in series["analyses"] if a["id"] not in leave_out]

    def drop(value):
        if isinstance(value, dict):
            for key in [k for k in value if k in leave_out]:
                del value[key]
            for item in value.values():
                drop(item)
        elif isinstance(value, list):
            for item in value:
                drop(item)

    drop(series)


def _project(where: Path, people: int, leave_out: list[str]) -> Path:
    from project_copy import copy_project, edit_series

    root = copy_project(where / "project", people=people)
    edit_series(root, lambda series: _edit(series, leave_out))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--clean", default="abc", help="cases to check against a clean build")
    parser.add_argument("--leave-out", nargs="*", default=[],
                        help="analyses left out of the series (for example one the "
                             "publish gate refuses at this size)")
    args = parser.parse_args()
    from project_copy import ProjectRoot

    from lifetools.pipeline.build import build_series
    from lifetools.pipeline.status import build_status

    out = HERE / "results" / "column-reruns.json"
    report: dict = {"people": args.people, "left_out": args.leave_out, "cases": {}}
    with tempfile.TemporaryDirectory(prefix="lt-column-reruns-") as tmp:
        root = _project(Path(tmp) / "base", args.people, args.leave_out)
        with ProjectRoot(root):
            started = time.perf_counter()
            first = build_series(jobs=2)
            report["clean_build_seconds"] = round(time.perf_counter() - started, 1)
        read = {o.spec.analysis: o.record["read_columns"] for o in first.outcomes}
        report["read_columns"] = read
        source = Path(first.outcomes[0].spec.data_dir)
        extract = Path(tmp) / "extract"
        shutil.copytree(source, extract)
        for case in CASES:
            table, column = _choose(read, case)
            readers = _readers(read, table, column)
            _reverse(extract / f"{table}.parquet", column)
            with ProjectRoot(root):
                status = {s.label: [s.state, list(s.reasons)]
                          for s in build_status(data_dir=extract)}
                started = time.perf_counter()
                summary = build_series(jobs=2, data_dir=extract)
                seconds = time.perf_counter() - started
            entry = {"column": f"{table}.{column}", "readers": readers,
                     "status": status, "seconds": round(seconds, 1),
                     "outcomes": {o.spec.analysis: o.status for o in summary.outcomes}}
            if case in args.clean:
                clean = _project(Path(tmp) / f"clean-{case}", args.people, args.leave_out)
                with ProjectRoot(clean):
                    build_series(jobs=2, data_dir=extract)
                a, b = _files(root), _files(clean)
                entry["result_files"] = len(a)
                entry["differ_from_clean"] = sorted(k for k in set(a) | set(b)
                                                    if a.get(k) != b.get(k))
                shutil.rmtree(clean.parent, ignore_errors=True)
            report["cases"][case] = entry
            out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
            print(case, json.dumps({k: v for k, v in entry.items() if k != "status"}),
                  flush=True)


if __name__ == "__main__":
    main()
