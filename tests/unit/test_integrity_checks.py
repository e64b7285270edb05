"""Publication integrity checks that need no build: the recorded commit is reachable."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from project_copy import GIT_ENV, ProjectRoot, commit_all

from lifetools.errors import UnreachableCommitError
from lifetools.pipeline.integrity import check_reachable


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV},
                          check=True, capture_output=True, text=True).stdout.strip()


def test_check_reachable_commit_on_a_branch_returns_its_refs(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    commit_all(tmp_path, "first")
    git(tmp_path, "tag", "2024-25")
    with ProjectRoot(tmp_path):
        assert check_reachable(git(tmp_path, "rev-parse", "HEAD")) == ["heads/main",
                                                                       "tags/2024-25"]


def test_check_reachable_commit_not_in_the_history_is_refused(tmp_path):
    commit_all(tmp_path, "first")
    with ProjectRoot(tmp_path), pytest.raises(UnreachableCommitError,
                                              match="not in the history") as caught:
        check_reachable("0" * 40, what="edition 2024-25's manifest")
    assert caught.value.exit_code == 20


def test_check_reachable_detached_commit_on_no_branch_is_refused(tmp_path):
    commit_all(tmp_path, "first")
    commit_all(tmp_path, "second")
    second = git(tmp_path, "rev-parse", "HEAD")
    git(tmp_path, "reset", "-q", "--hard", "HEAD~1")
    with ProjectRoot(tmp_path), pytest.raises(UnreachableCommitError,
                                              match="on no branch or tag"):
        check_reachable(second)
