"""Peak memory of a warm kernel running the reports one after another, source trees
side by side (issue 16: "peak memory at 1.5M people").

What a build holds at once is one warm kernel's memory: its imports, the typed tables
the kernel keeps between notebooks (``LIFETOOLS_DATASET_CACHE=1``), the copy of them
``load_dataset`` hands the notebook running, and that notebook's report. A child
process per source tree does what a kernel does, in the series' notebook order:
``import lifetools``; then for each report, as its notebook's analysis cell does,
``lt.load_dataset()`` (with the warm kernels' environment: dataset cache, compact ids,
unused columns left out) and the report's ``analyse_*`` with the notebook's default
parameters; then the report and the frames are let go and garbage collected, as the
kernel's reset between notebooks does. For each report the child records the peak
resident memory during it (``VmHWM``, reset before it by writing 5 to
``/proc/self/clear_refs``), the resident memory after it was let go, its CPU seconds and
a digest of every number it returned (floats as hex: equal digests between trees mean
bit-identical results). The whole sequence's peak is the largest; the figures and tables
a notebook draws from the report are not made (small beside the report itself).

Writes ``<out>.json`` and ``<out>.md``. Not a timed test: run by hand::

    nice -n 10 .venv/bin/python benchmarks/bench_kernel_peak.py --data /tmp/perf-data/150k \\
        --trees before=/tmp/src-before,after=src --out benchmarks/results/kernel-peak-150k

or one tree per invocation at the same time (memory figures do not depend on the
load), then ``--merge before.json,after.json --out ...`` writes them as one table.

``--typed-cache FOLDER`` runs the kernels as the build's do, with the typed on-disk
cache (``LIFETOOLS_TYPED_CACHE``, a subfolder per tree): a first child per tree loads
every table once, writing the cache's entries as the build's first notebooks do (not
measured), then the measured child runs. Each step also records the tables its dataset
held as pandas frames after the report (issue 18: a table the engine queried from its
mapped cache entry is not one)::

    nice -n 10 .venv/bin/python benchmarks/bench_kernel_peak.py --data /tmp/perf-data/150k \
        --trees before=/tmp/src-before,after=src --reports analyse_discharge,analyse_emergency_care \
        --typed-cache /tmp/typed --rounds 2 --out benchmarks/results/mapped-tables-150k

``--release-engines`` also drops, with each report, the embedded DuckDB connections kept
for datasets (``lifetools.engines.engine.release_engines``; until wave 47 ``_SHARED`` held
its datasets and, with the typed cache, the mapped entries they registered): what a kernel's reset between
notebooks could do (each notebook loads its own dataset, so the next does not reuse them).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import resource
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_fits_peak import _digest  # noqa: E402  (floats as hex)
from bench_memory import _machine, _vm  # noqa: E402  (one reader of /proc)

EDITIONS = {"2023-24": ("2023-04-01", "2024-03-31"),
            "2024-25": ("2024-04-01", "2025-03-31")}
REPORTS = ("describe_population", "analyse_discharge", "analyse_rereferral",
           "analyse_emergency_care", "analyse_wellbeing", "analyse_reach",
           "analyse_crisis_risk")
"""The notebooks' analysis calls, in the series' file order (01 to 07)."""


def _plain(value) -> bool:
    """Numbers, text, frames and containers of them (no object whose text would be its
    memory address)."""
    import numpy as np
    import pandas as pd

    if value is None or isinstance(value, bool | int | float | str | np.floating
                                   | np.integer | pd.DataFrame | pd.Series):
        return True
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return False


def _numbers(report) -> dict:
    """Every number, text and frame a report returns, nested results included (models
    and other objects left out)."""
    import pandas as pd

    out = {}
    fields = (dataclasses.fields(report) if dataclasses.is_dataclass(report) else [])
    for field in fields:
        if field.name == "seal":  # a signature with the run's own random key
            continue
        value = getattr(report, field.name)
        if isinstance(value, pd.Series):
            value = value.to_frame()
        if isinstance(value, pd.DataFrame) and value.map(
                lambda v: _plain(v) or isinstance(v, pd.Timestamp)).all().all():
            out[field.name] = value
        elif not isinstance(value, pd.DataFrame) and _plain(value):
            out[field.name] = value
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out[field.name] = _numbers(value)
    return out


def _in_pandas(data) -> list[str]:
    """The tables ``data`` holds as pandas frames (none is read to find out)."""
    import pandas as pd

    from lifetools.loading import TABLES

    return [n for n in TABLES if isinstance(object.__getattribute__(data, n), pd.DataFrame)]


def warm(folder: str) -> None:
    """Load every table once (``LIFETOOLS_TYPED_CACHE`` set): the cache's entries."""
    os.environ.update({"LIFETOOLS_COMPACT_IDS": "1", "LIFETOOLS_SKIP_UNUSED_COLUMNS": "1"})
    import lifetools as lt

    data = lt.load_dataset(Path(folder))
    for name in lt.loading.TABLES:
        lt.loading.untracked(data, name)
    print(json.dumps({"warmed": os.environ.get("LIFETOOLS_TYPED_CACHE", "")}))


def child(folder: str, reports: list[str], editions: list[str], n_boot: int,
          release: bool = False) -> dict:
    """One warm kernel's sequence of reports; each report's peak, after, CPU, digest
    (``release``: the engines kept for datasets dropped with each report)."""
    os.environ.update({"LIFETOOLS_DATASET_CACHE": "1", "LIFETOOLS_COMPACT_IDS": "1",
                       "LIFETOOLS_SKIP_UNUSED_COLUMNS": "1"})
    import lifetools as lt

    warnings.simplefilter("ignore")
    calls = {"describe_population": lt.describe.describe_population,
             **{name: getattr(lt.reports, name) for name in REPORTS[1:]}}
    extra = {"analyse_crisis_risk": {"n_boot": n_boot, "slope_band": (0.8, 1.2),
                                     "citl_band": (-0.2, 0.2)}}
    out = {"rss_after_imports_mb": _vm("VmRSS"), "steps": []}
    for edition in editions:
        start, end = EDITIONS[edition]
        for name in reports:
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            data = lt.load_dataset(Path(folder))
            loaded = _vm("VmHWM")
            report = calls[name](data, period_start=start, period_end=end,
                                 **extra.get(name, {}))
            peak = _vm("VmHWM")
            used = resource.getrusage(resource.RUSAGE_SELF)
            digest = _digest(_numbers(report))
            in_pandas = _in_pandas(data)
            anon, mapped = _vm("RssAnon"), _vm("RssFile")  # before the report is let go
            del data, report
            if release:
                lt.engines.engine.release_engines()
            gc.collect()
            out["steps"].append({
                "edition": edition, "report": name, "peak_after_load_mb": loaded,
                "peak_mb": peak, "rss_after_mb": _vm("VmRSS"), "digest": digest,
                "in_pandas": in_pandas, "rss_anon_mb": anon, "rss_file_mb": mapped,
                "rss_anon_after_mb": _vm("RssAnon"), "rss_file_after_mb": _vm("RssFile"),
                "cpu_s": round(used.ru_utime + used.ru_stime - cpu.ru_utime
                               - cpu.ru_stime, 2)})
            print(f"  {edition} {name}: peak {peak:,.0f} MB", file=sys.stderr, flush=True)
    out["peak_mb"] = max(s["peak_mb"] for s in out["steps"])
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                               1)
    return out


def _run(args: argparse.Namespace, src: str, tree: str = "") -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, __file__, "--data", args.data, "--trees", args.trees,
               "--reports", args.reports, "--editions", args.editions, "--n-boot",
               str(args.n_boot)] + (["--release-engines"] if args.release_engines else []) \
        + ["--child"]
    if args.typed_cache:
        env["LIFETOOLS_TYPED_CACHE"] = str(Path(args.typed_cache).resolve() / tree)
        subprocess.run([*command[:-1], "--warm"], stdout=subprocess.PIPE, text=True,
                       env=env, cwd=HERE.parent, check=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env,
                          cwd=HERE.parent, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _markdown(result: dict) -> str:
    trees = result["trees"]
    names = list(trees)
    first, last = names[0], names[-1]
    lines = ["# Peak memory of one warm kernel running the reports in turn, source trees "
             "side by side", "",
             f"Run {result['started']} to {result['finished']} UTC; commit "
             f"{result['machine']['commit']}; {result['machine']['cores']} cores, "
             f"{result['machine']['mem_total_gb']} GB, shared; load average "
             f"{result['load_before']} before, {result['load_after']} after; children one "
             f"at a time (`{result['order']}`); command `{result['command']}`.", "",
             "Peak resident memory during each report (the kernel's cached tables, the "
             "notebook's copy and the report), MB; resident after it was let go; CPU s:",
             "",
             "| edition | report | " + " | ".join(f"{t} peak" for t in names)
             + f" | {last} / {first} | " + " | ".join(f"{t} after" for t in names)
             + " | " + " | ".join(f"{t} CPU s" for t in names) + " | same numbers |",
             "|---" * (3 * len(names) + 4) + "|"]
    for i, step in enumerate(trees[first]["steps"]):
        cells = [trees[t]["steps"][i] for t in names]
        same = "yes" if len({c["digest"] for c in cells}) == 1 else "NO"
        lines.append(f"| {step['edition']} | `{step['report']}` | "
                     + " | ".join(f"{c['peak_mb']:,.0f}" for c in cells)
                     + f" | {cells[-1]['peak_mb'] / cells[0]['peak_mb']:.2f} | "
                     + " | ".join(f"{c['rss_after_mb']:,.0f}" for c in cells) + " | "
                     + " | ".join(f"{c['cpu_s']}" for c in cells) + f" | {same} |")
    peaks = [trees[t]["peak_mb"] for t in names]
    lines.append("| | **whole sequence** | " + " | ".join(f"**{p:,.0f}**" for p in peaks)
                 + f" | **{peaks[-1] / peaks[0]:.2f}** | " + " | ".join(
                     f"{trees[t]['steps'][-1]['rss_after_mb']:,.0f}" for t in names)
                 + " | " + " | ".join(
                     f"{sum(s['cpu_s'] for s in trees[t]['steps']):.1f}" for t in names)
                 + " | " + ("yes" if result["identical"] else "NO") + " |")
    lines += ["", "Resident after the imports: " + ", ".join(
        f"{t} {trees[t]['rss_after_imports_mb']:,.0f} MB" for t in names) + "."]
    if "in_pandas" in trees[first]["steps"][0]:
        lines += ["", "Tables held as pandas frames after each report:", ""]
        for i, step in enumerate(trees[first]["steps"]):
            lines.append(f"- {step['edition']} `{step['report']}`: " + "; ".join(
                f"{t}: {', '.join(trees[t]['steps'][i]['in_pandas']) or 'none'}"
                for t in names))
    rounds = result.get("rounds", {})
    if any(len(r) > 1 for r in rounds.values()):
        lines += ["", "Every round (peak MB / CPU s per report, in run order):", ""]
        for t, runs in rounds.items():
            for k, run in enumerate(runs, 1):
                lines.append(f"- {t} round {k}: " + "; ".join(
                    f"`{s['report']}` {s['peak_mb']:,.0f} / {s['cpu_s']}"
                    for s in run["steps"]))
    if "rss_file_mb" in trees[first]["steps"][0]:
        lines += ["", "Resident at the end of each report, before it was let go: private "
                  "(anonymous) + file-backed (mapped files: the imports' libraries and, "
                  "in a tree that maps the typed cache, its entries' pages, which are "
                  "the page cache's, shared with every process mapping them), MB:", ""]
        for i, step in enumerate(trees[first]["steps"]):
            lines.append(f"- {step['edition']} `{step['report']}`: " + "; ".join(
                f"{t} {trees[t]['steps'][i]['rss_anon_mb']:,.0f} + "
                f"{trees[t]['steps'][i]['rss_file_mb']:,.0f}" for t in names))
    if "rss_file_after_mb" in trees[first]["steps"][0]:
        lines += ["", "The same after the report and its dataset were let go"
                  + (" and the engines kept for datasets dropped (`--release-engines`)"
                     if result.get("release_engines") else "") + ", MB:", ""]
        for i, step in enumerate(trees[first]["steps"]):
            lines.append(f"- {step['edition']} `{step['report']}`: " + "; ".join(
                f"{t} {trees[t]['steps'][i]['rss_anon_after_mb']:,.0f} + "
                f"{trees[t]['steps'][i]['rss_file_after_mb']:,.0f}" for t in names))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="dataset folder")
    parser.add_argument("--trees", required=True, help="name=src-folder pairs")
    parser.add_argument("--reports", default=",".join(REPORTS))
    parser.add_argument("--editions", default="2024-25")
    parser.add_argument("--n-boot", type=int, default=200,
                        help="the crisis report's bootstrap samples (analyses.yml: 200)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate the trees this many times")
    parser.add_argument("--out", default=str(HERE / "results" / "kernel-peak"))
    parser.add_argument("--merge", help="result JSON files of runs of one tree each "
                        "(run at the same time): written together as --out")
    parser.add_argument("--typed-cache", help="run with the typed on-disk cache "
                        "(a subfolder per tree), its entries written first")
    parser.add_argument("--release-engines", action="store_true",
                        help="drop the embedded engines kept for datasets with each report")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    reports, editions = args.reports.split(","), args.editions.split(",")
    if args.warm:
        warm(args.data)
        return
    if args.merge:
        _write(_merged([json.loads(Path(f).read_text())
                        for f in args.merge.split(",")]), args.out)
        return
    if args.child:
        print(json.dumps(child(args.data, reports, editions, args.n_boot,
                               args.release_engines)))
        return
    trees = dict(pair.split("=") for pair in args.trees.split(","))
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load_before = [round(x, 1) for x in os.getloadavg()]
    runs: dict[str, list[dict]] = {t: [] for t in trees}
    order = []
    for _ in range(args.rounds):
        for tree, src in trees.items():
            print(f"{tree}: {len(reports) * len(editions)} reports", file=sys.stderr,
                  flush=True)
            runs[tree].append(_run(args, src, tree))
            order.append(tree)
    done = {t: runs[t][-1] for t in trees}
    digests = [[s["digest"] for s in r["steps"]] for t in trees for r in runs[t]]
    result = {"started": started, "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
              "load_before": load_before,
              "load_after": [round(x, 1) for x in os.getloadavg()],
              "machine": _machine(), "order": " then ".join(order),
              "command": " ".join(["bench_kernel_peak.py"] + sys.argv[1:]),
              "sources": {t: str(Path(s).resolve()) for t, s in trees.items()},
              "trees": done, "rounds": runs, "release_engines": args.release_engines,
              "identical": all(d == digests[0] for d in digests)}
    _write(result, args.out)


def _merged(results: list[dict]) -> dict:
    """Runs of one tree each, made at the same time, as one result."""
    first = results[0]
    trees = {t: r["trees"][t] for r in results for t in r["trees"]}
    digests = [[s["digest"] for s in run["steps"]] for r in results
               for runs in r["rounds"].values() for run in runs]
    return {**first, "started": min(r["started"] for r in results),
            "finished": max(r["finished"] for r in results),
            "load_after": results[-1]["load_after"],
            "order": " and ".join(r["order"] for r in results) + ", at the same time",
            "command": " ; ".join(r["command"] for r in results),
            "sources": {t: s for r in results for t, s in r["sources"].items()},
            "trees": trees, "rounds": {t: r["rounds"][t] for r in results
                                       for t in r["rounds"]},
            "identical": all(d == digests[0] for d in digests)}


def _write(result: dict, out: str) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.json").write_text(json.dumps(result, indent=1) + "\n")
    Path(f"{out}.md").write_text(_markdown(result))
    print(_markdown(result))


if __name__ == "__main__":
    main()
