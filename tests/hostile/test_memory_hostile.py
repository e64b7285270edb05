"""A 256 MB cell cannot exhaust memory: validation and loading refuse it unread.

Each case writes one table with a single 256 MiB value (one CSV line, a quoted value
spread over 128 Mi short lines, a Parquet cell), then validates the folder and tries to
load it in a child process, which reports its peak resident memory
(``resource.getrusage``, ``ru_maxrss``). The stated bound: the peak is at most
**32 MiB** above the same child's peak on the clean extract. The reads are bounded by
``lifetools.loading.MAX_RECORD_BYTES`` (1 MiB a CSV record; 1 MiB plus 1 KiB a row for
a Parquet column, checked from the file's metadata before any data page is read).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BOUND_KIB = 32 * 1024
CELL = 256 * 1024 * 1024
CHILD = """
import json, resource, sys
from lifetools.errors import DataValidationError
from lifetools.loading import load_dataset
from lifetools.validation import validate_directory

report = validate_directory(sys.argv[1])
try:
    load_dataset(sys.argv[1], tables=["feedback"])
    loaded = True
except DataValidationError:
    loaded = False
print(json.dumps({"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rules": sorted({p.rule.value for p in report.errors}),
                  "render": len(report.render()), "loaded": loaded}))
"""
WRITE_PARQUET = """
import sys, pyarrow as pa, pyarrow.parquet as pq
table = pq.read_table(sys.argv[1])
values = table.column("site").to_pylist()
values[3] = "x" * int(sys.argv[2])
pq.write_table(table.set_column(table.column_names.index("site"), "site",
                                pa.array(values)), sys.argv[1])
"""


def run(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return json.loads(done.stdout)


def huge_csv(data, *, multiline: bool) -> None:
    import pandas as pd

    frame = pd.read_parquet(data / "feedback.parquet")
    frame["response_date"] = frame["response_date"].dt.strftime("%Y-%m-%d")
    (data / "feedback.parquet").unlink()
    lines = frame.to_csv(index=False).splitlines(keepends=True)
    chunk = (b"x\n" * (1 << 19)) if multiline else b"x" * (1 << 20)
    with open(data / "feedback.csv", "wb") as out:
        out.write("".join(lines[:4]).encode())
        out.write(b'F999999,"')
        for _ in range(CELL // len(chunk)):
            out.write(chunk)
        out.write(b'",2020-01-01,5,1\n')
        out.write("".join(lines[4:]).encode())


@pytest.fixture(scope="module")
def clean_peak(extract) -> int:
    return run(str(extract))["peak_kib"]


@pytest.mark.parametrize("form", ["csv line", "csv quoted lines", "parquet cell"])
def test_memory_hostile_256mb_cell_stays_within_32mib_of_clean(form, data, clean_peak):
    if form == "parquet cell":
        subprocess.run([sys.executable, "-c", WRITE_PARQUET, str(data / "feedback.parquet"),
                        str(CELL)], check=True, timeout=600)
    else:
        huge_csv(data, multiline=form == "csv quoted lines")
    result = run(str(data))
    assert result["rules"] == ["value.too_long"]
    assert not result["loaded"] and result["render"] < 2000
    assert result["peak_kib"] - clean_peak < BOUND_KIB, (result["peak_kib"], clean_peak)
