"""The data fingerprint and column fingerprints on Spark hash with a 64-bit hash (issue 18).

ibis compiles ``.hash()`` to Spark's 32-bit Murmur3 ``hash``; the engine's fingerprint
(:mod:`lifetools.engines.fingerprint`) and the server column fingerprints
(:func:`lifetools.engines.column_keys.server_columns`) use Spark's ``xxhash64`` instead,
summed exactly as on DuckDB and PostgreSQL. The checksum is computed again here in
Spark SQL written by hand (the known answer), and compared with the 32-bit one it
replaced.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from lifetools import engines
from lifetools.engines.fingerprint import CHECKSUM_METHOD, engine_fingerprint

pytestmark = pytest.mark.xdist_group("postgres")  # the Spark session, on one worker
_MARK = "\u2400"


def _by_hand(session, view: str, function: str) -> str:
    """A view's checksum in Spark SQL: per column the exact sum of ``function`` of the
    value as text (missing as the marker), SHA-256 over the sums as JSON."""
    columns = session.table(view).columns
    sums = ", ".join(
        f"CAST(SUM(CAST({function}(COALESCE(CAST(`{c}` AS STRING), '{_MARK}')) "
        f"AS DECIMAL(38, 0))) AS STRING) AS c{i}" for i, c in enumerate(columns))
    row = session.sql(f"SELECT {sums} FROM {view}").collect()[0]
    digest = json.dumps({c: [str(row[f"c{i}"])] for i, c in enumerate(columns)},
                        sort_keys=True)
    return hashlib.sha256(digest.encode()).hexdigest()


def test_engine_fingerprint_spark_sums_xxhash64_not_the_32_bit_hash(spark, synthetic):
    tables = engines.connect(engines.parse_source("spark://local[2]"))
    record = engine_fingerprint(tables)
    assert (record["engine"], record["method"]) == ("spark", CHECKSUM_METHOD)
    assert CHECKSUM_METHOD.startswith("v2:")
    found = record["tables"]["referrals"]
    assert found["rows"] == len(synthetic.referrals)
    assert found["checksum"] == _by_hand(spark, "referrals", "xxhash64")
    assert found["checksum"] != _by_hand(spark, "referrals", "hash")  # Murmur3, 32-bit


def test_engine_fingerprint_spark_order_free_and_changed_by_one_value(spark, synthetic):
    from pyspark.sql import functions as F

    def people_checksum() -> dict:
        tables = engines.connect(engines.parse_source("spark://local[2]"))
        return engine_fingerprint(tables)["tables"]["people"]

    original = spark.table("people")
    before = people_checksum()
    first = synthetic.people.iloc[0]
    other = "1" if first["sex"] != "1" else "2"
    try:
        original.orderBy(F.rand(5)).createOrReplaceTempView("people")
        shuffled = people_checksum()
        original.withColumn("sex", F.when(F.col("person_id") == first["person_id"],
                                          F.lit(other)).otherwise(F.col("sex"))
                            ).createOrReplaceTempView("people")
        changed = people_checksum()
    finally:
        original.createOrReplaceTempView("people")
    assert shuffled == before
    assert changed["rows"] == before["rows"] and changed["checksum"] != before["checksum"]


def test_server_columns_spark_hash_with_xxhash64_and_see_one_value(spark, synthetic):
    from pyspark.sql import functions as F

    from lifetools.engines.column_keys import SERVER_COLUMN_METHOD, server_columns

    sql: list[str] = []

    def people_columns() -> dict:
        tables = engines.connect(engines.parse_source("spark://local[2]"))
        tables.tables = {"people": tables.tables["people"]}
        fetch = tables.fetch

        def compiled(expr, types=None):
            sql.append(str(tables.backend.compile(expr)))
            return fetch(expr, types)
        tables.fetch = compiled
        return server_columns(tables)["people"]

    original = spark.table("people")
    before = people_columns()
    first = synthetic.people.iloc[0]
    try:
        original.withColumn("year_of_birth", F.when(
            F.col("person_id") == first["person_id"], F.col("year_of_birth") + 1
        ).otherwise(F.col("year_of_birth"))).createOrReplaceTempView("people")
        after = people_columns()
    finally:
        original.createOrReplaceTempView("people")
    assert "v3" in SERVER_COLUMN_METHOD
    assert sql and all("XXHASH64(" in q.upper() for q in sql)
    assert {c for c in before["columns"] if before["columns"][c] != after["columns"][c]
            } == {"year_of_birth"}
