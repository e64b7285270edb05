"""What a run depends on: the inputs of the run cache, and why a run reruns.

A run is reused only when every input it depends on is unchanged (:func:`run_inputs`):
the notebook's code cells (its markdown is the narrative,
re-rendered without execution: :mod:`lifetools.pipeline.narrative`), its parameters, the data fingerprint (tables and dictionary), the lock
file, the installed statistical stack, and the source of the lifetools modules the
notebook actually reaches (:func:`code_dependencies`), not the whole package: editing
``reports/reach.py`` reruns the reach notebook only; editing a disclosure module every
notebook uses reruns them all. :func:`rerun_reasons` names what changed.

The data count only through the tables and columns a run read, recorded at run time
(:mod:`lifetools.reads`; the record's ``reads`` and ``read_columns``) and the data
dictionary: once a run has run, a change in a table it did not touch, or in a column of
a table it did not read, does not rerun it (:func:`inputs_key`). Each column counts by
its fingerprint (:func:`lifetools.fingerprint.table_columns`, computed once per
extract); a table the run touched counts by its rows and column names too; a table
read whole (``*``) counts by the table's hash (and, for a DuckDB file or a server,
the fingerprint of the whole table in row order). Column fingerprints come from the
files of a folder, or are computed in the engine for a DuckDB file or a server
(:mod:`lifetools.engines.column_keys`).

The modules a notebook reaches are found statically. Each ``lt.a.b...`` chain in its
code cells is resolved through the package ``__init__`` files that re-export it to the
module defining the name; that module counts whole, with every lifetools module it
imports (at top level or inside a function, absolute or relative), transitively. A
package ``__init__`` passed through counts as a file (it decides what a name means),
not the siblings it also re-exports. The runner (which writes every run's notebook)
counts for every run. A module with import-time effects (a top-level statement other
than imports, definitions and assignments to names) counts for every run too; the
library has one, :mod:`lifetools.disclosure.copies`, which wraps pandas' combinations
when imported (``tests/unit/test_dependencies.py``).
"""

from __future__ import annotations

import ast
import functools
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifetools.fingerprint import digest, sha256_file
from lifetools.pipeline import layout, narrative
from lifetools.pipeline.data_key import (
    COLUMNS,
    DICTIONARY,
    READ_COLUMNS,
    READS,
    TABLES,
    read_changes,
    read_part,
    table_hashes,
    unread_changes,
)
from lifetools.pipeline.provenance import package_versions
from lifetools.pipeline.syntax import parse

__all__ = ["COLUMNS", "FORCED", "GENERATOR", "NARRATIVE", "PARAMETER_WORDS", "READ_COLUMNS",
           "ModuleIndex", "code_dependencies",
           "effect_modules", "generator_dependencies", "inputs_key",
           "installed_versions",
           "notebook_roots", "previous_record", "record_key", "rerender_reason",
           "rerun_reasons", "run_inputs", "table_hashes", "unread_changes"]

PACKAGE = "lifetools"
#: Modules every run depends on: the runner writes (tidies, seals) every run's notebook.
ALWAYS = ("lifetools.pipeline.runner",)
#: Run as a script only, never imported by a kernel.
NOT_IMPORTED = frozenset({"lifetools.__main__"})

#: Why a run whose inputs are unchanged ran again.
FORCED = "rerun on request (--force): its inputs are unchanged"

#: The synthetic data generator's entry point: what it reaches decides the data.
GENERATOR: tuple[str, str] = ("lifetools.synthetic", "write_synthetic")

#: The input that is not part of the cache key: markdown changes re-render, never rerun.
NARRATIVE = "narrative"

#: The input holding the phrases that name a run's parameters in prose (``words:`` in
#: ``analyses.yml``): the runner records them in the notebook, where the publish gate
#: reads them again, so a change reruns the analysis (left out when it declares none).
PARAMETER_WORDS = "parameter_words"

Target = tuple[str, str | None]  # (module, dotted name in it), or (module, None): all of it


@dataclass(frozen=True)
class _Module:
    name: str
    relative: str
    sha256: str
    package: bool
    bindings: Mapping[str, Target]
    defined: frozenset[str]
    imports: tuple[Target, ...]
    effects: bool


def _absolute(module: str, package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    parts = module.split(".")
    base = parts if package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def _effect_free(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef
                  | ast.AsyncFunctionDef | ast.ClassDef):
        return True
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, ast.If):  # `if __name__ == "__main__":` runs only as a script
        return "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test)
    if isinstance(node, ast.Assign):
        return all(isinstance(t, ast.Name | ast.Tuple) for t in node.targets)
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return isinstance(node.target, ast.Name)
    return False


#: The fields of a node that hold statements (an import is a statement, never inside an
#: expression): ``body``, ``orelse``, ``finalbody``, and the handlers and cases that hold
#: bodies of their own.
_STATEMENT_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})


def _statements(tree: ast.Module) -> Iterator[ast.AST]:
    """The statements of ``tree`` (with the ``except`` handlers and ``case`` clauses that
    hold them) in the order :func:`ast.walk` meets them, breadth first, without visiting
    the expressions (7% of the nodes of lifetools' modules: ``ModuleIndex`` 1.33 -> 0.70 s
    of CPU, wave 47)."""
    todo = deque([tree])
    while todo:
        node = todo.popleft()
        for field in node._fields:  # in their order, as ast.walk takes them
            if field in _STATEMENT_FIELDS:
                todo.extend(getattr(node, field))
        if node is not tree:
            yield node


def _parse(name: str, relative: str, source: bytes, package: bool,
           submodules: set[str]) -> _Module:
    tree = parse(source)
    bindings: dict[str, Target] = {}
    imports: list[Target] = []
    body = {id(node) for node in tree.body}
    for node in _statements(tree):
        top = id(node) in body
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != PACKAGE:
                    continue
                imports.append((alias.name, None))
                if top:
                    local = alias.asname or alias.name.split(".")[0]
                    bindings[local] = (alias.name if alias.asname else PACKAGE, None)
        elif isinstance(node, ast.ImportFrom):
            source_module = _absolute(name, package, node.level, node.module)
            if source_module.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                full = f"{source_module}.{alias.name}"
                target: Target = ((full, None) if full in submodules
                                  else (source_module, alias.name))
                imports.append(target)
                if top:
                    bindings[alias.asname or alias.name] = target
    defined = {n.name for n in tree.body
               if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        defined |= {t.id for t in targets if isinstance(t, ast.Name)}
    return _Module(name, relative, "", package, bindings, frozenset(defined),
                   tuple(dict.fromkeys(imports)),
                   not all(_effect_free(n) for n in tree.body))


_HASHES: dict[Path, tuple[int, int, str, bytes]] = {}


def _read(path: Path) -> tuple[str, bytes]:
    """A file's SHA-256 and bytes, read again only when its size or mtime changed."""
    stat = path.stat()
    known = _HASHES.get(path)
    if known is None or known[:2] != (stat.st_mtime_ns, stat.st_size):
        known = (stat.st_mtime_ns, stat.st_size, sha256_file(path), path.read_bytes())
        _HASHES[path] = known
    return known[2], known[3]


@functools.lru_cache(maxsize=512)
def _parsed(name: str, relative: str, sha: str, source: bytes, package: bool,
            submodules: frozenset[str]) -> _Module:
    parsed = _parse(name, relative, source, package, set(submodules))
    return _Module(name, relative, sha, package, parsed.bindings, parsed.defined,
                   parsed.imports, parsed.effects)


class ModuleIndex:
    """Every module of a lifetools source tree, parsed for its imports and names.

    Parameters
    ----------
    package_dir
        The ``lifetools`` package folder; default: the one this process runs.
    """

    def __init__(self, package_dir: Path | None = None) -> None:
        self.package_dir = Path(package_dir or Path(__file__).resolve().parents[1])
        files = sorted(p for p in self.package_dir.rglob("*.py")
                       if "__pycache__" not in p.parts)
        names = {}
        for path in files:
            parts = path.relative_to(self.package_dir).with_suffix("").parts
            package = parts[-1] == "__init__"
            names[".".join([PACKAGE, *(parts[:-1] if package else parts)])] = (path,
                                                                               package)
        submodules = frozenset(names)
        self.modules: dict[str, _Module] = {}
        for name, (path, package) in names.items():
            sha, source = _read(path)
            relative = f"{PACKAGE}/{path.relative_to(self.package_dir).as_posix()}"
            self.modules[name] = _parsed(name, relative, sha, source, package, submodules)

    def effect_modules(self) -> list[str]:
        """Library modules with import-time effects (each counts for every run)."""
        return sorted(n for n, m in self.modules.items() if m.effects
                      and n not in NOT_IMPORTED and not n.startswith(f"{PACKAGE}.pipeline"))

    def closure(self, roots: Iterable[Target], *, runner: bool = True) -> set[str]:
        """The modules whose source decides what ``roots`` do (module names).

        ``runner``: count the runner too (it writes every run's notebook); False for
        code that runs outside a notebook (the synthetic generator).
        """
        found: set[str] = set()
        seen: set[Target] = set()
        always = ALWAYS if runner else ()
        todo = [*roots, *((m, None) for m in (*always, *self.effect_modules()))]
        while todo:
            item = todo.pop()
            if item in seen:
                continue
            seen.add(item)
            module, attr = item
            entry = self.modules.get(module)
            if entry is None:  # no such module in this tree (nothing to hash)
                continue
            head, _, rest = (attr or "").partition(".")
            if not head:
                found.add(module)
                todo += entry.imports
            elif f"{module}.{head}" in self.modules:
                found.add(module)  # the package file passed through
                todo.append((f"{module}.{head}", rest or None))
            elif head in entry.bindings and head not in entry.defined:
                found.add(module)
                bound, name = entry.bindings[head]
                todo.append((bound, ".".join(filter(None, (name, rest))) or None))
            else:  # defined here, or unknown: the whole module
                todo.append((module, None))
        return found

    def hashes(self, modules: Iterable[str]) -> dict[str, str]:
        """SHA-256 of each module's source, by path (``lifetools/reports/reach.py``)."""
        return {self.modules[m].relative: self.modules[m].sha256
                for m in sorted(modules, key=lambda m: self.modules[m].relative)}


def _chains(tree: ast.AST, names: Mapping[str, Target]) -> Iterable[tuple[str, list[str]]]:
    """Yield (bound name, attribute chain) for every use of a name bound to lifetools."""
    if isinstance(tree, ast.Attribute):
        parts, node = [], tree
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in names:
            yield node.id, parts[::-1]
            return
    if isinstance(tree, ast.Name) and tree.id in names:
        yield tree.id, []
        return
    for child in ast.iter_child_nodes(tree):
        yield from _chains(child, names)


def notebook_roots(notebook: Path, index: ModuleIndex) -> list[Target] | None:
    """What a notebook's code cells reach in lifetools (None: cannot tell, so all)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        code = ["".join(c.get("source", "")) if isinstance(c.get("source"), list)
                else c.get("source", "") for c in cells if c.get("cell_type") == "code"]
        trees = [parse("\n".join(line for line in text.splitlines()
                                     if not line.lstrip().startswith(("%", "!"))))
                 for text in code]
    except (OSError, ValueError, SyntaxError, AttributeError):
        return None
    names: dict[str, Target] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == PACKAGE:
                        names[alias.asname or PACKAGE] = (
                            alias.name if alias.asname else PACKAGE, None)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] \
                    == PACKAGE:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    names[alias.asname or alias.name] = (
                        (full, None) if full in index.modules else (node.module, alias.name))
    roots: list[Target] = []
    for tree in trees:
        for name, chain in _chains(tree, names):
            module, attr = names[name]
            roots.append((module, ".".join(filter(None, (attr, *chain))) or None))
    return roots


def code_dependencies(notebook: Path, index: ModuleIndex | None = None) -> dict[str, str]:
    """The lifetools source files a notebook's run depends on, with their SHA-256.

    Notes
    -----
    Static: see the module docstring for the rules. A notebook that cannot be parsed
    depends on the whole package. Tested by ``tests/unit/test_dependencies.py``.
    """
    index = index or ModuleIndex()
    roots = notebook_roots(notebook, index)
    if roots is None:
        return index.hashes(index.modules)
    return index.hashes(index.closure(roots))


def generator_dependencies(index: ModuleIndex | None = None) -> dict[str, str]:
    """The lifetools source files the synthetic generator reaches, with their SHA-256.

    Notes
    -----
    The static closure of :data:`GENERATOR` (the same rules as a notebook's, without
    the runner): the generator's modules and what they import (the dictionary reader,
    the linkage that pseudonymises the generated records). Tested by
    ``tests/unit/test_dependencies.py``.
    """
    index = index or ModuleIndex()
    return index.hashes(index.closure([GENERATOR], runner=False))


def effect_modules(index: ModuleIndex | None = None) -> list[str]:
    """Library modules with import-time effects (they count for every run)."""
    return (index or ModuleIndex()).effect_modules()


def run_inputs(*, notebook: Path, parameters: Mapping[str, Any], data_fingerprint: str,
               lock: str | None, packages: Mapping[str, str],
               index: ModuleIndex | None = None, tables: Mapping[str, str] | None = None,
               dictionary: str | None = None,
               columns: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything a run depends on; its digest (narrative left out) is the run's cache key.

    ``notebook`` digests the code cells and metadata only
    (:func:`lifetools.pipeline.narrative.code_digest`); ``narrative`` the markdown,
    which decides what the page says but not what the run computes. ``tables`` (table
    name to the SHA-256 of its file) and ``dictionary`` (the dictionary's digest) let
    the key cover only the tables the run read (:func:`inputs_key`); ``columns`` (per
    table: rows, names and column fingerprints) only the columns it read.
    """
    inputs = {"notebook": narrative.code_digest(notebook),
              NARRATIVE: narrative.narrative_digest(notebook),
              "parameters": dict(parameters), "data": data_fingerprint,
              "code": code_dependencies(notebook, index), "lock": lock,
              "packages": dict(packages)}
    if tables is not None:
        inputs[TABLES] = dict(tables)
        inputs[DICTIONARY] = dictionary
        if columns is not None:
            inputs[COLUMNS] = {t: dict(c) for t, c in columns.items()}
    return inputs


@functools.cache
def installed_versions() -> dict[str, str]:
    """The installed statistical stack, read once per process (it does not change under it)."""
    return package_versions()


def inputs_key(inputs: Mapping[str, Any], reads: Iterable[str] | None = None,
               columns: Mapping[str, Any] | None = None) -> str:
    """The cache key of a run: one digest over its inputs, the narrative left out.

    With ``reads`` (the tables the run read, recorded at run time) and per-table
    hashes in ``inputs``, the data count only through those tables and the dictionary:
    a change in a table the run did not read leaves the key unchanged. With
    ``columns`` too (table to the columns read, ``["*"]`` for all) and column
    fingerprints in ``inputs``, a table counts only through its rows, its column names
    and the columns read. Without ``reads`` (a run not yet executed, or a record that
    kept no reads) every table counts.
    """
    kept = {k: v for k, v in inputs.items() if k != NARRATIVE}
    if reads is not None and TABLES in kept:
        kept.pop(TABLES)
        kept.pop("data", None)
        kept.pop(COLUMNS, None)
        kept[TABLES] = {t: read_part(inputs, t, columns) for t in sorted(set(reads))}
    return digest(kept)


def record_key(record: Mapping[str, Any], inputs: Mapping[str, Any]) -> str:
    """The key ``inputs`` would have for a run that read what ``record``'s run read."""
    reads, columns = record.get(READS), record.get(READ_COLUMNS)
    return inputs_key(inputs, reads if isinstance(reads, list) else None,
                      columns if isinstance(columns, Mapping) else None)


def previous_record(run_dir: Path) -> dict[str, Any] | None:
    """The record of the last complete run in ``run_dir`` (None if there is none)."""
    folder = layout.RunFolder(run_dir)
    if not folder.complete():
        return None
    try:
        return json.loads(folder.record.read_text())
    except ValueError:
        return None


def rerender_reason(previous: Mapping[str, Any], inputs: Mapping[str, Any],
                    notebook_name: str = "the notebook") -> str | None:
    """Why a reusable run is re-rendered (its markdown changed), or None if it is not."""
    before = previous.get("inputs")
    if isinstance(before, Mapping) and before.get(NARRATIVE) == inputs.get(NARRATIVE):
        return None
    return f"re-rendered, not re-executed: the markdown of {notebook_name} changed"


def rerun_reasons(previous: Mapping[str, Any] | None, inputs: Mapping[str, Any],
                  notebook_name: str = "the notebook") -> list[str]:
    """Say what changed since the previous run's record (empty: nothing changed)."""
    if previous is None:
        return ["never run (no complete run folder)"]
    before = previous.get("inputs")
    if not isinstance(before, Mapping):
        return ["run by a lifetools that kept no record of its inputs"]
    reasons = []
    old, new = before.get("parameters", {}), inputs["parameters"]
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if changed:
        reasons.append(f"parameters changed ({', '.join(changed)})")
    if before.get("notebook") != inputs["notebook"]:
        reasons.append(f"notebook {notebook_name} changed")
    old, new = before.get(PARAMETER_WORDS, {}), inputs.get(PARAMETER_WORDS, {})
    reworded = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if reworded:
        reasons.append(f"the words naming parameters in prose changed ({', '.join(reworded)})")
    reads = previous.get(READS)
    if isinstance(reads, list) and TABLES in before and TABLES in inputs:
        if before.get(DICTIONARY) != inputs.get(DICTIONARY):
            reasons.append("data dictionary changed")
        reasons += read_changes(previous, before, inputs, reads)
    elif before.get("data") != inputs["data"]:
        reasons.append("input data or data dictionary changed")
    old, new = before.get("code", {}), inputs["code"]
    edited = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if edited:
        shown = ", ".join(edited[:5]) + (f" and {len(edited) - 5} more"
                                         if len(edited) > 5 else "")
        reasons.append(f"lifetools code it uses changed: {shown}")
    if before.get("lock") != inputs["lock"]:
        reasons.append("requirements.lock changed")
    old, new = before.get("packages", {}), inputs["packages"]
    reasons += [f"package {k} {old.get(k, 'absent')} -> {new.get(k, 'absent')}"
                for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    return reasons
