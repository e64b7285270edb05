"""The built sites the browser and page tests read (``served.py`` serves them).

``LIFETOOLS_BUILT_SITE`` names a built ``public/site`` folder to check instead of
building the project copy (both fixtures then read it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def site(request) -> Path:
    """The two-edition series' site (``built_site``, asked for at run time: see
    ``EXPENSIVE_FIXTURES`` in ``tests/xdist_schedule.py``)."""
    given = os.environ.get("LIFETOOLS_BUILT_SITE")
    return Path(given).resolve() if given else request.getfixturevalue("built_site")


@pytest.fixture(scope="module")
def small_site(request) -> Path:
    """The one-edition small build's site (``small_build``, asked for at run time)."""
    given = os.environ.get("LIFETOOLS_BUILT_SITE")
    if given:
        return Path(given).resolve()
    return (request.getfixturevalue("small_build")["root"] / "public" / "site").resolve()
