"""Children (papermill, jupyter-book) run in their own process group and die with us."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from lifetools.pipeline.runner import kill_children, run_child


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose: read its state
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


WAIT = 300
"""Seconds a test waits for a child to start or die: a hang fails, a busy 2-core machine
does not (these tests observe order, never speed)."""
GRANDCHILD_SECONDS = 3 * WAIT
"""How long a grandchild lives unless killed: longer than any wait, so a wait that ends
sooner saw it killed."""


def _script(pidfile: Path) -> list[str]:
    # the child starts a grandchild that would outlive it, then waits for it
    return ["sh", "-c", f"sleep {GRANDCHILD_SECONDS} & echo $! > {pidfile}; wait"]


def _wait_for(path: Path) -> int:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError("the child never started")


def _dies(pid: int) -> bool:
    """Whether ``pid`` is dead within :data:`WAIT` seconds (a killed process is reaped
    a moment after its pipes close)."""
    deadline = time.monotonic() + WAIT
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_run_child_captures_output_and_return_code():
    done = run_child(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")


def test_run_child_runs_in_its_own_session():
    done = run_child(["sh", "-c", "ps -o sid= -p $$"])
    assert int(done.stdout) != os.getsid(0)


def test_run_child_timeout_kills_the_grandchild(tmp_path):
    pidfile = tmp_path / "pid"
    started = time.monotonic()
    done = run_child(_script(pidfile), timeout=1)
    assert time.monotonic() - started < GRANDCHILD_SECONDS  # not left to end by itself
    assert done.returncode != 0
    assert "timed out" in done.stderr
    assert _dies(_wait_for(pidfile))


def test_kill_children_on_interrupt_kills_the_whole_group(tmp_path):
    pidfile = tmp_path / "pid"
    result = {}
    thread = threading.Thread(target=lambda: result.update(done=run_child(_script(pidfile))))
    thread.start()
    grandchild = _wait_for(pidfile)
    assert _alive(grandchild)
    assert kill_children() == 1
    thread.join(timeout=WAIT)
    assert not thread.is_alive()
    assert result["done"].returncode != 0
    assert _dies(grandchild)


def _dead_pid() -> int:
    done = run_child(["sh", "-c", "echo $$"])
    return int(done.stdout)


def test_clean_stale_folders_removes_dead_runs_only(tmp_path, monkeypatch):
    from lifetools.pipeline.build import clean_stale_folders

    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path))
    dead, live = _dead_pid(), os.getpid()
    places = [tmp_path / "build" / "runs" / "2024-25", tmp_path / "build" / "adhoc" / "x",
              tmp_path / "public" / "editions", tmp_path / "public",
              tmp_path / "build" / "data"]
    for place in places:
        (place / f".thing.partial-{dead}").mkdir(parents=True)
        (place / f".thing.old-{live}").mkdir(parents=True)
    (tmp_path / "public" / f".site.new-{dead}").symlink_to("releases/none")
    removed = clean_stale_folders()
    assert len(removed) == len(places) + 1
    for place in places:
        assert not (place / f".thing.partial-{dead}").exists()
        assert (place / f".thing.old-{live}").exists()


def test_run_analyses_cleans_stale_folders_before_preparing_data(tmp_path, monkeypatch):
    from lifetools.pipeline import build

    stale = tmp_path / "build" / "runs" / "2024-25" / f".wellbeing.partial-{_dead_pid()}"
    stale.mkdir(parents=True)
    series = build.load_series(Path(__file__).resolve().parents[2] / "analyses" /
                               "analyses.yml")
    series.code_lists()  # read from the real dictionary before moving the project root
    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path))

    def stop(*_args, **_kwargs):
        raise RuntimeError("stop before the data")

    monkeypatch.setattr(build, "prepare_data", stop)
    with pytest.raises(RuntimeError, match="stop before the data"):
        build.run_analyses(analysis="wellbeing", series=series)
    assert not stale.exists()
