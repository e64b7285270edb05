"""The pipeline's parses are safe from several threads (CPython gh-106905)."""

from __future__ import annotations

import ast
import gc
import threading
from pathlib import Path

import pytest

from lifetools.pipeline import syntax

SOURCE = Path(syntax.__file__).with_name("dependencies.py").read_bytes()


def _parse_during_another_parse(parse) -> list[str]:
    """Start a parse in a second thread while this thread's parse is building its tree.

    A garbage collection during the first parse (forced by a threshold of 1) lets the
    second thread run its parse then, as a kernel client's finalizers let the other
    runner thread run during a build. The second thread is waited for at most 2 s: with
    the lock it cannot finish until the first parse ends, which then ends on its own.
    Returns the SystemErrors raised in either thread.
    """
    errors: list[str] = []
    started, finished = threading.Event(), threading.Event()

    def other() -> None:
        started.wait()
        try:
            parse(SOURCE)
        except SystemError as error:
            errors.append(str(error))
        finished.set()

    def collecting(phase: str, info: dict) -> None:
        if phase == "start" and inside and not started.is_set():
            started.set()
            finished.wait(timeout=2)

    thread = threading.Thread(target=other)
    thread.start()
    threshold = gc.get_threshold()
    inside = False
    gc.callbacks.append(collecting)
    gc.set_threshold(1)
    try:
        inside = True
        parse(SOURCE)
    except SystemError as error:
        errors.append(str(error))
    finally:
        inside = False
        gc.set_threshold(*threshold)
        gc.callbacks.remove(collecting)
        started.set()
        thread.join()
    return errors


def test_a_parse_waits_while_another_thread_builds_its_tree():
    assert _parse_during_another_parse(syntax.parse) == []


@pytest.mark.parametrize("source", ["x = 1\n", b"def f():\n    return 2\n"])
def test_parse_gives_the_tree_ast_parse_gives(source):
    assert ast.dump(syntax.parse(source)) == ast.dump(ast.parse(source))
