"""Checks shared by the hostile corpus: no traceback, identifier or machine path in
what a command printed or wrote, and the input folder unchanged (a module of its own
name: ``from conftest import ...`` is ambiguous when several conftest files exist)."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

TRACEBACK = "Traceback (most recent call last)"
MACHINE_PATH = re.compile(r"(?<![\w.])/(tmp|home|root|work|Users|var|private)/")
IDENTIFIER = re.compile(r"\d{3}[ -]?\d{3}[ -]?\d{4}|[0-9a-f]{64}")


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
