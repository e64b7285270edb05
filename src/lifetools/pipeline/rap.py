"""The Reproducible Analytical Pipeline (RAP) level, computed from the repository.

The UK Government's RAP guidance (and the NHS RAP community of practice's levels)
grades a pipeline baseline, silver or gold. Each criterion that can be checked from the
repository is checked here, with the evidence found; the others are listed as not
checkable and never counted as met. The level reached is the highest whose checkable
criteria all pass, every lower level passing too. ``lifetools rap`` prints the table
(``--require LEVEL`` fails below it, for CI), and the site shows it on its "RAP level"
page.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lifetools import config
from lifetools.pipeline import provenance
from lifetools.pipeline.syntax import parse

__all__ = ["LEVELS", "Criterion", "assess", "level_reached", "markdown"]

LEVELS = ("baseline", "silver", "gold")


@dataclass(frozen=True)
class Criterion:
    """One RAP criterion: its level, what it asks, whether it is met, the evidence."""

    level: str
    name: str
    met: bool | None  # None: cannot be checked from the repository
    evidence: str


def _exists(root: Path, *names: str) -> list[str]:
    return [n for n in names if (root / n).exists()]


def _version_control(root: Path) -> tuple[bool, str]:
    version = provenance.code_version(root)
    if not version.get("commit"):
        return False, "not a git repository with a commit"
    return True, "git repository with commits"


def _published_from_versioned_code(root: Path) -> tuple[bool, str]:
    changed = provenance.changed_files(root)
    if changed is None:
        return False, "not a git work tree"
    build = root / "src" / "lifetools" / "pipeline" / "integrity.py"
    if not build.exists() or "def check_versioned" not in build.read_text():
        return False, "no check that publishing uses committed code"
    return True, ("`lifetools build` refuses uncommitted tracked inputs and a commit on "
                  "no branch or tag (pipeline/integrity.py)")


def _docstrings(root: Path) -> tuple[bool, str]:
    public, missing = 0, []
    for path in sorted((root / "src").rglob("*.py")):
        tree = parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) \
                    and not node.name.startswith("_"):
                public += 1
                if ast.get_docstring(node) is None:
                    missing.append(f"{path.relative_to(root)}:{node.name}")
    if not public:
        return False, "no package source under src/"
    without = f"; without: {', '.join(missing[:5])}" if missing else ""
    return not missing, (f"{public - len(missing)} of {public} public functions and "
                         f"classes have docstrings{without}")


def _tests(root: Path) -> tuple[bool, str]:
    files = sorted((root / "tests").rglob("test_*.py")) if (root / "tests").is_dir() else []
    kinds = sorted({p.parent.name for p in files})
    return bool(files), f"{len(files)} test files ({', '.join(kinds)})"


def _locked(root: Path) -> tuple[bool, str]:
    lock = root / "requirements.lock"
    if not lock.exists():
        return False, "no requirements.lock"
    lines = [ln for ln in lock.read_text().splitlines() if ln and not ln.startswith("#")]
    pinned = [ln for ln in lines if re.match(r"^[A-Za-z0-9_.\-\[\]]+==\S+", ln)]
    return len(pinned) == len(lines) > 0, f"{len(pinned)} of {len(lines)} pinned exactly"


def _packaged(root: Path) -> tuple[bool, str]:
    text = (root / "pyproject.toml").read_text() if (root / "pyproject.toml").exists() \
        else ""
    ok = "[project]" in text and "[project.scripts]" in text
    return ok, ("pyproject.toml: a package with a command-line entry point" if ok
                else "no [project] with [project.scripts] in pyproject.toml")


def _ci(root: Path) -> tuple[bool, str]:
    found = _exists(root, ".ci/run", ".github/workflows", ".gitlab-ci.yml")
    return bool(found), ", ".join(found) or "no CI configuration"


def _reproducible_build(root: Path) -> tuple[bool, str]:
    test = root / "tests" / "functional" / "test_integrity.py"
    name = "test_build_two_clean_builds_byte_identical_and_from_a_duckdb_file_same_results"
    ok = test.exists() and name in test.read_text()
    return ok, (f"{test.relative_to(root)}::{name}" if ok
                else "no test comparing two clean builds")


def _file(*names: str) -> Callable[[Path], tuple[bool, str]]:
    def check(root: Path) -> tuple[bool, str]:
        found = _exists(root, *names)
        return bool(found), ", ".join(found) or f"none of {', '.join(names)}"
    return check


def _not_checkable(why: str) -> Callable[[Path], tuple[None, str]]:
    return lambda _root: (None, why)


CRITERIA: tuple[tuple[str, str, Callable[[Path], tuple[bool | None, str]]], ...] = (
    ("baseline", "Outputs produced by code in an open-source language",
     _file("pyproject.toml")),
    ("baseline", "Code is version controlled", _version_control),
    ("baseline", "Repository includes a README", _file("README.md")),
    ("baseline", "Code is peer reviewed",
     _not_checkable("a review happens outside the repository (pull requests)")),
    ("baseline", "Outputs published from versioned code", _published_from_versioned_code),
    ("silver", "Code is well documented (docstrings)", _docstrings),
    ("silver", "Reusable functions in a package (notebooks stay thin)",
     _file("src/lifetools/__init__.py", "tests/notebooks/test_thin_notebooks.py")),
    ("silver", "Code follows agreed standards (linter configured)",
     lambda root: (("[tool.ruff" in (root / "pyproject.toml").read_text()),
                   "ruff configured in pyproject.toml")
     if (root / "pyproject.toml").exists() else (False, "no pyproject.toml")),
    ("silver", "Pipeline includes a testing framework", _tests),
    ("silver", "Dependencies recorded with exact versions", _locked),
    ("silver", "Changes signposted (changelog)", _file("CHANGELOG.md")),
    ("gold", "Code is fully packaged", _packaged),
    ("gold", "Tests run automatically in continuous integration", _ci),
    ("gold", "Build is reproducible byte for byte", _reproducible_build),
    ("gold", "Runs are triggered by events (new data)",
     _not_checkable("a scheduler or trigger lives outside the repository")),
)


def assess(root: Path | None = None) -> list[Criterion]:
    """Check every RAP criterion that the repository at ``root`` can show.

    Notes
    -----
    Criteria from the UK Government RAP guidance and the NHS RAP community of
    practice's baseline, silver and gold levels; tested by ``tests/unit/test_rap.py``.
    """
    root = root or config.project_root()
    found = []
    for level, name, check in CRITERIA:
        met, evidence = check(root)
        found.append(Criterion(level, name, met, evidence))
    return found


def level_reached(criteria: Sequence[Criterion]) -> str | None:
    """The highest level whose checkable criteria (and every lower level's) all pass."""
    reached = None
    for level in LEVELS:
        if any(c.met is False for c in criteria if c.level == level):
            break
        reached = level
    return reached


_PATH = re.compile(r"(?<![\w`])(?:\.?[\w.-]+/)*[\w.-]*\w\.(?:py|toml|md|lock|yml|yaml|cff)"
                   r"(?:::\w+)?(?![\w`])|(?<![\w`])\.?[\w-]+(?:/[\w.-]+)+")
"""A file or folder the evidence names ("src/lifetools/__init__.py", ".ci/run")."""


def _evidence(text: str) -> str:
    """A criterion's evidence as Markdown: each path as code, the words between escaped.

    A path written bare is read as Markdown: "src/lifetools/__init__.py" showed a bold
    "init", and a function name with underscores could turn to italics.
    """
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2:  # written as code already ("`lifetools build`")
            out.append(part)
            continue
        at = 0
        for found in _PATH.finditer(part):
            out += [re.sub(r"([\\`*_|<\[\]])", r"\\\1", part[at:found.start()]),
                    f"`{found.group(0)}`"]
            at = found.end()
        out.append(re.sub(r"([\\`*_|<\[\]])", r"\\\1", part[at:]))
    return "".join(out)


def markdown(criteria: Sequence[Criterion]) -> str:
    """The site's "RAP level" page: the level reached and every criterion's evidence."""
    level = level_reached(criteria)
    mark = {True: "met", False: "**not met**", None: "not checkable here"}
    rows = [f"| {c.level} | {c.name} | {mark[c.met]} | {_evidence(c.evidence)} |"
            for c in criteria]
    return "\n".join([
        "# RAP level", "",
        f"This series reaches the **{level or 'none'}** level of a Reproducible "
        "Analytical Pipeline, computed from the repository at build time (not claimed). "
        "Criteria that cannot be checked from the repository are shown and not counted.",
        "", "| Level | Criterion | Result | Evidence |", "|---|---|---|---|", *rows, ""])
