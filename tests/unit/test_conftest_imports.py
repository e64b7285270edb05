"""No test module imports ``conftest`` by name: pytest imports every ``conftest.py`` as
a module named ``conftest`` (rootdir import mode), so ``from conftest import ...`` gets
whichever folder's conftest was imported last. ``pytest tests/engines/test_engine_server.py
tests/unit/test_cli.py`` failed at collection so, and a CI worker with an ImportError
(wave 51). Helpers shared by a folder's tests live in a module of their own name
(``tests/engines/engine_helpers.py``, ``tests/project_copy.py``); fixtures stay in the
conftest, which pytest finds without an import."""

from __future__ import annotations

import ast
from pathlib import Path

from source_trees import parse_file

ROOT = Path(__file__).resolve().parents[2]


def conftest_imports(path: Path) -> list[int]:
    """The lines of ``path`` importing a module named ``conftest`` (``import conftest``,
    ``from conftest import ...``, as the top level or inside a function)."""
    if "conftest" not in path.read_text(encoding="utf-8"):
        return []  # most files: not parsed
    lines = []
    for node in ast.walk(parse_file(path)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        if any(name == "conftest" or name.startswith("conftest.") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_module_imports_conftest_by_name():
    found = {str(path.relative_to(ROOT)): lines
             for folder in ("tests", "benchmarks")
             for path in sorted((ROOT / folder).rglob("*.py"))
             if (lines := conftest_imports(path))}
    assert found == {}


def test_conftest_imports_are_found(tmp_path):
    """The scan finds each form, at the top or in a function, and nothing else: a
    mention in words, a module whose name only contains the word, a relative import."""
    module = tmp_path / "module.py"
    module.write_text('"""Fixtures in ``conftest``; helpers in conftest_helpers."""\n'
                      "import os, conftest\n"
                      "from conftest import ANALYST_PASSWORD\n"
                      "import conftest_helpers\n"
                      "from conftest_helpers import x\n"
                      "from . import conftest\n"
                      "from .conftest import y\n"
                      "def test():\n"
                      "    from conftest import load_folder\n"
                      "    import conftest.sub as sub\n")
    assert sorted(conftest_imports(module)) == [2, 3, 9, 10]
    module.write_text('"""Fixtures in ``conftest``."""\nimport os\n')
    assert conftest_imports(module) == []
