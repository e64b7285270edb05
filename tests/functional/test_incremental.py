"""Incremental builds: a markdown-only edit re-renders its page; a code edit re-executes.

One small project (LIFETOOLS_TEST_PEOPLE_SMALL people, one edition), built once, then
edited three times. The build times of the markdown-only and the code edit are printed
(``-s``) for the reproducibility page's figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from project_copy import ProjectRoot, commit_all, copy_project, edit_series

from lifetools.errors import DisclosureError
from lifetools.pipeline.build import build_series
from lifetools.pipeline.layout import site_dir
from lifetools.pipeline.provenance import sha256_file

pytestmark = pytest.mark.slow
PEOPLE = int(os.environ.get("LIFETOOLS_TEST_PEOPLE_SMALL", "3000"))


def result_files(root: Path) -> dict[str, str]:
    runs = root / "build" / "runs"
    return {str(p.relative_to(runs)): sha256_file(p) for p in sorted(runs.rglob("*"))
            if p.is_file() and "files" in p.relative_to(runs).parts
            and ".cache" not in p.relative_to(runs).parts}


def add_cell(notebook: Path, cell) -> None:
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.from_dict(cell))
    nbformat.write(nb, notebook)


def statuses(summary) -> dict[str, str]:
    return {o.spec.analysis: o.status for o in summary.outcomes}


def test_build_markdown_edit_rerenders_without_executing_and_code_edit_reruns(tmp_path):
    root = copy_project(tmp_path / "project", people=PEOPLE)

    def only_first(series: dict) -> None:
        series["editions"] = series["editions"][:1]
        series["series"]["current_edition"] = series["editions"][0]["id"]

    edit_series(root, only_first)
    notebook = root / "analyses" / "05_wellbeing.ipynb"
    original = notebook.read_text()
    with ProjectRoot(root):
        first = build_series(jobs=2)
        edition = first.outcomes[0].spec.edition
        files = result_files(root)

        # markdown is gated even when nothing executes: a machine path is refused
        add_cell(notebook, {"cell_type": "markdown", "metadata": {},
                            "source": "Read from /home/analyst/extract.csv."})
        commit_all(root, "a path in the narrative")
        with pytest.raises(DisclosureError, match="05_wellbeing"):
            build_series(jobs=2)

        notebook.write_text(original)
        add_cell(notebook, {"cell_type": "markdown", "metadata": {},
                            "source": "A sentence added after publication."})
        commit_all(root, "reword the wellbeing report")
        words = build_series(jobs=2)
        done = statuses(words)
        assert done.pop("wellbeing") == "rerendered"
        assert set(done.values()) == {"reused"}
        assert result_files(root) == files
        page = (site_dir() / "editions" / edition / "wellbeing.html").read_text()
        assert "A sentence added after publication." in page
        assert "extract.csv" not in page

        add_cell(notebook, {"cell_type": "code", "metadata": {}, "outputs": [],
                            "execution_count": None, "source": "_ = 1"})
        commit_all(root, "a code edit")
        code = build_series(jobs=2)
        assert statuses(code)["wellbeing"] == "ran"
        assert result_files(root) == files
    print(f"\nrebuild after a markdown-only edit: {words.seconds:.1f} s "
          f"(runs {words.timings['runs']:.1f} s); after a code edit: {code.seconds:.1f} s "
          f"(runs {code.timings['runs']:.1f} s); first build {first.seconds:.1f} s")
