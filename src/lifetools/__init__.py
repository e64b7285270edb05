"""lifetools: a reproducible research publication framework for the Life Rooms series.

Notebooks use it as ``import lifetools as lt``; submodules load on first use, so the
command line starts quickly::

    data = lt.load_dataset()
    cohort = lt.cohort.build_discharge_cohort(data, period_start=..., period_end=...)
    lt.tables.show_table(cohort.flow, name="flow", caption="...", count_cols=["n"])
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

SUBMODULES = (
    "book",
    "build",
    "cohort",
    "config",
    "describe",
    "dictionary",
    "disclosure",
    "errors",
    "gate",
    "inequality",
    "linkage",
    "loading",
    "plots",
    "provenance",
    "publication",
    "reach",
    "regression",
    "reports",
    "reproduce",
    "runner",
    "series",
    "survival",
    "synthetic",
    "tables",
    "validation",
)
__all__ = ["__version__", "load_dataset", *SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        return importlib.import_module(f"lifetools.{name}")
    if name == "load_dataset":
        return importlib.import_module("lifetools.loading").load_dataset
    raise AttributeError(f"module 'lifetools' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
