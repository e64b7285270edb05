"""Build small executed run folders as the runner leaves them, for the gate to read.

Outputs come from the real display functions (sealed with a per-test secret, as the
kernel would), then :func:`verify_and_settle` runs, as the runner's tidy step does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from lifetools import config, publication, tables
from lifetools.disclosure import NOTES_FILE, column_notes, notes_text
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import new_key, verify_and_settle
from lifetools.pipeline.layout import FILES_DIR, NOTEBOOK_NAME

SOURCE = "01_cohort_description.ipynb"


class RunFolder:
    """An executed notebook being written: cells, displays, and the files folder."""

    def __init__(self, root: Path, monkeypatch: Any) -> None:
        self.path = root / "2024-25" / "cohort_description"
        self.files = self.path / FILES_DIR
        self.files.mkdir(parents=True)
        self.key = new_key()
        self.monkeypatch = monkeypatch
        monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(self.files))
        monkeypatch.setenv(publication.SEAL_ENV, self.key)
        # inside a run: the runner passes the run's parameters, and the display
        # functions check tables and figures at source only then
        monkeypatch.setenv(config.ENV_RUN_PARAMETERS, json.dumps(
            {"values": {"period_start": "2024-04-01"}, "words": {}}))
        injected = nbformat.v4.new_code_cell('period_start = "2024-04-01"')
        injected.metadata["tags"] = ["injected-parameters", "remove-cell"]
        self.cells = [nbformat.v4.new_markdown_cell("# Who is in the data"),
                      nbformat.v4.new_code_cell('period_start = "2023-04-01"'), injected]
        self.cells[1].metadata["tags"] = ["parameters"]

    def past_source(self, make: Callable[[], Any], rule: str) -> Any:
        """``make()`` (a display) refused at source by the gate's rule ``rule``
        (:func:`lifetools.disclosure.table_cells.require_cells_pass`, the gate's own
        cell rules, :func:`lifetools.disclosure.linked_findings` for a linked table, or :func:`lifetools.disclosure.figure_texts.require_figure_texts_pass`,
        its rules for a figure's texts); then what it shows with that check off, for the gate to refuse
        as well (a stamp forged, or an older library)."""
        with pytest.raises(DisclosureError, match=re.escape(f"(rule {rule!r}")):
            make()
        self.monkeypatch.setattr(tables, "require_cells_pass", lambda *a, **k: None)
        self.monkeypatch.setattr(tables, "linked_findings", lambda *a, **k: [])
        self.monkeypatch.setattr(publication, "require_figure_texts_pass",
                                 lambda *a, **k: None)
        return make()

    def markdown(self, text: str) -> int:
        self.cells.append(nbformat.v4.new_markdown_cell(text))
        return self.author_number()

    def code(self, *outputs: dict[str, Any]) -> int:
        cell = nbformat.v4.new_code_cell("lt.tables.show_table(...)")
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        self.cells.append(cell)
        return self.author_number()

    def author_number(self) -> int:
        """The cell's number in the source notebook (the injected cell not counted)."""
        return len(self.cells) - 1

    def write(self) -> Path:
        nb = nbformat.v4.new_notebook(cells=self.cells)
        nb.metadata["lifetools"] = {"notebook": SOURCE}
        verify_and_settle(nb, self.key)
        path = self.path / NOTEBOOK_NAME
        nbformat.write(nb, path)
        return path


def display(obj: Any) -> dict[str, Any]:
    """The display_data output a kernel records for a lifetools display object."""
    data, metadata = obj._repr_mimebundle_()
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def stream(text: str, name: str = "stdout") -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": text}


def safe_table(name: str = "counts") -> dict[str, Any]:
    frame = pd.DataFrame({"group": ["Life Rooms users", "Secondary care"],
                          "n": [1234, 12842]})
    return display(tables.show_table(frame, name=name, count_cols=["n"],
                                     caption="People in the period"))


def counted_folder(tmp_path: Path, monkeypatch: Any) -> RunFolder:
    """A run folder that starts clean: a heading and a protected count table, the
    notebook most leak tests inject one mistake into."""
    folder = RunFolder(tmp_path, monkeypatch)
    folder.markdown("## How many people\n\nThe counts below are rounded.")
    folder.code(safe_table())
    return folder


def sealed_table(run: RunFolder, frame: pd.DataFrame, name: str, *,
                 notes: bool = False) -> int:
    """A table sealed by hand with its CSV, as a display function would write it (or
    one past its source checks, or an older lifetools); with ``notes`` the folder's
    ``notes.txt`` as well. Returns the cell's number."""
    data, metadata = publication.seal(
        {"text/html": frame.to_html(index=False)},
        publication.stamp("table", name, rules={"count_cols": [],
                                                "label_headers": [frame.columns[0]]}))
    (run.files / "tables").mkdir(parents=True, exist_ok=True)
    frame.to_csv(run.files / "tables" / f"{name}.csv", index=False)
    if notes:
        (run.files / "tables" / NOTES_FILE).write_text(
            notes_text() + column_notes(run.files / "tables"))
    return run.code({"output_type": "display_data", "data": data, "metadata": metadata})
