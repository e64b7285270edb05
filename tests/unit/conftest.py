"""Fixtures shared by the unit tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def output(tmp_path, monkeypatch, request):
    """The folder a notebook's ``show_*`` calls write to (``LIFETOOLS_OUTPUT_DIR``).

    A plain temporary folder; a test module that sets ``OUTPUT_ANALYSIS`` gets a run's
    partial ``files`` folder of that analysis instead, as a build lays it out, with
    ``LIFETOOLS_ANALYSIS`` set.
    """
    analysis = getattr(request.module, "OUTPUT_ANALYSIS", None)
    folder = tmp_path if analysis is None else tmp_path / f".{analysis}.partial-123" / "files"
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(folder))
    if analysis is not None:
        monkeypatch.setenv("LIFETOOLS_ANALYSIS", analysis)
    return folder


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    """A 300-person synthetic extract's folder (its tables only), made once per module
    (the typed cache's and the mapped tables' tests). lifetools is imported here, not
    at the top: see DEVELOPERS.md on warnings and coverage."""
    from lifetools.synthetic import write_synthetic

    folder = tmp_path_factory.mktemp("extract") / "data"
    write_synthetic(folder, people=300, seed=3)
    shutil.rmtree(folder / "raw", ignore_errors=True)
    return folder
