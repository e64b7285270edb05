"""A notebook's code and its narrative, apart: markdown edits re-render, never re-execute.

A run's cache key covers what the kernel executes (:func:`code_digest`): the notebook's
metadata and format, and every code cell's source and metadata (tags decide the
parameters cell and what is hidden), in order. Markdown and raw cells are the narrative
(:func:`narrative_digest`): where they sit among the code cells, their source, metadata
and attachments. The kernel never reads them, so a run whose code key is unchanged
but whose narrative changed is not executed again: :func:`rerender` merges the new
narrative into the run's executed notebook, keeping every code cell, output and
injected-parameters cell as it was. The result is the notebook a full re-execution
would write, byte for byte (``tests/unit/test_narrative.py`` compares the two); it goes
through the publish gate like any other run (the gate scans markdown cells too), and a
``{glue}`` reference in the new markdown is resolved by the book from the unchanged
outputs.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat

from lifetools.fingerprint import digest, sha256_file
from lifetools.pipeline import layout

__all__ = ["INJECTED", "code_digest", "narrative_digest", "rerender"]

#: papermill's tag on the cell it inserts after the parameters cell.
INJECTED = "injected-parameters"
#: Cell metadata written by execution, never by the author (the runner drops it).
_RUN_METADATA = ("papermill", "execution")


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def _cells(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A notebook's JSON and its cells, sources joined (read without nbformat's
    validation, which logs an error for every id in a 4.4 notebook on every build)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [{**c, "source": "".join(c["source"]) if isinstance(c.get("source"), list)
              else c.get("source", ""), "metadata": c.get("metadata", {})}
             for c in nb["cells"]]
    return nb, cells


def code_digest(path: Path) -> str:
    """Digest of what executing the notebook depends on: its code, not its narrative.

    Notes
    -----
    Covers the notebook's format and metadata and each code cell's source and
    metadata in order; outputs, execution counts and cell ids stored in the source are
    left out (execution replaces them). A notebook that cannot be read as a notebook is
    digested whole. Tested by ``tests/unit/test_narrative.py``.
    """
    try:
        nb, cells = _cells(path)
        return digest({"format": [nb.get("nbformat"), nb.get("nbformat_minor")],
                       "metadata": nb.get("metadata", {}),
                       "code": [{"source": c["source"], "metadata": c["metadata"]}
                                for c in cells if c.get("cell_type") == "code"]})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return sha256_file(path)  # not a notebook: it counts whole


def narrative_digest(path: Path) -> str:
    """Digest of the notebook's markdown and raw cells, with their places among the code."""
    try:
        cells = _cells(path)[1]
        return digest([{"cell_type": "code"} if c.get("cell_type") == "code" else
                       {"cell_type": c.get("cell_type"), "source": c["source"],
                        "metadata": c["metadata"], "attachments": c.get("attachments", {})}
                       for c in cells])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ""  # the code digest covers the whole file then


def _narrative_cell(cell: Any) -> Any:
    """A markdown or raw cell of the source as the runner leaves it in a run's notebook."""
    new = copy.deepcopy(cell)
    for key in _RUN_METADATA:
        new.metadata.pop(key, None)
    # papermill's loader gives every cell a tags list (papermill.iorw.load_notebook_node)
    new.metadata.setdefault("tags", [])
    return new


def rerender(executed: Path, source: Path) -> None:
    """Put the source notebook's narrative into an executed notebook; keep its code cells.

    Every code cell of ``executed`` (source, outputs, metadata) and papermill's
    injected-parameters cell stay as they are and in the same order; the markdown and
    raw cells become those of ``source``, placed among the code cells as in
    ``source``. Cell ids are renumbered as the runner numbers them. The file is
    replaced in one step.

    Raises
    ------
    ValueError
        If the two notebooks do not have the same code cells (the run must execute).

    Notes
    -----
    Tested by ``tests/unit/test_narrative.py`` (the re-rendered notebook equals a
    re-executed one byte for byte; outputs are unchanged).
    """
    nb, new = _read(executed), _read(source)
    code, after = [], {}
    for cell in nb.cells:
        if cell.cell_type == "code" and INJECTED in cell.metadata.get("tags", []):
            after.setdefault(len(code) - 1, []).append(cell)
        elif cell.cell_type == "code":
            code.append(cell)
    wanted = [c.source for c in new.cells if c.cell_type == "code"]
    if [c.source for c in code] != wanted:
        raise ValueError(f"{executed} and {source.name} do not have the same code cells")
    cells, position = list(after.get(-1, [])), 0
    for cell in new.cells:
        if cell.cell_type != "code":
            cells.append(_narrative_cell(cell))
            continue
        cells.append(code[position])
        cells += after.get(position, [])
        position += 1
    ids = nb.nbformat_minor >= 5  # execution upgrades to 4.5: every cell has an id
    for number, cell in enumerate(cells, start=1):
        if ids or "id" in cell:
            cell.id = f"cell-{number}"
    nb.cells = cells
    partial = layout.temp_sibling(executed, "partial")
    nbformat.write(nb, partial)
    partial.replace(executed)
