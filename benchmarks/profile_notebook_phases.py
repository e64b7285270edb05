"""Where the wellbeing notebook's CPU goes, phase by phase, in one process (issue 16).

The notebook's own calls (``analyses/05_wellbeing.ipynb``) in the order a kernel makes
them, each phase's CPU seconds (user + system) measured alone: importing lifetools,
parsing the dictionary, ``load_dataset`` as the build's kernels call it without and
with the typed on-disk cache (first load, which writes it, then a load from it),
``analyse_wellbeing`` (the compute floor; its cProfile, sorted by cumulative time, is
written to ``<out>/analyse_profile.txt``) and the record and table calls. Kernel start
and papermill are not in it. Not a timed test: run by hand::

    LIFETOOLS_OUTPUT_DIR=/tmp/wb-out MPLBACKEND=Agg nice -n 10 .venv/bin/python \\
        benchmarks/profile_notebook_phases.py /tmp/perf-data/150k /tmp/wb-cache /tmp/wb
"""

import cProfile
import io
import json
import pstats
import resource
import sys
from pathlib import Path


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


folder, cache, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
phases = {}
c = cpu()
import lifetools as lt  # noqa: E402 - timed

phases["import lifetools"] = cpu() - c
from lifetools import compact_ids, loading  # noqa: E402


def timed(label: str, call):
    start = cpu()
    value = call()
    phases[label] = cpu() - start
    return value


def fresh_process_caches() -> None:
    compact_ids._IDS.clear()
    loading._TYPED.clear()


kw = {"compact_ids": True, "skip_unused": True}  # as the build's kernels load
timed("parse dictionary", lt.dictionary.load_dictionary)
timed("load_dataset, no typed cache", lambda: lt.load_dataset(folder, **kw))
fresh_process_caches()
timed("load_dataset, first (writes cache)",
      lambda: lt.load_dataset(folder, typed_cache=cache, **kw))
fresh_process_caches()
data = timed("load_dataset, from typed cache",
             lambda: lt.load_dataset(folder, typed_cache=cache, **kw))
profile = cProfile.Profile()
report = timed("analyse_wellbeing (compute, profiled)", lambda: profile.runcall(
    lt.reports.analyse_wellbeing, data, period_start="2024-04-01",
    period_end="2025-03-31", meaningful_change=3.0, locality="all"))
text = io.StringIO()
pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
out.mkdir(parents=True, exist_ok=True)
(out / "analyse_profile.txt").write_text(text.getvalue())


def publish() -> None:
    lt.publication.record_all(report.key_results)
    lt.tables.show_table(report.counts, name="counts", count_cols=["n"],
                         caption="SWEMWBS completion")
    lt.tables.show_table(lt.tables.table_estimates(report.released, label="estimate",
                                                   keep=["method"]),
                         name="change", caption="Change in SWEMWBS metric score (95% CI)")


timed("record and tables", publish)
print(json.dumps({k: round(v, 3) for k, v in phases.items()}, indent=1))
