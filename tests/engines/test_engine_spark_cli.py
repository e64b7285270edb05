"""``lifetools validate spark://local[2]?path=FOLDER`` from the command line (issue 18).

A local Spark started by the command line holds no tables of its own: before
``?path=`` it validated an empty catalog. With ``?path=`` the folder's Parquet files
become the catalog's tables, read in place, rows numbered as in the files. One
``lifetools`` process (its own JVM: the views it makes never reach the Spark session of
the other tests on this worker) validates a folder whose referrals are out of key order
and hold one bad value; the report names the table, column and the row number the
folder's own validation gives, with the exit code of a folder. A second one validates a
folder with a table missing and dates stored as text: exit 11, each named, and nothing
of the JVM's log (its start printed WARN lines naming the machine's address).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from engine_needs import need_spark

from lifetools import engines
from lifetools.errors import UserError

ROW = 7  # the bad value's row in the (shuffled) referrals file, 1-based


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """A 300-person extract (nanosecond timestamps, as pandas writes them) whose
    referrals file is in reverse key order, with a negative HoNOS at row ``ROW``."""
    from lifetools.synthetic import write_synthetic

    folder = tmp_path_factory.mktemp("spark-cli") / "extract"
    write_synthetic(folder, people=300, seed=5)
    shutil.rmtree(folder / "raw")
    path = folder / "referrals.parquet"
    referrals = pd.read_parquet(path).iloc[::-1].reset_index(drop=True)
    referrals.loc[ROW - 1, "honos_baseline"] = -5
    referrals.to_parquet(path, index=False)
    return folder


def test_cli_validate_spark_local_reads_the_folders_parquet_files(broken):
    need_spark()
    from lifetools.validation import validate_directory

    folder_report = validate_directory(broken)  # DuckDB over the files
    (expected,) = [p for p in folder_report.problems if p.column == "honos_baseline"]
    assert expected.rows == (ROW,)
    done = _validate(f"spark://local[2]?path={broken}", broken.parent)
    text = done.stdout + done.stderr
    assert done.returncode == 11, text  # a data fault: as for a folder
    assert "Traceback" not in text
    assert f"row {ROW}, column 'honos_baseline': is below the minimum 0" in text
    assert "table 'referrals'" in text
    assert "file.missing" not in text  # every table was found
    assert text.count("[rule:") == 1  # the one bad value, and nothing else failed
    assert "holds no datapackage.json" not in text  # the folder's package was read


IP_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
LOG_WARNING = re.compile(r"\bWARN\b")  # a log4j WARN line (not the JDK's "WARNING:")


def test_cli_validate_spark_local_missing_table_and_text_dates(broken, tmp_path):
    """One ``lifetools validate`` of a folder with a table missing and dates stored as
    text: exit 11 as for a folder, the table and the column named, no traceback; and
    the JVM's start logs nothing (its WARN lines named the machine's address)."""
    need_spark()
    folder = tmp_path / "extract"
    shutil.copytree(broken, folder)
    (folder / "wellbeing.parquet").unlink()
    path = folder / "ae_attendances.parquet"
    attendances = pd.read_parquet(path)
    attendances["arrival_date"] = attendances["arrival_date"].dt.strftime("%Y-%m-%d")
    attendances.to_parquet(path, index=False)
    done = _validate(f"spark://local[2]?path={folder}", tmp_path)
    text = done.stdout + done.stderr
    assert done.returncode == 11, text  # a data fault: as for a folder
    assert "Traceback" not in text
    assert "table 'wellbeing'" in text and "file.missing" in text
    assert "table 'ae_attendances'" in text and "'arrival_date'" in text
    assert IP_ADDRESS.findall(text) == [], text
    assert LOG_WARNING.findall(text) == [], text


def _validate(source: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "lifetools", "validate", source],
                          capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=1800)


def test_spark_local_path_is_parsed_to_an_absolute_folder(tmp_path, monkeypatch):
    (tmp_path / "extract").mkdir()
    monkeypatch.chdir(tmp_path)
    source = engines.parse_source("spark://local[2]?path=extract")
    assert source == engines.Source("spark", f"spark://local[2]?path={tmp_path / 'extract'}")
    assert engines.spark.local_parts(source.location) == ("local[2]", tmp_path / "extract")
    assert engines.spark.local_parts("spark://local[2]") == ("local[2]", None)
    # what logs and errors print names the folder, not the machine path to it
    assert source.display() == "spark:spark://local[2]?path=extract"
    assert str(tmp_path) not in source.display()
    with pytest.raises(UserError, match="is not a folder"):
        engines.parse_source("spark://local[2]?path=nowhere")
    # analyses.yml's relative path is the project root's, as a folder's is
    root = tmp_path / "project"
    assert engines.source.rooted("spark://local[2]?path=data/extract", root) == \
        f"spark://local[2]?path={root / 'data' / 'extract'}"
    for kept in ("spark://local[2]?path=/srv/extract", "spark://local[2]",
                 "postgresql://analyst@db/mhsds"):
        assert engines.source.rooted(kept, root) == kept


def test_spark_local_path_refuses_a_csv_table_before_spark_starts(tmp_path):
    pd.DataFrame({"lsoa_code": ["E01000001"]}).to_csv(tmp_path / "deprivation.csv",
                                                      index=False)
    with pytest.raises(UserError, match="deprivation.csv is a CSV file"):
        engines.spark.register_folder(None, tmp_path)  # refused before the session is used
