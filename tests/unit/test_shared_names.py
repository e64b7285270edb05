"""Facts the library and the pipeline share have one owner: the file names of a run
folder, an edition and the site (``lifetools.pipeline.layout``), the key results' file
(``lifetools.publication.RESULTS_FILE``) and the crisis-risk design sizes a text may
state (``lifetools.design_sizes``). A module that types one of the names again (rather
than importing it) fails here, so the owner and a copy cannot drift apart (issue 11).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from source_trees import parse_file

from lifetools import publication
from lifetools.pipeline import layout

PACKAGE = Path(publication.__file__).resolve().parent
OWNED = {
    layout.NOTEBOOK_NAME: "pipeline/layout.py", layout.RUN_RECORD: "pipeline/layout.py",
    layout.MANIFEST: "pipeline/layout.py", layout.CORRECTIONS: "pipeline/layout.py",
    layout.SITE_RECORD: "pipeline/layout.py", publication.RESULTS_FILE: "publication.py",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that document a module, class or function or
    follow an assignment (an attribute's docstring): prose, not a use of the name."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for stmt in body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                found.add(id(stmt.value))
    return found


def retyped_names(package: Path) -> list[tuple[str, int, str]]:
    """(module, line, name) of each owned name typed outside its owner."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = parse_file(path)
        prose = _docstrings(tree)
        module = path.relative_to(package).as_posix()
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value in OWNED and id(node) not in prose
                    and OWNED[node.value] != module):
                found.append((module, node.lineno, node.value))
    return found


@pytest.mark.xdist_group("source_trees")  # parses the package: see source_trees.py
def test_shared_file_names_typed_only_by_their_owner():
    assert retyped_names(PACKAGE) == []


def test_shared_file_names_retyped_copy_is_found(tmp_path):
    # the check can fail: the gate's site scan typing the manifest's name again
    copy = tmp_path / "lifetools"
    (copy / "pipeline" / "gate").mkdir(parents=True)
    (copy / "pipeline" / "gate" / "site.py").write_text(
        '"""Prose may name manifest.json."""\nSKIP = ("manifest.json", "results.json")\n')
    assert retyped_names(copy) == [("pipeline/gate/site.py", 2, "manifest.json"),
                                   ("pipeline/gate/site.py", 2, "results.json")]


@pytest.mark.parametrize("module", ["disclosure/settings.py", "reports/crisis_parts.py",
                                    "reports/tripod.py", "reports/crisis_models.py",
                                    "cohort/crisis.py", "reports/prediction.py"])
def test_crisis_design_sizes_not_typed_again(module):
    # the sizes disclosure.settings lets a text state are read from design_sizes, never
    # typed beside it: no bare 365 (horizon) or 14 (parameters) in these modules' code
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    prose = _docstrings(tree)
    typed = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant)
             and id(n) not in prose and type(n.value) is int and n.value in (365, 364, 14)]
    assert typed == []


#: The run's output folders (``publication.TABLES_FOLDER``, ``FIGURES_FOLDER``): the
#: library writes them, the book, the run record and the gate read them. Their names
#: are common words (a fingerprint's ``"tables"`` key is another fact), so only a name
#: used as a path is counted: joined with ``/`` or compared (``parts[0] == "tables"``).
RUN_FOLDERS = {publication.TABLES_FOLDER, publication.FIGURES_FOLDER}


def retyped_folders(package: Path) -> list[tuple[str, int, str]]:
    """(module, line, name) of each run-folder name typed as a path outside
    ``publication.py``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = path.relative_to(package).as_posix()
        if module == "publication.py":
            continue
        for node in ast.walk(parse_file(path)):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                operands = [node.left, node.right]
            elif isinstance(node, ast.Compare):
                # ``"tables" in fingerprint`` asks for a key, not a folder
                keys = all(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
                operands = [*([] if keys else [node.left]), *node.comparators]
                operands += [e for o in operands if isinstance(o, ast.Tuple | ast.List)
                             for t in o.elts for e in getattr(t, "elts", [t])]
            else:
                continue
            found += [(module, o.lineno, o.value) for o in operands
                      if isinstance(o, ast.Constant) and o.value in RUN_FOLDERS]
    return sorted(set(found))


@pytest.mark.xdist_group("source_trees")  # parses the package: see source_trees.py
def test_run_folder_names_typed_only_by_their_owner():
    assert retyped_folders(PACKAGE) == []


def test_run_folder_names_retyped_copy_is_found(tmp_path):
    # the check can fail: the book and the gate typing the folders again (as they did)
    copy = tmp_path / "lifetools"
    copy.mkdir()
    (copy / "book.py").write_text(
        'KEYS = {"tables": 1}\nif "tables" in KEYS:\n    pass\npath = files / "tables" / "flow.csv"\n'
        'if parts[0] == "figures" or parts in (("tables", NOTES),):\n    pass\n')
    assert retyped_folders(copy) == [("book.py", 4, "tables"), ("book.py", 5, "figures"),
                                     ("book.py", 5, "tables")]
