"""The data part of a run's cache key: the tables and columns a run read.

A run records the tables it touched (``reads``) and the columns of each it read
(``read_columns``, ``["*"]`` for every column; :mod:`lifetools.reads`). Its key covers,
per table read, the table's rows, column names and the fingerprints of the columns
read (:func:`lifetools.fingerprint.table_columns`), or the table's hash when it read
every column or the extract has no column fingerprints. A DuckDB file's or a server's
column fingerprints are computed in the engine (:mod:`lifetools.engines.column_keys`),
with a fingerprint of the whole table in row order (``table``) that a whole-table read
counts too. This module says what of a table a run depends on and what changed.
Tested in ``tests/unit/test_read_columns.py``, ``tests/unit/test_reads.py`` and
``tests/engines/test_duckdb_column_keys.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ALL", "COLUMNS", "DICTIONARY", "READS", "READ_COLUMNS", "TABLES",
           "read_changes", "read_part", "table_hashes", "unread_changes"]

#: Inputs (and the record field) by which the key covers only the tables a run read.
TABLES, DICTIONARY, READS = "tables", "dictionary", "reads"
#: The input of column fingerprints, and the record field of the columns a run read.
COLUMNS, READ_COLUMNS = "columns", "read_columns"
ALL = "*"  # lifetools.reads.ALL: every column of the table


def table_hashes(fingerprint: Mapping[str, Any]) -> dict[str, str]:
    """Table name to file SHA-256, from :func:`lifetools.fingerprint.data_fingerprint`."""
    return {Path(name).stem: sha for name, sha in fingerprint.get("tables", {}).items()}


def read_part(inputs: Mapping[str, Any], table: str,
               columns: Mapping[str, Any] | None) -> Any:
    """What of ``table`` a run that read ``columns`` of it depends on."""
    read = columns.get(table) if columns is not None else None
    fingerprints = inputs.get(COLUMNS, {}).get(table)
    if not isinstance(fingerprints, Mapping):
        return inputs[TABLES].get(table)  # the whole table, by its hash
    if not isinstance(read, list) or ALL in read:
        whole = fingerprints.get("table")  # a DuckDB file's table, in stored order
        return (inputs[TABLES].get(table) if whole is None
                else [inputs[TABLES].get(table), whole])
    values = fingerprints.get("columns", {})
    return {"rows": fingerprints.get("rows"), "names": fingerprints.get("names"),
            "columns": {c: values.get(c) for c in sorted(read)}}


def _columns_read(previous: Mapping[str, Any], table: str) -> list[str] | None:
    """The columns of ``table`` ``previous``'s run read (None: all, or not recorded)."""
    columns = previous.get(READ_COLUMNS)
    read = columns.get(table) if isinstance(columns, Mapping) else None
    return None if not isinstance(read, list) or ALL in read else read


def _column_changes(before: Mapping[str, Any], inputs: Mapping[str, Any],
                    table: str) -> tuple[bool, list[str]] | None:
    """(rows or names changed, columns whose fingerprint changed) of ``table``; None
    when either side has no column fingerprints."""
    old, new = before.get(COLUMNS, {}).get(table), inputs.get(COLUMNS, {}).get(table)
    if not (isinstance(old, Mapping) and isinstance(new, Mapping)):
        return None
    shape = (old.get("rows"), old.get("names")) != (new.get("rows"), new.get("names"))
    a, b = old.get("columns", {}), new.get("columns", {})
    return shape, sorted(c for c in set(a) | set(b) if a.get(c) != b.get(c))


def _same(before: Mapping[str, Any], inputs: Mapping[str, Any], table: str) -> bool:
    """Whether ``table`` is unchanged: its hash and any column fingerprints (a DuckDB
    file's table checksum does not see values swapped between rows; they do)."""
    old, new = before.get(COLUMNS, {}).get(table), inputs.get(COLUMNS, {}).get(table)
    return (before[TABLES].get(table) == inputs[TABLES].get(table)
            and (old is None or new is None or old == new))


def read_changes(previous: Mapping[str, Any], before: Mapping[str, Any],
                  inputs: Mapping[str, Any], reads: list[str]) -> list[str]:
    """Why the data rerun a run: each table or column it read that changed."""
    reasons = []
    for table in sorted(reads):
        if _same(before, inputs, table):
            continue
        read, changes = _columns_read(previous, table), _column_changes(before, inputs,
                                                                        table)
        if read is None or changes is None:
            reasons.append(f"table {table} changed (the run read it)")
            continue
        shape, changed = changes
        if shape:
            reasons.append(f"table {table} changed: its rows or column names (the run "
                           "read it)")
        reasons += [f"column {c} of table {table} changed (the run read it)"
                    for c in changed if c in read]
    return reasons


def unread_changes(previous: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[str]:
    """What changed since ``previous`` ran that it did not read (no rerun): ``table
    X`` for a table it did not touch, ``column c of table X`` for a column it did not
    read of a table it read other columns of."""
    before, reads = previous.get("inputs"), previous.get(READS)
    if not (isinstance(before, Mapping) and isinstance(reads, list)
            and TABLES in before and TABLES in inputs):
        return []
    old, new = before[TABLES], inputs[TABLES]
    found = []
    for table in sorted(set(old) | set(new)):
        if _same(before, inputs, table):
            continue
        if table not in reads:
            found.append(f"table {table}")
            continue
        read, changes = _columns_read(previous, table), _column_changes(before, inputs,
                                                                        table)
        if read is not None and changes is not None and not changes[0]:
            found += [f"column {c} of table {table}" for c in changes[1] if c not in read]
    return found
