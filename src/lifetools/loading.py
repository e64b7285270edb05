"""Read input tables with the dictionary's types; no business rules here.

``load_dataset()`` reads ``<table>.parquet`` (or ``.csv``) from the data folder with
pyarrow, only the columns asked for, and gives every column its dictionary type:
dates ``datetime64[ns]``, integers ``Int64``, numbers ``float64``, booleans ``boolean``,
strings ``object`` (missing = ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from lifetools import config
from lifetools.dictionary import TableSpec, load_dictionary
from lifetools.errors import DataValidationError

__all__ = ["Dataset", "coerce_types", "load_dataset", "read_table", "table_path"]


@dataclass(frozen=True)
class Dataset:
    """The analysis tables; a table not loaded is ``None``."""

    path: Path
    people: pd.DataFrame | None = None
    deprivation: pd.DataFrame | None = None
    referrals: pd.DataFrame | None = None
    ae_attendances: pd.DataFrame | None = None
    emergency_admissions: pd.DataFrame | None = None
    life_rooms_contacts: pd.DataFrame | None = None
    social_prescriptions: pd.DataFrame | None = None
    wellbeing: pd.DataFrame | None = None
    feedback: pd.DataFrame | None = None

    def fingerprint(self) -> dict:
        """SHA-256 of every input table file and of the dictionary."""
        from lifetools.fingerprint import data_fingerprint

        return data_fingerprint(self.path)


TABLES = tuple(f.name for f in fields(Dataset) if f.name != "path")


def table_path(data_dir: Path, name: str) -> Path | None:
    """Return the file of a table (Parquet preferred, then CSV), or None."""
    for suffix in (".parquet", ".csv"):
        path = Path(data_dir) / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def coerce_types(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Give each column its dictionary type (values that do not parse become missing)."""
    out = {}
    for name in frame.columns:
        kind = spec.field(name).type if name in spec.field_names else "string"
        column = frame[name]
        if kind == "date":
            out[name] = pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")
        elif kind == "integer":
            out[name] = pd.to_numeric(column, errors="coerce").round().astype("Int64")
        elif kind == "number":
            out[name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif kind == "boolean":
            if column.dtype == object or str(column.dtype).startswith("string"):
                column = column.map({"true": True, "false": False, "True": True,
                                     "False": False, "1": True, "0": False})
            out[name] = column.astype("boolean")
        else:
            values = column.astype(object)
            out[name] = values.where(values.notna() & (values != ""), None)
    return pd.DataFrame(out, index=frame.index)


def read_table(path: Path, spec: TableSpec, columns: Sequence[str] | None = None):
    """Read one table file with its dictionary types."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        frame = pq.read_table(path, columns=list(columns) if columns else None).to_pandas()
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                            usecols=list(columns) if columns else None)
    return coerce_types(frame, spec)


def load_dataset(
    data_dir: Path | None = None,
    *,
    tables: Sequence[str] | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> Dataset:
    """Load the analysis tables with their dictionary types.

    Parameters
    ----------
    data_dir
        Folder of table files; default :func:`lifetools.config.data_dir`.
    tables
        Only these tables (others are ``None``); default every table present.
    columns
        Per table, only these columns (avoid loading what a report does not use).

    Raises
    ------
    DataValidationError
        If a requested table has no file.
    """
    data_dir = Path(data_dir) if data_dir else config.data_dir()
    dictionary = load_dictionary()
    wanted = tables or [t for t in TABLES if table_path(data_dir, t) is not None]
    loaded = {}
    for name in wanted:
        path = table_path(data_dir, name)
        if path is None:
            raise DataValidationError(
                f"{data_dir}: table {name!r} has no file ({name}.parquet or {name}.csv)",
                hint="run `lifetools validate` on the folder, or `lifetools synth`")
        loaded[name] = read_table(path, dictionary.table(name),
                                  (columns or {}).get(name))
    return Dataset(path=data_dir, **loaded)
