"""The hostile corpus: broken copies of one small synthetic extract, made once a session.

``extract`` is ``lifetools synth --people 1500 --seed 777`` (through the library
function behind it). Every case copies it into its own ``tmp_path`` (``data/`` the
analysis layer with its ``datapackage.json``, ``raw/`` the layer with NHS numbers),
breaks one thing, runs the command with the current folder set to ``tmp_path`` (so no
machine path is passed in), and checks :func:`assert_clean`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest

from lifetools.synthetic import write_synthetic

TRACEBACK = "Traceback (most recent call last)"
MACHINE_PATH = re.compile(r"(?<![\w.])/(tmp|home|root|work|Users|var|private)/")
IDENTIFIER = re.compile(r"\d{3}[ -]?\d{3}[ -]?\d{4}|[0-9a-f]{64}")


@pytest.fixture(scope="session")
def extract(tmp_path_factory) -> Path:
    """The clean synthetic extract (analysis layer + ``raw/``), read-only for cases."""
    folder = tmp_path_factory.mktemp("hostile-extract")
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


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: type, size and content hash (pipes never opened)."""
    state = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(root) / name
            info = os.lstat(path)
            digest = ""
            if stat.S_ISREG(info.st_mode) and info.st_size < 64 << 20:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            state[str(path.relative_to(folder))] = (stat.S_IFMT(info.st_mode),
                                                    info.st_size, digest)
    return state


def assert_clean(texts: list[str], identifiers: set[str], planted: tuple[str, ...] = ()):
    """No traceback, no identifier, no planted value and no machine path in any text."""
    for text in texts:
        assert TRACEBACK not in text, text[-2000:]
        assert not MACHINE_PATH.search(text), MACHINE_PATH.search(text).group(0)
        found = set(IDENTIFIER.findall(text))
        assert not found, "identifier-shaped value echoed"
        assert not (identifiers & set(re.findall(r"[0-9a-f]{64}|\d{10}", text)))
        for value in planted:
            assert value not in text, "planted value echoed"
        assert len(text) < 20_000, "output not bounded"
