"""The RAP level is computed from the repository, criterion by criterion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from project_copy import ProjectRoot, commit_all

from lifetools.errors import RapLevelError
from lifetools.pipeline import rap
from lifetools.pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_assess_this_repository_reaches_gold():
    criteria = rap.assess(ROOT)
    assert rap.level_reached(criteria) == "gold", [c for c in criteria if c.met is False]
    assert {c.level for c in criteria} == set(rap.LEVELS)


def test_assess_bare_repository_misses_baseline_naming_the_criteria(tmp_path):
    (tmp_path / "README.md").write_text("x")
    criteria = rap.assess(tmp_path)
    missed = {c.name for c in criteria if c.met is False}
    assert "Code is version controlled" in missed
    assert rap.level_reached(criteria) is None


@pytest.mark.slow  # a copy of the package committed by git: test tiers, DEVELOPERS.md
def test_assess_unpinned_lock_and_undocumented_function_miss_silver(tmp_path):
    for name in ("README.md", "pyproject.toml", "CHANGELOG.md"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "src", tmp_path / "src",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "src" / "lifetools" / "extra.py").write_text("def helper():\n    pass\n")
    (tmp_path / "requirements.lock").write_text("pandas>=2\nnumpy==2.1.0\n")
    commit_all(tmp_path, "a repository")
    criteria = {c.name: c for c in rap.assess(tmp_path)}
    assert rap.level_reached(list(criteria.values())) == "baseline"
    assert criteria["Dependencies recorded with exact versions"].evidence == \
        "1 of 2 pinned exactly"
    assert "src/lifetools/extra.py:helper" in \
        criteria["Code is well documented (docstrings)"].evidence


def test_level_reached_does_not_count_uncheckable_criteria():
    criteria = [rap.Criterion("baseline", "a", True, ""),
                rap.Criterion("baseline", "b", None, ""),
                rap.Criterion("silver", "c", False, ""),
                rap.Criterion("gold", "d", True, "")]
    assert rap.level_reached(criteria) == "baseline"
    assert "| silver | c | **not met** |" in rap.markdown(criteria)


def test_cli_rap_require_above_the_level_exits_21(tmp_path, capsys):
    (tmp_path / "README.md").write_text("x")
    with ProjectRoot(tmp_path):
        assert main(["rap", "--require", "baseline"]) == RapLevelError.exit_code == 21
    out, err = capsys.readouterr()
    assert "RAP level reached: none" in out
    assert "baseline is required" in err


def test_markdown_shows_evidence_paths_as_code_never_as_emphasis():
    # "src/lifetools/__init__.py" written bare rendered as a bold "init"
    from markdown_it import MarkdownIt

    criteria = [rap.Criterion("silver", "c", True,
                              "src/lifetools/__init__.py, tests/x/test_a.py"),
                rap.Criterion("silver", "d", False,
                              "without: src/a_b.py:__call__, my_func_name; `lifetools build`")]
    html = MarkdownIt("commonmark").enable("table").render(rap.markdown(criteria))
    html = html[html.index("<table>"):]  # the evidence (the level above is bold)
    assert "<code>src/lifetools/__init__.py</code>" in html
    assert "<code>lifetools build</code>" in html
    assert "<strong>" not in html.replace("<strong>not met</strong>", "")
    assert "<em>" not in html and "__call__" in html and "my_func_name" in html


def test_repository_tracks_no_symbolic_link_and_no_environment():
    # wave 33 committed `.venv` as a symbolic link to one machine's environment: the
    # ignore rule `.venv/` matches only a folder. A fresh clone's `make setup` then
    # failed ("Too many levels of symbolic links"), and checking the commit out over a
    # real `.venv` folder replaced it with the link. Nothing machine-specific is
    # tracked, and `.venv` is ignored whatever it is.
    import subprocess

    import pytest

    listed = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    entries = [line.split("\t", 1) for line in listed.stdout.splitlines()]
    assert [path for mode, path in entries if mode.startswith("120000")] == []
    assert [path for _, path in entries
            if path.split("/")[0] in (".venv", ".lock-venv", "build", "public")] == []
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", ".venv"],
                             cwd=ROOT, check=False)
    assert ignored.returncode == 0  # ".venv", file or folder, is ignored
