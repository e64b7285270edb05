"""The architecture contracts (import-linter, ``[tool.importlinter]`` in pyproject.toml).

The contracts are checked over the real package, and a copy of the package with one
deliberately wrong import shows that each kind of contract can fail. The import graph
(grimp's, which import-linter reads: imports inside functions count) has no cycle
between modules.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT), "--config", str(ROOT / "pyproject.toml"),
                           "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=300)


def test_library_contract_lists_every_library_module():
    """A new library module is covered by the contract (the list is exhaustive)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = set(next(c for c in contracts["contracts"]
                      if c["id"] == "library-does-not-import-pipeline")["source_modules"])
    package = ROOT / "src" / "lifetools"
    present = {f"lifetools.{p.stem}" for p in package.iterdir()
               if (p.suffix == ".py" and p.stem not in {"__init__", "__main__"})
               or (p.is_dir() and (p / "__init__.py").exists())}
    assert present - {"lifetools.pipeline"} == listed


def test_cli_contract_lists_every_pipeline_module():
    """A new pipeline module is covered by the 'nothing imports the CLI' contract."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = set(next(c for c in contracts["contracts"]
                      if c["id"] == "cli-is-the-top")["source_modules"])
    package = ROOT / "src" / "lifetools" / "pipeline"
    present = {f"lifetools.pipeline.{p.stem}" for p in package.iterdir()
               if (p.suffix == ".py" and p.stem != "__init__")
               or (p.is_dir() and (p / "__init__.py").exists())}
    assert present - {"lifetools.pipeline.cli"} == listed


def test_load_path_contract_lists_every_load_path_module():
    """The contract keeping the renderer off the load path covers every module whose
    source keys the typed cache (``typed_cache.CODE_MODULES``)."""
    from lifetools.typed_cache import CODE_MODULES

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = set(next(c for c in contracts["contracts"]
                      if c["id"] == "load-path-does-not-render")["source_modules"])
    assert set(CODE_MODULES) <= listed
    assert {"lifetools.validation", "lifetools.validation_rules",
            "lifetools.engines.checks"} <= listed


def import_cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Every module-level import cycle of ``graph``: for each import A -> B from which a
    chain of imports leads back to A, the shortest loop, from its first module by name."""
    loops = set()
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:  # imported ... importer: a loop
                first = back.index(min(back))
                loops.add(back[first:] + back[:first])
    return sorted(loops)


def test_package_has_no_import_cycle():
    """No module imports, directly or through others, a module that imports it: at
    module level, counting imports inside functions (grimp reads every import
    statement), not only the package-level contract ``no-import-cycles``."""
    graph = grimp.build_graph("lifetools", cache_dir=None)
    assert import_cycles(graph) == []


def test_import_cycles_sees_an_import_inside_a_function(tmp_path):
    """The check above bites: on a copy of the package with one import added inside a
    function (``src/lifetools`` has none left), the graph holds it and the loop it
    closes is reported as a cycle."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "lifetools", src / "lifetools",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = src / "lifetools" / "reads_merge.py"
    target.write_text(target.read_text()
                      + "\n\ndef later():\n    import lifetools.reads  # deliberately wrong\n")
    script = (
        "import grimp, importlib.util, sys\n"
        "from test_architecture import import_cycles\n"
        # the copy is the package found (located, not imported: importing lifetools
        # cost ~3 s of CPU; grimp reads the files)
        "origin = importlib.util.find_spec('lifetools').origin\n"
        "assert origin.startswith(sys.argv[1]), origin\n"
        "graph = grimp.build_graph('lifetools', cache_dir=None)\n"
        "print(graph.get_import_details(importer='lifetools.reads_merge',\n"
        "                               imported='lifetools.reads')[0]['line_contents'])\n"
        "print(import_cycles(graph))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(Path(__file__).parent)])}
    done = subprocess.run([sys.executable, "-c", script, str(src)], env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "import lifetools.reads  # deliberately wrong",
        "[('lifetools.reads', 'lifetools.reads_merge')]"]


def test_contracts_hold_on_the_package():
    done = _lint(ROOT / "src", ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


# one wrong import in `make check` (each runs lint-imports in a real process); every
# contract's own in the slow tier (test tiers: DEVELOPERS.md)
@pytest.mark.parametrize(("module", "line", "contract"), [
    ("survival/cox.py", "import lifetools.pipeline.build", "never imports the publishing"),
    *(pytest.param(*case, marks=pytest.mark.slow) for case in [
        ("reports/reach.py", "import lifetools.synthetic", "never import the synthetic"),
        ("reports/wellbeing.py", "import lifetools.reports.emergency", "Each report stands"),
        ("regression/counts.py", "import lifetools.tables", "never display or publish"),
        ("prediction/model.py", "import lifetools.plots", "never display or publish"),
        ("prediction/validation.py", "import lifetools.pipeline.gate", "never imports the publishing"),
        ("pipeline/build.py", "import lifetools.pipeline.cli", "Nothing imports the command"),
        ("dictionary.py", "import lifetools.pipeline.dictionary_pages", "never renders pages"),
        ("loading.py", "import lifetools.signs", "never renders pages"),
        ("validation.py", "import lifetools.formatting", "never renders pages"),
        ("pipeline/gate/files.py", "import lifetools.pipeline.gate.outputs",
         "The gate's layers"),
        ("reads_merge.py", "def later():\n    import lifetools.reads", "No import cycle"),
        ("table_files.py", "import lifetools.loading", "The data's layers"),
        ("folder_scan.py", "import lifetools.typed_reads", "The data's layers"),
        ("publication.py", "def later():\n    import lifetools.plots.theme", "No import cycle"),
        ("disclosure/settings.py", "def later():\n    import lifetools.prediction.penalised",
         "No import cycle"),
        ("disclosure/profiles.py", "import lifetools.disclosure.text", "Disclosure's layers"),
        ("drawing.py", "import lifetools.publication", "Figures' layers"),
        ("figure_style.py", "import lifetools.plots.theme", "Figures' layers"),
    ]),
])
def test_contracts_fail_on_a_wrong_import(tmp_path, module, line, contract):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "lifetools", src / "lifetools",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = src / "lifetools" / module
    target.write_text(target.read_text() + f"\n{line}  # deliberately wrong\n")
    done = _lint(src, tmp_path)
    assert done.returncode == 1, done.stdout
    broken = [ln for ln in done.stdout.splitlines()  # "BROKEN (2 ignored imports)" too
              if ln.endswith("BROKEN") or " BROKEN (" in ln]
    # the wrong import breaks its own contract (and, through indirect imports, maybe more)
    assert any(contract in ln for ln in broken), done.stdout
