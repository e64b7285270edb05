"""Where a notebook's CPU goes beyond its analysis call: presentation (issue 16).

Runs every code cell of the chosen notebooks (default: every analysis but the crisis
risk model) for one edition, in one process on one loaded dataset (loaded as the build's
warm kernels load it), with the run's environment set as the runner sets it (output
folder, edition, analysis, disclosure profile, ACRO on, parameters and their words, a
seal key, a reads log), so the ACRO cross-check, the checks at source, the figures and
the seals all run as in a build. Records each notebook's and each cell's CPU (user +
system of this process), and one cProfile over all the notebooks (CPU clock), sorted by
internal and by cumulative time, written to ``--out``. Kernel start, papermill and the
transport of outputs are not in it. Not a timed test; run by hand::

    nice -n 10 .venv/bin/python benchmarks/profile_presentation.py \\
        --data /tmp/data30k --out /tmp/presentation --edition 2024-25
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "analyses" / "analyses.yml"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def analyses(wanted: list[str]) -> list[dict]:
    series = yaml.safe_load(SERIES.read_text())
    chosen = [a for a in series["analyses"] if a["id"] in wanted] if wanted else [
        a for a in series["analyses"] if a["id"] != "crisis_risk"]
    return chosen


def edition(edition_id: str) -> tuple[str, str]:
    series = yaml.safe_load(SERIES.read_text())
    entry = next(e for e in series["editions"] if e["id"] == edition_id)
    return str(entry["period_start"]), str(entry["period_end"])


def code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"
            and "parameters" not in c.get("metadata", {}).get("tags", [])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a folder of analysis tables")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--edition", default="2024-25")
    parser.add_argument("--analyses", default="", help="ids, comma-separated")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the notebooks this many times (the first warms caches)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    first, last = edition(args.edition)
    files = Path(tempfile.mkdtemp(prefix="presentation-files-"))
    os.environ.update({"MPLBACKEND": "Agg", "LIFETOOLS_DATA_DIR": args.data,
                       "LIFETOOLS_ACRO": "1", "LIFETOOLS_SDC_PROFILE": "default",
                       "LIFETOOLS_SEAL_KEY": "0" * 64, "LIFETOOLS_EDITION": args.edition,
                       "LIFETOOLS_PROJECT_ROOT": str(ROOT),
                       "LIFETOOLS_READS_LOG": str(files / "reads.log")})
    parts: dict[str, float] = {}
    start = cpu()
    import lifetools as lt  # noqa: PLC0415 - timed

    parts["import lifetools"] = round(cpu() - start, 3)
    start = cpu()
    data = lt.load_dataset(args.data, compact_ids=True, skip_unused=True)
    parts["load_dataset"] = round(cpu() - start, 3)
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    # as in a kernel: pandas sizes its reprs to a terminal only when run as a script
    pd.set_option("display.max_columns", 20)
    profile = None if args.no_profile else cProfile.Profile(time.process_time)
    for rnd in range(args.rounds):
        for entry in analyses([a for a in args.analyses.split(",") if a]):
            params = {k: v["default"] for k, v in entry.get("parameters", {}).items()}
            params = {"period_start": first, "period_end": last, **params}
            words = {k: list(v.get("words", []))
                     for k, v in entry.get("parameters", {}).items()}
            out = files / f"{rnd}" / entry["id"]
            out.mkdir(parents=True, exist_ok=True)
            os.environ.update({
                "LIFETOOLS_ANALYSIS": entry["id"], "LIFETOOLS_OUTPUT_DIR": str(out),
                "LIFETOOLS_RUN_PARAMETERS": json.dumps(
                    {"values": params, "words": words}, sort_keys=True, default=str)})
            space = {"data": data, **params}
            book = f"{rnd}/{entry['id']}"
            begin = cpu()
            for at, source in enumerate(code_cells(ROOT / "analyses" / entry["notebook"])):
                c = cpu()
                code = compile(source, f"<{entry['id']} cell {at}>", "exec")
                if profile is not None and rnd == args.rounds - 1:
                    profile.runcall(exec, code, space)
                else:
                    exec(code, space)  # noqa: S102
                parts[f"{book}/cell {at}: {source.strip().splitlines()[-1][:60]}"] = round(
                    cpu() - c, 3)
            parts[book] = round(cpu() - begin, 3)
            plt.close("all")
            print(f"{book}: {parts[book]} s", file=sys.stderr)
    if profile is not None:
        for key in ("tottime", "cumulative"):
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats(key).print_stats(80)
            (args.out / f"profile.{key}.txt").write_text(text.getvalue())
        profile.dump_stats(args.out / "profile.prof")
    (args.out / "parts.json").write_text(json.dumps(parts, indent=1) + "\n")
    print(json.dumps({k: v for k, v in parts.items() if "/cell" not in k}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
