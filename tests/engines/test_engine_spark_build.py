"""A full build from ``spark://local[2]`` publishes the folder build's result files, and
no output holds the Spark Connect token.

The notebooks' kernels are separate processes: the build starts a local Spark Connect
server in its own process (loopback only, a fresh bearer token in the environment) and
the kernels reach it by its ``sc://localhost:PORT`` URL. The tables are the shared
one-edition folder build's Parquet files (``small_build``), registered in the local
Spark's catalog with each row's number in the file (``__row``), so the rows come back
in the folder's order, which is not key order. Measured at 3,000 people (load 20-28,
crisis-risk left out): Spark started in 150 s, the Spark build took 942 s against
366 s for the folder build; all 75 result files of the 6 analyses identical.
The build prints no report PDF (``no_pdfs``), as the PostgreSQL build
(test_engine_build.py says why).
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from engine_helpers import assert_engine_build_published, published
from project_copy import ProjectRoot

from lifetools.engines.dataset import ROW_COLUMN
from lifetools.engines.spark import TOKEN_ENV, local_connect, remote_session
from lifetools.pipeline.build import build_series

pytestmark = [pytest.mark.slow]


def _numbered_copy(folder, target):
    """Each Parquet table of ``folder`` with its rows' numbers (1, 2, ... in file
    order) in ``__row``; times in microseconds (Spark reads no nanosecond times)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target.mkdir()
    for path in sorted(folder.glob("*.parquet")):
        table = pq.read_table(path)
        table = table.cast(pa.schema([
            pa.field(f.name, pa.timestamp("us") if pa.types.is_timestamp(f.type)
                     else f.type) for f in table.schema]))
        table = table.append_column(ROW_COLUMN, pa.array(range(1, table.num_rows + 1),
                                                         pa.int64()))
        pq.write_table(table, target / path.name)
    return target


def test_build_spark_local_publishes_the_folders_bytes_and_never_the_token(
        small_build, tmp_path, capfd, no_pdfs):
    import importlib.util

    missing = ("Java (apt-get install openjdk-17-jre-headless)" if not shutil.which("java")
               else "Spark Connect's client (grpcio, requirements.lock)"
               if importlib.util.find_spec("grpc") is None else None)
    if missing:
        if os.environ.get("LIFETOOLS_REQUIRE_ENGINES"):
            pytest.fail(f"{missing} is not installed")
        pytest.skip(f"{missing} is not installed")
    root = tmp_path / "project"
    shutil.copytree(small_build["root"], root, symlinks=True)
    files = published(small_build["summary"].outcomes)
    tables = _numbered_copy(small_build["root"] / "build" / "data" / "synthetic",
                            tmp_path / "lake")
    url = local_connect("local[2]")
    session = remote_session(url)
    for path in sorted(tables.glob("*.parquet")):
        session.sql(f"DROP TABLE IF EXISTS {path.stem}")
        session.sql(f"CREATE TABLE {path.stem} USING parquet LOCATION '{path}'")
    clock = time.monotonic()
    with ProjectRoot(root):
        built = build_series(jobs=2, data_dir="spark://local[2]")
    with capfd.disabled():  # the figure the engines note quotes
        print(f"\nbuild from Spark Connect: {time.monotonic() - clock:.0f} s")
    assert_engine_build_published(built, files, root, engine="spark",
                                  secret=os.environ[TOKEN_ENV], capfd=capfd)
