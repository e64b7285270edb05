"""The hostile corpus: broken copies of one small synthetic extract, made once a session.

``extract`` is ``lifetools synth --people 1500 --seed 777`` (through the library
function behind it). Every case copies it into its own ``tmp_path`` (``data/`` the
analysis layer with its ``datapackage.json``, ``raw/`` the layer with NHS numbers),
breaks one thing, runs the command with the current folder set to ``tmp_path`` (so no
machine path is passed in), and checks :func:`assert_clean`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hostile_support import (  # noqa: F401 - re-exported
    IDENTIFIER,
    MACHINE_PATH,
    TRACEBACK,
    assert_clean,
    snapshot,
)


@pytest.fixture(scope="session")
def extract(tmp_path_factory) -> Path:
    """The clean synthetic extract (analysis layer + ``raw/``), read-only for cases."""
    folder = tmp_path_factory.mktemp("hostile-extract")
    from lifetools.synthetic import write_synthetic  # late: coverage starts first

    write_synthetic(folder, people=1500, seed=777)
    return folder


@pytest.fixture(scope="session")
def identifiers(extract) -> set[str]:
    """Every NHS number and person id of the extract, for the never-echoed check."""
    raw = pd.read_parquet(extract / "raw" / "people.parquet")["nhs_number"]
    ids = pd.read_parquet(extract / "people.parquet")["person_id"]
    return set(raw) | set(ids)


@pytest.fixture
def data(extract, tmp_path, monkeypatch) -> Path:
    """A private copy of the analysis layer at ``tmp_path/data``; cwd is ``tmp_path``."""
    target = tmp_path / "data"
    target.mkdir()
    for path in extract.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    monkeypatch.chdir(tmp_path)
    return target


@pytest.fixture
def raw(extract, tmp_path, monkeypatch) -> Path:
    """A private copy of the raw layer (NHS numbers) at ``tmp_path/raw``."""
    target = tmp_path / "raw"
    shutil.copytree(extract / "raw", target)
    monkeypatch.chdir(tmp_path)
    return target
