"""The crisis-risk notebook against the compute floor's call, by CPU, in one process.

Issue 16: at 150,000 people the crisis-risk notebooks took 924 s of the build's notebook
phase while the compute floor's ``analyse_crisis_risk`` took 335 s. This script runs,
alternately in one process on one loaded dataset (loaded as the build's warm kernels
load it: compact ids, unused columns left out), for each edition:

- ``floor``: ``analyse_crisis_risk`` called as ``steps.compute`` calls it;
- ``notebook``: every code cell of ``analyses/07_crisis_risk.ipynb`` (the parameters
  cell replaced by the edition's parameters, as papermill injects them), with the run's
  environment set as the runner sets it (output folder, edition, analysis, disclosure
  profile, ACRO, parameters and their words, a seal key, a reads log), so that the display
  functions' checks at source run as in a build.

Each part's CPU (user + system of this process: every thread, none of its children) and
a cProfile of each part (sorted by internal and by cumulative time) are written to
``--out``. Kernel start, papermill and the transport of outputs are not in it: compare
with the kernel CPU a build records in ``run.json`` (``cpu_seconds``). Not a timed test;
run by hand::

    nice -n 10 .venv/bin/python benchmarks/profile_crisis.py \\
        --data /tmp/project/build/data/synthetic --out /tmp/crisis-profile
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import os
import pstats
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from steps import write_results  # noqa: E402

ROOT = HERE.parent
AGAIN = " (again)"
"""Added to the label of a part run again (``--order floor,notebook,floor``)."""
STARTED = time.strftime("%Y-%m-%d %H:%M:%S %Z")
LOAD = [round(x, 1) for x in os.getloadavg()]
NOTEBOOK = ROOT / "analyses" / "07_crisis_risk.ipynb"
SERIES = ROOT / "analyses" / "analyses.yml"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def editions() -> list[tuple[str, str, str]]:
    series = yaml.safe_load(SERIES.read_text())
    return [(e["id"], str(e["period_start"]), str(e["period_end"]))
            for e in series["editions"]]


def crisis_parameters() -> tuple[dict, dict]:
    series = yaml.safe_load(SERIES.read_text())
    entry = next(a for a in series["analyses"] if a["id"] == "crisis_risk")
    values = {k: v["default"] for k, v in entry["parameters"].items()}
    words = {k: list(v.get("words", [])) for k, v in entry["parameters"].items()}
    return values, words


def code_cells() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"
            and "parameters" not in c.get("metadata", {}).get("tags", [])]


def profiled(label: str, call, out: Path | None, parts: dict) -> object:
    while label in parts:  # a part run again (--order floor,notebook,floor)
        label += AGAIN
    if out is None:  # CPU alone
        start = cpu()
        value = call()
        parts[label] = round(cpu() - start, 3)
        return value
    profile = cProfile.Profile(time.process_time)
    start = cpu()
    value = profile.runcall(call)
    parts[label] = round(cpu() - start, 3)
    for key in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(key).print_stats(45)
        (out / f"{label.replace('/', '_')}.{key}.txt").write_text(text.getvalue())
    profile.dump_stats(out / f"{label.replace('/', '_')}.prof")
    return value


def floor_call(lt, data, params: dict) -> object:
    """``analyse_crisis_risk`` as the compute floor calls it."""
    return lt.reports.analyse_crisis_risk(
        data, period_start=params["period_start"], period_end=params["period_end"],
        n_boot=params["n_boot"], internal=params["internal"],
        slope_band=(params["slope_lower"], params["slope_upper"]),
        citl_band=(-params["citl_limit"], params["citl_limit"]))


def run_cells(cells: list[str], params: dict, edition: str, parts: dict) -> None:
    """The notebook's code cells in one namespace, each cell's CPU in ``parts``."""
    space = {**params}
    for at, source in enumerate(cells):
        begin = cpu()
        exec(compile(source, f"<cell {at}>", "exec"), space)  # noqa: S102
        label = f"{edition}/cell {at}: {source.splitlines()[-1][:50]}"
        while label in parts:  # the notebook run again: the first run's cells kept
            label += AGAIN
        parts[label] = round(cpu() - begin, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a folder of analysis tables")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--editions", default="",
                        help="edition ids, comma-separated (default: every edition)")
    parser.add_argument("--n-boot", type=int, default=None,
                        help="bootstrap samples (default: analyses.yml's)")
    parser.add_argument("--no-profile", action="store_true",
                        help="CPU alone, no cProfile (its overhead is large here)")
    parser.add_argument("--project", type=Path, default=None,
                        help="a project copy whose crisis runs' run.json give kernel CPU")
    parser.add_argument("--results", type=Path, default=None,
                        help="write OUT.json and OUT.md (e.g. benchmarks/results/x)")
    parser.add_argument("--order", default="floor,notebook",
                        help="the parts, in the order run for each edition")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    values, words = crisis_parameters()
    if args.n_boot is not None:
        values["n_boot"] = args.n_boot
    wanted = [e for e in args.editions.split(",") if e]
    chosen = [e for e in editions() if not wanted or e[0] in wanted]
    files = Path(tempfile.mkdtemp(prefix="crisis-files-"))
    os.environ["MPLBACKEND"] = "Agg"
    run_env = {"LIFETOOLS_DATA_DIR": args.data, "LIFETOOLS_ANALYSIS": "crisis_risk",
               "LIFETOOLS_ACRO": "1", "LIFETOOLS_SDC_PROFILE": "default",
               "LIFETOOLS_SEAL_KEY": "0" * 64,
               "LIFETOOLS_READS_LOG": str(files / "reads.log")}
    parts: dict[str, float] = {}
    start = cpu()
    import lifetools as lt  # noqa: PLC0415 - timed

    parts["import lifetools"] = round(cpu() - start, 3)
    start = cpu()
    data = lt.load_dataset(args.data, compact_ids=True, skip_unused=True)
    parts["load_dataset"] = round(cpu() - start, 3)
    cells = code_cells()
    where = None if args.no_profile else args.out
    for edition, first, last in chosen:
        run_env["LIFETOOLS_EDITION"] = edition
        run_env["LIFETOOLS_OUTPUT_DIR"] = str(files / edition)
        (files / edition).mkdir(parents=True, exist_ok=True)
        params = {"period_start": first, "period_end": last, **values}
        run_env["LIFETOOLS_RUN_PARAMETERS"] = json.dumps(  # as the runner: dates too
            {"values": params, "words": words}, sort_keys=True)
        for part in args.order.split(","):
            for name in run_env:  # the floor runs outside a run, as steps.compute
                os.environ.pop(name, None)
            if part == "notebook":
                os.environ.update(run_env)
            if part == "floor":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # as steps.compute
                    profiled(f"{edition}/floor",
                             functools.partial(floor_call, lt, data, params), where, parts)
            elif part == "notebook":
                profiled(f"{edition}/notebook",
                         functools.partial(run_cells, cells, params, edition, parts),
                         where, parts)
                import matplotlib.pyplot as plt  # noqa: PLC0415

                plt.close("all")
            print(json.dumps(parts, indent=1), file=sys.stderr)
    (args.out / "parts.json").write_text(json.dumps(parts, indent=1) + "\n")
    if args.results:
        write_results(args.results, *summary(parts, chosen, args))
    else:
        print(json.dumps(parts, indent=1))
    return 0


def summary(parts: dict[str, float], chosen: list, args: argparse.Namespace
            ) -> tuple[dict, str]:
    """The parts as a results record and a table: floor, notebook, kernel, ratios."""
    kernel = {}
    for edition, _, _ in chosen if args.project else ():
        record = args.project / "build" / "runs" / edition / "crisis_risk" / "run.json"
        if record.is_file():
            kernel[edition] = json.loads(record.read_text()).get("cpu_seconds")
    data = {"started": STARTED, "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "load_average": [LOAD, [round(x, 1) for x in os.getloadavg()]],
            "data": args.data, "n_boot": args.n_boot or "analyses.yml's", "parts": parts,
            "kernel_cpu_s": kernel}
    lines = ["# Crisis-risk notebook against the compute floor, CPU seconds\n",
             f"Run {STARTED} to {data['finished']}; data {args.data}; load average "
             f"{LOAD} before, {data['load_average'][1]} after. One process, one loaded "
             "dataset; `floor` = `analyse_crisis_risk` as `steps.compute` calls it, "
             "`notebook` = every code cell of the notebook with the run's environment "
             "(its first cell is the same call); `kernel` = the kernel CPU a `lifetools "
             "run` of the notebook recorded in `run.json` (another process, another "
             "time).\n",
             "| edition | floor | notebook: analysis cell | notebook: other cells | "
             "notebook | notebook / floor | kernel (run.json) | kernel / floor |",
             "|---|---|---|---|---|---|---|---|"]
    for edition, _, _ in chosen:
        for mark in ("", AGAIN, AGAIN * 2):
            floor = parts.get(f"{edition}/floor{mark}")
            book = parts.get(f"{edition}/notebook{mark}")
            if floor is None and book is None:
                continue
            cells = {k: v for k, v in parts.items()
                     if k.startswith(f"{edition}/cell ") and AGAIN not in k}
            first = next((v for k, v in cells.items() if k.startswith(f"{edition}/cell 0:")),
                         None)
            rest = sum(cells.values()) - first if first is not None else None
            k = kernel.get(edition) if not mark else None
            lines.append(" | ".join([
                f"| {edition}{mark}",
                f"{floor:.1f}" if floor is not None else "",
                f"{first:.1f}" if first is not None and not mark else "",
                f"{rest:.1f}" if rest is not None and not mark else "",
                f"{book:.1f}" if book is not None else "",
                f"{book / floor:.2f}x" if book and floor else "",
                f"{k:.1f}" if k is not None else "",
                f"{k / floor:.2f}x |" if k is not None and floor else " |"]))
    return data, "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
