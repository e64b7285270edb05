"""A pytest plugin for the nbval run of ``test_nbval.py`` (``-p nbval_analysis``).

nbval starts a fresh kernel for each notebook file, with this process's environment,
when the file's first cell is set up. Each report links its figures' data under its
own folder, named by ``LIFETOOLS_ANALYSIS`` (set by the runner for every run): here it
is set to the notebook's analysis (its run folder's name) just before, so that one
nbval run re-executes every notebook as the runner ran it.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(tryfirst=True)  # before the file's set-up starts its kernel
def pytest_runtest_setup(item: pytest.Item) -> None:
    os.environ["LIFETOOLS_ANALYSIS"] = item.path.parent.name
