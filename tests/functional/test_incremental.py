"""Incremental builds: a markdown-only edit re-renders its page; a code edit re-executes;
a display-only edit (the book's text, the glossary, a key result's words in
analyses.yml) executes nothing and is published; a change in one
table reruns only the runs that read it.

One copy of the session's small built project (``small_build`` in tests/build_fixtures.py:
LIFETOOLS_TEST_PEOPLE_SMALL people, one edition, built once and shared with the
folder-against-DuckDB comparison), edited step by step; each step's build starts from
the one before (the two data changes are runs, not builds: the test's docstring says
why). (The column changes were a test of their own, on a second copy with a
build of its own for the column no run reads: that build is now the display-only
edits' build, which must reuse every run too.) The build times are printed (``-s``)
for the reproducibility page's figures.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pyarrow.parquet as pq
import pytest
from project_copy import ProjectRoot, commit_all

from lifetools.errors import DisclosureError
from lifetools.pipeline.build import build_series, run_analyses
from lifetools.pipeline.layout import site_dir
from lifetools.pipeline.provenance import sha256_file
from lifetools.pipeline.status import build_status

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


def statuses(built) -> dict[str, str]:
    """Each analysis's status in a build's summary or a list of run outcomes."""
    return {o.spec.analysis: o.status for o in getattr(built, "outcomes", built)}


def _reverse_column(path: Path, column: str) -> None:
    """Write ``path`` again with ``column``'s values in reverse row order (every value
    stays one the dictionary allows; the other columns are untouched)."""
    table = pq.read_table(path)
    values = table.column(column)
    reversed_ = values.take(list(range(len(values) - 1, -1, -1)))
    assert not reversed_.equals(values), column  # the change is real
    pq.write_table(table.set_column(table.column_names.index(column), column, reversed_),
                   path)


def test_build_markdown_edit_rerenders_code_edit_reruns_data_change_reruns_its_readers(
        small_build, tmp_path, no_pdfs):
    """A markdown-only edit re-renders its page without executing (a machine path in it
    is refused first); a code edit reruns its notebook (the two edits, in two
    notebooks, are published by one build: each notebook's status is asserted, and
    every other run must be reused); display-only edits (the book's text, the glossary)
    together with a changed column no run reads execute nothing and keep every result
    file; a change in one table reruns only the runs that read it; a change in one
    column reruns only the run that read that column. Its two builds print no PDF
    (``no_pdfs``: what they rerun and publish does not depend on printing). The two
    data changes are run as ``lifetools run`` runs them (``run_analyses``: the same
    plan and cache as a build's runs), without the book: what they assert is which
    runs execute and what they write, and the book after runs that executed is built
    by this test's code edit and by the PostgreSQL and Spark builds (tests/engines),
    each a whole-edition rerun on changed data (wave 52: the test took 88.0 s of CPU
    with the two books, 54.4 s without, measured side by side)."""
    root = tmp_path / "project"
    shutil.copytree(small_build["root"], root, symlinks=True)
    first = small_build["summary"]
    reworded = root / "analyses" / "03_re_referral.ipynb"
    original = reworded.read_text()
    with ProjectRoot(root):
        edition = first.outcomes[0].spec.edition
        files = result_files(root)
        read = {o.spec.analysis: o.record["read_columns"] for o in first.outcomes}

        def readers(table: str, column: str) -> set[str]:
            return {a for a, r in read.items()
                    if column in r.get(table, []) or "*" in r.get(table, [])}

        # markdown is gated even when nothing executes: a machine path is refused
        add_cell(reworded, {"cell_type": "markdown", "metadata": {},
                            "source": "Read from /home/analyst/extract.csv."})
        commit_all(root, "a path in the narrative")
        with pytest.raises(DisclosureError, match="03_re_referral"):
            build_series(jobs=2)

        # one build publishes a markdown-only edit of one notebook and a code edit of
        # another (they were two builds, each rebuilding the book): the first is
        # re-rendered, the second re-executed, every other run reused. (A code edit of
        # a notebook re-rendered before is re-executed: tests/unit/
        # test_pipeline_narrative.py, test_runner_markdown_edit_rerenders_...)
        reworded.write_text(original)
        add_cell(reworded, {"cell_type": "markdown", "metadata": {},
                            "source": "A sentence added after publication."})
        add_cell(root / "analyses" / "05_wellbeing.ipynb",
                 {"cell_type": "code", "metadata": {}, "outputs": [],
                  "execution_count": None, "source": "_ = 1"})
        commit_all(root, "reword the re-referral report; a code edit of the wellbeing one")
        words = build_series(jobs=2)
        done = statuses(words)
        assert done.pop("re_referral") == "rerendered"
        assert done.pop("wellbeing") == "ran"
        assert set(done.values()) == {"reused"}
        assert result_files(root) == files
        page = (site_dir() / "editions" / edition / "re_referral.html").read_text()
        assert "A sentence added after publication." in page
        assert "extract.csv" not in page

        # display only: the book's text and the glossary rebuild pages, execute
        # nothing; nor does a column no run reads (reads are recorded per column)
        glossary = root / "GLOSSARY.md"
        glossary.write_text(glossary.read_text() + "\nZebra term\n: Added to the glossary.\n")
        howto = root / "book" / "howto" / "index.md"
        howto.write_text(howto.read_text() + "\nA line added to the how-to guides.\n")
        # display text of the series (a key result's measure in analyses.yml): was
        # never published (stale pages, exit 0)
        series_yml = root / "analyses" / "analyses.yml"
        old_measure = "measure: The mean change in wellbeing score"
        assert old_measure in series_yml.read_text()
        series_yml.write_text(series_yml.read_text().replace(
            old_measure, "measure: The average change in wellbeing score"))
        commit_all(root, "display-only edits")
        unread_column = tmp_path / "unread-column"
        shutil.copytree(first.outcomes[0].spec.data_dir, unread_column)
        assert not readers("deprivation", "population"), read
        _reverse_column(unread_column / "deprivation.parquet", "population")
        status = {s.label.split("/")[-1]: s for s in build_status(data_dir=unread_column)}
        assert {s.state for s in status.values()} == {"reuse"}
        assert ("column population of table deprivation changed, not read by this run"
                in status["cohort_description"].reasons)
        display = build_series(jobs=2, data_dir=unread_column)
        assert set(statuses(display).values()) == {"reused"}
        assert result_files(root) == files
        pages = "".join(p.read_text() for p in site_dir().rglob("*.html"))
        assert "Added to the glossary." in pages
        assert "A line added to the how-to guides." in pages
        assert "average change in wellbeing score" in pages.lower()
        assert "the mean change in wellbeing score" not in pages.lower()

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
        clock = time.monotonic()
        data = run_analyses(jobs=2, data_dir=extract)
        data_seconds = time.monotonic() - clock
        assert statuses(data) == {a: "ran" if some[0] in r else "reused"
                                  for a, r in reads.items()}
        unread = [o for o in data if o.status == "reused"]
        assert all(o.record["data_fingerprint"] == data[0].spec.data_fingerprint
                   for o in unread)

        # a column one report reads reruns that one; the others' files stay the same
        files = result_files(root)
        assert len(readers("feedback", "fft_response")) == 1, read
        (reader,) = readers("feedback", "fft_response")
        _reverse_column(extract / "feedback.parquet", "fft_response")
        status = {s.label.split("/")[-1]: s for s in build_status(data_dir=extract)}
        assert status[reader].state == "rerun"
        assert status[reader].reasons == (
            "column fft_response of table feedback changed (the run read it)",)
        clock = time.monotonic()
        one = run_analyses(jobs=2, data_dir=extract)
        one_seconds = time.monotonic() - clock
        assert statuses(one) == {a: "ran" if a == reader else "reused" for a in read}
        others = {k: v for k, v in files.items() if f"/{reader}/" not in f"/{k}"}
        assert {k: v for k, v in result_files(root).items() if k in others} == others
    print(f"\nrebuild after a markdown-only edit and a code edit: {words.seconds:.1f} s "
          f"(runs {words.timings['runs']:.1f} s); display-only and an unread column: "
          f"{display.seconds:.1f} s (runs {display.timings['runs']:.1f} s); table "
          f"{some[0]} changed: runs {data_seconds:.1f} s; a column of {reader} changed: runs "
          f"{one_seconds:.1f} s; first build {first.seconds:.1f} s; reads {reads}")
