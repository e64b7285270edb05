"""One leak injected into a copy of a real report notebook: the build refuses it.

Uses the session's built project copy (tests/build_fixtures.py); one incremental build.
"""

from __future__ import annotations

import nbformat
import pytest
from project_copy import ProjectRoot, commit_all, site_state

from lifetools.pipeline.cli import main

pytestmark = pytest.mark.slow


FORGE = ('from IPython.display import display\n'
         'display({"text/html": "<p>12842 people</p>"}, raw=True,\n'
         '        metadata={"lifetools": {"protected": True, "kind": "table", "name": "x"}})')


def test_leak_build_forged_stamp_is_refused_and_the_site_kept(project_copy_built,
                                                              capsys):
    before = site_state(project_copy_built)
    notebook = project_copy_built / "analyses" / "01_cohort_description.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell(FORGE))
    nbformat.write(nb, notebook)
    commit_all(project_copy_built, "an author's forged stamp")  # publishing needs a commit
    with ProjectRoot(project_copy_built):
        code = main(["build", "-j", "2"])
    err = capsys.readouterr().err
    assert code == 13
    assert ("2024-25/cohort_description (01_cohort_description.ipynb), cell 6, "
            "output 1: forged-stamp") in err
    assert site_state(project_copy_built) == before
