"""Python source parsed safely from several threads at once.

CPython 3.11 keeps the depth counter of its AST constructor in one place per
interpreter, not per thread. When a garbage collection runs Python code (a ``__del__``,
a weakref callback) in the middle of building a tree, another thread can start its own
``ast.parse`` and the first fails with ``SystemError: AST constructor recursion depth
mismatch`` (CPython issue gh-106905). ``lifetools build -j 2`` failed so on 2026-12-02:
each runner thread reads the modules its notebook reaches (:mod:`.dependencies`) while
the other thread's kernel client collects garbage. Every parse in the pipeline goes
through :func:`parse`, which holds one lock while the tree is built.
"""

from __future__ import annotations

import ast
import threading

__all__ = ["parse"]

_LOCK = threading.Lock()


def parse(source: str | bytes) -> ast.Module:
    """``ast.parse(source)``, one thread at a time (raises ``SyntaxError`` as it does).

    Notes
    -----
    The lock is held only while the tree is built; walking it needs none. Tested in
    ``tests/unit/test_syntax.py`` by parsing in threads beside a thread that makes
    garbage with finalizers.
    """
    with _LOCK:
        return ast.parse(source)
