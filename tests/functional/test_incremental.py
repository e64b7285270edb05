"""Incremental builds: a markdown-only edit re-renders its page; a code edit re-executes;
a display-only edit (the book's text, the glossary) executes nothing; a change in one
table reruns only the runs that read it.

A copy of the session's small built project (``small_build`` in tests/conftest.py:
LIFETOOLS_TEST_PEOPLE_SMALL people, one edition, built once and shared with the
folder-against-DuckDB comparison), then edited five times. The build times of the
markdown-only and the code edit are printed (``-s``) for the reproducibility page's
figures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pyarrow.parquet as pq
import pytest
from project_copy import ProjectRoot, commit_all

from lifetools.errors import DisclosureError
from lifetools.pipeline.build import build_series
from lifetools.pipeline.layout import site_dir
from lifetools.pipeline.provenance import sha256_file

pytestmark = pytest.mark.slow


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


def test_build_markdown_edit_rerenders_without_executing_and_code_edit_reruns(
        small_build, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(small_build["root"], root, symlinks=True)
    first = small_build["summary"]
    notebook = root / "analyses" / "05_wellbeing.ipynb"
    original = notebook.read_text()
    with ProjectRoot(root):
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

        # display only: the book's text and the glossary rebuild pages, execute nothing
        glossary = root / "GLOSSARY.md"
        glossary.write_text(glossary.read_text() + "\nZebra term\n: Added to the glossary.\n")
        howto = root / "book" / "howto" / "index.md"
        howto.write_text(howto.read_text() + "\nA line added to the how-to guides.\n")
        commit_all(root, "display-only edits")
        display = build_series(jobs=2)
        assert set(statuses(display).values()) == {"reused"}
        assert result_files(root) == files
        pages = "".join(p.read_text() for p in site_dir().rglob("*.html"))
        assert "Added to the glossary." in pages
        assert "A line added to the how-to guides." in pages

        # data: a change in one table reruns the runs that read it, and only those
        reads = {o.spec.analysis: set(o.record["reads"]) for o in display.outcomes}
        tables = sorted(set().union(*reads.values()))
        events = ("feedback", "wellbeing", "social_prescriptions", "ae_attendances",
                  "emergency_admissions", "life_rooms_contacts", "referrals")
        some = [t for t in events if t in tables
                and 0 < sum(t in r for r in reads.values()) < len(reads)]
        assert some, reads  # an event table read by some runs but not all (its last
        # row dropped: the extract stays valid)
        extract = tmp_path / "extract"
        shutil.copytree(display.outcomes[0].spec.data_dir, extract)
        changed = extract / f"{some[0]}.parquet"
        table = pq.read_table(changed)
        pq.write_table(table.slice(0, table.num_rows - 1), changed)
        data = build_series(jobs=2, data_dir=extract)
        assert statuses(data) == {a: "ran" if some[0] in r else "reused"
                                  for a, r in reads.items()}
        unread = [o for o in data.outcomes if o.status == "reused"]
        assert all(o.record["data_fingerprint"] == data.outcomes[0].spec.data_fingerprint
                   for o in unread)
    print(f"\nrebuild after a markdown-only edit: {words.seconds:.1f} s "
          f"(runs {words.timings['runs']:.1f} s); after a code edit: {code.seconds:.1f} s "
          f"(runs {code.timings['runs']:.1f} s); display-only: {display.seconds:.1f} s "
          f"(runs {display.timings['runs']:.1f} s); table {some[0]} changed: "
          f"{data.seconds:.1f} s (runs {data.timings['runs']:.1f} s); reads {reads}; "
          f"first build {first.seconds:.1f} s")
