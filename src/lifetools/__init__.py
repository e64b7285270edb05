"""lifetools: the analysis library of the Life Rooms report series.

Notebooks use it as ``import lifetools as lt``::

    data = lt.load_dataset()
    cohort = lt.cohort.build_discharge_cohort(data, lt.cohort.CohortSpec(start, end))
    flow = lt.disclosure.protect_flow(cohort.flow)  # each step's excluded count too
    lt.tables.show_table(flow, name="flow", caption="...", count_cols=["n"])

This package is the library that runs inside a notebook kernel. The publishing program
(series, runner, build, book, gate, reproduce, provenance, command line) is
:mod:`lifetools.pipeline`, which imports the library and is never imported by it (an
import-linter contract in ``pyproject.toml``). The synthetic generator
(:mod:`lifetools.synthetic`), validation and linkage are imported explicitly where they
are needed: reports never import the generator.
"""

from __future__ import annotations

from lifetools import (
    cohort,
    config,
    describe,
    dictionary,
    disclosure,
    engines,
    errors,
    inequality,
    loading,
    plots,
    prediction,
    publication,
    regression,
    reports,
    result_names,
    spc,
    survival,
    tables,
)
from lifetools.loading import Dataset, load_dataset

__version__ = "0.1.0"

__all__ = [
    "Dataset",
    "__version__",
    "cohort",
    "config",
    "describe",
    "dictionary",
    "disclosure",
    "engines",
    "errors",
    "inequality",
    "load_dataset",
    "loading",
    "plots",
    "prediction",
    "publication",
    "regression",
    "reports",
    "result_names",
    "spc",
    "survival",
    "tables",
]
