"""Syntax trees of source files, parsed once per test process.

Several tests read the whole ``lifetools`` package for what its code says (the names a
module types, the rule ids it names, the level columns its calls pass, the packages it
imports): each parsed the ~200 modules again, about 0.5 s of CPU a time. A tree is kept
by its file's path, size and modification time, so a file changed or written by a test
is parsed afresh. The trees are shared: read them, never change them. A test that
parses the whole package is marked ``@pytest.mark.xdist_group("source_trees")``: the
tests of the group run on one worker, which parses the package once (about 1.6 s of CPU;
under ``-n 2`` each worker parsed it).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path


def parse_file(path: Path) -> ast.Module:
    """The syntax tree of the file at ``path`` (UTF-8), parsed once while unchanged."""
    stat = Path(path).stat()
    return _parsed(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _parsed(path: str, mtime_ns: int, size: int) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
